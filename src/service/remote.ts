// The service's side of sends from other hosts. A sender on host A that reaches this host over ssh finds this service
// by its tmux socket alone (the alias below), and hands it a text it built and recorded in its own ledger: we deliver
// it through our per-pane queues and tmux connection and answer with the verdict. Our ledger is not written (A's is
// the durable record of A's messages); A's orphans for the target travel with the request and come back settled.
import { readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { FleetError } from '../errors.js';
import type { TmuxTransport } from '../transport/tmux/transport.js';
import { tmuxAliasPath, tmuxSocketFile } from './alias-paths.js';
import type { DeliverRequest, ServiceMessage } from './protocol.cjs';
import type { FleetService } from './server.js';

/** Deliver one text for another host's sender; always ends with one `result` or `error` message. */
export async function handleDeliver(service: FleetService, request: DeliverRequest, send: (m: ServiceMessage) => void): Promise<void> {
  const to = String(request.target?.session);
  try {
    if (!wellFormed(request)) throw new FleetError('USAGE', 'a malformed deliver request (it needs target.pane as %N, target.session, text and orphans)');
    const transport = service.ctx.transport('local') as TmuxTransport;
    const result = await transport.deliverBuilt(request.target, request.text, request.profile, {
      ...request.options,
      onEvent: (event) => {
        send({ type: 'step', event });
        service.publish('message', { ...event, step: event.kind, to, remote: true });
      },
      orphansFor: () => request.orphans,
      onOrphan: (id, status, detail) => send({ type: 'orphan', id, status, ...(detail ? { detail } : {}) }),
    });
    send({ type: 'result', result: { status: result.status, enters: result.enters, latencyMs: result.latencyMs, paneId: result.paneId, ...(result.detail ? { detail: result.detail } : {}) }, pid: process.pid });
  } catch (error) {
    const e = error instanceof FleetError ? error : null;
    send({ type: 'error', error: { code: e?.code ?? 'INTERNAL', message: error instanceof Error ? error.message : String(error), ...(e?.hint ? { hint: e.hint } : {}) } });
  }
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
