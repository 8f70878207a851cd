// The ledger in one process: fold round trips, filters, claims, expiry, torn lines, directory choice.
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ledger, isAlive, isId, selfRef, type CreateInput } from '../../src/ledger/index.js';

let dir: string;
let ledger: Ledger;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mft-ledger-'));
  ledger = new Ledger(dir);
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

const msg = (from: string, to: string, body: string, extra: Partial<CreateInput> = {}): CreateInput => ({
  from: { host: 'h1', session: from },
  to: { host: 'h1', session: to },
  body,
  ...extra,
});

function dayFiles(): string[] {
  return readdirSync(join(dir, 'messages')).sort();
}

function rawLines(): string[] {
  return dayFiles().flatMap((f) => readFileSync(join(dir, 'messages', f), 'utf8').split('\n').filter(Boolean));
}

describe('create and fold', () => {
  it('round-trips a record through disk, attempts included', () => {
    const created = ledger.create(msg('alice', 'bob', 'hello', { preamble: '[h1:alice -> h1:bob] ', kind: 'reply', group: 'g1' }));
    expect(isId(created.id)).toBe(true);
    expect(created).toMatchObject({ status: 'sending', text: '[h1:alice -> h1:bob] hello', attempts: [], kind: 'reply', group: 'g1' });

    ledger.startAttempt(created.id);
    ledger.finishAttempt(created.id, 'draft', { detail: 'text still in box', enters: 2, latencyMs: 1234 });
    ledger.startAttempt(created.id);
    ledger.finishAttempt(created.id, 'submitted', { enters: 1 });

    const fresh = new Ledger(dir).get(created.id)!; // another reader, from disk only
    expect(fresh).toMatchObject({
      id: created.id,
      from: { host: 'h1', session: 'alice' },
      to: { host: 'h1', session: 'bob' },
      body: 'hello',
      preamble: '[h1:alice -> h1:bob] ',
      created: created.created,
      status: 'submitted',
      createdBy: { pid: process.pid },
    });
    expect(fresh.attempts).toEqual([
      expect.objectContaining({ state: 'draft', detail: 'text still in box', enters: 2, latencyMs: 1234, pid: process.pid }),
      expect.objectContaining({ state: 'submitted', enters: 1 }),
    ]);
    expect(fresh.attempts[1]!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(fresh.crashed).toBeUndefined();
  });

  it('has the record on disk when create returns, before any attempt finishes', () => {
    const { id } = ledger.create(msg('alice', 'bob', 'line one\nline two'));
    const lines = rawLines();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ mfl: 1, e: 'create', id, status: 'sending', body: 'line one\nline two' });
    ledger.startAttempt(id);
    expect(rawLines()).toHaveLength(2);
    expect(new Ledger(dir).get(id)).toMatchObject({ status: 'sending', attempts: [{ state: 'started' }] });
    // This process is alive, so the open attempt is not a crash.
    expect(new Ledger(dir).get(id)!.crashed).toBeUndefined();
  });

  it('creates private files and directories', () => {
    ledger.create(msg('a', 'b', 'secret'));
    expect(statSync(join(dir, 'messages')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'messages', dayFiles()[0]!)).mode & 0o777).toBe(0o600);
  });

  it('sets outcomes without attempts and keeps the error', () => {
    const { id } = ledger.create(msg('a', 'b', 'x'));
    ledger.setStatus(id, 'held', 'box holds 12 chars of a person');
    expect(ledger.get(id)).toMatchObject({ status: 'held', error: 'box holds 12 chars of a person', attempts: [] });
  });

  it('never reopens a final record, and says so', () => {
    const { id } = ledger.create(msg('a', 'b', 'x'));
    ledger.startAttempt(id);
    ledger.finishAttempt(id, 'submitted');
    ledger.setStatus(id, 'pending');
    ledger.startAttempt(id);
    expect(ledger.get(id)).toMatchObject({ status: 'submitted', attempts: [{ state: 'submitted' }] });
    expect(ledger.warnings().map((w) => w.kind)).toEqual(['reopen', 'reopen']);
  });

  it('puts a retried attempt back to pending', () => {
    const { id } = ledger.create(msg('a', 'b', 'x', { queue: true }));
    expect(ledger.claim(id)).toBe(true);
    ledger.startAttempt(id);
    ledger.finishAttempt(id, 'held', { detail: 'person typing', retry: true });
    ledger.release(id);
    expect(ledger.get(id)).toMatchObject({ status: 'pending', error: 'person typing', attempts: [{ state: 'held' }] });
    expect(ledger.pending().map((r) => r.id)).toEqual([id]);
    expect(ledger.claim(id)).toBe(true); // released, so claimable again
  });

  it('rejects malformed ids and endpoints', () => {
    expect(() => ledger.startAttempt('nope')).toThrow(/not a message id/);
    expect(ledger.get('nope')).toBeUndefined();
    expect(() => ledger.create({ from: { host: '', session: 'a' }, to: { host: 'h', session: 'b' }, body: '' })).toThrow(/host and a session/);
    expect(() => ledger.create(msg('a', 'b', 'x', { queue: true, ttlMs: 0 }))).toThrow(/ttl/);
  });

  it('reads nothing, and creates nothing, when the ledger does not exist yet', () => {
    const empty = new Ledger(join(dir, 'not-yet'));
    expect(empty.list()).toEqual([]);
    expect(empty.pending()).toEqual([]);
    expect(empty.expire()).toEqual([]);
    expect(existsSync(join(dir, 'not-yet'))).toBe(false);
  });

  it('sees appends by another writer incrementally', () => {
    const reader = new Ledger(dir);
    expect(reader.list()).toEqual([]);
    const a = ledger.create(msg('a', 'b', 'one'));
    expect(reader.list().map((r) => r.id)).toEqual([a.id]);
    ledger.startAttempt(a.id);
    ledger.finishAttempt(a.id, 'queued');
    const b = ledger.create(msg('a', 'b', 'two'));
    expect(reader.list().map((r) => [r.id, r.status])).toEqual([
      [a.id, 'queued'],
      [b.id, 'sending'],
    ]);
  });

  it('starts over when a day file is replaced underneath a reader', () => {
    const reader = new Ledger(dir);
    ledger.create(msg('a', 'b', 'one'));
    expect(reader.list()).toHaveLength(1);
    unlinkSync(join(dir, 'messages', dayFiles()[0]!));
    const b = ledger.create(msg('a', 'b', 'two'));
    expect(reader.list().map((r) => r.id)).toEqual([b.id]);
  });
});

describe('queries', () => {
  it('lists oldest first across days, filtered by agent, status, since and limit', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-11-20T23:59:00Z'));
    const r1 = ledger.create(msg('alice', 'bob', 'r1'));
    vi.setSystemTime(new Date('2025-11-21T00:01:00Z'));
    const r2 = ledger.create({ ...msg('carol', 'alice', 'r2'), to: { host: 'h2', session: 'alice' } });
    ledger.setStatus(r2.id, 'failed', 'no such session');
    vi.setSystemTime(new Date('2025-11-21T09:00:00Z'));
    const r3 = ledger.create(msg('bob', 'carol', 'r3'));
    // An event for r1 written on day two still lands in r1's (creation) day file.
    ledger.startAttempt(r1.id);
    ledger.finishAttempt(r1.id, 'submitted');

    expect(dayFiles()).toEqual(['2025-11-20.jsonl', '2025-11-21.jsonl']);
    expect(readFileSync(join(dir, 'messages', '2025-11-20.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
    const ids = (rs: { id: string }[]) => rs.map((r) => r.id);
    expect(ids(ledger.list())).toEqual([r1.id, r2.id, r3.id]);
    expect(ids(ledger.list({ agent: 'alice' }))).toEqual([r1.id, r2.id]);
    expect(ids(ledger.list({ agent: 'h2:alice' }))).toEqual([r2.id]);
    expect(ids(ledger.list({ agent: 'h1:alice' }))).toEqual([r1.id]);
    expect(ids(ledger.list({ status: ['failed', 'sending'] }))).toEqual([r2.id, r3.id]);
    expect(ids(ledger.list({ since: new Date('2025-11-21T00:00:00Z') }))).toEqual([r2.id, r3.id]);
    expect(ids(ledger.list({ since: new Date('2025-11-21T00:01:00Z') }))).toEqual([r2.id, r3.id]);
    expect(ids(ledger.list({ since: new Date('2025-11-21T00:01:00.001Z') }))).toEqual([r3.id]);
    expect(ids(ledger.list({ limit: 2 }))).toEqual([r2.id, r3.id]);
    expect(ids(ledger.list({ limit: 1, agent: 'bob' }))).toEqual([r3.id]);
    expect(ledger.get(r1.id)!.status).toBe('submitted');
  });

  it("lists an agent's inbox newest last, delivered messages only by default", () => {
    const m1 = ledger.create(msg('alice', 'bob', 'one'));
    ledger.finishAttempt(m1.id, 'submitted');
    const m2 = ledger.create(msg('carol', 'bob', 'two'));
    ledger.finishAttempt(m2.id, 'failed', { detail: 'pane dead' });
    const m3 = ledger.create(msg('dave', 'bob', 'three'));
    ledger.finishAttempt(m3.id, 'queued');
    const m4 = ledger.create(msg('bob', 'alice', 'not to bob'));
    ledger.finishAttempt(m4.id, 'submitted');

    expect(ledger.inbox('bob').map((r) => r.body)).toEqual(['one', 'three']);
    expect(ledger.inbox({ host: 'h1', session: 'bob' }, 1)[0]!.from.session).toBe('dave'); // whom `reply` answers
    expect(ledger.inbox('bob', 10, ['submitted', 'queued', 'failed']).map((r) => r.body)).toEqual(['one', 'two', 'three']);
    expect(ledger.inbox('h9:bob')).toEqual([]);
  });

  it('lists pending messages per target in creation order, without immediate or expired ones', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-11-21T10:00:00Z'));
    const q1 = ledger.create(msg('a', 'b', 'q1', { queue: true, ttlMs: 60_000 }));
    const q2 = ledger.create(msg('a', 'c', 'q2', { queue: true, ttlMs: 10_000 }));
    const q3 = ledger.create(msg('x', 'b', 'q3', { queue: true }));
    ledger.create(msg('a', 'b', 'immediate'));
    const ids = (rs: { id: string }[]) => rs.map((r) => r.id);
    expect(ids(ledger.pending())).toEqual([q1.id, q2.id, q3.id]);
    expect(ids(ledger.pending('b'))).toEqual([q1.id, q3.id]);
    expect(ids(ledger.pending('h1:c'))).toEqual([q2.id]);
    expect(q2.expiresAt).toBe('2025-11-21T10:00:10.000Z');
    expect(ids(ledger.pending(undefined, new Date('2025-11-21T10:00:10Z')))).toEqual([q1.id, q3.id]);
  });
});

describe('claims and expiry', () => {
  it('claims once, refuses final and expired messages, cleans up', () => {
    const { id } = ledger.create(msg('a', 'b', 'x', { queue: true }));
    expect(ledger.claim(id)).toBe(true);
    expect(ledger.claim(id)).toBe(false); // not re-entrant
    expect(new Ledger(dir).claim(id)).toBe(false); // another instance, same live process: still held
    expect(ledger.get(id)!.claimedBy).toMatchObject({ pid: process.pid });
    ledger.startAttempt(id);
    ledger.finishAttempt(id, 'submitted');
    ledger.release(id);
    expect(existsSync(join(dir, 'claims', id))).toBe(false);
    expect(ledger.claim(id)).toBe(false);
    expect(ledger.claim('0zzzzzzzz-000000')).toBe(false); // unknown id
    expect(ledger.claim(ledger.create(msg('a', 'b', 'immediate')).id)).toBe(false); // sender alive, not queued
  });

  it('a claimant that wins after the message went final steps back', () => {
    const { id } = ledger.create(msg('a', 'b', 'x', { queue: true }));
    const other = new Ledger(dir);
    expect(other.pending()).toHaveLength(1); // other's view: still pending
    expect(ledger.claim(id)).toBe(true);
    ledger.startAttempt(id);
    ledger.finishAttempt(id, 'submitted');
    ledger.release(id);
    expect(other.claim(id)).toBe(false);
    expect(existsSync(join(dir, 'claims', id))).toBe(false);
  });

  it('expires pending messages past their ttl, not ones being delivered', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-11-21T10:00:00Z'));
    const old = ledger.create(msg('a', 'b', 'old', { queue: true, ttlMs: 1000 }));
    const busy = ledger.create(msg('a', 'b', 'busy', { queue: true, ttlMs: 1000 }));
    const young = ledger.create(msg('a', 'b', 'young', { queue: true, ttlMs: 60_000 }));
    const forever = ledger.create(msg('a', 'b', 'no ttl', { queue: true }));
    expect(ledger.claim(busy.id)).toBe(true);
    ledger.startAttempt(busy.id);

    const later = new Date('2025-11-21T10:00:05Z');
    expect(ledger.claim(old.id, later)).toBe(false); // expired messages are never delivered
    const expired = ledger.expire(later);
    expect(expired.map((r) => r.id)).toEqual([old.id]);
    expect(ledger.get(old.id)).toMatchObject({ status: 'expired', error: 'not delivered before 2025-11-21T10:00:01.000Z' });
    expect(ledger.get(busy.id)!.status).toBe('sending');
    expect(ledger.pending(undefined, later).map((r) => r.id)).toEqual([young.id, forever.id]);
    expect(ledger.expire(later)).toEqual([]);
    expect(readdirSync(join(dir, 'claims')).filter((n) => !n.startsWith('.'))).toEqual([busy.id]);
  });
});

describe('torn and foreign lines', () => {
  it('skips and reports a partial last line, then recovers the next writer’s event glued onto it', () => {
    const a = ledger.create(msg('a', 'b', 'first'));
    const file = join(dir, 'messages', dayFiles()[0]!);
    const torn = `{"mfl":1,"e":"create","id":"${a.id.slice(0, 9)}-tttttt","at":"2025-11-2`;
    appendFileSync(file, torn); // a crash mid-write: no newline

    const reader = new Ledger(dir);
    expect(reader.list().map((r) => r.id)).toEqual([a.id]);
    expect(reader.warnings()).toEqual([expect.objectContaining({ kind: 'partial-tail', file, excerpt: torn.slice(0, 80) })]);

    const b = ledger.create(msg('a', 'b', 'second')); // lands on the same physical line as the fragment
    ledger.startAttempt(b.id);
    ledger.finishAttempt(b.id, 'submitted');
    expect(reader.list().map((r) => [r.body, r.status])).toEqual([
      ['first', 'sending'],
      ['second', 'submitted'],
    ]);
    expect(reader.warnings().map((w) => w.kind)).toEqual(['torn']);
    expect(new Ledger(dir).warnings()).toEqual([]); // nothing read yet
  });

  it('skips garbage, unknown events and orphans in the middle of a file', () => {
    const a = ledger.create(msg('a', 'b', 'first'));
    const file = join(dir, 'messages', dayFiles()[0]!);
    appendFileSync(file, 'not json at all\n{"mfl":1,"e":"bogus","id":"x","at":"y"}\n{"mfl":1,"e":"status","id":"0aaaaaaaa-aaaaaa","at":"z","status":"failed"}\n\n');
    ledger.finishAttempt(a.id, 'submitted');
    const reader = new Ledger(dir);
    expect(reader.get(a.id)!.status).toBe('submitted');
    expect(reader.warnings().map((w) => w.kind)).toEqual(['torn', 'bad-event', 'orphan']);
  });

  it('reads a file whose only content is torn', () => {
    const id = ledger.create(msg('a', 'b', 'x')).id;
    const file = join(dir, 'messages', dayFiles()[0]!);
    writeFileSync(file, '{"mfl":1,"e":"cre');
    expect(new Ledger(dir).get(id)).toBeUndefined();
  });
});

describe('defaultDir', () => {
  it('follows XDG_STATE_HOME, falling back to ~/.local/state', () => {
    expect(Ledger.defaultDir({ XDG_STATE_HOME: '/x/state', HOME: '/home/u' })).toBe('/x/state/mosaic/fleet/ledger');
    expect(Ledger.defaultDir({ HOME: '/home/u' })).toBe('/home/u/.local/state/mosaic/fleet/ledger');
    expect(Ledger.defaultDir({ XDG_STATE_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.local/state/mosaic/fleet/ledger');
  });
});

describe('process liveness', () => {
  it('tells a running process from a reused pid, another boot or another machine', () => {
    const self = selfRef();
    expect(isAlive(self)).toBe(true);
    expect(isAlive({ ...self, machine: 'some-other-machine' })).toBeUndefined();
    if (self.start !== undefined) expect(isAlive({ ...self, start: String(Number(self.start) + 1) })).toBe(false);
    if (self.boot !== undefined) expect(isAlive({ ...self, boot: 'another-boot' })).toBe(false);
    expect(isAlive({ pid: 2 ** 22 + 7, machine: self.machine })).toBe(false); // above pid_max: no such process
  });
});
