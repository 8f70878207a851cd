import { FleetError } from '../errors.js';
import { resolveAgents, type ResolvedAgent } from '../roster/resolve.js';
import { didYouMean } from '../roster/names.js';
import type { AgentStatus, FleetOverview, StartOutcome } from '../transport/types.js';
import type { Context } from './context.js';
import { launchFor } from './launch.js';

export interface AgentStartReport {
  name: string;
  host: string;
  outcome: StartOutcome;
  ready: boolean;
  error?: string;
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

function launchEnv(ctx: Context) {
  return { socket: ctx.socket().name ?? ctx.socket().path ?? '', rosterPath: ctx.rosterPath(), env: ctx.env };
}

/** Create the holder, then every missing agent (dead ones revived in place); running agents are left alone unless `replace`. */
export async function startFleet(
  ctx: Context,
  names: string[],
  options: { replace?: boolean; wait?: boolean; holderOnly?: boolean } = {},
): Promise<{ holder: 'created' | 'present'; agents: AgentStartReport[] }> {
  const transport = ctx.transport('local');
  const agents = options.holderOnly ? [] : selectAgents(ctx, names);
  const holder = await transport.ensureHolder();
  const reports: AgentStartReport[] = [];
  for (const agent of agents) {
    const outcome = await transport.start(launchFor(agent, launchEnv(ctx)), { replace: Boolean(options.replace) });
    reports.push({ name: agent.name, host: agent.host, outcome, ready: false });
  }
  if (options.wait !== false) {
    // Agents boot concurrently; each wait is bounded by its runtime's ready timeout.
    await Promise.all(
      agents.map(async (agent, i) => {
        try {
          await transport.waitReady(launchFor(agent, launchEnv(ctx)));
          reports[i]!.ready = true;
        } catch (error) {
          reports[i]!.error = error instanceof Error ? error.message : String(error);
        }
      }),
    );
  }
  return { holder, agents: reports };
}

/** Stop exactly the named agents (all roster agents when none); `all` also stops the holder and the server. */
export async function stopFleet(ctx: Context, names: string[], options: { all?: boolean } = {}): Promise<{ agents: { name: string; result: string }[]; server?: string }> {
  const transport = ctx.transport('local');
  const agents = names.length === 0 && options.all ? [] : selectAgents(ctx, names);
  const results: { name: string; result: string }[] = [];
  for (const agent of agents) results.push({ name: agent.name, result: await transport.stop(agent.name) });
  if (options.all) {
    if (names.length > 0) throw new FleetError('USAGE', '--all stops everything; do not name agents with it');
    const overview = await transport.overview([]);
    for (const a of overview.agents) results.push({ name: a.name, result: await transport.stop(a.name) });
    return { agents: results, server: await transport.stopServer() };
  }
  return { agents: results };
}

/** Recycle only the named agents in place (respawn): the server and every sibling keep running. */
export async function restartFleet(ctx: Context, names: string[], options: { wait?: boolean } = {}) {
  return startFleet(ctx, names, { replace: true, ...(options.wait === false ? { wait: false } : {}) });
}

export interface StatusRow extends AgentStatus {
  class: string | null;
  modelHint: string | null;
  uptimeSeconds: number | null;
}

export interface FleetStatus extends Omit<FleetOverview, 'agents'> {
  socket: string;
  holderSession: string;
  rosterPath: string | null;
  agents: StatusRow[];
}

/** One tmux call per host: state of every roster agent plus strays on the socket. */
export async function fleetStatus(ctx: Context): Promise<FleetStatus> {
  const roster = ctx.roster(false);
  const agents = roster ? resolveAgents(roster, ctx.env) : [];
  const transport = ctx.transport('local');
  const overview = await transport.overview(agents.map((a) => a.name));
  const now = Date.now();
  const rows = overview.agents.map((status): StatusRow => {
    const spec = agents.find((a) => a.name === status.name);
    return {
      ...status,
      runtime: status.runtime === 'unknown' && spec ? spec.runtime : status.runtime,
      launcher: status.launcher === 'unknown' && spec ? (spec.command ? 'command' : spec.launcher === 'mosaic' ? 'mosaic yolo' : 'direct') : status.launcher,
      class: spec?.class ?? null,
      modelHint: spec?.modelHint ?? null,
      uptimeSeconds: status.startedAt && status.state !== 'dead' && status.state !== 'missing' ? Math.max(0, Math.round((now - status.startedAt) / 1000)) : null,
    };
  });
  const socket = ctx.socket();
  return {
    ...overview,
    socket: socket.path ?? socket.name ?? 'default',
    holderSession: ctx.holderSession(),
    rosterPath: roster ? ctx.rosterPath() : null,
    agents: rows,
  };
}
