// One flat record per agent with the roster's defaults and runtime overrides merged in.
import type { PiSkillMode } from '../runtimes/pi-skills.js';
import { DEFAULT_KICKSTART_TEMPLATE } from './kickstart.js';
import { expandPath } from './paths.js';
import { LOCAL_HOST, isBuiltinRuntime, type BuiltinRuntime, type Launcher } from './constants.js';
import type { AgentSpec, Roster } from './schema.js';

export const DEFAULT_AGENT_CLASS = 'implementer';

export interface ResolvedAgent {
  name: string;
  /** The runtime as named in the roster (builtin or a key of runtimes). */
  runtime: string;
  /** The builtin whose screen profile reads this agent's pane (custom runtimes: their base, default shell). */
  baseRuntime: BuiltinRuntime;
  class: string;
  modelHint: string | undefined;
  persistentPersona: boolean | 'semi';
  resetBetweenTasks: boolean;
  /** The agent's template, or DEFAULT_KICKSTART_TEMPLATE. */
  kickstartTemplate: string;
  /** Absolute for local agents; for remote agents as written (a remote ~ is the remote account's). */
  workingDirectory: string;
  /** Launch override (agent command, else runtime command); a string becomes ['sh', '-c', s]. */
  command?: string[];
  /** Runtime env overlaid by agent env. */
  env: Record<string, string>;
  /** 'local' or a key of roster.hosts. */
  host: string;
  launcher: Launcher;
  /** undefined when the roster does not say (MOSAIC_PI_SKILL_MODE then decides; see runtimes/pi-skills.ts). */
  piSkillMode: PiSkillMode | undefined;
  /** Override from runtimes.<name>.reset_command (null = restart instead); undefined = the runtime's default. */
  resetCommand: string | null | undefined;
  readyTimeoutMs: number;
  /** 'hook': also confirm sends by the REPL's prompt-submit hook, where its runtime has one. */
  deliveryReceipt: 'screen' | 'hook';
}

/** Every agent of a validated roster, in roster order, with defaults applied. */
export function resolveAgents(roster: Roster, env: NodeJS.ProcessEnv = process.env): ResolvedAgent[] {
  return roster.agents.map((agent) => resolveAgent(roster, agent, env));
}

function resolveAgent(roster: Roster, agent: AgentSpec, env: NodeJS.ProcessEnv): ResolvedAgent {
  const runtime = agent.runtime ?? roster.defaults.runtime;
  const override = roster.runtimes[runtime];
  const host = agent.host ?? LOCAL_HOST;
  const dir = agent.working_directory ?? roster.defaults.working_directory;
  const command = agent.command ?? override?.command;
  const resolved: ResolvedAgent = {
    name: agent.name,
    runtime,
    baseRuntime: isBuiltinRuntime(runtime) ? runtime : (override?.base ?? 'shell'),
    class: agent.class ?? DEFAULT_AGENT_CLASS,
    modelHint: agent.model_hint,
    persistentPersona: agent.persistent_persona ?? false,
    resetBetweenTasks: agent.reset_between_tasks ?? false,
    kickstartTemplate: agent.kickstart_template ?? DEFAULT_KICKSTART_TEMPLATE,
    workingDirectory: host === LOCAL_HOST ? expandPath(dir, env) : dir,
    env: { ...override?.env, ...agent.env },
    host,
    launcher: agent.launcher ?? roster.defaults.launcher,
    piSkillMode: agent.pi_skill_mode ?? roster.defaults.pi_skill_mode,
    resetCommand: override?.reset_command,
    readyTimeoutMs: Math.round(roster.defaults.ready_timeout_seconds * 1000),
    deliveryReceipt: agent.delivery_receipt ?? roster.defaults.delivery_receipt,
  };
  if (command !== undefined) resolved.command = toArgv(command);
  return resolved;
}

/** A command string runs through sh -c; an argv list runs as is. */
export function toArgv(command: string | string[]): string[] {
  return typeof command === 'string' ? ['sh', '-c', command] : [...command];
}
