// The service's side of requests from other hosts: deliveries, and the looks, resets and recoveries that would
// otherwise go to our tmux over ssh (handleCall). A sender on host A that reaches this host over ssh finds this service
// by its tmux socket alone (the alias below), and hands it a text it built and recorded in its own ledger: we deliver
// it through our per-pane queues and tmux connection and answer with the verdict. Our ledger is not written (A's is
// the durable record of A's messages); A's orphans for the target travel with the request and come back settled.
import { readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { FleetError } from '../errors.js';
import type { TmuxTransport } from '../transport/tmux/transport.js';
import { tmuxAliasPath, tmuxSocketFile } from './alias-paths.js';
import type { CallRequest, DeliverRequest, ServiceMessage } from './protocol.cjs';
import type { FleetService } from './server.js';

/** Deliver one text for another host's sender; always ends with one `result` or `error` message. */
export async function handleDeliver(service: FleetService, request: DeliverRequest, send: (m: ServiceMessage) => void): Promise<void> {
  const to = String(request.target?.session);
  const received = Date.now();
  const settled = new Set<string>();
  try {
    if (!wellFormed(request)) throw new FleetError('USAGE', 'a malformed deliver request (it needs target.pane as %N, target.session, text and orphans)');
    const transport = service.ctx.transport('local') as TmuxTransport;
    const result = await transport.deliverBuilt(request.target, request.text, request.profile, {
      ...request.options,
      onEvent: (event) => {
        send({ type: 'step', event });
        service.publish('message', { ...event, step: event.kind, to, remote: true });
      },
      // As the sender's ledger would answer: an orphan settled during this delivery is no longer one.
      orphansFor: () =>
        request.orphans.filter((o) => !settled.has(o.id)).map(({ id, text, unreadMs }) => ({ id, text, ...(typeof unreadMs === 'number' ? { unreadSince: received - unreadMs } : {}) })),
      onOrphan: (id, status, detail) => {
        settled.add(id);
        send({ type: 'orphan', id, status, ...(detail ? { detail } : {}) });
      },
    });
    send({ type: 'result', result: { status: result.status, enters: result.enters, latencyMs: result.latencyMs, paneId: result.paneId, ...(result.detail ? { detail: result.detail } : {}), ...(result.unread ? { unread: true } : {}) }, pid: process.pid });
  } catch (error) {
    send({ type: 'error', error: errorOf(error) });
  }
}

/** Answer another host's client as our tmux would over ssh, through our connection and per-pane queues; always ends
 *  with one `value` or `error` message. */
export async function handleCall(service: FleetService, request: CallRequest, send: (m: ServiceMessage) => void): Promise<void> {
  try {
    const value = await answer(service.ctx.transport('local') as TmuxTransport, request);
    send({ type: 'value', value, pid: process.pid });
    service.publish('call', { op: request.op, ...('target' in request ? { target: request.target } : {}), remote: true });
  } catch (error) {
    send({ type: 'error', error: errorOf(error) });
  }
}

async function answer(transport: TmuxTransport, r: CallRequest): Promise<unknown> {
  const text = (v: unknown): v is string => typeof v === 'string';
  const malformed = () => new FleetError('USAGE', `a malformed ${String(r.op)} request`);
  switch (r.op) {
    case 'overview':
      if (!text(r.holder) || !Array.isArray(r.roster) || !r.roster.every(text)) throw malformed();
      return transport.overview(r.roster, { holder: r.holder });
    case 'tail':
      if (!text(r.target) || !(r.lines === 'all' || Number.isInteger(r.lines))) throw malformed();
      return transport.tail(r.target, r.lines);
    case 'inspect':
      if (!text(r.target)) throw malformed();
      return transport.inspect(r.target, r.profile);
    case 'reset':
      if (!text(r.target) || !text(r.command) || typeof r.options?.confirmTimeoutMs !== 'number') throw malformed();
      return transport.reset(r.target, r.command, r.options);
    case 'recover':
      if (!text(r.target) || !text(r.text)) throw malformed();
      return transport.recover(r.target, r.text);
    default:
      throw new FleetError('USAGE', `an unknown request '${String((r as { op?: unknown }).op)}'`, { hint: 'the client and the service must be the same version' });
  }
}

function errorOf(error: unknown): { code: string; message: string; hint?: string } {
  const e = error instanceof FleetError ? error : null;
  return { code: e?.code ?? 'INTERNAL', message: error instanceof Error ? error.message : String(error), ...(e?.hint ? { hint: e.hint } : {}) };
}

function wellFormed(r: DeliverRequest): boolean {
  return (
    typeof r.target?.pane === 'string' &&
    /^%\d+$/.test(r.target.pane) &&
    typeof r.target.session === 'string' &&
    typeof r.text === 'string' &&
    typeof r.options === 'object' &&
    r.options !== null &&
    Array.isArray(r.orphans) &&
    r.orphans.every((o) => typeof o?.id === 'string' && typeof o.text === 'string')
  );
}

const aliases = new WeakMap<FleetService, { alias: string; target: string }>();

/** Answer on the well-known address of our tmux socket too (a symlink to our socket, swapped in atomically). */
export function linkTmuxAlias(service: FleetService): void {
  const env = service.ctx.env;
  const alias = tmuxAliasPath(tmuxSocketFile(service.ctx.socket(), env), env);
  const target = service.socketPath;
  const temp = `${alias}.${process.pid}.tmp`;
  try {
    rmSync(temp, { force: true });
    symlinkSync(target, temp);
    renameSync(temp, alias);
    aliases.set(service, { alias, target });
  } catch (error) {
    // Still a correct service for this host's clients; senders on other hosts deliver directly.
    process.stderr.write(`mosaic-fleet serve: no address for senders on other hosts (${(error as Error).message}); they deliver directly over ssh\n`);
  }
}

/** Remove the alias, unless another service of this tmux server (another roster) has taken it since. */
export function unlinkTmuxAlias(service: FleetService): void {
  const mine = aliases.get(service);
  if (!mine) return;
  aliases.delete(service);
  try {
    if (readlinkSync(mine.alias) === mine.target) rmSync(mine.alias, { force: true });
  } catch {
    // already gone
  }
}
