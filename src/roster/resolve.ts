// One flat record per agent with the roster's defaults and runtime overrides merged in.
import type { PiSkillMode } from '../runtimes/pi-skills.js';
import { DEFAULT_KICKSTART_TEMPLATE } from './kickstart.js';
import { expandPath } from './paths.js';
import { LOCAL_HOST, isBuiltinRuntime, type BuiltinRuntime, type Launcher, type RestartPolicyName } from './constants.js';
import type { AgentSpec, RestartSpec, Roster } from './schema.js';

export const DEFAULT_AGENT_CLASS = 'implementer';

/** What the fleet service does when an agent's REPL exits (roster `restart`, merged over `defaults.restart`). */
export interface RestartPolicy {
  policy: RestartPolicyName;
  /** Revivals allowed within windowMs; the next death gives up. */
  maxRestarts: number;
  windowMs: number;
  /** Wait before the first revival of a streak; doubled for each further one, capped at maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Send the kickstart again after a revival. */
  kickstart: boolean;
}

/** The restart policy when the roster says nothing: today's behaviour (a dead REPL stays dead). */
export const DEFAULT_RESTART: RestartPolicy = {
  policy: 'never',
  maxRestarts: 5,
  windowMs: 600_000,
  backoffMs: 2_000,
  maxBackoffMs: 60_000,
  kickstart: false,
};

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
  restart: RestartPolicy;
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
    restart: resolveRestart(roster.defaults.restart, agent.restart),
  };
  if (command !== undefined) resolved.command = toArgv(command);
  return resolved;
}

/** The agent's restart fields over the defaults' over DEFAULT_RESTART, field by field (`restart: always` only sets
 *  the policy, so limits written once under defaults still apply). */
export function resolveRestart(defaults: RestartSpec | undefined, agent: RestartSpec | undefined): RestartPolicy {
  const merged = { ...longForm(defaults), ...longForm(agent) };
  const seconds = (value: number | undefined, fallback: number) => (value === undefined ? fallback : Math.round(value * 1000));
  return {
    policy: merged.policy ?? DEFAULT_RESTART.policy,
    maxRestarts: merged.max_restarts ?? DEFAULT_RESTART.maxRestarts,
    windowMs: seconds(merged.window_seconds, DEFAULT_RESTART.windowMs),
    backoffMs: seconds(merged.backoff_seconds, DEFAULT_RESTART.backoffMs),
    maxBackoffMs: seconds(merged.max_backoff_seconds, DEFAULT_RESTART.maxBackoffMs),
    kickstart: merged.kickstart ?? DEFAULT_RESTART.kickstart,
  };
}

function longForm(spec: RestartSpec | undefined): Exclude<RestartSpec, string> {
  if (spec === undefined) return {};
  // Drop keys that are present but undefined so they do not hide the defaults in the spread.
  const object = typeof spec === 'string' ? { policy: spec } : spec;
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Exclude<RestartSpec, string>;
}

/** A command string runs through sh -c; an argv list runs as is. */
export function toArgv(command: string | string[]): string[] {
  return typeof command === 'string' ? ['sh', '-c', command] : [...command];
}
