import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../exec/run.js';
import { Tmux } from '../tmux/client.js';
import { shippedTmuxConf } from '../paths.js';
import { TmuxTransport } from '../transport/tmux/transport.js';
import { resolveAgents } from '../roster/resolve.js';
import { mosaicHome } from '../roster/paths.js';
import { checkInstalledUnits } from '../systemd/check.js';
import { currentUser, defaultUnitDir, lingerState } from '../systemd/systemctl.js';
import type { Context } from './context.js';
import { chooseSupervisor } from './fleet.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}

const MIN_TMUX = [3, 2];
const WARN_BELOW_TMUX = [3, 3];

/** Every safety and health check, in order; each is pass, warn or fail with a hint. */
export async function verifyFleet(ctx: Context): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);
  const version = await checkTmuxVersion(add);
  if (version === null) return checks;
  const transport = ctx.transport('local') as TmuxTransport;
  const roster = ctx.roster(false);
  const agents = roster ? resolveAgents(roster, ctx.env) : [];
  const panes = await transport.tmux.listPanes();
  const socketPath = panes[0]?.socketPath ?? null;
  add(
    socketPath
      ? { name: 'fleet socket', status: 'pass', detail: `${transport.describe()} at ${socketPath}, server pid ${panes[0]!.serverPid}` }
      : { name: 'fleet socket', status: 'fail', detail: `no tmux server answers on ${transport.describe()}`, hint: 'start the fleet: mosaic-fleet start' },
  );
  if (socketPath) checkHolder(add, transport, panes);
  await checkDefaultServer(add, ctx, agents.map((a) => a.name), socketPath);
  await checkExactTargets(add);
  await checkRestartIsolation(add, ctx, transport, agents.map((a) => ({ name: a.name, class: a.class })));
  checkAgentsAlive(add, agents.filter((a) => a.host === 'local').map((a) => a.name), panes, 'roster agents');
  for (const host of ctx.agentHosts().filter((h) => h !== 'local')) await checkRemoteHost(add, ctx, host, agents.filter((a) => a.host === host).map((a) => a.name));
  await checkSupervision(add, ctx);
  return checks;
}

/** A remote host: reachable, its holder owns its server, its agents are alive. */
async function checkRemoteHost(add: (c: Check) => void, ctx: Context, host: string, names: string[]): Promise<void> {
  const transport = ctx.transport(host);
  let panes: Awaited<ReturnType<Tmux['listPanes']>>;
  try {
    panes = await transport.tmux.listPanes();
  } catch (error) {
    add({ name: `host ${host}`, status: 'fail', detail: (error as Error).message, hint: (error as { hint?: string }).hint ?? `check ssh to ${host}` });
    return;
  }
  add({ name: `host ${host}`, status: 'pass', detail: `reachable as ${await transport.hostLabel()}${panes[0] ? `, server pid ${panes[0].serverPid}` : ''}` });
  if (panes.length > 0) checkHolder((c) => add({ ...c, name: `${c.name} on ${host}` }), transport, panes);
  checkAgentsAlive(add, names, panes, `agents on ${host}`);
}

async function checkTmuxVersion(add: (c: Check) => void): Promise<number[] | null> {
  const r = await run(['tmux', '-V'], { timeoutMs: 5_000 });
  if (r.spawnError || r.code !== 0) {
    add({ name: 'tmux installed', status: 'fail', detail: 'tmux is not installed', hint: 'sudo apt-get install tmux (3.2 or newer)' });
    return null;
  }
  const m = /(\d+)\.(\d+)/.exec(r.stdout);
  const v = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  const below = (a: number[], b: number[]) => a[0]! < b[0]! || (a[0] === b[0] && a[1]! < b[1]!);
  if (below(v, MIN_TMUX)) add({ name: 'tmux version', status: 'fail', detail: `${r.stdout.trim()} is older than 3.2`, hint: 'upgrade tmux to 3.2 or newer' });
  else if (below(v, WARN_BELOW_TMUX)) add({ name: 'tmux version', status: 'warn', detail: `${r.stdout.trim()}: works, 3.3+ recommended`, hint: 'upgrade tmux when you can' });
  else add({ name: 'tmux version', status: 'pass', detail: r.stdout.trim() });
  return v;
}

function checkHolder(add: (c: Check) => void, transport: TmuxTransport, panes: Awaited<ReturnType<Tmux['listPanes']>>): void {
  const holder = panes.find((p) => p.sessionName === transport.holderSession);
  if (!holder) {
    add({ name: 'holder session', status: 'fail', detail: `no '${transport.holderSession}' session: nothing keeps the server alive`, hint: 'mosaic-fleet start --holder-only (or restart mosaic-tmux-holder.service)' });
    return;
  }
  const oldest = [...panes].sort((a, b) => a.sessionCreated - b.sessionCreated || Number(a.sessionId.slice(1)) - Number(b.sessionId.slice(1)))[0]!;
  if (oldest.sessionName !== transport.holderSession) {
    add({ name: 'holder session', status: 'fail', detail: `'${oldest.sessionName}' is older than the holder: the holder did not create the server`, hint: 'stop the fleet (mosaic-fleet stop --all) and start it again so the holder creates the server' });
  } else add({ name: 'holder session', status: 'pass', detail: `'${transport.holderSession}' exists and is the oldest session (it owns the server)` });
}

/** Read-only look at the user's default server: it must hold no fleet sessions. */
async function checkDefaultServer(add: (c: Check) => void, ctx: Context, names: string[], fleetSocketPath: string | null): Promise<void> {
  const def = new Tmux(ctx.localHost, {});
  const panes = await def.listPanes();
  if (panes.length === 0) {
    add({ name: 'default server untouched', status: 'pass', detail: 'no default tmux server is running' });
    return;
  }
  if (fleetSocketPath && panes[0]!.socketPath === fleetSocketPath) {
    add({ name: 'default server untouched', status: 'fail', detail: 'the fleet runs on the default tmux server', hint: 'give the fleet its own socket: tmux.socket_name in the roster (default mosaic-factory)' });
    return;
  }
  const planted = [...new Set(panes.filter((p) => p.agent !== '' || names.includes(p.sessionName)).map((p) => p.sessionName))];
  if (planted.length > 0) {
    add({
      name: 'default server untouched',
      status: 'fail',
      detail: `the default tmux server holds fleet sessions: ${planted.join(', ')}`,
      hint: `they answer to plain \`tmux\` commands and escape the fleet; capture and stop them there (mosaic-fleet capture <name>), then start them on the fleet socket`,
    });
  } else add({ name: 'default server untouched', status: 'pass', detail: `the default server has ${new Set(panes.map((p) => p.sessionName)).size} session(s), none of them the fleet's` });
}

/** On a scratch socket: sessions x and x0; sending to and stopping x must leave x0 untouched. */
async function checkExactTargets(add: (c: Check) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-verify-'));
  const scratch = new TmuxTransport({ host: new (await import('../host/local.js')).LocalHost(), socket: { name: `mosaic-verify-${randomBytes(4).toString('hex')}` }, holderSession: '_holder', configFile: shippedTmuxConf() });
  const reader = (file: string) => ['sh', '-c', 'while IFS= read -r line; do printf "%s\\n" "$line" >> "$1"; done', 'sh', file];
  try {
    await scratch.ensureHolder();
    for (const name of ['x', 'x0']) {
      await scratch.start({ name, host: 'local', runtime: 'shell', profile: 'generic', launcher: 'verify', argv: reader(join(dir, `${name}.txt`)), env: {}, workingDirectory: dir, readyTimeoutMs: 5_000 }, {});
    }
    const x0 = (await scratch.tmux.listPanes()).find((p) => p.sessionName === 'x0')!;
    await scratch.send('x', { from: { host: 'verify', session: 'verify' }, toHost: 'verify', body: 'exact-target probe', preamble: true }, { verifyTimeoutMs: 3_000 });
    await scratch.stop('x');
    const after = (await scratch.tmux.listPanes()).find((p) => p.sessionName === 'x0');
    const x0Got = existsSync(join(dir, 'x0.txt')) ? readFileSync(join(dir, 'x0.txt'), 'utf8') : '';
    const xGot = existsSync(join(dir, 'x.txt')) ? readFileSync(join(dir, 'x.txt'), 'utf8') : '';
    if (!after || after.panePid !== x0.panePid || x0Got !== '' || !xGot.includes('exact-target probe')) {
      add({ name: 'exact targets', status: 'fail', detail: 'sending to or stopping x reached x0', hint: 'report this: targets must resolve by exact name' });
    } else add({ name: 'exact targets', status: 'pass', detail: 'on a scratch socket, sending to and stopping x left x0 untouched' });
  } catch (error) {
    add({ name: 'exact targets', status: 'fail', detail: `the scratch check could not run: ${(error as Error).message}` });
  } finally {
    await scratch.stopServer().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Restart one agent (a canary from the roster, else a scratch agent) and check the server pid and siblings. */
async function checkRestartIsolation(add: (c: Check) => void, ctx: Context, transport: TmuxTransport, agents: { name: string; class: string }[]): Promise<void> {
  const panes = await transport.tmux.listPanes();
  const canary = agents.find((a) => a.class === 'canary' && panes.some((p) => p.sessionName === a.name && !p.dead));
  const target = canary ? transport : new TmuxTransport({ host: ctx.localHost, socket: { name: `mosaic-verify-${randomBytes(4).toString('hex')}` }, holderSession: '_holder', configFile: shippedTmuxConf() });
  const name = canary?.name ?? 'scratch-a';
  try {
    if (!canary) {
      await target.ensureHolder();
      for (const n of ['scratch-a', 'scratch-b']) {
        await target.start({ name: n, host: 'local', runtime: 'shell', profile: 'generic', launcher: 'verify', argv: ['sh', '-c', 'while :; do sleep 3600; done'], env: {}, workingDirectory: tmpdir(), readyTimeoutMs: 5_000 }, {});
      }
    }
    const before = await target.tmux.listPanes();
    const pane = before.find((p) => p.sessionName === name)!;
    if (canary) {
      const { restartFleet } = await import('./fleet.js');
      await restartFleet(ctx, [name], { supervisor: 'direct' });
    } else {
      await target.start({ name, host: 'local', runtime: 'shell', profile: 'generic', launcher: 'verify', argv: ['sh', '-c', 'while :; do sleep 3600; done'], env: {}, workingDirectory: tmpdir(), readyTimeoutMs: 5_000 }, { replace: true });
    }
    const after = await target.tmux.listPanes();
    const siblingsSame = before.filter((p) => p.sessionName !== name).every((p) => after.some((q) => q.paneId === p.paneId && q.panePid === p.panePid));
    const serverSame = before[0]?.serverPid === after[0]?.serverPid;
    const recycled = after.find((p) => p.sessionName === name)?.panePid !== pane.panePid;
    if (serverSame && siblingsSame && recycled) {
      add({ name: 'restart isolation', status: 'pass', detail: `restarting ${canary ? `canary '${name}'` : 'a scratch agent'} kept the server pid and every sibling` });
    } else {
      add({ name: 'restart isolation', status: 'fail', detail: `restart of ${name}: server pid ${serverSame ? 'kept' : 'CHANGED'}, siblings ${siblingsSame ? 'kept' : 'DISTURBED'}`, hint: 'the tmux server must be owned by the holder; reinstall the units (mosaic-fleet install-systemd)' });
    }
  } catch (error) {
    add({ name: 'restart isolation', status: 'fail', detail: `could not run: ${(error as Error).message}` });
  } finally {
    if (!canary) await target.stopServer().catch(() => undefined);
  }
}

function checkAgentsAlive(add: (c: Check) => void, names: string[], panes: Awaited<ReturnType<Tmux['listPanes']>>, label: string): void {
  if (names.length === 0) {
    if (label === 'roster agents') add({ name: label, status: 'warn', detail: 'no local roster agents', hint: 'mosaic-fleet init --profile minimal --write' });
    return;
  }
  const missing = names.filter((n) => !panes.some((p) => p.sessionName === n));
  const dead = names.filter((n) => panes.some((p) => p.sessionName === n && p.dead));
  if (missing.length === 0 && dead.length === 0) add({ name: label, status: 'pass', detail: `all ${names.length} agents are running` });
  else {
    add({
      name: label,
      status: 'fail',
      detail: [dead.length ? `dead: ${dead.join(', ')}` : '', missing.length ? `missing: ${missing.join(', ')}` : ''].filter(Boolean).join('; '),
      hint: `mosaic-fleet start ${[...dead, ...missing].join(' ')}`,
    });
  }
}

async function checkSupervision(add: (c: Check) => void, ctx: Context): Promise<void> {
  const supervisor = await chooseSupervisor(ctx, 'auto');
  if (supervisor === 'direct') {
    add({ name: 'systemd units', status: 'warn', detail: 'not supervised by systemd (units not installed, or no user manager): the fleet will not come back after a reboot', hint: 'mosaic-fleet install-systemd --enable' });
    return;
  }
  const roster = ctx.roster(false);
  if (roster) {
    const check = checkInstalledUnits(roster, defaultUnitDir(ctx.env), mosaicHome(ctx.env), { env: ctx.env, rosterPath: ctx.rosterPath() });
    add(check.ok ? { name: 'systemd units', status: 'pass', detail: 'installed and consistent with the roster' } : { name: 'systemd units', status: 'fail', detail: check.problems.map((p) => p.message).join('; '), hint: check.hint });
  }
  const linger = await lingerState(currentUser(ctx.env), { env: ctx.env });
  if (linger.state === 'on') add({ name: 'lingering', status: 'pass', detail: linger.detail });
  else add({ name: 'lingering', status: linger.state === 'off' ? 'fail' : 'warn', detail: linger.detail, hint: `loginctl enable-linger ${currentUser(ctx.env)}` });
}

export function verifyFailed(checks: Check[]): boolean {
  return checks.some((c) => c.status === 'fail');
}

