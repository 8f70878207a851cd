// The durable message ledger: every message send/reset/broadcast handles, with each delivery attempt and its outcome.
//
// Layout under Ledger.defaultDir() ($XDG_STATE_HOME/mosaic/fleet/ledger, default ~/.local/state/...):
//   messages/YYYY-MM-DD.jsonl   append-only events (journal.ts), one file per UTC day of the message's CREATION
//   claims/<id>/<generation>    delivery claims (claims.ts)
//   supervision/YYYY-MM-DD.jsonl deaths, revivals and give-ups the fleet service recorded (supervision.ts)
// Why one file per creation day: every event of a message goes to the file named by its id's day, so a record never
// spans files; `get(id)` reads one file, `log --since 2h` reads one or two, old history is retired by deleting whole
// days, and no file grows without bound. (One file in total would make every read fold all history ever written.)
// Writes never read: create/startAttempt/finishAttempt/setStatus are one durable append each, dominated by
// fdatasync (measured on the dev VM's ext4: 0.25-0.6 ms per append, so create+attempt+finish is about 0.8-1.9 ms).
// Reads are incremental: a Ledger remembers how far it parsed each file, so a long-running deliverer polling
// pending() only parses what was appended since its last poll.
//
// Status life cycle: create -> 'pending' (queued) or 'sending' (immediate); startAttempt -> 'sending';
// finishAttempt -> its outcome (or back to 'pending' with {retry: true}); setStatus for outcomes with no attempt
// (held before pasting, target not found, expired). Final statuses never reopen: such events are ignored and warned.
// A crash mid-send leaves status 'sending' with `crashed: true` once the responsible process is gone (we keep the
// status rather than invent 'interrupted' because whether the text landed is unknown until someone looks at the pane).
//
// Delivering a queued message exactly once:
//   for (const m of ledger.pending(target)) {
//     if (!ledger.claim(m.id)) continue;       // another deliverer has it, or it is no longer open
//     if (ledger.get(m.id)!.crashed) ...        // an earlier attempt died mid-paste: look for the text in the pane first
//     ledger.startAttempt(m.id); ...deliver...; ledger.finishAttempt(m.id, outcome);
//     ledger.release(m.id);
//   }
import { readdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { homedir } from 'node:os';
import { UsageError } from '../errors.js';
import { ClaimStore } from './claims.js';
import { applyEvent, encodeEvent, isCrashed, isLedgerEvent, recordFrom, snapshot, type CreateEvent, type EventBody, type RecordState } from './fold.js';
import { idDay, isId, newId, utcDay } from './ids.js';
import { appendLine, ensureDurableDir, ioError, LogReader, warning } from './journal.js';
import { selfRef } from './proc.js';
import { SupervisionLog } from './supervision.js';
import {
  isFinal,
  type AttemptInfo,
  type AttemptOutcome,
  type CreateInput,
  type DeliveryStatus,
  type Endpoint,
  type LedgerWarning,
  type ListFilter,
  type MessageRecord,
} from './types.js';

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;
/** Statuses in which the text reached (or may have reached) the target's input box: what an inbox shows by default. */
export const DELIVERED: readonly DeliveryStatus[] = ['submitted', 'queued', 'draft', 'unconfirmed'];

/** One day file folded so far. */
class DayLog {
  readonly reader: LogReader;
  readonly states = new Map<string, RecordState>();
  readonly problems: LedgerWarning[] = [];

  constructor(file: string) {
    this.reader = new LogReader(file);
  }

  /** Fold what was appended since the last call; false if the file was replaced (the caller starts over). */
  refresh(): boolean {
    return this.reader.refresh(
      (event, offset) => this.apply(event, offset),
      (problem) => this.problems.push(problem),
    );
  }

  private apply(event: unknown, offset: number): void {
    const problem = isLedgerEvent(event) ? applyEvent(this.states, event) : 'bad-event';
    if (problem) this.problems.push(warning(this.reader.file, offset, problem, JSON.stringify(event)));
  }
}

export class Ledger {
  readonly messagesDir: string;
  private readonly claims: ClaimStore;
  private readonly days = new Map<string, DayLog>();
  private supervisionLog: SupervisionLog | undefined;

  /** `dir` is created on the first write; reading a ledger that does not exist yet gives empty results. */
  constructor(readonly dir: string = Ledger.defaultDir()) {
    this.messagesDir = join(dir, 'messages');
    this.claims = new ClaimStore(join(dir, 'claims'));
  }

  /** $XDG_STATE_HOME/mosaic/fleet/ledger, or ~/.local/state/mosaic/fleet/ledger (XDG: a relative value is ignored). */
  static defaultDir(env: NodeJS.ProcessEnv = process.env): string {
    const xdg = env.XDG_STATE_HOME;
    const state = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'state');
    return join(state, 'mosaic', 'fleet', 'ledger');
  }

  /** The supervisor's record of agent deaths, revivals and give-ups (its own files: message readers never see it). */
  get supervision(): SupervisionLog {
    return (this.supervisionLog ??= new SupervisionLog(join(this.dir, 'supervision')));
  }

  /** Record a new message; it is on disk (fdatasync) when this returns, before any delivery starts. */
  create(input: CreateInput): MessageRecord {
    const now = new Date();
    const id = newId(now);
    const preamble = input.preamble ?? '';
    const event: Omit<CreateEvent, 'mfl'> = {
      e: 'create',
      id,
      at: now.toISOString(),
      kind: input.kind ?? 'send',
      from: endpointOf(input.from),
      to: endpointOf(input.to),
      body: input.body,
      preamble,
      text: input.text ?? preamble + input.body,
      status: input.queue ? 'pending' : 'sending',
      by: selfRef(),
    };
    const expiresAt = expiryOf(input, now);
    if (expiresAt !== undefined) event.expiresAt = expiresAt;
    if (input.group !== undefined) event.group = input.group;
    this.append(event);
    return snapshot({ record: recordFrom(event), attemptBy: [] });
  }

  /** This process starts pasting the message (status becomes 'sending'). */
  startAttempt(id: string): void {
    this.append({ e: 'start', id: checkId(id), at: now(), by: selfRef() });
  }

  /** This process is about to paste the message: durable before the paste, so after a crash `deliver` knows a text
   *  it cannot find any more was pasted (never paste it again) rather than never sent (safe to send). */
  markPasting(id: string): void {
    this.append({ e: 'paste', id: checkId(id), at: now(), by: selfRef() });
  }

  /** The REPL drew this process's paste of the message: it cannot be sitting unread in a frozen terminal. */
  markShown(id: string): void {
    this.append({ e: 'paste', id: checkId(id), at: now(), by: selfRef(), shown: true });
  }

  /** This process's open attempt observed `outcome`; the message takes it as its status unless `retry` is set,
   *  which puts it back to 'pending' for a later attempt. latencyMs defaults to the time since startAttempt. */
  finishAttempt(id: string, outcome: AttemptOutcome, info: AttemptInfo & { retry?: boolean } = {}): void {
    this.append({ e: 'finish', id: checkId(id), at: now(), by: selfRef(), state: outcome, ...definedOnly(info) });
  }

  /** A status change that is not an attempt: 'held' before pasting, 'failed' when the target is gone, 'expired'. */
  setStatus(id: string, status: Exclude<DeliveryStatus, 'sending'>, detail?: string): void {
    this.append({ e: 'status', id: checkId(id), at: now(), status, ...(detail === undefined ? {} : { detail }) });
  }

  get(id: string): MessageRecord | undefined {
    if (!isId(id)) return undefined;
    const state = this.day(idDay(id)).states.get(id);
    return state && snapshot(state);
  }

  /** Matching records, oldest first (by order of creation on disk); `limit` keeps the newest. */
  list(filter: ListFilter = {}): MessageRecord[] {
    const statuses = filter.status && new Set(filter.status);
    return this.select(
      (r) =>
        (filter.agent === undefined || matches(r.from, filter.agent) || matches(r.to, filter.agent)) &&
        (statuses === undefined || statuses.has(r.status)) &&
        (filter.crashed === undefined || (r.crashed === true) === filter.crashed),
      filter.since,
      filter.limit,
    );
  }

  /** The newest `limit` messages addressed to `to` ('session', 'host:session' or an Endpoint), oldest first.
   *  By default only those whose text reached the box (DELIVERED); the last one is whom `reply` answers. */
  inbox(to: Endpoint | string, limit = 20, statuses: readonly DeliveryStatus[] = DELIVERED): MessageRecord[] {
    const wanted = new Set(statuses);
    return this.select((r) => matches(r.to, to) && wanted.has(r.status), undefined, limit);
  }

  /** A deliverer's work list, in creation order, optionally for one target: queued messages still 'pending' and
   *  unexpired, plus queued messages whose deliverer died mid-send ('sending', crashed: look at the pane before
   *  pasting again; they are never expired, since the text may already be there). */
  pending(target?: Endpoint | string, at: Date = new Date()): MessageRecord[] {
    return this.select(
      (r) => ((r.status === 'pending' && !isExpired(r, at)) || (r.queued && r.crashed === true)) && (target === undefined || matches(r.to, target)),
    );
  }

  /** Become the only process delivering `id`. True only if no live process holds it and the message is open:
   *  'pending' and unexpired, or 'sending' with `crashed` (queued or not: look before pasting again). Works across
   *  processes; a claim of a dead process is taken over. Not re-entrant. Call release() when done. */
  claim(id: string, at: Date = new Date()): boolean {
    return this.claimWhen(id, (r) => (r.status === 'pending' && !isExpired(r, at)) || r.crashed === true);
  }

  /** Let go of a claim: removes the claim files once the message is final, else lets the next deliverer take it. */
  release(id: string): void {
    const record = this.get(id);
    if (!record || isFinal(record.status)) this.claims.remove(id);
    else this.claims.release(id);
  }

  /** Mark pending messages past their expiry 'expired' (claiming each, so never while a deliverer has it) and
   *  delete claim files of final messages. Returns the records it expired. */
  expire(at: Date = new Date()): MessageRecord[] {
    const expired: MessageRecord[] = [];
    for (const record of this.select((r) => r.status === 'pending' && isExpired(r, at))) {
      if (!this.claimWhen(record.id, (r) => r.status === 'pending' && isExpired(r, at))) continue;
      this.setStatus(record.id, 'expired', `not delivered before ${record.expiresAt}`);
      this.release(record.id);
      expired.push(this.get(record.id)!);
    }
    this.collectClaims();
    return expired;
  }

  /** Lines skipped in the files read so far (torn, partial, unknown) and events that could not apply. */
  warnings(): LedgerWarning[] {
    const out: LedgerWarning[] = [];
    for (const log of this.days.values()) {
      out.push(...log.problems);
      if (log.reader.partialTail) out.push(log.reader.partialTail);
    }
    return out;
  }

  private claimWhen(id: string, open: (record: MessageRecord) => boolean): boolean {
    const before = this.get(id);
    if (!before || !open(before)) return false;
    if (!this.claims.acquire(id)) return false;
    // Re-read after winning: it may have been delivered, expired or finished since we looked.
    const after = this.get(id);
    if (!after || !open(after)) {
      this.release(id);
      return false;
    }
    this.append({ e: 'claim', id, at: now(), by: selfRef() });
    return true;
  }

  private collectClaims(): void {
    for (const id of this.claims.ids()) {
      const record = this.get(id);
      if (!record || isFinal(record.status)) this.claims.remove(id);
    }
  }

  /** Records matching `test`, oldest first, from the day files that can hold messages created since `since`. */
  private select(test: (r: MessageRecord) => boolean, since?: Date, limit?: number): MessageRecord[] {
    const first = since && utcDay(since);
    const days = this.dayNames().filter((d) => first === undefined || d >= first);
    const picked: MessageRecord[][] = [];
    let count = 0;
    // Newest day first so a limit stops reading early; each day's records are already in creation order.
    for (const day of days.reverse()) {
      const found: MessageRecord[] = [];
      for (const state of this.day(day).states.values()) {
        if (since && Date.parse(state.record.created) < since.getTime()) continue;
        // Test the cached record itself (read-only) and copy only matches: pending() polls scan everything.
        const view = isCrashed(state) ? { ...state.record, crashed: true } : state.record;
        if (test(view)) found.push(snapshot(state));
      }
      picked.unshift(found);
      count += found.length;
      if (limit !== undefined && count >= limit) break;
    }
    const all = picked.flat();
    return limit === undefined ? all : all.slice(Math.max(0, all.length - limit));
  }

  /** The folded state of one day file, brought up to date. */
  private day(name: string): DayLog {
    let log = this.days.get(name);
    if (!log) {
      log = new DayLog(join(this.messagesDir, `${name}.jsonl`));
      this.days.set(name, log);
    }
    if (!log.refresh()) {
      // Replaced or truncated underneath us (retention removed it): fold it again from the start.
      log = new DayLog(log.reader.file);
      this.days.set(name, log);
      log.refresh();
    }
    return log;
  }

  private dayNames(): string[] {
    try {
      return readdirSync(this.messagesDir)
        .map((name) => DAY_FILE.exec(name)?.[1])
        .filter((day): day is string => day !== undefined)
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw ioError((error as Error).message, this.messagesDir, error);
    }
  }

  private append(event: EventBody): void {
    ensureDurableDir(this.messagesDir);
    appendLine(join(this.messagesDir, `${idDay(event.id)}.jsonl`), encodeEvent(event));
  }
}

/** 'session' matches on any host, 'host:session' exactly (tmux session names cannot contain ':'). */
export function matches(endpoint: Endpoint, agent: Endpoint | string): boolean {
  if (typeof agent !== 'string') return endpoint.host === agent.host && endpoint.session === agent.session;
  const colon = agent.indexOf(':');
  if (colon === -1) return endpoint.session === agent;
  return endpoint.host === agent.slice(0, colon) && endpoint.session === agent.slice(colon + 1);
}

function isExpired(record: MessageRecord, at: Date): boolean {
  return record.expiresAt !== undefined && Date.parse(record.expiresAt) <= at.getTime();
}

function expiryOf(input: CreateInput, created: Date): string | undefined {
  if (input.expiresAt !== undefined) return input.expiresAt.toISOString();
  if (input.ttlMs === undefined) return undefined;
  if (!(input.ttlMs > 0)) throw new UsageError(`message ttl must be positive, got ${input.ttlMs} ms`);
  return new Date(created.getTime() + input.ttlMs).toISOString();
}

function endpointOf(endpoint: Endpoint): Endpoint {
  if (!endpoint.host || !endpoint.session) throw new UsageError(`message endpoint needs a host and a session: ${JSON.stringify(endpoint)}`);
  const out: Endpoint = { host: endpoint.host, session: endpoint.session };
  if (endpoint.socket !== undefined) out.socket = endpoint.socket;
  return out;
}

function checkId(id: string): string {
  if (!isId(id)) throw new UsageError(`not a message id: ${id}`);
  return id;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function now(): string {
  return new Date().toISOString();
}
