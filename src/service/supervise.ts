// The restart policy as a pure function: given an agent's policy, what the supervisor did about it before and what
// its pane shows now, decide whether to revive it now, later, give up, or do nothing. No I/O, no clock of its own.
//
// A "life" is one run of the agent's REPL, named by the time it was started (the pane's @mosaic_started, kept by a
// dead pane). A revival turns a dead life into a new one; the chain of lives the supervisor revived one from another
// is the current streak. Someone starting the agent by hand begins a new life no revival produced, so the streak,
// and with it the backoff and the limit, starts over (pm2 resets its counter on a manual restart the same way).
import type { RestartPolicy } from '../roster/resolve.js';
import type { SupervisionRecord } from '../ledger/supervision.js';

/** What the pane shows, as overview() reports it. */
export interface Observation {
  state: 'idle' | 'busy' | 'running' | 'starting' | 'dead' | 'missing' | 'unreachable';
  exitStatus: number | null;
  exitSignal: number | null;
  /** Start time (ms) of the life the pane holds, dead or alive; null when unknown. */
  life: number | null;
}

/** One revival attempt as the ledger holds it. */
export interface RevivalRecord {
  /** When the attempt began (ms). */
  at: number;
  /** The dead life it revived. */
  life: number | null;
  /** The life it started, once known (null: the start failed or was not seen). */
  newLife: number | null;
  /** When the attempt finished (ms), if it did. */
  finishedAt: number | null;
  /** An attempt that found the agent already running (someone else revived it) is not a revival. */
  skipped: boolean;
}

/** What the supervisor knows about one agent from the ledger. */
export interface AgentHistory {
  revivals: readonly RevivalRecord[];
  /** When the death of the observed life was first recorded; null when not yet. */
  exitSeenAt: number | null;
  /** A give-up is already recorded for the observed life. */
  givenUp: boolean;
}

export type Decision =
  | { action: 'none'; reason: 'alive' | 'missing' | 'unreachable' | 'policy-never' | 'clean-exit' | 'given-up' }
  | { action: 'wait'; at: number; attempt: number; delayMs: number }
  | { action: 'revive'; attempt: number; delayMs: number }
  | { action: 'give-up'; restarts: number };

/** A non-zero exit status or a signal is a failure; a death whose status tmux could not read counts as one too
 *  (nothing says it ended cleanly). */
export function isFailure(observed: Pick<Observation, 'exitStatus' | 'exitSignal'>): boolean {
  return observed.exitSignal !== null || observed.exitStatus !== 0;
}

/** The wait before attempt `attempt` (1-based) of a streak: backoff doubled per earlier attempt, capped. */
export function backoffFor(policy: Pick<RestartPolicy, 'backoffMs' | 'maxBackoffMs'>, attempt: number): number {
  const doubled = policy.backoffMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(doubled, policy.maxBackoffMs);
}

/** The revivals of the streak that ends in `life`, newest first: attempts on `life` itself (a start that failed leaves
 *  the same dead life), then the revival that produced `life` and the attempts on the life before it, and so on back
 *  to a life nobody revived (a start by hand) or, with `since`, to revivals no newer than `since`. */
export function streakOf(revivals: readonly RevivalRecord[], life: number | null, since = -Infinity): RevivalRecord[] {
  const onLife = new Map<number, RevivalRecord[]>();
  const producerOf = new Map<number, RevivalRecord>();
  for (const r of revivals) {
    if (r.skipped || r.at <= since) continue;
    if (r.life !== null) onLife.set(r.life, [...(onLife.get(r.life) ?? []), r]);
    if (r.newLife !== null) producerOf.set(r.newLife, r);
  }
  const out: RevivalRecord[] = [];
  const seen = new Set<number>();
  for (let current = life; current !== null && !seen.has(current); current = producerOf.get(current)?.life ?? null) {
    seen.add(current);
    out.push(...(onLife.get(current) ?? []).sort((a, b) => b.at - a.at));
  }
  return out;
}

/** Revivals of the current streak within the policy's window: the number max_restarts limits. */
export function restartsInWindow(policy: Pick<RestartPolicy, 'windowMs'>, revivals: readonly RevivalRecord[], life: number | null, now: number): number {
  return streakOf(revivals, life, now - policy.windowMs).length;
}

/** What to do about one agent now. */
export function decide(policy: RestartPolicy, observed: Observation, history: AgentHistory, now: number): Decision {
  if (observed.state === 'missing') return { action: 'none', reason: 'missing' }; // stopped on purpose: stays stopped
  if (observed.state === 'unreachable') return { action: 'none', reason: 'unreachable' };
  if (observed.state !== 'dead') return { action: 'none', reason: 'alive' };
  if (policy.policy === 'never') return { action: 'none', reason: 'policy-never' };
  if (policy.policy === 'on-failure' && !isFailure(observed)) return { action: 'none', reason: 'clean-exit' };
  if (history.givenUp) return { action: 'none', reason: 'given-up' };
  const restarts = restartsInWindow(policy, history.revivals, observed.life, now);
  if (restarts >= policy.maxRestarts) return { action: 'give-up', restarts };
  const attempt = restarts + 1;
  const delayMs = backoffFor(policy, attempt);
  // The wait runs from the death (or from the last failed attempt on this same dead life).
  const lastTry = streakOf(history.revivals, observed.life).find((r) => r.life === observed.life);
  const since = Math.max(history.exitSeenAt ?? now, lastTry ? (lastTry.finishedAt ?? lastTry.at) : -Infinity);
  const at = since + delayMs;
  return at <= now ? { action: 'revive', attempt, delayMs } : { action: 'wait', at, attempt, delayMs };
}

/** The ledger's supervision records of one agent as the history decide() reads, for the life the pane holds now. */
export function historyFrom(records: readonly SupervisionRecord[], agent: string, host: string, life: number | null): AgentHistory {
  const mine = records.filter((r) => r.agent === agent && r.host === host);
  const exit = mine.find((r) => r.kind === 'exit' && r.life === life);
  return {
    revivals: mine
      .filter((r) => r.kind === 'revive')
      .map((r) => ({
        at: Date.parse(r.at),
        life: r.life,
        newLife: r.newLife ?? null,
        finishedAt: r.finishedAt === undefined ? null : Date.parse(r.finishedAt),
        skipped: r.outcome === 'skipped',
      })),
    exitSeenAt: exit ? Date.parse(exit.at) : null,
    givenUp: life !== null && mine.some((r) => r.kind === 'give-up' && r.life === life),
  };
}

/** What `status` shows about supervision for one agent. */
export interface SupervisionSummary {
  /** Revivals in the agent's current streak within its policy window: the count max_restarts limits. */
  restarts: number;
  /** The supervisor gave up on the dead life the pane holds (until someone starts the agent). */
  givenUp: boolean;
  /** The REPL's last exit: the dead pane's, else the last one the supervisor recorded; `at` null when not recorded. */
  lastExit: { status: number | null; signal: number | null; at: string | null } | null;
}

export function summarize(
  policy: Pick<RestartPolicy, 'windowMs'>,
  records: readonly SupervisionRecord[],
  pane: { name: string; host: string; state: Observation['state']; exitStatus: number | null; exitSignal: number | null; startedAt: number | null },
  now: number,
): SupervisionSummary {
  const history = historyFrom(records, pane.name, pane.host, pane.startedAt);
  const restarts = restartsInWindow(policy, history.revivals, pane.startedAt, now);
  if (pane.state === 'dead') {
    const at = history.exitSeenAt === null ? null : new Date(history.exitSeenAt).toISOString();
    return { restarts, givenUp: history.givenUp, lastExit: { status: pane.exitStatus, signal: pane.exitSignal, at } };
  }
  const last = records.filter((r) => r.kind === 'exit' && r.agent === pane.name && r.host === pane.host).at(-1);
  return { restarts, givenUp: false, lastExit: last ? { status: last.exitStatus, signal: last.exitSignal, at: last.at } : null };
}
