// Shapes of the live view: what a feed delivers (TopSnapshot), what a row shows (TopRow), and the feed seam.

/** One message end as the view shows it: who talked to whom, how long ago, and the verdict (any string: the
 *  delivery layer may add verdicts, e.g. `unconfirmed`, and the view shows them as they come). */
export interface MessageSummary {
  id: string;
  from: string;
  to: string;
  /** ISO time the message was created. */
  at: string;
  verdict: string;
  kind: string;
}

/** What the feed knows about one agent at one moment (before the view adds time-in-state and restarts). */
export interface AgentSample {
  name: string;
  host: string;
  runtime: string;
  class: string | null;
  /** tmux-level state: idle, busy, running, starting, dead, missing, unreachable. */
  state: string;
  inRoster: boolean;
  pid: number | null;
  paneId: string | null;
  exitStatus: number | null;
  exitSignal: number | null;
  /** Epoch ms the pane's program started, when known. */
  startedAt: number | null;
  lastIn: MessageSummary | null;
  lastOut: MessageSummary | null;
  pending: number;
}

export interface HostSample {
  host: string;
  reachable: boolean;
  error?: string;
}

/** One refresh worth of fleet data. */
export interface TopSnapshot {
  /** Epoch ms the snapshot was taken. */
  at: number;
  socket: string;
  /** Where the data came from: 'poll' (tmux + ledger) or a service feed's name. */
  source: string;
  hosts: HostSample[];
  agents: AgentSample[];
  /** The recent screen of the agent asked for (detail pane), plain text lines. */
  screen?: { agent: string; host: string; lines: string[] } | null;
  /** How long the snapshot took to gather. */
  cost: { ms: number };
}

/** The view's state of an agent: the feed's state refined (queued when messages wait for it). */
export type ViewState = 'idle' | 'busy' | 'queued' | 'starting' | 'running' | 'dead' | 'missing' | 'unreachable' | string;

export interface TopRow extends AgentSample {
  /** `host:name`, unique across the fleet. */
  key: string;
  view: ViewState;
  /** Human label, e.g. `dead (exit 3)`, `queued (2)`. */
  label: string;
  /** Epoch ms the view first saw the agent in this state. */
  since: number;
  /** False when the state was already there when the view started (its true start is earlier). */
  sinceExact: boolean;
  /** Restarts seen while the view was open (pid changed, or dead/missing became alive). */
  restarts: number;
}

/** Where snapshots come from. The poller reads tmux and the ledger; a service that pushes events can implement the
 *  same seam: `snapshot` answers from its state, `onChange` wakes the view when an event arrives. */
export interface TopFeed {
  readonly name: string;
  /** A fresh snapshot; `detail` names the agent whose recent screen is wanted (host:name), if any. */
  snapshot(request: { detail: string | null; screenLines: number }): Promise<TopSnapshot>;
  /** Call `wake` whenever the fleet changed; returns an unsubscribe. A polling feed never calls it. */
  onChange?(wake: () => void): () => void;
  close(): Promise<void>;
}
