// The seam between the commands and the message transport. Commands (src/fleet, src/agent, src/cli) depend only on
// this file; tmux lives below it in src/transport/tmux/. A Matrix transport implements the same interface.
import type { DeliveryStatus, Orphan } from '../delivery/deliver.js';
import type { Endpoint } from '../delivery/body.js';

/** What the transport needs to start one agent. */
export interface AgentLaunch {
  name: string;
  host: string;
  runtime: string;
  /** Screen profile to read this agent with (a builtin runtime name). */
  profile: string;
  launcher: string;
  argv: string[];
  env: Record<string, string>;
  workingDirectory: string;
  readyTimeoutMs: number;
  /** Set when sends to this agent are also confirmed by its prompt-submit hook: the receipt file's name. */
  receipt?: string;
}

export type AgentState = 'idle' | 'busy' | 'running' | 'starting' | 'dead' | 'missing' | 'unreachable';

export interface AgentStatus {
  name: string;
  host: string;
  state: AgentState;
  /** In the roster (false: a session on the socket the roster does not name). */
  inRoster: boolean;
  runtime: string;
  launcher: string;
  pid: number | null;
  paneId: string | null;
  exitStatus: number | null;
  exitSignal: number | null;
  startedAt: number | null;
}

export interface OverviewOptions {
  /** The holder session as the asking roster names it (default: this transport's). */
  holder?: string;
  /** Ask the host's tmux itself, not its fleet service: a loop that looks every second pays one tmux call, not a
   *  relay process on that host per look. */
  direct?: boolean;
}

export interface FleetOverview {
  host: string;
  reachable: boolean;
  error?: string;
  serverPid: number | null;
  socketPath: string | null;
  holder: 'running' | 'missing' | 'no-server';
  agents: AgentStatus[];
}

export interface OutgoingMessage {
  from: Endpoint;
  /** Display name of the destination host for the preamble. */
  toHost: string;
  body: string;
  preamble: boolean;
  /** Allow an unpreambled body that starts with / or ! (a REPL command). */
  raw?: boolean;
  /** Screen profile override for raw targets (--runtime). */
  profile?: string;
}

export interface SendOptions {
  verifyTimeoutMs?: number;
  maxEnters?: number;
  readyTimeoutMs?: number;
  holdMs?: number;
  whenIdleMs?: number;
  lockTimeoutMs?: number;
  onEvent?: (event: { kind: string; atMs: number; [k: string]: unknown }) => void;
  /** Called right before the text is pasted (or handed to the target host's service): the ledger marks the attempt. */
  beforePaste?: () => void;
  /** Called once the target is resolved and the text built, before anything is pasted (the ledger records here). */
  beforeDelivery?: (to: Endpoint, text: string) => void;
  /** Our earlier messages to `to` that may sit unsent in its box (their sender died, or they were left as drafts):
   *  one found whole in the box is finished before this message instead of being merged with it. */
  orphansFor?: (to: Endpoint) => ReadonlyArray<Orphan>;
  /** What became of an orphan found in the box. */
  onOrphan?: (id: string, status: DeliveryStatus, detail?: string) => void;
}

export interface SendResult {
  status: DeliveryStatus;
  to: Endpoint;
  /** The exact text pasted (preamble + sanitized body). */
  text: string;
  enters: number;
  latencyMs: number;
  detail?: string;
  paneId: string;
  /** Pasted, and never drawn by the REPL (see DeliveryOutcome.unread). */
  unread?: boolean;
  /** Set when the fleet service on the target's host delivered it (remote hosts): that host and the service's pid. */
  servedBy?: { host: string; pid: number };
}

export interface ResetOptions {
  profile?: string;
  /** How long to wait for the fresh conversation to show. */
  confirmTimeoutMs: number;
  readyTimeoutMs?: number;
}

export interface ResetResult {
  /** Delivery verdict of the reset command itself. */
  status: DeliveryStatus;
  confirmed: boolean;
  detail?: string;
  latencyMs: number;
}

export type StartOutcome = 'started' | 'revived' | 'already-running' | 'replaced';

/** One health or safety check, as `verify` prints it. */
export interface Check {
  name: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  hint?: string;
}

export interface DiagnoseOptions {
  /** Roster agents expected on this host. */
  agents: { name: string; class: string }[];
  /** Run the checks that need a scratch environment (exact targets, restart isolation) here. */
  scratch: boolean;
  /** Look at the user's default server (read-only) for fleet sessions planted there. */
  defaultServer: boolean;
  /** Prefix for check names on hosts other than this machine (e.g. 'on build2'). */
  label?: string;
}

export interface Transport {
  readonly kind: string;
  /** Where this transport's fleet lives, for people and for agents' env (a tmux socket name, a Matrix room prefix...). */
  address(): string;
  /** Leave a copy of a delivered message where the target's host keeps inboxes (remote hosts only), so an agent
   *  there can read who asked what even though the sender's ledger is on another machine. */
  storeInboxCopy(session: string, record: { id: string }): Promise<void>;
  /** Health and safety checks of this transport's fleet (for `verify`). */
  diagnose(options: DiagnoseOptions): Promise<Check[]>;
  /** Read-only: the whole scrollback of one session, to keep before retiring it. */
  capture(target: string): Promise<{ session: string; panes: number; text: string }>;
  /** The host name for preambles (`hostname -s` of the machine the agents run on, or its override). */
  hostLabel(): Promise<string>;
  /** Status of every agent session (and the holder) in one pass. */
  overview(rosterNames: string[], options?: OverviewOptions): Promise<FleetOverview>;
  ensureHolder(): Promise<'created' | 'present'>;
  start(agent: AgentLaunch, options: { replace?: boolean }): Promise<StartOutcome>;
  /** Wait until the agent's REPL is ready for input. */
  waitReady(agent: AgentLaunch): Promise<void>;
  stop(name: string): Promise<'stopped' | 'not-running'>;
  stopServer(): Promise<'stopped' | 'not-running'>;
  send(target: string, message: OutgoingMessage, options: SendOptions): Promise<SendResult>;
  tail(target: string, lines: number | 'all', options?: { direct?: boolean }): Promise<string>;
  /** Type the runtime's reset command through the verified path and confirm a fresh conversation appeared. */
  reset(target: string, command: string, options: ResetOptions): Promise<ResetResult>;
  /** After a sender died mid-send: finish the job without pasting twice (Enter if the text sits in the box,
   *  'landed' if the whole text is in the transcript now, 'unconfirmed' if it shows only in the scrollback or only by
   *  its opening (a queued message), 'absent' if it is nowhere). */
  recover(target: string, text: string): Promise<'submitted' | 'queued' | 'draft' | 'unconfirmed' | 'landed' | 'absent'>;
  /** The command a person runs to watch or take over an agent interactively (argv). */
  attachCommand(target: string): Promise<string[]>;
  /** Screen state of one agent (ready/busy/input). */
  inspect(target: string, profile?: string): Promise<{ ready: boolean; busy: boolean; input: string | null; transcript: string }>;
}
