import { FleetError } from '../errors.js';
import type { MessageRecord } from '../ledger/index.js';
import type { Transport } from '../transport/types.js';
import type { Context } from './context.js';
import type { OnProgress } from './progress.js';
import { resolveTarget } from './targets.js';
import { ledgerOf } from './ledger.js';
import { pause } from './pause.js';
import { deliveryEvents, orphansOf, settleOrphan, unreadSince } from './send.js';
import { UNREAD_HOLD_MS } from '../delivery/deliver.js';

export interface DeliveredItem {
  id: string;
  to: string;
  outcome: string;
  detail?: string;
}

export interface DeliverPassReport {
  expired: string[];
  delivered: DeliveredItem[];
  waiting: number;
}

/** One pass over pending messages (and sends whose sender died mid-way): oldest first, in order per target,
 *  each at most once. A target that cannot take a message now keeps it (and the ones behind it) for a later pass. */
export async function deliverPending(ctx: Context, options: { concurrency?: number; onProgress?: OnProgress } = {}): Promise<DeliverPassReport> {
  const ledger = ledgerOf(ctx);
  const expired = ledger.expire().map((r) => r.id);
  const open = [...ledger.pending(), ...ledger.list({ crashed: true, status: ['sending'] }).filter((r) => !r.queued)];
  const byTarget = new Map<string, MessageRecord[]>();
  for (const r of open.sort((a, b) => a.created.localeCompare(b.created))) {
    const key = `${r.to.host}:${r.to.session}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []).filter((x) => x.id !== r.id), r]);
  }
  const delivered: DeliveredItem[] = [];
  const queues = [...byTarget.values()];
  const total = queues.reduce((n, q) => n + q.length, 0);
  const busy = new Set<string>();
  const progress = () => options.onProgress?.({ what: `delivering to ${[...busy].join(', ') || '…'}`, done: delivered.length, total });
  const workers = Array.from({ length: Math.min(options.concurrency ?? 4, queues.length) }, async () => {
    for (let q = queues.shift(); q; q = queues.shift()) {
      // A roster agent is found on its own host; anything else is a session on this machine.
      const where = resolveTarget(ctx, q[0]!.to.session.startsWith('%') ? q[0]!.to.session : `=${q[0]!.to.session}`);
      busy.add(q[0]!.to.session);
      progress();
      delivered.push(...(await drainTarget(ctx, where.transport, where.target, q)));
      busy.delete(q[0]!.to.session);
      progress();
    }
  });
  await Promise.all(workers);
  const waiting = ledger.pending().length;
  return { expired, delivered, waiting };
}

const RECOVERED: Partial<Record<string, string>> = {
  landed: 'found in the pane after its sender stopped',
  unconfirmed: 'after its sender stopped, only its opening shows outside the input area (a queued message drawn by its first line): not pasted again, but not proven taken whole',
};

function interrupted(record: MessageRecord): boolean {
  return record.crashed === true || record.attempts.some((a) => a.state === 'started');
}

/** An interrupted send (the caller holds its claim), settled from what the pane shows: found in the box (finished),
 *  in the transcript (landed), only partly or only in the scrollback (unconfirmed), or nowhere although an attempt
 *  pasted it (unconfirmed: it scrolled away or was cleared; never pasted twice). Null: it never got pasted, send it.
 *  'wait': pasted moments ago and never drawn, so a frozen REPL may still read it; nothing goes to it meanwhile. */
async function recoverInterrupted(ctx: Context, transport: Transport, target: string, record: MessageRecord): Promise<DeliveredItem | null | 'wait'> {
  const ledger = ledgerOf(ctx);
  const found = await transport.recover(target, record.text);
  const pasted = record.attempts.some((a) => a.pasted);
  if (found === 'absent' && !pasted) return null;
  const unread = unreadSince(record);
  if (found === 'absent' && unread !== null && Date.now() - unread < UNREAD_HOLD_MS) return 'wait';
  const status = found === 'landed' ? 'submitted' : found === 'absent' ? 'unconfirmed' : found;
  const detail = found === 'absent' ? 'its sender stopped after pasting it, and it is no longer on the screen (scrolled away, or cleared): not pasted again' : (RECOVERED[found] ?? 'finished an interrupted send');
  ledger.startAttempt(record.id);
  ledger.finishAttempt(record.id, status, { detail });
  return { id: record.id, to: `${record.to.host}:${record.to.session}`, outcome: status, detail: 'recovered' };
}

async function drainTarget(ctx: Context, transport: Transport, target: string, records: MessageRecord[]): Promise<DeliveredItem[]> {
  const ledger = ledgerOf(ctx);
  const out: DeliveredItem[] = [];
  // Our own text left in the box (a draft, an unconfirmed paste) would hold up everything behind it: finish it first.
  const first = records[0]!;
  const finished = await finishOrphans(ctx, transport, target, first.to);
  out.push(...finished);
  // What an interrupted send left on screen fades as the pane scrolls: look for those first, whatever waits ahead of
  // them (looking needs no idle REPL). One that never pasted anything stays in line to be sent.
  for (const record of records.filter(interrupted)) {
    if (!ledger.claim(record.id)) continue;
    try {
      const done = await recoverInterrupted(ctx, transport, target, record);
      if (done && done !== 'wait') out.push(done);
    } catch (error) {
      if (error instanceof FleetError) break;
      throw error;
    } finally {
      ledger.release(record.id);
    }
  }
  for (const record of records) {
    if (!ledger.claim(record.id)) continue;
    const item = (outcome: string, detail?: string): DeliveredItem => ({ id: record.id, to: `${record.to.host}:${record.to.session}`, outcome, ...(detail ? { detail } : {}) });
    try {
      // At most once: an earlier attempt may have landed before its sender died; look before pasting again.
      if (interrupted(record)) {
        const done = await recoverInterrupted(ctx, transport, target, record);
        if (done === 'wait') break; // keep order: nothing is pasted behind an unread paste
        if (done) {
          out.push(done);
          continue;
        }
      }
      const state = await transport.inspect(target);
      if (!state.ready || state.busy || state.input === null || state.input.trim() !== '') break; // keep order: wait for this target
      ledger.startAttempt(record.id);
      const result = await transport.send(target, { from: record.from, toHost: record.to.host, body: record.text, preamble: false, raw: true }, {
        holdMs: 0,
        ...deliveryEvents(ctx, () => record),
        beforePaste: () => ledger.markPasting(record.id),
        orphansFor: (to) => orphansOf(ctx, to, record.id),
        onOrphan: (id, status, detail) => settleOrphan(ctx, id, status, detail),
      });
      // A person typing into the box (held) is transient: the message goes back to pending.
      ledger.finishAttempt(record.id, result.status, { latencyMs: result.latencyMs, enters: result.enters, ...(result.detail ? { detail: result.detail } : {}), ...(result.unread ? { unread: true } : {}), retry: result.status === 'held' });
      out.push(item(result.status, result.detail));
      if (result.status === 'held') break;
    } catch (error) {
      if (error instanceof FleetError && ['TARGET_NOT_FOUND', 'PANE_DEAD', 'NO_SERVER', 'HOST_UNREACHABLE', 'SSH_AUTH', 'TIMEOUT', 'LOCK_TIMEOUT', 'SERVICE_LOST'].includes(error.code)) {
        // The target is down or restarting: leave this message and the ones behind it for a later pass.
        const current = ledger.get(record.id);
        if (current?.status === 'sending') ledger.finishAttempt(record.id, 'failed', { detail: error.message, retry: true });
        break;
      }
      throw error;
    } finally {
      ledger.release(record.id);
    }
  }
  return out;
}

/** Look at the pane for our messages that were left as drafts or unconfirmed: one found whole in the box is
 *  finished (Enter, confirmed), one found in the transcript is recorded as landed; nothing is pasted again. */
async function finishOrphans(ctx: Context, transport: Transport, target: string, to: { host: string; session: string }): Promise<DeliveredItem[]> {
  const out: DeliveredItem[] = [];
  const ledger = ledgerOf(ctx);
  for (const orphan of orphansOf(ctx, to).filter((o) => ledger.get(o.id)?.status !== 'sending')) {
    try {
      const found = await transport.recover(target, orphan.text);
      if (found === 'absent' || found === 'unconfirmed') continue;
      const status = found === 'landed' ? 'submitted' : found;
      settleOrphan(ctx, orphan.id, status, found === 'landed' ? 'found in the transcript on a later look' : 'found in the input box and finished');
      out.push({ id: orphan.id, to: `${to.host}:${to.session}`, outcome: status, detail: 'recovered' });
    } catch (error) {
      if (error instanceof FleetError) break;
      throw error;
    }
  }
  return out;
}

/** Run passes every `intervalMs` until `signal` aborts. */
export async function watchPending(ctx: Context, intervalMs: number, signal: AbortSignal, onPass: (r: DeliverPassReport) => void): Promise<void> {
  while (!signal.aborted) {
    onPass(await deliverPending(ctx));
    await pause(intervalMs, signal);
  }
}
