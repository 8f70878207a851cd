import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { commandCwd, currentInvocation, warn } from '../invocation.js';
import { FleetError, UsageError } from '../errors.js';
import { buildText, parseEndpoint, type Endpoint } from '../delivery/body.js';
import type { DeliveryStatus, Orphan } from '../delivery/deliver.js';
import type { MessageKind, MessageRecord } from '../ledger/index.js';
import type { SendOptions, Transport } from '../transport/types.js';
import type { Context } from './context.js';
import { detectSelf } from './identity.js';
import { resolveTarget } from './targets.js';
import { ledgerOf } from './ledger.js';

export interface SendInput {
  target: string;
  body: string;
  from?: string;
  toHost?: string;
  preamble: boolean;
  raw: boolean;
  runtime?: string;
  timeoutSeconds?: number;
  retries?: number;
  whenIdleSeconds?: number;
  holdSeconds?: number;
  /** Record as pending (delivered later by `mosaic-fleet deliver`) when the target cannot take it now. */
  queue?: boolean;
  ttlSeconds?: number;
  /** Ad-hoc remote target without a roster entry. */
  ssh?: string;
}

export type SendStatus = DeliveryStatus | 'pending';

export interface SendReport {
  id: string;
  from: Endpoint;
  to: Endpoint;
  status: SendStatus;
  attempts: number;
  latencyMs: number;
  detail?: string;
  pane: string | null;
  /** The fleet service on the target's host delivered it (remote hosts): that host and the service's pid. */
  servedBy?: { host: string; pid: number };
}

export interface SendMeta {
  kind?: MessageKind;
  group?: string;
}

/** Where the body comes from: -m, -f FILE, or stdin (exactly one). */
export async function readBody(opts: { message?: string; file?: string }, stdin: NodeJS.ReadableStream & { isTTY?: boolean } = currentInvocation()?.stdin ?? process.stdin): Promise<string> {
  if (opts.message !== undefined && opts.file !== undefined) throw new UsageError('give the body with -m or -f, not both');
  if (opts.message !== undefined) return opts.message;
  // `-f -` is stdin, read as a stream: readFileSync(0) fails with EAGAIN on a pipe that is not ready yet.
  if (opts.file !== undefined && opts.file !== '-') {
    try {
      return readFileSync(resolve(commandCwd(), opts.file), 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${opts.file}: ${(error as Error).message}`);
    }
  }
  if (stdin.isTTY && opts.file === undefined) throw new UsageError('no message given', 'use -m MSG, -f FILE, or pipe the body on stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Send one addressed message, recording it in the ledger before anything is pasted, and report what happened. */
export async function sendMessage(ctx: Context, input: SendInput, meta: SendMeta = {}): Promise<SendReport> {
  if (input.retries !== undefined && (!Number.isInteger(input.retries) || input.retries < 0)) throw new UsageError('--retries takes a whole number >= 0');
  const from = input.from ? parseEndpoint(input.from) : await detectSelf(ctx.env);
  const where = resolveTarget(ctx, input.target, input.ssh ? { ssh: input.ssh, ...(ctx.options.socket ? { socket: ctx.options.socket } : {}) } : {});
  const transport = where.transport;
  const target = where.target;
  const toHost = input.toHost ?? (await hostLabelOrUnknown(transport));
  if (input.queue && !(await canTakeNow(ctx, transport, target))) return queueMessage(ctx, { ...input, target }, from, toHost, meta);
  const ledger = ledgerOf(ctx);
  let record: MessageRecord | undefined;
  const started = Date.now();
  try {
    const result = await transport.send(
      target,
      { from, toHost, body: input.body, preamble: input.preamble, raw: input.raw, ...(input.runtime ? { profile: input.runtime } : {}) },
      {
        ...(input.timeoutSeconds !== undefined ? { verifyTimeoutMs: input.timeoutSeconds * 1000 } : {}),
        ...(input.retries !== undefined ? { maxEnters: input.retries + 1 } : {}),
        ...(input.whenIdleSeconds !== undefined ? { whenIdleMs: input.whenIdleSeconds * 1000 } : {}),
        ...(input.holdSeconds !== undefined ? { holdMs: input.holdSeconds * 1000 } : {}),
        ...deliveryEvents(ctx, () => record),
        // Durable before delivery starts: a crash from here on leaves a record that says so.
        beforeDelivery: (to, text) => {
          record = ledger.create({ kind: meta.kind ?? 'send', from, to, body: input.body, preamble: input.preamble ? text.slice(0, text.indexOf(']') + 1) : '', text, ...(meta.group ? { group: meta.group } : {}) });
          ledger.startAttempt(record.id);
          currentInvocation()?.onDeliveryEvent?.({ kind: 'queued', atMs: 0, id: record.id, to: `${to.host}:${to.session}` });
        },
        beforePaste: () => {
          if (record) ledger.markPasting(record.id);
        },
        orphansFor: (to) => orphansOf(ctx, to, record?.id),
        onOrphan: (id, status, detail) => settleOrphan(ctx, id, status, detail),
      },
    );
    // --queue: a target that turned out unable to take it (nothing was pasted) leaves it pending, as if seen before.
    const requeue = input.queue === true && result.status === 'held';
    ledger.finishAttempt(record!.id, result.status, { latencyMs: result.latencyMs, enters: result.enters, ...(result.detail ? { detail: result.detail } : {}), ...(result.unread ? { unread: true } : {}), ...(requeue ? { retry: true } : {}) });
    currentInvocation()?.onDeliveryEvent?.({ kind: 'recorded', atMs: result.latencyMs, id: record!.id, status: requeue ? 'pending' : result.status });
    if (requeue) {
      return { id: record!.id, from, to: result.to, status: 'pending', attempts: 0, latencyMs: result.latencyMs, pane: result.paneId, detail: `${result.detail ?? 'held'}; \`mosaic-fleet deliver\` will hand it over when it can` };
    }
    if (where.host !== 'local' && (result.status === 'submitted' || result.status === 'queued')) await leaveInboxCopy(ctx, transport, result.to.session, record!.id);
    return {
      id: record!.id,
      from,
      to: result.to,
      status: result.status,
      attempts: result.enters,
      latencyMs: result.latencyMs,
      pane: result.paneId,
      ...(result.detail ? { detail: result.detail } : {}),
      ...(result.servedBy ? { servedBy: result.servedBy } : {}),
    };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    // The target host's service took the message and then went silent: whether it landed is unknown, so the record
    // stays 'sending' (crashed once this process is gone) for `deliver`, which looks before pasting again.
    if (record) {
      if (!(error instanceof FleetError && error.code === 'SERVICE_LOST')) ledger.finishAttempt(record.id, 'failed', { detail, latencyMs: Date.now() - started });
    } else if (error instanceof FleetError && error.code !== 'USAGE') recordFailure(ctx, { ...input, target }, from, toHost, detail, meta);
    throw error;
  }
}

/** Our messages to `to` that may sit unsent in its input box: a sender died mid-send, or the verdict was draft or
 *  unconfirmed. Only these may be finished by a later send; anything else in the box is somebody's typing. */
export function orphansOf(ctx: Context, to: Endpoint, except?: string): Orphan[] {
  const since = new Date(Date.now() - 24 * 3600_000);
  return ledgerOf(ctx)
    .list({ agent: `${to.host}:${to.session}`, since, status: ['sending', 'draft', 'unconfirmed'] })
    .filter((r) => r.id !== except && r.kind !== 'reset' && r.to.host === to.host && r.to.session === to.session && (r.status !== 'sending' || r.crashed))
    .map((r) => {
      const unread = unreadSince(r);
      return { id: r.id, text: r.text, ...(unread !== null ? { unreadSince: unread } : {}) };
    });
}

/** When the record's last attempt pasted a text no screen has shown since (its sender died before it saw it drawn,
 *  or the REPL never drew it): a frozen REPL may still hold it unread in its terminal. Null otherwise. */
export function unreadSince(r: MessageRecord): number | null {
  const last = r.attempts.at(-1);
  if (!last?.pasted || last.shown || !last.pastedAt) return null;
  const open = r.status === 'sending' && r.crashed === true && last.state === 'started';
  return open || (r.status === 'unconfirmed' && last.unread === true) ? Date.parse(last.pastedAt) : null;
}

/** Record what became of an orphan a send (or deliver) found in the box and finished. */
export function settleOrphan(ctx: Context, id: string, status: DeliveryStatus, detail?: string): void {
  const ledger = ledgerOf(ctx);
  const record = ledger.get(id);
  if (!record) return;
  if (record.status === 'sending') ledger.finishAttempt(id, status, detail ? { detail } : {});
  else if (status !== record.status) ledger.setStatus(id, status, detail);
}

/** The message was delivered: a failure to leave its inbox copy is worth a warning, not a failed send. */
async function leaveInboxCopy(ctx: Context, transport: Transport, session: string, id: string): Promise<void> {
  const record = ledgerOf(ctx).get(id);
  if (!record) return;
  try {
    await transport.storeInboxCopy(session, record);
  } catch (error) {
    warn(`warning: ${(error as Error).message}`);
  }
}

/** The target host's `hostname -s`; an unreachable host is labelled by its roster name so a queued record can still be written. */
async function hostLabelOrUnknown(transport: Transport): Promise<string> {
  try {
    return await transport.hostLabel();
  } catch (error) {
    if (error instanceof FleetError && (error.code === 'HOST_UNREACHABLE' || error.code === 'SSH_AUTH')) return (transport as { host?: { name: string } }).host?.name ?? '?';
    throw error;
  }
}

/** A message that never reached a pane (unknown target, dead pane, no server) still gets a record. */
function recordFailure(ctx: Context, input: SendInput, from: Endpoint, toHost: string, detail: string, meta: SendMeta): void {
  const ledger = ledgerOf(ctx);
  const r = ledger.create({ kind: meta.kind ?? 'send', from, to: { host: toHost, session: sessionOf(input.target) }, body: input.body, text: input.body, ...(meta.group ? { group: meta.group } : {}) });
  ledger.finishAttempt(r.id, 'failed', { detail });
}

/** Whether the target can take a message right now (alive, drawn, not busy, empty input box). */
async function canTakeNow(ctx: Context, transport: Transport, target: string): Promise<boolean> {
  try {
    const state = await transport.inspect(target);
    return state.ready && !state.busy && state.input !== null && state.input.trim() === '';
  } catch (error) {
    if (!(error instanceof FleetError)) throw error;
    if (error.code === 'PANE_DEAD' || error.code === 'NO_SERVER' || error.code === 'HOST_UNREACHABLE') return false;
    // A roster agent that is not running (restarting, stopped) can be queued for; an unknown target cannot.
    if (error.code === 'TARGET_NOT_FOUND' && ctx.roster(false)?.agents.some((a) => a.name === sessionOf(target))) return false;
    throw error;
  }
}

async function queueMessage(ctx: Context, input: SendInput, from: Endpoint, toHost: string, meta: SendMeta): Promise<SendReport> {
  const to = { host: toHost, session: sessionOf(input.target) };
  const text = buildText(input.body, from, to, { preamble: input.preamble, raw: input.raw });
  const record = ledgerOf(ctx).create({
    kind: meta.kind ?? 'send',
    from,
    to,
    body: input.body,
    preamble: input.preamble ? text.slice(0, text.indexOf(']') + 1) : '',
    text,
    queue: true,
    ttlMs: (input.ttlSeconds ?? 24 * 3600) * 1000,
    ...(meta.group ? { group: meta.group } : {}),
  });
  return { id: record.id, from, to, status: 'pending', attempts: 0, latencyMs: 0, pane: null, detail: 'the target cannot take it now; `mosaic-fleet deliver` will hand it over when it can' };
}

/** Session name of a target for records: `=name` and `name:0.0` give `name`; `%N` stays as is. */
export function sessionOf(target: string): string {
  const t = target.startsWith('=') ? target.slice(1) : target;
  return t.startsWith('%') ? t : t.split(':')[0]!;
}

/** The ledger notes when the REPL drew the paste; inside the fleet service, each step of a delivery (locked, pasted,
 *  shown, enter, verdict) also goes to its subscribers. */
export function deliveryEvents(ctx: Context, record: () => MessageRecord | undefined): Pick<SendOptions, 'onEvent'> {
  const publish = currentInvocation()?.onDeliveryEvent;
  return {
    onEvent: (event) => {
      const r = record();
      if (event.kind === 'shown' && r) ledgerOf(ctx).markShown(r.id);
      publish?.({ ...event, id: r?.id ?? null, to: r ? `${r.to.host}:${r.to.session}` : null });
    },
  };
}
