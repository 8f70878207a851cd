// Shapes of the message ledger: what a caller writes (CreateInput) and what a reader gets back (MessageRecord).

/** Where a message stands. `pending` and `sending` are open; every other status is final (see isFinal). */
export type DeliveryStatus = 'pending' | 'sending' | 'submitted' | 'queued' | 'draft' | 'held' | 'unconfirmed' | 'failed' | 'expired';

/** What an attempt observed when it finished (the message's status becomes this). */
/** `unconfirmed`: pasted, but nothing proved the REPL took it: it may have landed, so it is never pasted again. */
export type AttemptOutcome = 'submitted' | 'queued' | 'draft' | 'held' | 'unconfirmed' | 'failed';

export type MessageKind = 'send' | 'reset' | 'kickstart' | 'broadcast' | 'reply';

/** A fleet address: logical host name and tmux session (socket is informational, never used for matching). */
export interface Endpoint {
  host: string;
  session: string;
  socket?: string;
}

/** A process as the ledger remembers it, precise enough to tell "still running" from "pid reused". */
export interface ProcessRef {
  pid: number;
  /** os.hostname() of the machine the process ran on. */
  machine: string;
  /** Linux boot id; a different boot means the process is gone. */
  boot?: string;
  /** Start time of the pid in clock ticks since boot (/proc/<pid>/stat field 22); a different value means pid reuse. */
  start?: string;
}

export interface Attempt {
  /** ISO time the attempt started. */
  at: string;
  pid: number;
  machine: string;
  /** 'started' until the attempt is finished; then what it observed. */
  state: 'started' | AttemptOutcome;
  finishedAt?: string;
  detail?: string;
  /** Start to finish, as measured by the caller or else by the two event times. */
  latencyMs?: number;
  /** How many Enter keys the attempt sent. */
  enters?: number;
  /** Written just before the paste: an attempt without it never pasted anything, so a crashed one may paste again. */
  pasted?: boolean;
  /** When it pasted. */
  pastedAt?: string;
  /** The REPL drew the pasted text: it was read, whatever became of it. */
  shown?: boolean;
  /** Finished without the REPL ever drawing the paste (the same process still runs): it may read it later. */
  unread?: boolean;
}

export interface MessageRecord {
  /** Time-sortable unique id: 9 base36 chars of epoch ms, '-', 6 random base36 chars. */
  id: string;
  kind: MessageKind;
  from: Endpoint;
  to: Endpoint;
  body: string;
  preamble: string;
  /** Exactly what is pasted into the target's input box. */
  text: string;
  /** ISO time of creation. */
  created: string;
  /** ISO time of the last event folded into this record. */
  updated: string;
  /** Queued messages only: after this the deliverer must not deliver it. */
  expiresAt?: string;
  /** Links the per-target records of one broadcast. */
  group?: string;
  status: DeliveryStatus;
  /** Created by `send --queue`: a deliverer owns its delivery (see Ledger.pending). */
  queued: boolean;
  attempts: Attempt[];
  /** The process that created the record (the sender for immediate sends). */
  createdBy: ProcessRef;
  /** The last deliverer that won claim(). */
  claimedBy?: { pid: number; machine: string; at: string };
  /** Status is 'sending' but the process doing it (last started attempt, or the creator before any attempt)
   *  is gone on this machine: the text may or may not have landed, so a retry must look before pasting again. */
  crashed?: boolean;
  /** Detail of the last failed/held/expired outcome. */
  error?: string;
}

export interface CreateInput {
  kind?: MessageKind;
  from: Endpoint;
  to: Endpoint;
  body: string;
  preamble?: string;
  /** Defaults to preamble + body when omitted. */
  text?: string;
  /** true for `send --queue`: status starts `pending` and a deliverer takes it later; otherwise `sending`. */
  queue?: boolean;
  /** Time to live for queued messages; ignored when expiresAt is given. */
  ttlMs?: number;
  expiresAt?: Date;
  group?: string;
}

export interface AttemptInfo {
  /** Why: the error, what was seen in the box, ... */
  detail?: string;
  latencyMs?: number;
  enters?: number;
  /** The paste was never drawn by the REPL (see Attempt.unread). */
  unread?: boolean;
}

export interface ListFilter {
  /** 'session' matches either endpoint's session on any host; 'host:session' matches exactly. */
  agent?: string;
  since?: Date;
  status?: DeliveryStatus[];
  /** Only records whose sender is gone mid-send (true) or the rest (false). */
  crashed?: boolean;
  /** Keep only the newest `limit` matches (still returned oldest first). */
  limit?: number;
}

/** A line the reader could not use; reported, never fatal. */
export interface LedgerWarning {
  file: string;
  /** Byte offset of the line in the file. */
  offset: number;
  kind: 'torn' | 'partial-tail' | 'bad-event' | 'orphan' | 'duplicate' | 'reopen';
  /** The first bytes of the offending text. */
  excerpt: string;
}

export function isFinal(status: DeliveryStatus): boolean {
  return status !== 'pending' && status !== 'sending';
}
