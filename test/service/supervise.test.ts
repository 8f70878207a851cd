import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART, type RestartPolicy } from '../../src/roster/resolve.js';
import {
  backoffFor,
  decide,
  historyFrom,
  isFailure,
  restartsInWindow,
  streakOf,
  summarize,
  type AgentHistory,
  type Observation,
  type RevivalRecord,
} from '../../src/service/supervise.js';
import type { SupervisionRecord } from '../../src/ledger/supervision.js';

const T = 1_000_000_000_000; // a fixed "now"
const policy = (over: Partial<RestartPolicy> = {}): RestartPolicy => ({ ...DEFAULT_RESTART, policy: 'on-failure', maxRestarts: 3, windowMs: 60_000, backoffMs: 1_000, maxBackoffMs: 3_000, ...over });
const dead = (exitStatus: number | null, exitSignal: number | null = null, life = 500): Observation => ({ state: 'dead', exitStatus, exitSignal, life });
const fresh = (over: Partial<AgentHistory> = {}): AgentHistory => ({ revivals: [], exitSeenAt: T - 10_000, givenUp: false, ...over });
const revival = (at: number, life: number | null, newLife: number | null, over: Partial<RevivalRecord> = {}): RevivalRecord => ({ at, life, newLife, finishedAt: at + 100, skipped: false, ...over });

describe('isFailure', () => {
  it.each([
    [0, null, false],
    [1, null, true],
    [3, null, true],
    [null, 9, true],
    [0, 15, true],
    [null, null, true], // tmux could not read it: nothing says it ended cleanly
  ])('status %s signal %s -> %s', (status, signal, expected) => {
    expect(isFailure({ exitStatus: status, exitSignal: signal })).toBe(expected);
  });
});

describe('backoffFor', () => {
  it('doubles from the base per attempt and stops at the cap', () => {
    const p = { backoffMs: 500, maxBackoffMs: 5_000 };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffFor(p, n))).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
  });

  it('revives at once with a zero base, and a cap below the base wins', () => {
    expect([1, 2, 3].map((n) => backoffFor({ backoffMs: 0, maxBackoffMs: 10 }, n))).toEqual([0, 0, 0]);
    expect(backoffFor({ backoffMs: 1_000, maxBackoffMs: 200 }, 1)).toBe(200);
  });
});

describe('decide: which states and exits lead anywhere', () => {
  const states: Observation['state'][] = ['idle', 'busy', 'running', 'starting', 'missing', 'unreachable'];
  for (const name of ['never', 'on-failure', 'always'] as const) {
    for (const state of states) {
      it(`${name}: a ${state} agent is left alone`, () => {
        const expected = state === 'missing' ? 'missing' : state === 'unreachable' ? 'unreachable' : 'alive';
        expect(decide(policy({ policy: name }), { state, exitStatus: null, exitSignal: null, life: 1 }, fresh(), T)).toEqual({ action: 'none', reason: expected });
      });
    }
  }

  it.each([
    ['never', 3, null, { action: 'none', reason: 'policy-never' }],
    ['never', 0, null, { action: 'none', reason: 'policy-never' }],
    ['never', null, 9, { action: 'none', reason: 'policy-never' }],
    ['on-failure', 0, null, { action: 'none', reason: 'clean-exit' }],
    ['on-failure', 3, null, { action: 'revive', attempt: 1, delayMs: 1_000 }],
    ['on-failure', null, 9, { action: 'revive', attempt: 1, delayMs: 1_000 }],
    ['on-failure', null, null, { action: 'revive', attempt: 1, delayMs: 1_000 }],
    ['always', 0, null, { action: 'revive', attempt: 1, delayMs: 1_000 }],
    ['always', 3, null, { action: 'revive', attempt: 1, delayMs: 1_000 }],
    ['always', null, 15, { action: 'revive', attempt: 1, delayMs: 1_000 }],
  ] as const)('%s, exit status %s signal %s -> %o', (name, status, signal, expected) => {
    expect(decide(policy({ policy: name }), dead(status, signal), fresh(), T)).toEqual(expected);
  });
});

describe('decide: backoff, window and limit', () => {
  it('waits out the backoff from the moment the death was first recorded', () => {
    const history = fresh({ exitSeenAt: T - 400 });
    expect(decide(policy(), dead(1), history, T)).toEqual({ action: 'wait', at: T + 600, attempt: 1, delayMs: 1_000 });
    expect(decide(policy(), dead(1), history, T + 600)).toEqual({ action: 'revive', attempt: 1, delayMs: 1_000 });
  });

  it('counts from now when the death is not recorded yet', () => {
    expect(decide(policy(), dead(1), fresh({ exitSeenAt: null }), T)).toEqual({ action: 'wait', at: T + 1_000, attempt: 1, delayMs: 1_000 });
    expect(decide(policy({ backoffMs: 0 }), dead(1), fresh({ exitSeenAt: null }), T)).toEqual({ action: 'revive', attempt: 1, delayMs: 0 });
  });

  it('grows the wait along a chain of revivals (each revived life died again) and gives up at the limit', () => {
    // life 100 died -> revived as 200 -> died -> revived as 300 -> died ...
    const r1 = revival(T - 9_000, 100, 200);
    const r2 = revival(T - 6_000, 200, 300);
    const r3 = revival(T - 3_000, 300, 400);
    const at = (life: number, revivals: RevivalRecord[]) => decide(policy(), dead(1, null, life), fresh({ revivals, exitSeenAt: T - 100 }), T);
    expect(at(200, [r1])).toMatchObject({ attempt: 2, delayMs: 2_000 });
    expect(at(300, [r1, r2])).toMatchObject({ attempt: 3, delayMs: 3_000 }); // 4 s capped at 3 s
    expect(at(400, [r1, r2, r3])).toEqual({ action: 'give-up', restarts: 3 });
  });

  it('forgets revivals older than the window', () => {
    const old = revival(T - 70_000, 100, 200);
    const r2 = revival(T - 30_000, 200, 300);
    expect(restartsInWindow(policy(), [old, r2], 300, T)).toBe(1);
    expect(decide(policy(), dead(1, null, 300), fresh({ revivals: [old, r2] }), T)).toMatchObject({ action: 'revive', attempt: 2, delayMs: 2_000 });
  });

  it('starts over when someone started the agent by hand (its life comes from no revival)', () => {
    const revivals = [revival(T - 9_000, 100, 200), revival(T - 6_000, 200, 300), revival(T - 3_000, 300, 400)];
    // 400 died, gave up; a person ran `mosaic-fleet start`: life 450 is nobody's newLife.
    expect(decide(policy(), dead(1, null, 450), fresh({ revivals }), T)).toMatchObject({ action: 'revive', attempt: 1, delayMs: 1_000 });
  });

  it('counts failed attempts on the same dead life and waits from the last one', () => {
    const failed = [revival(T - 5_000, 500, null, { finishedAt: T - 4_900 }), revival(T - 2_000, 500, null, { finishedAt: T - 1_500 })];
    expect(decide(policy(), dead(1), fresh({ revivals: failed, exitSeenAt: T - 8_000 }), T)).toEqual({ action: 'wait', at: T - 1_500 + 3_000, attempt: 3, delayMs: 3_000 });
  });

  it('does not count an attempt that found the agent already revived by someone else', () => {
    const skipped = revival(T - 1_000, 500, null, { skipped: true });
    expect(restartsInWindow(policy(), [skipped], 500, T)).toBe(0);
    expect(decide(policy(), dead(1), fresh({ revivals: [skipped] }), T)).toMatchObject({ action: 'revive', attempt: 1 });
  });

  it('does nothing more once it gave up on this life', () => {
    expect(decide(policy(), dead(1), fresh({ givenUp: true }), T)).toEqual({ action: 'none', reason: 'given-up' });
  });

  it('gives up at once with a limit already used by revivals in the window', () => {
    const revivals = [revival(T - 3_000, 100, 500)];
    expect(decide(policy({ maxRestarts: 1 }), dead(1), fresh({ revivals }), T)).toEqual({ action: 'give-up', restarts: 1 });
  });
});

describe('streakOf', () => {
  it('follows lives back through revivals, newest first, and stops at a loop', () => {
    const a = revival(1, 100, 200);
    const b = revival(2, 200, 300);
    const loop = revival(3, 300, 100);
    expect(streakOf([a, b], 300)).toEqual([b, a]);
    expect(streakOf([a, b, loop], 100)).toEqual([a, loop, b]);
    expect(streakOf([a, b], null)).toEqual([]);
  });
});

const rec = (over: Partial<SupervisionRecord>): SupervisionRecord => ({
  id: 'x',
  kind: 'exit',
  at: new Date(T - 5_000).toISOString(),
  by: { pid: 1, machine: 'm' },
  agent: 'a',
  host: 'local',
  life: 500,
  exitStatus: 3,
  exitSignal: null,
  ...over,
});

describe('historyFrom and summarize', () => {
  const records = [
    rec({ kind: 'exit', life: 100, at: new Date(T - 9_000).toISOString() }),
    rec({ kind: 'revive', life: 100, at: new Date(T - 8_000).toISOString(), outcome: 'ready', newLife: 500, finishedAt: new Date(T - 7_900).toISOString() }),
    rec({ kind: 'exit', life: 500, at: new Date(T - 5_000).toISOString(), exitStatus: 4 }),
    rec({ kind: 'give-up', life: 500, at: new Date(T - 4_000).toISOString() }),
    rec({ kind: 'exit', agent: 'other', life: 500 }),
  ];

  it('reads revivals, the recorded death and a give-up of the observed life, of this agent only', () => {
    expect(historyFrom(records, 'a', 'local', 500)).toEqual({
      revivals: [{ at: T - 8_000, life: 100, newLife: 500, finishedAt: T - 7_900, skipped: false }],
      exitSeenAt: T - 5_000,
      givenUp: true,
    });
    expect(historyFrom(records, 'a', 'other-host', 500)).toEqual({ revivals: [], exitSeenAt: null, givenUp: false });
  });

  it('shows a dead pane with its own exit, the recorded time, the restarts and the give-up', () => {
    expect(summarize(policy(), records, { name: 'a', host: 'local', state: 'dead', exitStatus: 4, exitSignal: null, startedAt: 500 }, T)).toEqual({
      restarts: 1,
      givenUp: true,
      lastExit: { status: 4, signal: null, at: new Date(T - 5_000).toISOString() },
    });
  });

  it('shows a running agent its last recorded exit; a dead pane the supervisor never saw has no time', () => {
    expect(summarize(policy(), records, { name: 'a', host: 'local', state: 'idle', exitStatus: null, exitSignal: null, startedAt: 900 }, T)).toEqual({
      restarts: 0,
      givenUp: false,
      lastExit: { status: 4, signal: null, at: new Date(T - 5_000).toISOString() },
    });
    expect(summarize(policy(), [], { name: 'a', host: 'local', state: 'dead', exitStatus: null, exitSignal: 9, startedAt: 1 }, T)).toEqual({
      restarts: 0,
      givenUp: false,
      lastExit: { status: null, signal: 9, at: null },
    });
    expect(summarize(policy(), [], { name: 'a', host: 'local', state: 'idle', exitStatus: null, exitSignal: null, startedAt: 1 }, T).lastExit).toBeNull();
  });
});
