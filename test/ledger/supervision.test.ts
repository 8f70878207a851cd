// The supervision journal: deaths, revivals and give-ups next to the messages, durable and tolerant like them.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger, type AgentDeath } from '../../src/ledger/index.js';

let dir: string;
let ledger: Ledger;
const death = (agent = 'a', life = 1_000): AgentDeath => ({ agent, host: 'local', life, exitStatus: 3, exitSignal: null });
const file = () => {
  const [day] = readdirSync(join(dir, 'supervision'));
  return join(dir, 'supervision', day!);
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mft-superv-'));
  ledger = new Ledger(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('supervision records', () => {
  it('round-trip through disk: a revival folds its outcome into one record, in order, per agent', () => {
    const exit = ledger.supervision.recordExit(death());
    const revive = ledger.supervision.startRevival(death(), 1, 250);
    expect(revive).toMatchObject({ kind: 'revive', outcome: 'started', attempt: 1, delayMs: 250 });
    ledger.supervision.finishRevival(revive.id, { outcome: 'ready', newLife: 2_000, pid: 42, kickstart: 'submitted' });
    ledger.supervision.recordExit(death('b'));
    ledger.supervision.recordGiveUp(death('a', 2_000), 1, 60_000);

    const fresh = new Ledger(dir).supervision; // a reader that saw none of it being written
    const mine = fresh.list({ agent: 'a' });
    expect(mine.map((r) => r.kind)).toEqual(['exit', 'revive', 'give-up']);
    expect(mine[0]).toEqual({ ...exit });
    expect(mine[1]).toMatchObject({ id: revive.id, agent: 'a', host: 'local', life: 1_000, exitStatus: 3, exitSignal: null, attempt: 1, delayMs: 250, outcome: 'ready', newLife: 2_000, pid: 42, kickstart: 'submitted' });
    expect(typeof mine[1]!.finishedAt).toBe('string');
    expect(mine[2]).toMatchObject({ life: 2_000, restarts: 1, windowMs: 60_000 });
    expect(fresh.list({ agent: 'local:b' }).map((r) => r.agent)).toEqual(['b']);
    expect(fresh.list({ since: new Date(Date.now() + 60_000) })).toEqual([]);
    expect(fresh.warnings()).toEqual([]);
  });

  it('writes one marked JSON line per event in its own day files, which message readers never open', () => {
    const revive = ledger.supervision.startRevival(death(), 1, 0);
    ledger.supervision.finishRevival(revive.id, { outcome: 'exited', newLife: null, pid: null, detail: 'a exited while starting' });
    const lines = readFileSync(file(), 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.startsWith('{"mfl":1,'))).toBe(true);
    expect(lines.map((l) => (JSON.parse(l) as { e: string; id: string }).e)).toEqual(['revive', 'revived']);
    expect(new Set(lines.map((l) => (JSON.parse(l) as { id: string }).id)).size).toBe(1);
    expect(ledger.list()).toEqual([]);
    expect(ledger.warnings()).toEqual([]);
  });

  it('skips and reports torn lines, unknown event kinds and an outcome with no revival, keeping the rest', () => {
    ledger.supervision.recordExit(death());
    appendFileSync(file(), '{"mfl":1,"id":"0000000aa-aaaaaa","at":"2026-01-01T00:00:00.000Z","e":"pause","agent":"a"}\n');
    appendFileSync(file(), '{"mfl":1,"id":"0000000bb-bbbbbb","at":"2026-01-01T00:00:00.000Z","e":"revived","outcome":"ready"}\n');
    appendFileSync(file(), '{"mfl":1,"id":"torn');
    ledger.supervision.recordExit(death('b'));
    const reader = new Ledger(dir).supervision;
    expect(reader.list().map((r) => r.agent)).toEqual(['a', 'b']);
    expect(reader.warnings().map((w) => w.kind).sort()).toEqual(['bad-event', 'orphan', 'torn']);
  });

  it('never reopens a finished revival', () => {
    const revive = ledger.supervision.startRevival(death(), 1, 0);
    ledger.supervision.finishRevival(revive.id, { outcome: 'ready', newLife: 5, pid: 1 });
    ledger.supervision.finishRevival(revive.id, { outcome: 'failed', newLife: null, pid: null });
    const reader = new Ledger(dir).supervision;
    expect(reader.list()[0]).toMatchObject({ outcome: 'ready', newLife: 5 });
    expect(reader.warnings().map((w) => w.kind)).toEqual(['reopen']);
  });

  it('an open reader sees records appended later (incremental)', () => {
    const reader = new Ledger(dir).supervision;
    expect(reader.list()).toEqual([]);
    ledger.supervision.recordExit(death());
    expect(reader.list()).toHaveLength(1);
    ledger.supervision.recordExit(death('b'));
    expect(reader.list().map((r) => r.agent)).toEqual(['a', 'b']);
  });
});
