import { UsageError } from '../errors.js';
import { resolveAgents, type ResolvedAgent } from '../roster/resolve.js';
import type { Transport } from '../transport/types.js';
import type { Context } from './context.js';

export interface AgentTarget {
  transport: Transport;
  /** The target as the transport takes it (`=name` for roster agents). */
  target: string;
  /** Roster host name ('local', a hosts: key, or the --ssh destination). */
  host: string;
  agent?: ResolvedAgent;
}

export interface TargetOptions {
  /** Ad-hoc ssh destination (no roster entry): `--ssh user@host`. */
  ssh?: string;
  socket?: string;
}

/** Where a target lives: a roster agent (`name`, `=name` or `host:name`) on its host, an ad-hoc ssh host,
 *  or a raw tmux target (`%N`, `session:window.pane`, a session not in the roster) on this machine. */
export function resolveTarget(ctx: Context, target: string, options: TargetOptions = {}): AgentTarget {
  if (options.ssh) return { transport: ctx.adHocTransport(options.ssh, options.socket), target, host: options.ssh };
  const roster = ctx.roster(false);
  if (roster) {
    const agents = resolveAgents(roster, ctx.env);
    const colon = target.indexOf(':');
    if (colon > 0 && !target.startsWith('=')) {
      const host = target.slice(0, colon);
      const name = target.slice(colon + 1);
      const agent = agents.find((a) => a.host === host && a.name === name);
      if (agent) return { transport: ctx.transport(agent.host), target: `=${agent.name}`, host: agent.host, agent };
    }
    const bare = target.startsWith('=') ? target.slice(1) : target;
    const named = agents.filter((a) => a.name === bare);
    if (named.length > 1) throw new UsageError(`'${bare}' is an agent on several hosts (${named.map((a) => a.host).join(', ')})`, `address it as host:${bare}`);
    if (named.length === 1) return { transport: ctx.transport(named[0]!.host), target: `=${bare}`, host: named[0]!.host, agent: named[0]! };
  }
  return { transport: ctx.transport('local'), target, host: 'local' };
}

/** How a roster agent is addressed on the command line: its name, or host:name when it is remote. */
export function agentAddress(agent: ResolvedAgent): string {
  return agent.host === 'local' ? `=${agent.name}` : `${agent.host}:${agent.name}`;
}

/** Group items by roster host, local first. */
export function byHost<T extends { host: string }>(items: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  const isLocal = (x: T) => x.host === 'local';
  for (const item of [...items].sort((a, b) => (isLocal(a) === isLocal(b) ? 0 : isLocal(a) ? -1 : 1))) {
    map.set(item.host, [...(map.get(item.host) ?? []), item]);
  }
  return map;
}
