import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, FleetError } from '../errors.js';
import { DEFAULT_RESTART, resolveAgents, type ResolvedAgent } from '../roster/resolve.js';
import type { SupervisionRecord } from '../ledger/supervision.js';
import { summarize, type SupervisionSummary } from '../service/supervise.js';
import { didYouMean } from '../roster/names.js';
import type { AgentLaunch, AgentStatus, FleetOverview, StartOutcome } from '../transport/types.js';
import type { Context } from './context.js';
import type { OnProgress } from './progress.js';
import { launchFor } from './launch.js';
import { byHost } from './targets.js';
import { defaultUnitDir, unitsInstalled, userManagerAvailable, systemctlUser } from '../systemd/systemctl.js';
import { agentUnitName, HOLDER_UNIT } from '../systemd/render.js';
import { environmentAssignment } from '../systemd/quote.js';

export type SupervisorChoice = 'auto' | 'systemd' | 'direct';
export type Supervisor = 'systemd' | 'direct';

/** systemd when our units are installed and a user manager answers (or when asked for), else straight to tmux. */
export async function chooseSupervisor(ctx: Context, requested: SupervisorChoice = 'auto'): Promise<Supervisor> {
  if (requested === 'direct') return 'direct';
  // Installed units serve the fleet they were installed for: another roster or socket (the demo, -L x) stays direct.
  const installed = unitsInstalled(defaultUnitDir(ctx.env)) && unitsServe(ctx);
  if (requested === 'auto' && !installed) return 'direct';
  const manager = await userManagerAvailable({ env: ctx.env });
  if (requested === 'auto') return manager ? 'systemd' : 'direct';
  if (!installed) throw new FleetError('USAGE', 'the systemd units are not installed', { hint: 'run `mosaic-fleet install-systemd --enable`, or use --supervisor direct' });
  if (!manager) throw new FleetError('TRANSPORT_UNAVAILABLE', 'no systemd user manager answers (systemctl --user)', { hint: 'log in through a session with a user manager, enable lingering (loginctl enable-linger $USER), or use --supervisor direct', exitCode: ExitCode.transport });
  return 'systemd';
}

/** Whether the installed holder unit was written for this roster and socket. */
function unitsServe(ctx: Context): boolean {
  try {
    const lines = readFileSync(join(defaultUnitDir(ctx.env), HOLDER_UNIT), 'utf8').split('\n');
    // Compare with exactly what install-systemd writes for this fleet (same quoting).
    const expect = (key: string, value: string) => lines.includes(`Environment=${environmentAssignment(key, value)}`);
    return expect('MOSAIC_TMUX_SOCKET', ctx.transport('local').address()) && expect('MOSAIC_FLEET_ROSTER', ctx.rosterPath());
  } catch {
    return false;
  }
}

async function systemctl(args: string[], ctx: Context): Promise<void> {
  const r = await systemctlUser(args, { env: ctx.env, timeoutMs: 120_000 });
  if (r.code !== 0) {
    throw new FleetError('TRANSPORT_UNAVAILABLE', `systemctl --user ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''}`, {
      hint: `see journalctl --user -u ${args[args.length - 1] ?? ''}`,
    });
  }
}

export interface AgentStartReport {
  name: string;
  host: string;
  outcome: StartOutcome | 'failed';
  ready: boolean;
  error?: string;
  /** Exit code the failure maps to (4 unreachable host, 7 not ready in time, ...). */
  exitCode?: number;
}

function failureOf(error: unknown): { error: string; exitCode: number } {
  return { error: error instanceof Error ? error.message : String(error), exitCode: error instanceof FleetError ? error.exitCode : ExitCode.internal };
}

/** Pick roster agents by name (all when none given); an unknown name is an error naming the closest one. */
export function selectAgents(ctx: Context, names: string[]): ResolvedAgent[] {
  const agents = resolveAgents(ctx.roster(true), ctx.env);
  if (names.length === 0) return agents;
  return names.map((name) => {
    const found = agents.find((a) => a.name === name || `${a.host}:${a.name}` === name);
    if (found) return found;
    const near = didYouMean(name, agents.map((a) => a.name));
    throw new FleetError('AGENT_NOT_FOUND', `no agent '${name}' in the roster ${ctx.rosterPath()}`, {
      hint: near ? `did you mean '${near}'?` : `roster agents: ${agents.map((a) => a.name).join(', ') || '(none)'}`,
    });
  });
}

function launchEnv(ctx: Context, host = 'local') {
  return { socket: ctx.transport(host).address(), rosterPath: ctx.rosterPath(), env: ctx.env };
}

/** Create the holder, then every missing agent (dead ones revived in place); running agents are left alone unless `replace`. */
export async function startFleet(
  ctx: Context,
  names: string[],
  options: { replace?: boolean; wait?: boolean; holderOnly?: boolean; supervisor?: SupervisorChoice; onProgress?: OnProgress } = {},
): Promise<{ holder: 'created' | 'present'; supervisor: Supervisor; agents: AgentStartReport[] }> {
  const progress = options.onProgress ?? (() => undefined);
  let started = 0;
  const transport = ctx.transport('local');
  const agents = options.holderOnly ? [] : selectAgents(ctx, names);
  const supervisor = await chooseSupervisor(ctx, options.supervisor);
  // One launch per agent (Pi's skill arguments scan the filesystem): the same one starts it and waits for it.
  const launches = new Map<ResolvedAgent, AgentLaunch>();
  const launchOf = (agent: ResolvedAgent): AgentLaunch => {
    let launch = launches.get(agent);
    if (!launch) launches.set(agent, (launch = launchFor(agent, launchEnv(ctx, agent.host))));
    return launch;
  };
  const reports: AgentStartReport[] = [];
  let holder: 'created' | 'present';
  // Units exist for this machine only: agents on other hosts are always started over ssh, directly.
  const direct = supervisor === 'systemd' ? agents.filter((a) => a.host !== 'local') : agents;
  if (supervisor === 'systemd') {
    // The holder unit creates the server inside its own cgroup; agent units join it.
    const before = (await transport.overview([])).holder === 'running';
    await systemctl(['start', HOLDER_UNIT], ctx);
    holder = before ? 'present' : 'created';
    const local = agents.filter((a) => a.host === 'local');
    const running = new Set((await transport.overview(local.map((a) => a.name))).agents.filter((a) => a.state !== 'missing' && a.state !== 'dead').map((a) => a.name));
    for (const agent of local) {
      await systemctl([options.replace ? 'restart' : 'start', agentUnitName(agent.name)], ctx);
      reports.push({ name: agent.name, host: agent.host, outcome: options.replace ? 'replaced' : running.has(agent.name) ? 'already-running' : 'started', ready: false });
    }
  } else {
    holder = await transport.ensureHolder();
  }
  {
    // Hosts start in parallel; within a host, agents start one after another (each is one tmux call).
    const perHost = await Promise.all(
      [...byHost(direct)].map(async ([host, list]) => {
        const out: AgentStartReport[] = [];
        try {
          const t = ctx.transport(host);
          if (host !== 'local') await t.ensureHolder();
          for (const agent of list) {
            progress({ what: `starting ${agent.name}`, done: started, total: agents.length });
            out.push({ name: agent.name, host, outcome: await t.start(launchOf(agent), { replace: Boolean(options.replace) }), ready: false });
            started += 1;
          }
        } catch (error) {
          // One host down (unreachable, no tmux) must not stop the others: its agents are reported as failed.
          if (host === 'local' || !(error instanceof FleetError)) throw error;
          for (const agent of list.filter((a) => !out.some((o) => o.name === a.name))) out.push({ name: agent.name, host, outcome: 'failed', ready: false, ...failureOf(error) });
        }
        return out;
      }),
    );
    const flat = [...reports, ...perHost.flat()];
    reports.length = 0;
    for (const agent of agents) reports.push(flat.find((r) => r.name === agent.name && r.host === agent.host)!);
  }
  if (options.wait !== false) {
    // Agents boot concurrently; each wait is bounded by its runtime's ready timeout.
    let settled = 0;
    const waiting = new Set(agents.map((a) => a.name));
    const report = () => progress({ what: `waiting for ${[...waiting].join(', ') || 'agents'} to be ready`, done: settled, total: agents.length });
    report();
    await Promise.all(
      agents.map(async (agent, i) => {
        try {
          if (reports[i]!.outcome === 'failed') return;
          await ctx.transport(agent.host).waitReady(launchOf(agent));
          reports[i]!.ready = true;
        } catch (error) {
          Object.assign(reports[i]!, failureOf(error));
        } finally {
          settled += 1;
          waiting.delete(agent.name);
          report();
        }
      }),
    );
  }
  return { holder, supervisor, agents: reports };
}

/** Stop exactly the named agents (all roster agents when none); `all` also stops the holder and the server. */
export async function stopFleet(
  ctx: Context,
  names: string[],
  options: { all?: boolean; supervisor?: SupervisorChoice } = {},
): Promise<{ supervisor: Supervisor; agents: { name: string; result: string }[]; server?: string; failures: { host: string; error: string; exitCode: number }[] }> {
  const transport = ctx.transport('local');
  const supervisor = await chooseSupervisor(ctx, options.supervisor);
  if (supervisor === 'systemd') {
    // Stopping the holder unit stops the fleet (agents are PartOf it); agent units stop only their own session.
    if (options.all) {
      await systemctl(['stop', HOLDER_UNIT], ctx);
      return { supervisor, agents: [], server: 'stopped', failures: [] };
    }
    const agents = selectAgents(ctx, names);
    for (const agent of agents) await systemctl(['stop', agentUnitName(agent.name)], ctx);
    return { supervisor, agents: agents.map((a) => ({ name: a.name, result: 'stopped' })), failures: [] };
  }
  const agents = names.length === 0 && options.all ? [] : selectAgents(ctx, names);
  const results: { name: string; result: string }[] = [];
  const failures: { host: string; error: string; exitCode: number }[] = [];
  // A host that cannot be reached is reported; the others are still stopped.
  const onHost = async (host: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      if (host === 'local' || !(error instanceof FleetError)) throw error;
      failures.push({ host, ...failureOf(error) });
    }
  };
  for (const [host, list] of byHost(agents)) {
    await onHost(host, async () => {
      for (const agent of list) results.push({ name: agent.name, result: await ctx.transport(host).stop(agent.name) });
    });
  }
  if (options.all) {
    if (names.length > 0) throw new FleetError('USAGE', '--all stops everything; do not name agents with it');
    let server: string = 'not-running';
    for (const host of ctx.agentHosts()) {
      await onHost(host, async () => {
        const t = host === 'local' ? transport : ctx.transport(host);
        const overview = await t.overview([]);
        for (const a of overview.agents) results.push({ name: a.name, result: await t.stop(a.name) });
        const r = await t.stopServer();
        if (host === 'local' || r === 'stopped') server = r;
      });
    }
    return { supervisor, agents: results, server, failures };
  }
  return { supervisor, agents: results, failures };
}

/** Recycle only the named agents in place (respawn): the server and every sibling keep running. */
export async function restartFleet(ctx: Context, names: string[], options: { wait?: boolean; supervisor?: SupervisorChoice } = {}) {
  return startFleet(ctx, names, { replace: true, ...(options.wait === false ? { wait: false } : {}), ...(options.supervisor ? { supervisor: options.supervisor } : {}) });
}

export interface StatusRow extends AgentStatus {
  class: string | null;
  modelHint: string | null;
  uptimeSeconds: number | null;
  /** Why messages to this agent are not getting through, from the last verdict the ledger holds; null when none. */
  blocked: string | null;
  /** Revivals by the fleet service in the agent's current streak within its restart window (what max_restarts
   *  limits; a start by hand begins a new streak). */
  restarts: number;
  /** The service gave up reviving the dead REPL this pane holds (until someone starts it). */
  givenUp: boolean;
  /** The REPL's last exit: the dead pane's own, else the last the service recorded; `at` null when never recorded. */
  lastExit: SupervisionSummary['lastExit'];
}

export interface FleetStatus extends Omit<FleetOverview, 'agents'> {
  hosts: HostOverview[];
  socket: string;
  supervisor: Supervisor;
  holderSession: string;
  rosterPath: string | null;
  agents: StatusRow[];
}

export interface HostOverview {
  host: string;
  reachable: boolean;
  error?: string;
  serverPid: number | null;
  socketPath: string | null;
  holder: FleetOverview['holder'];
}

/** What status reads from the ledger, in one pass that opens it once: agents whose latest message (last 24 h) did
 *  not get through, by session name with the reason in words, and the supervisor's records (deaths, revivals,
 *  give-ups) of the last 24 h or the longest restart window. The ledger is read only when it exists, so a fleet that
 *  never sent anything pays nothing. */
async function ledgerFacts(ctx: Context, windowMs: number): Promise<{ blocked: Map<string, string>; supervision: SupervisionRecord[] }> {
  const out = new Map<string, string>();
  const { existsSync } = await import('node:fs');
  const { Ledger } = await import('../ledger/index.js');
  const dir = ctx.env.MOSAIC_LEDGER_DIR || Ledger.defaultDir(ctx.env);
  if (!existsSync(dir)) return { blocked: out, supervision: [] };
  const { ledgerOf } = await import('./ledger.js');
  const ledger = ledgerOf(ctx);
  const latest = new Map<string, { status: string; id: string; error?: string }>();
  for (const r of ledger.list({ since: new Date(Date.now() - 24 * 3600_000) })) {
    if (r.kind === 'reset' || r.status === 'pending' || r.status === 'sending' || r.status === 'expired') continue;
    latest.set(r.to.session, { status: r.status, id: r.id, ...(r.error ? { error: r.error } : {}) });
  }
  for (const [session, last] of latest) {
    if (last.status === 'draft') out.set(session, `message ${last.id} was left in its input box; the next send finishes it, or clear the box`);
    else if (last.status === 'unconfirmed') out.set(session, `message ${last.id} is unconfirmed (may have landed); see \`mosaic-agent tail ${session}\``);
    else if (last.status === 'held') out.set(session, `its input box holds text that is not ours (${last.error ?? 'someone typing'}); messages are held`);
  }
  const supervision = ledger.supervision.list({ since: new Date(Date.now() - Math.max(24 * 3600_000, windowMs)) });
  return { blocked: out, supervision };
}

/** One tmux call per host, hosts in parallel: every roster agent plus strays; an unreachable host is reported, not fatal. */
export async function fleetStatus(ctx: Context): Promise<FleetStatus> {
  const roster = ctx.roster(false);
  const agents = roster ? resolveAgents(roster, ctx.env) : [];
  // The ledger and the supervisor choice are read while tmux answers.
  const facts = ledgerFacts(ctx, Math.max(DEFAULT_RESTART.windowMs, ...agents.map((a) => a.restart.windowMs)));
  const supervisor = chooseSupervisor(ctx, 'auto');
  const hosts = await Promise.all(
    ctx.agentHosts().map(async (host): Promise<{ overview: FleetOverview; error?: string }> => {
      const names = agents.filter((a) => a.host === host).map((a) => a.name);
      try {
        return { overview: await ctx.transport(host).overview(names) };
      } catch (error) {
        if (!(error instanceof FleetError) || !['HOST_UNREACHABLE', 'SSH_AUTH', 'TMUX_MISSING', 'TMUX_FAILED'].includes(error.code) || host === 'local') throw error;
        const unreachable: AgentStatus[] = names.map((name) => ({ name, host, state: 'unreachable', inRoster: true, runtime: 'unknown', launcher: 'unknown', pid: null, paneId: null, exitStatus: null, exitSignal: null, startedAt: null }));
        return { overview: { host, reachable: false, error: error.message, serverPid: null, socketPath: null, holder: 'no-server', agents: unreachable }, error: error.message };
      }
    }),
  );
  const now = Date.now();
  const { blocked, supervision } = await facts;
  const specs = new Map(agents.map((a) => [`${a.host}\u0000${a.name}`, a]));
  const rows = hosts.flatMap(({ overview }) =>
    overview.agents.map((status): StatusRow => {
      const spec = specs.get(`${status.host}\u0000${status.name}`);
      const supervised = summarize(spec?.restart ?? DEFAULT_RESTART, supervision, status, now);
      // Built field by field: object spreads of these rows cost V8 ~15 µs each (1.5 ms for 100 agents).
      return {
        name: status.name,
        host: status.host,
        state: status.state,
        inRoster: status.inRoster,
        runtime: status.runtime === 'unknown' && spec ? spec.runtime : status.runtime,
        launcher: status.launcher === 'unknown' && spec ? (spec.command ? 'command' : spec.launcher === 'mosaic' ? 'mosaic yolo' : 'direct') : status.launcher,
        pid: status.pid,
        paneId: status.paneId,
        exitStatus: status.exitStatus,
        exitSignal: status.exitSignal,
        startedAt: status.startedAt,
        class: spec?.class ?? null,
        modelHint: spec?.modelHint ?? null,
        uptimeSeconds: status.startedAt && (status.state === 'idle' || status.state === 'busy' || status.state === 'running') ? Math.max(0, Math.round((now - status.startedAt) / 1000)) : null,
        blocked: blocked.get(status.name) ?? null,
        restarts: supervised.restarts,
        givenUp: supervised.givenUp,
        lastExit: supervised.lastExit,
      };
    }),
  );
  const local = hosts[0]!.overview;
  const socket = ctx.socket();
  return {
    host: local.host,
    reachable: local.reachable,
    serverPid: local.serverPid,
    socketPath: local.socketPath,
    holder: local.holder,
    supervisor: await supervisor,
    socket: socket.path ?? socket.name ?? 'default',
    holderSession: ctx.holderSession(),
    rosterPath: roster ? ctx.rosterPath() : null,
    hosts: hosts.map(({ overview: o }) => ({ host: o.host, reachable: o.reachable, ...(o.error ? { error: o.error } : {}), serverPid: o.serverPid, socketPath: o.socketPath, holder: o.holder })),
    agents: rows,
  };
}
