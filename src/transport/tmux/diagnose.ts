// The tmux transport's health and safety checks (`mosaic-fleet verify`): the server and its holder, the user's
// default server, exact targets and restart isolation proven on scratch sockets, and the agents' panes.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost, removeLocksOf } from '../../host/local.js';
import { Tmux } from '../../tmux/client.js';
import type { PaneInfo } from '../../tmux/format.js';
import type { AgentLaunch, Check, DiagnoseOptions } from '../types.js';
import { TmuxTransport } from './transport.js';
import { shippedTmuxConf } from '../../paths.js';

const MIN_TMUX = [3, 2];
const WARN_BELOW_TMUX = [3, 3];

type Add = (c: Check) => void;

export async function diagnoseTmux(transport: TmuxTransport, options: DiagnoseOptions): Promise<Check[]> {
  const checks: Check[] = [];
  const label = (name: string) => (options.label ? `${name} ${options.label}` : name);
  const add: Add = (c) => checks.push({ ...c, name: label(c.name) });
  if (!(await checkTmuxVersion(add, transport))) return checks;
  const panes = await transport.tmux.listPanes();
  const socketPath = panes[0]?.socketPath ?? null;
  add(
    socketPath
      ? { name: 'fleet socket', status: 'pass', detail: `${transport.describe()} at ${socketPath}, server pid ${panes[0]!.serverPid}` }
      : { name: 'fleet socket', status: 'fail', detail: `no tmux server answers on ${transport.describe()}`, hint: 'start the fleet: mosaic-fleet start' },
  );
  if (socketPath) checkHolder(add, transport, panes);
  if (options.defaultServer) await checkDefaultServer(add, transport, options.agents.map((a) => a.name), socketPath);
  if (options.scratch) {
    await checkExactTargets(add);
    await checkRestartIsolation(add, transport, options.agents);
  }
  checkAgentsAlive(add, options.agents.map((a) => a.name), panes);
  return checks;
}

async function checkTmuxVersion(add: Add, transport: TmuxTransport): Promise<boolean> {
  // An unreachable ssh host throws (HOST_UNREACHABLE) and is reported by the caller as such, not as "no tmux".
  const r = await transport.host.exec(['tmux', '-V'], { timeoutMs: 10_000 });
  if (r.spawnError) {
    add({ name: 'tmux installed', status: 'fail', detail: 'tmux is not installed', hint: 'sudo apt-get install tmux (3.2 or newer)' });
    return false;
  }
  if (r.code !== 0) {
    add({ name: 'tmux installed', status: 'fail', detail: `tmux -V failed: ${r.stderr.trim()}`, hint: 'install tmux 3.2 or newer' });
    return false;
  }
  const m = /(\d+)\.(\d+)/.exec(r.stdout);
  const v = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  const below = (a: number[], b: number[]) => a[0]! < b[0]! || (a[0] === b[0] && a[1]! < b[1]!);
  if (below(v, MIN_TMUX)) add({ name: 'tmux version', status: 'fail', detail: `${r.stdout.trim()} is older than 3.2`, hint: 'upgrade tmux to 3.2 or newer' });
  else if (below(v, WARN_BELOW_TMUX)) add({ name: 'tmux version', status: 'warn', detail: `${r.stdout.trim()}: works, 3.3+ recommended`, hint: 'upgrade tmux when you can' });
  else add({ name: 'tmux version', status: 'pass', detail: r.stdout.trim() });
  return true;
}

function checkHolder(add: Add, transport: TmuxTransport, panes: PaneInfo[]): void {
  const holder = panes.find((p) => p.sessionName === transport.holderSession);
  if (!holder) {
    add({ name: 'holder session', status: 'fail', detail: `no '${transport.holderSession}' session: nothing keeps the server alive`, hint: 'the holder must create the server: mosaic-fleet stop --all, then mosaic-fleet start (or restart mosaic-tmux-holder.service)' });
    return;
  }
  const oldest = [...panes].sort((a, b) => a.sessionCreated - b.sessionCreated || Number(a.sessionId.slice(1)) - Number(b.sessionId.slice(1)))[0]!;
  if (oldest.sessionName !== transport.holderSession) {
    add({ name: 'holder session', status: 'fail', detail: `'${oldest.sessionName}' is older than the holder: the holder did not create the server`, hint: 'stop the fleet (mosaic-fleet stop --all) and start it again so the holder creates the server' });
  } else add({ name: 'holder session', status: 'pass', detail: `'${transport.holderSession}' exists and is the oldest session (it owns the server)` });
}

/** Read-only look at the user's default server: it must hold no fleet sessions. */
async function checkDefaultServer(add: Add, transport: TmuxTransport, names: string[], fleetSocketPath: string | null): Promise<void> {
  const def = new Tmux(transport.host, {});
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
      hint: 'they answer to plain `tmux` commands and escape the fleet; capture and stop them there (mosaic-fleet capture <name>), then start them on the fleet socket',
    });
  } else add({ name: 'default server untouched', status: 'pass', detail: `the default server has ${new Set(panes.map((p) => p.sessionName)).size} session(s), none of them the fleet's` });
}

function scratchTransport(): TmuxTransport {
  return new TmuxTransport({ host: new LocalHost(), socket: { name: `mosaic-verify-${randomBytes(4).toString('hex')}` }, holderSession: '_holder', configFile: shippedTmuxConf() });
}

function scratchAgent(name: string, argv: string[], dir: string): AgentLaunch {
  return { name, host: 'local', runtime: 'shell', profile: 'generic', launcher: 'verify', argv, env: {}, workingDirectory: dir, readyTimeoutMs: 5_000 };
}

/** On a scratch socket: sessions x and x0; sending to and stopping x must leave x0 untouched. */
async function checkExactTargets(add: Add): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-verify-'));
  const scratch = scratchTransport();
  const reader = (file: string) => ['sh', '-c', 'while IFS= read -r line; do printf "%s\\n" "$line" >> "$1"; done', 'sh', file];
  try {
    await scratch.ensureHolder();
    for (const name of ['x', 'x0']) await scratch.start(scratchAgent(name, reader(join(dir, `${name}.txt`)), dir), {});
    const x0 = (await scratch.tmux.listPanes()).find((p) => p.sessionName === 'x0')!;
    await scratch.send('x', { from: { host: 'verify', session: 'verify' }, toHost: 'verify', body: 'exact-target probe', preamble: true }, { verifyTimeoutMs: 3_000 });
    await scratch.stop('x');
    const after = (await scratch.tmux.listPanes()).find((p) => p.sessionName === 'x0');
    const read = (name: string) => (existsSync(join(dir, `${name}.txt`)) ? readFileSync(join(dir, `${name}.txt`), 'utf8') : '');
    if (!after || after.panePid !== x0.panePid || read('x0') !== '' || !read('x').includes('exact-target probe')) {
      add({ name: 'exact targets', status: 'fail', detail: 'sending to or stopping x reached x0', hint: 'report this: targets must resolve by exact name' });
    } else add({ name: 'exact targets', status: 'pass', detail: 'on a scratch socket, sending to and stopping x left x0 untouched' });
  } catch (error) {
    add({ name: 'exact targets', status: 'fail', detail: `the scratch check could not run: ${(error as Error).message}` });
  } finally {
    await scratch.stopServer().catch(() => undefined);
    removeLocksOf(scratch.address());
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Restart one agent (a running canary from the roster, else a scratch agent) and check the server pid and siblings. */
async function checkRestartIsolation(add: Add, fleet: TmuxTransport, agents: { name: string; class: string }[]): Promise<void> {
  const panes = await fleet.tmux.listPanes();
  const canary = agents.find((a) => a.class === 'canary' && panes.some((p) => p.sessionName === a.name && !p.dead));
  const target = canary ? fleet : scratchTransport();
  const name = canary?.name ?? 'scratch-a';
  const sleeper = ['sh', '-c', 'while :; do sleep 3600; done'];
  try {
    if (!canary) {
      await target.ensureHolder();
      for (const n of ['scratch-a', 'scratch-b']) await target.start(scratchAgent(n, sleeper, tmpdir()), {});
    }
    const before = await target.tmux.listPanes();
    const pane = before.find((p) => p.sessionName === name)!;
    // A canary is respawned with the command it runs now; a scratch agent with its sleeper.
    await target.respawnInPlace(pane, canary ? null : scratchAgent(name, sleeper, tmpdir()));
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
    if (!canary) {
      await target.stopServer().catch(() => undefined);
      removeLocksOf(target.address());
    }
  }
}

function checkAgentsAlive(add: Add, names: string[], panes: PaneInfo[]): void {
  if (names.length === 0) return;
  const missing = names.filter((n) => !panes.some((p) => p.sessionName === n));
  const dead = names.filter((n) => panes.some((p) => p.sessionName === n && p.dead));
  if (missing.length === 0 && dead.length === 0) add({ name: 'roster agents', status: 'pass', detail: `all ${names.length} agents are running` });
  else {
    add({
      name: 'roster agents',
      status: 'fail',
      detail: [dead.length ? `dead: ${dead.join(', ')}` : '', missing.length ? `missing: ${missing.join(', ')}` : ''].filter(Boolean).join('; '),
      hint: `mosaic-fleet start ${[...dead, ...missing].join(' ')}`,
    });
  }
}
