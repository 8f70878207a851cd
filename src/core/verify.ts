import { resolveAgents } from '../roster/resolve.js';
import { mosaicHome } from '../roster/paths.js';
import { supervisionChecks } from '../systemd/health.js';
import { defaultUnitDir } from '../systemd/systemctl.js';
import type { Check } from '../transport/types.js';
import type { Context } from './context.js';
import { chooseSupervisor } from './fleet.js';
import { removeDeadSocket, socketFiles } from './socket-files.js';

export type { Check };

/** Every health and safety check, in order: the transport's own (per host) and the supervision (systemd).
 *  The scratch servers' socket files are removed afterwards (tmux leaves them behind when a server exits). */
export async function verifyFleet(ctx: Context): Promise<Check[]> {
  const before = new Set(socketFiles(SCRATCH_PREFIX, ctx.env));
  try {
    return await runChecks(ctx);
  } finally {
    for (const path of socketFiles(SCRATCH_PREFIX, ctx.env)) if (!before.has(path)) await removeDeadSocket(path);
  }
}

// The scratch sockets the exact-target and restart-isolation checks create.
const SCRATCH_PREFIX = 'mosaic-verify-';

async function runChecks(ctx: Context): Promise<Check[]> {
  const roster = ctx.roster(false);
  const agents = roster ? resolveAgents(roster, ctx.env) : [];
  const checks: Check[] = [];
  for (const host of ctx.agentHosts()) {
    const local = host === 'local';
    const mine = agents.filter((a) => a.host === host).map((a) => ({ name: a.name, class: a.class }));
    try {
      checks.push(...(await ctx.transport(host).diagnose({ agents: mine, scratch: local, defaultServer: local, ...(local ? {} : { label: `on ${host}` }) })));
    } catch (error) {
      checks.push({ name: `host ${host}`, status: 'fail', detail: (error as Error).message, hint: (error as { hint?: string }).hint ?? `check ssh to ${host}` });
    }
  }
  if (agents.length === 0) checks.push({ name: 'roster agents', status: 'warn', detail: 'no roster (or no agents in it)', hint: 'mosaic-fleet init --profile minimal --write' });
  await checkSupervision((c) => checks.push(c), ctx);
  return checks;
}

async function checkSupervision(add: (c: Check) => void, ctx: Context): Promise<void> {
  const supervisor = await chooseSupervisor(ctx, 'auto');
  if (supervisor === 'direct') {
    add({ name: 'systemd units', status: 'warn', detail: 'not supervised by systemd (units not installed, or no user manager): the fleet will not come back after a reboot', hint: 'mosaic-fleet install-systemd --enable' });
    return;
  }
  const roster = ctx.roster(false);
  if (!roster) return;
  const checks = await supervisionChecks({ roster, rosterPath: ctx.rosterPath(), unitDir: defaultUnitDir(ctx.env), mosaicHome: mosaicHome(ctx.env), env: ctx.env });
  for (const check of checks) add(check);
}

export function verifyFailed(checks: Check[]): boolean {
  return checks.some((c) => c.status === 'fail');
}
