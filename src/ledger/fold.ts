// Events on disk and how they fold into records. Every event carries the record id; the first key is the marker
// `mfl` (format version) that the reader resynchronises on.
import { isAlive } from './proc.js';
import { isFinal } from './types.js';
import type { AttemptInfo, AttemptOutcome, DeliveryStatus, Endpoint, MessageKind, MessageRecord, ProcessRef } from './types.js';

export const FORMAT_VERSION = 1;

interface EventBase {
  mfl: typeof FORMAT_VERSION;
  id: string;
  /** ISO time the event was written. */
  at: string;
}

export interface CreateEvent extends EventBase {
  e: 'create';
  kind: MessageKind;
  from: Endpoint;
  to: Endpoint;
  body: string;
  preamble: string;
  text: string;
  status: 'pending' | 'sending';
  expiresAt?: string;
  group?: string;
  by: ProcessRef;
}

export interface StartEvent extends EventBase {
  e: 'start';
  by: ProcessRef;
}

export interface FinishEvent extends EventBase, AttemptInfo {
  e: 'finish';
  by: ProcessRef;
  state: AttemptOutcome;
  /** The message goes back to 'pending' for a later attempt instead of taking `state` as its status. */
  retry?: boolean;
}

export interface StatusEvent extends EventBase {
  e: 'status';
  status: DeliveryStatus;
  detail?: string;
}

/** The attempting process is about to paste (durable before the paste, so a crash after it is known to have pasted). */
export interface PasteEvent extends EventBase {
  e: 'paste';
  by: ProcessRef;
  /** Written again once the REPL drew the text: the paste was read (not left unread in a frozen terminal). */
  shown?: true;
}

export interface ClaimEvent extends EventBase {
  e: 'claim';
  by: ProcessRef;
}

export type LedgerEvent = CreateEvent | StartEvent | FinishEvent | StatusEvent | ClaimEvent | PasteEvent;
export type EventBody = DistributiveOmit<LedgerEvent, 'mfl'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** One record as folded so far, plus who ran each attempt (for crash detection). */
export interface RecordState {
  record: MessageRecord;
  attemptBy: ProcessRef[];
}

/** Serialise an event with the marker first (JSON.stringify keeps insertion order). */
export function encodeEvent(body: EventBody): string {
  return JSON.stringify({ mfl: FORMAT_VERSION, ...body });
}

const EVENT_KINDS = new Set(['create', 'start', 'finish', 'status', 'claim', 'paste']);

/** Structural check of a parsed line; anything else is reported as a bad event. */
export function isLedgerEvent(value: unknown): value is LedgerEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.mfl === FORMAT_VERSION && typeof v.id === 'string' && typeof v.at === 'string' && EVENT_KINDS.has(v.e as string);
}

/** Apply one event. Returns a problem kind when the event cannot apply: an unknown id, a second create, or an
 *  attempt/status that would reopen a final record (final is final: claims rely on it, see claims.ts). */
export function applyEvent(states: Map<string, RecordState>, event: LedgerEvent): 'orphan' | 'duplicate' | 'reopen' | undefined {
  if (event.e === 'create') {
    if (states.has(event.id)) return 'duplicate';
    states.set(event.id, { record: recordFrom(event), attemptBy: [] });
    return undefined;
  }
  const state = states.get(event.id);
  if (!state) return 'orphan';
  if (isFinal(state.record.status) && reopens(event)) return 'reopen';
  state.record.updated = event.at;
  if (event.e === 'start') startAttempt(state, event);
  else if (event.e === 'finish') finishAttempt(state, event);
  else if (event.e === 'status') setStatus(state.record, event.status, event.detail);
  else if (event.e === 'paste') markPasted(state, event);
  else state.record.claimedBy = { pid: event.by.pid, machine: event.by.machine, at: event.at };
  return undefined;
}

function reopens(event: LedgerEvent): boolean {
  return event.e === 'start' || (event.e === 'finish' && event.retry === true) || (event.e === 'status' && !isFinal(event.status));
}

/** The record as its create event describes it. */
export function recordFrom(event: Omit<CreateEvent, 'mfl'>): MessageRecord {
  const record: MessageRecord = {
    id: event.id,
    kind: event.kind,
    from: event.from,
    to: event.to,
    body: event.body,
    preamble: event.preamble,
    text: event.text,
    created: event.at,
    updated: event.at,
    status: event.status,
    queued: event.status === 'pending',
    attempts: [],
    createdBy: event.by,
  };
  if (event.expiresAt !== undefined) record.expiresAt = event.expiresAt;
  if (event.group !== undefined) record.group = event.group;
  return record;
}

function startAttempt(state: RecordState, event: StartEvent): void {
  state.record.attempts.push({ at: event.at, pid: event.by.pid, machine: event.by.machine, state: 'started' });
  state.attemptBy.push(event.by);
  state.record.status = 'sending';
}

function markPasted(state: RecordState, event: PasteEvent): void {
  const index = findLastIndex(state.record.attempts, (a) => a.state === 'started' && a.pid === event.by.pid && a.machine === event.by.machine);
  if (index === -1) return;
  const attempt = state.record.attempts[index]!;
  if (event.shown) attempt.shown = true;
  else {
    attempt.pasted = true;
    attempt.pastedAt = event.at;
  }
}

function finishAttempt(state: RecordState, event: FinishEvent): void {
  const attempts = state.record.attempts;
  // The open attempt of the same process; without one (a finish with no start) record the outcome as its own attempt.
  let index = findLastIndex(attempts, (a) => a.state === 'started' && a.pid === event.by.pid && a.machine === event.by.machine);
  if (index === -1) {
    attempts.push({ at: event.at, pid: event.by.pid, machine: event.by.machine, state: 'started' });
    state.attemptBy.push(event.by);
    index = attempts.length - 1;
  }
  const attempt = attempts[index]!;
  attempt.state = event.state;
  attempt.finishedAt = event.at;
  attempt.latencyMs = event.latencyMs ?? Date.parse(event.at) - Date.parse(attempt.at);
  if (event.detail !== undefined) attempt.detail = event.detail;
  if (event.enters !== undefined) attempt.enters = event.enters;
  if (event.unread) attempt.unread = true;
  setStatus(state.record, event.retry ? 'pending' : event.state, event.detail);
  if (event.retry && event.detail !== undefined) state.record.error = event.detail;
}

function setStatus(record: MessageRecord, status: DeliveryStatus, detail: string | undefined): void {
  record.status = status;
  if (detail !== undefined && (status === 'failed' || status === 'held' || status === 'unconfirmed' || status === 'expired')) record.error = detail;
}

function findLastIndex<T>(items: T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i;
  return -1;
}

/** A caller's copy of the record, with `crashed` decided now. */
export function snapshot(state: RecordState): MessageRecord {
  const record = state.record;
  // Field-wise copy: several times cheaper than structuredClone, and a deliverer polls thousands of records.
  const copy: MessageRecord = {
    ...record,
    from: { ...record.from },
    to: { ...record.to },
    createdBy: { ...record.createdBy },
    attempts: record.attempts.map((attempt) => ({ ...attempt })),
  };
  if (record.claimedBy) copy.claimedBy = { ...record.claimedBy };
  if (isCrashed(state)) copy.crashed = true;
  return copy;
}

/** 'sending' and the process responsible (last attempt if still started, else the creator) is certainly gone. */
export function isCrashed(state: RecordState): boolean {
  const { record, attemptBy } = state;
  if (record.status !== 'sending') return false;
  const last = record.attempts.length - 1;
  const owner = last === -1 ? record.createdBy : record.attempts[last]!.state === 'started' ? attemptBy[last] : undefined;
  return owner !== undefined && isAlive(owner) === false;
}
