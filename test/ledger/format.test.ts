// parseSince and formatLogTable: the pure helpers `log` uses.
import { describe, expect, it } from 'vitest';
import { formatLogTable, parseSince, type MessageRecord } from '../../src/ledger/index.js';

const NOW = new Date('2025-11-21T12:00:00Z');

describe('parseSince', () => {
  it('reads durations back from now', () => {
    expect(parseSince('10m', NOW).toISOString()).toBe('2025-11-21T11:50:00.000Z');
    expect(parseSince('2h', NOW).toISOString()).toBe('2025-11-21T10:00:00.000Z');
    expect(parseSince('1d', NOW).toISOString()).toBe('2025-11-20T12:00:00.000Z');
    expect(parseSince('90s', NOW).toISOString()).toBe('2025-11-21T11:58:30.000Z');
    expect(parseSince('1w', NOW).toISOString()).toBe('2025-11-14T12:00:00.000Z');
    expect(parseSince(' 1.5h ', NOW).toISOString()).toBe('2025-11-21T10:30:00.000Z');
  });

  it('reads ISO dates and times', () => {
    expect(parseSince('2025-11-20', NOW).toISOString()).toBe('2025-11-20T00:00:00.000Z');
    expect(parseSince('2025-11-20T08:30:00Z', NOW).toISOString()).toBe('2025-11-20T08:30:00.000Z');
    expect(parseSince('2025-11-20T08:30:00+02:00', NOW).toISOString()).toBe('2025-11-20T06:30:00.000Z');
  });

  it('refuses anything else with a usage error', () => {
    for (const bad of ['', '10', 'm', '10y', '-5m', 'yesterday', 'May 3', '2025-13-45']) {
      expect(() => parseSince(bad, NOW), bad).toThrow(expect.objectContaining({ code: 'USAGE', name: 'UsageError' }));
    }
  });
});

function record(over: Partial<MessageRecord>): MessageRecord {
  return {
    id: '0mi8f2k3q-x7c2ab',
    kind: 'send',
    from: { host: 'h1', session: 'alice' },
    to: { host: 'h2', session: 'bob' },
    body: 'hello',
    preamble: '',
    text: 'hello',
    created: '2025-11-21T09:05:03.000Z',
    updated: '2025-11-21T09:05:03.000Z',
    status: 'submitted',
    queued: false,
    attempts: [],
    createdBy: { pid: 1, machine: 'm' },
    ...over,
  };
}

describe('formatLogTable', () => {
  it('aligns time, id, route, status, attempts and the first 60 body characters', () => {
    const long = `${'x'.repeat(58)}✓✓ and more`;
    const table = formatLogTable(
      [
        record({ body: 'line one\n  line two' }),
        record({ id: '0mi8f2k3r-aaaaaa', to: { host: 'h1', session: 'carol-long' }, status: 'sending', crashed: true, body: long,
          attempts: [{ at: '', pid: 1, machine: 'm', state: 'started' }], created: '2025-11-21T23:59:59.000Z' }),
      ],
      { utc: true },
    );
    expect(table.split('\n')).toEqual([
      'TIME                 ID                FROM -> TO                 STATUS             TRIES  BODY',
      '2025-11-21 09:05:03  0mi8f2k3q-x7c2ab  h1:alice -> h2:bob         submitted          0      line one line two',
      `2025-11-21 23:59:59  0mi8f2k3r-aaaaaa  h1:alice -> h1:carol-long  sending (crashed)  1      ${'x'.repeat(58)}✓✓…`,
    ]);
  });

  it('says so when there is nothing', () => {
    expect(formatLogTable([])).toBe('no messages');
  });

  it('uses local time unless asked for UTC', () => {
    const local = new Date('2025-11-21T09:05:03.000Z');
    const hh = String(local.getHours()).padStart(2, '0');
    expect(formatLogTable([record({})]).split('\n')[1]!.slice(11, 13)).toBe(hh);
  });
});
