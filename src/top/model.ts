// The view model: rows from snapshots (time in state and restarts need memory across refreshes), sorting and
// filtering. Pure: no I/O, no clock (callers pass `at`).
import type { AgentSample, TopRow, TopSnapshot, ViewState } from './types.js';

/** What the view remembers of each agent between refreshes. */
export interface Memory {
  /** The pane-level state (idle, busy, dead, ...): time in state follows it, not the queue count. */
  state: string;
  since: number;
  exact: boolean;
  pid: number | null;
  alive: boolean;
  restarts: number;
}

export type Tracker = ReadonlyMap<string, Memory>;

export const SORT_KEYS = ['state', 'name', 'host', 'class', 'time', 'pending'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const ALIVE = new Set(['idle', 'busy', 'running', 'starting']);
// Trouble first: what needs a person sorts to the top.
const STATE_ORDER = ['dead', 'unreachable', 'missing', 'starting', 'queued', 'busy', 'running', 'idle'];

export function keyOf(a: { host: string; name: string }): string {
  return `${a.host}:${a.name}`;
}

/** The view's state and label for one sample: queued when messages wait for a live agent. */
export function viewStateOf(a: AgentSample): { view: ViewState; label: string } {
  if (a.state === 'dead') {
    const how = a.exitSignal ? `signal ${a.exitSignal}` : a.exitStatus !== null ? `exit ${a.exitStatus}` : null;
    return { view: 'dead', label: how ? `dead (${how})` : 'dead' };
  }
  if (ALIVE.has(a.state) && a.pending > 0) return { view: 'queued', label: `${a.state} +${a.pending}q` };
  return { view: a.state, label: a.state === 'missing' ? 'stopped' : a.state };
}

/** Rows for a snapshot, and the memory for the next one. The first sight of a state is not its start (sinceExact). */
export function trackRows(tracker: Tracker, snapshot: TopSnapshot): { rows: TopRow[]; tracker: Tracker } {
  const next = new Map<string, Memory>();
  const rows = snapshot.agents.map((a): TopRow => {
    const key = keyOf(a);
    const { view, label } = viewStateOf(a);
    const alive = ALIVE.has(a.state);
    const prev = tracker.get(key);
    let restarts = prev?.restarts ?? 0;
    // A new program in the pane: a changed pid, or a dead/stopped agent alive again (a host back online is not one).
    if (prev && alive && ((prev.alive && prev.pid !== null && a.pid !== null && prev.pid !== a.pid) || prev.state === 'dead' || prev.state === 'missing')) restarts += 1;
    const same = prev !== undefined && prev.state === a.state;
    const memory: Memory = {
      state: a.state,
      since: same ? prev.since : snapshot.at,
      exact: same ? prev.exact : prev !== undefined,
      // While its host is unreachable the agent is unknown, not gone: remember what it was running.
      pid: a.state === 'unreachable' ? (prev?.pid ?? null) : a.pid,
      alive: a.state === 'unreachable' ? (prev?.alive ?? false) : alive,
      restarts,
    };
    next.set(key, memory);
    return { ...a, key, view, label, since: memory.since, sinceExact: memory.exact, restarts };
  });
  return { rows, tracker: next };
}

/** Filter words: `host:x`, `class:x`, `state:x` (prefix match on the view state or label), anything else matches
 *  the agent name (substring). All words must match. */
export function filterRows(rows: TopRow[], query: string): TopRow[] {
  const words = query.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return rows;
  return rows.filter((r) =>
    words.every((w) => {
      const m = /^(host|class|state|runtime):(.*)$/i.exec(w);
      if (!m) return r.name.toLowerCase().includes(w.toLowerCase());
      const value = m[2]!.toLowerCase();
      switch (m[1]!.toLowerCase()) {
        case 'host':
          return r.host.toLowerCase() === value;
        case 'class':
          return (r.class ?? '').toLowerCase() === value;
        case 'runtime':
          return r.runtime.toLowerCase() === value;
        default:
          return r.view.toLowerCase().startsWith(value) || r.state.toLowerCase().startsWith(value) || r.label.toLowerCase().startsWith(value);
      }
    }),
  );
}

/** Stable sort by `key`; ties fall back to host, then name. */
export function sortRows(rows: TopRow[], key: SortKey): TopRow[] {
  const byName = (a: TopRow, b: TopRow) => a.host.localeCompare(b.host) || a.name.localeCompare(b.name);
  const rank = (r: TopRow) => {
    const i = STATE_ORDER.indexOf(r.view);
    return i === -1 ? STATE_ORDER.length : i;
  };
  const compare: Record<SortKey, (a: TopRow, b: TopRow) => number> = {
    state: (a, b) => rank(a) - rank(b),
    name: (a, b) => a.name.localeCompare(b.name),
    host: (a, b) => a.host.localeCompare(b.host),
    class: (a, b) => (a.class ?? '').localeCompare(b.class ?? ''),
    // Longest in its state first: what has been stuck longest.
    time: (a, b) => a.since - b.since,
    pending: (a, b) => b.pending - a.pending,
  };
  return [...rows].sort((a, b) => compare[key](a, b) || byName(a, b));
}

/** Counts per view state, trouble first, for the title bar. */
export function stateCounts(rows: TopRow[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.view, (counts.get(r.view) ?? 0) + 1);
  return [...counts].sort((a, b) => {
    const ia = STATE_ORDER.indexOf(a[0]);
    const ib = STATE_ORDER.indexOf(b[0]);
    return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
  });
}

/** Compact age: 5s, 3m, 2h, 4d. */
export function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** A row as plain data for --json (times as ISO and seconds). */
export function rowJson(r: TopRow, at: number) {
  return {
    name: r.name,
    host: r.host,
    runtime: r.runtime,
    class: r.class,
    state: r.view,
    label: r.label,
    paneState: r.state,
    inRoster: r.inRoster,
    pid: r.pid,
    paneId: r.paneId,
    exitStatus: r.exitStatus,
    exitSignal: r.exitSignal,
    stateSince: new Date(r.since).toISOString(),
    stateSeconds: Math.max(0, Math.round((at - r.since) / 1000)),
    stateSinceExact: r.sinceExact,
    lastIn: r.lastIn,
    lastOut: r.lastOut,
    pending: r.pending,
    restarts: r.restarts,
  };
}
