// Pure rendering of the fleet's systemd user units and per-agent environment files (no I/O: golden-file tested).
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { envFileLine, environmentAssignment, escapeSpecifiers, execLine } from './quote.js';

export const HOLDER_UNIT = 'mosaic-tmux-holder.service';
export const AGENT_TEMPLATE_UNIT = 'mosaic-agent@.service';
export const SERVE_UNIT = 'mosaic-serve.service';
/** The deliverer unit of installs before the fleet service (`deliver --watch`); mosaic-serve.service replaces it. */
export const LEGACY_DELIVER_UNIT = 'mosaic-deliver.service';

/** First words of every file we write; only files that start with it are ever updated in place or removed. */
export const GENERATED_MARKER = '# Written by mosaic-fleet install-systemd';

/** Unit instance names must be plain: %i is pasted into command lines before they are split into words. */
const INSTANCE_NAME = /^[A-Za-z0-9_-]{1,200}$/u;

export interface AgentUnitInput {
  name: string;
  runtime: string;
  /** Absolute working directory. */
  workingDirectory: string;
  /** What the agent runs, for display and for older scripts only: `start` reads the roster, never this. */
  command: string;
}

export interface UnitInput {
  /** Absolute node executable (units run without the user's shell profile, so nothing is looked up on PATH). */
  nodePath: string;
  /** Absolute path of dist/cli/fleet-bin.js. */
  cliPath: string;
  /** Absolute $MOSAIC_HOME. */
  mosaicHome: string;
  /** Absolute roster file. */
  rosterPath: string;
  socket: string;
  /** Captured at install time: PATH always; LANG, LC_ALL, LC_CTYPE, TMUX_TMPDIR when set. */
  environment: Record<string, string>;
  unitDir: string;
  agents: AgentUnitInput[];
}

export type GeneratedKind = 'unit' | 'env';

export interface GeneratedFile {
  path: string;
  content: string;
  mode: number;
  kind: GeneratedKind;
}

export interface RenderedUnits {
  files: GeneratedFile[];
}

/** Why `name` cannot be a unit instance name, or null when it can. */
export function instanceNameProblem(name: string): string | null {
  return INSTANCE_NAME.test(name)
    ? null
    : `agent name '${name}' cannot be a systemd unit instance (mosaic-agent@${name}.service): use letters, digits, _ and - only`;
}

export function agentUnitName(name: string): string {
  return `mosaic-agent@${name}.service`;
}

/** Where an agent's environment file lives. */
export function agentEnvPath(mosaicHome: string, name: string): string {
  return join(agentEnvDir(mosaicHome), `${name}.env`);
}

export function agentEnvDir(mosaicHome: string): string {
  return join(mosaicHome, 'fleet', 'agents');
}

/** The holder unit, the agent template and one environment file per agent. */
export function renderUnits(input: UnitInput): RenderedUnits {
  for (const agent of input.agents) {
    const problem = instanceNameProblem(agent.name);
    if (problem !== null) throw new UsageError(problem, 'rename the agent in the roster, or run it with --supervisor direct');
  }
  return {
    files: [
      { path: join(input.unitDir, HOLDER_UNIT), content: renderHolderUnit(input), mode: 0o644, kind: 'unit' },
      { path: join(input.unitDir, AGENT_TEMPLATE_UNIT), content: renderAgentTemplate(input), mode: 0o644, kind: 'unit' },
      { path: join(input.unitDir, SERVE_UNIT), content: renderServeUnit(input), mode: 0o644, kind: 'unit' },
      ...input.agents.map((agent) => ({
        path: agentEnvPath(input.mosaicHome, agent.name),
        content: renderAgentEnv(input, agent),
        mode: 0o644,
        kind: 'env' as const,
      })),
    ],
  };
}

function fleetCommand(input: UnitInput, args: string[]): string {
  return execLine([input.nodePath, input.cliPath, ...args]);
}

// What the holder and every agent share: where the fleet lives, and the install-time environment.
function fleetEnvironment(input: UnitInput): [string, string][] {
  return [
    ['MOSAIC_HOME', input.mosaicHome],
    ['MOSAIC_FLEET_ROSTER', input.rosterPath],
    ['MOSAIC_TMUX_SOCKET', input.socket],
    ...Object.entries(input.environment).sort(([a], [b]) => a.localeCompare(b)),
  ];
}

/**
 * The holder unit. It runs `start --holder-only` so the tmux server is forked inside ITS cgroup (never an agent's).
 * Stopping it stops the fleet: ExecStop is `stop --all` (every agent session, the holder session, the server), agents
 * are PartOf= it, and KillMode=control-group signals whatever is left in its cgroup after ExecStop.
 */
export function renderHolderUnit(input: UnitInput): string {
  return lines([
    `${GENERATED_MARKER}: re-run it instead of editing (edits are overwritten).`,
    `# ${HOLDER_UNIT}: creates and owns the tmux server of the fleet (socket ${input.socket}).`,
    '#',
    '# Why this unit creates the server: the process that first runs `tmux new-session` forks the server into',
    '# its own cgroup. Creating it here puts the server in this unit\'s cgroup, never in an agent\'s, so restarting',
    '# an agent can never take the server, and every other agent, down with it.',
    '#',
    '# Stopping this unit stops the fleet: ExecStop runs `stop --all`, which ends every agent session, the holder',
    '# session and the server. Agents are PartOf= this unit, so systemd stops (and restarts) their units with it.',
    '# KillMode=control-group: after ExecStop, whatever is still in this cgroup (the server, a pane process that',
    '# ignored SIGHUP) is signalled too, so no fleet outlives a stopped holder.',
    '',
    '[Unit]',
    `Description=mosaic-fleet tmux server holder (socket ${escapeSpecifiers(input.socket)})`,
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    'KillMode=control-group',
    '# A oneshot has no start timeout by default; creating the server takes seconds.',
    'TimeoutStartSec=2min',
    ...fleetEnvironment(input).map(([k, v]) => `Environment=${environmentAssignment(k, v)}`),
    `ExecStart=${fleetCommand(input, ['start', '--supervisor', 'direct', '--holder-only'])}`,
    `ExecStop=${fleetCommand(input, ['stop', '--all', '--supervisor', 'direct'])}`,
    '',
    '[Install]',
    'WantedBy=default.target',
  ]);
}

/**
 * The agent template. Requires=/After=/PartOf= the holder; `start -- %i` / `stop -- %i` act on that one exact session.
 * KillMode=process, so stopping or restarting an agent unit never signals anything in its cgroup, not even a tmux
 * server that a `start` had to create there because the holder's server was gone.
 */
export function renderAgentTemplate(input: UnitInput): string {
  const envFile = `${escapeSpecifiers(agentEnvDir(input.mosaicHome))}/%i.env`;
  return lines([
    `${GENERATED_MARKER}: re-run it instead of editing (edits are overwritten).`,
    '# mosaic-agent@.service: one fleet agent; the instance name (%i) is the agent\'s name and tmux session.',
    '#',
    '# The agent\'s REPL runs inside the tmux server, which lives in the cgroup of',
    `# ${HOLDER_UNIT}; this unit only runs the short \`start\` and \`stop\` commands.`,
    '# ExecStop stops only this agent\'s exact session.',
    '# KillMode=process: on stop or restart systemd signals only this unit\'s main process, and none is left once',
    '# ExecStart returned. Should a tmux server ever be forked here (the holder\'s server died and `start` recreated',
    '# it), restarting this agent still cannot kill that server and every other agent with it.',
    '',
    '[Unit]',
    'Description=mosaic-fleet agent %i',
    `Requires=${HOLDER_UNIT}`,
    `After=${HOLDER_UNIT}`,
    `PartOf=${HOLDER_UNIT}`,
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    'KillMode=process',
    '# A oneshot has no start timeout by default; the roster\'s ready_timeout_seconds bounds a REPL\'s start sooner.',
    'TimeoutStartSec=10min',
    '# Written per agent by install-systemd; a missing file fails the start (the agent is not installed).',
    `EnvironmentFile=${envFile}`,
    `ExecStart=${fleetCommand(input, ['start', '--supervisor', 'direct', '--'])} %i`,
    `ExecStop=${fleetCommand(input, ['stop', '--supervisor', 'direct', '--'])} %i`,
    '',
    '[Install]',
    'WantedBy=default.target',
  ]);
}

/**
 * The fleet service: `serve` runs the thin clients' commands over one tmux connection, delivers queued messages
 * and supervises the agents. It lives and dies with the holder (Requires=, PartOf=, WantedBy=): no fleet, nothing
 * to serve.
 */
export function renderServeUnit(input: UnitInput): string {
  return lines([
    `${GENERATED_MARKER}: re-run it instead of editing (edits are overwritten).`,
    `# ${SERVE_UNIT}: the fleet service (mosaic-fleet serve): runs the commands of mosaic-agent send, status, ...`,
    '# over one tmux connection, delivers queued messages (send --queue) and revives agents under the roster\'s policy.',
    `# Started with ${HOLDER_UNIT} (WantedBy=) and stopped with it (PartOf=), before the holder stops the fleet.`,
    '# After=default.target: at boot it starts once the agents (wanted by default.target) are up, so the first',
    '# queued messages find their REPLs ready; started by hand later, that order has nothing to wait for.',
    '#',
    '# Exit 1 (the tmux server went away) restarts it; exit 8 (another service already serves this roster) and the',
    '# exits a restart cannot fix (3 bad usage, 5 roster invalid or missing) do not.',
    '# SIGTERM stops it once the commands in flight have finished (a delivery is never cut in half); TimeoutStopSec=',
    '# gives them, and the sends queued behind them, time to. A SIGKILL after that loses nothing: the ledger has',
    '# every message, and the next start finishes it without pasting it twice.',
    '# KillMode=process: should this service ever have had to create the tmux server (the holder\'s server died and',
    '# a restart found none), stopping or restarting it still never kills that server and every agent with it.',
    '',
    '[Unit]',
    `Description=mosaic-fleet service (socket ${escapeSpecifiers(input.socket)})`,
    `Requires=${HOLDER_UNIT}`,
    `After=${HOLDER_UNIT} default.target`,
    `PartOf=${HOLDER_UNIT}`,
    '',
    '[Service]',
    'Type=simple',
    'Restart=on-failure',
    'RestartSec=2s',
    'RestartPreventExitStatus=3 5 8',
    'KillMode=process',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=90s',
    ...fleetEnvironment(input).map(([k, v]) => `Environment=${environmentAssignment(k, v)}`),
    `ExecStart=${fleetCommand(input, ['serve', '--interval', '2'])}`,
    '',
    '[Install]',
    `WantedBy=${HOLDER_UNIT}`,
  ]);
}

export function renderAgentEnv(input: UnitInput, agent: AgentUnitInput): string {
  const entries: [string, string][] = [
    ['MOSAIC_AGENT_NAME', agent.name],
    ['MOSAIC_AGENT_RUNTIME', agent.runtime],
    ['MOSAIC_AGENT_WORKDIR', agent.workingDirectory],
    ['MOSAIC_AGENT_COMMAND', agent.command],
    ...fleetEnvironment(input),
  ];
  return lines([
    `${GENERATED_MARKER} for agent ${agent.name}: re-run it instead of editing (edits are overwritten).`,
    `# Read by ${agentUnitName(agent.name)} (EnvironmentFile=). MOSAIC_AGENT_COMMAND is informational:`,
    '# `mosaic-fleet start` launches what the roster says.',
    ...entries.map(([k, v]) => envFileLine(k, v)),
  ]);
}

function lines(parts: string[]): string {
  return `${parts.join('\n')}\n`;
}
