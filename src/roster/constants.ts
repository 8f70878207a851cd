// Plain values the rest of the product needs without loading zod (status runs without it on a cached roster).
import { PI_SKILL_MODES } from '../runtimes/pi-skills.js';

export const BUILTIN_RUNTIMES = ['claude', 'codex', 'pi', 'opencode', 'gemini', 'shell', 'sim'] as const;
export type BuiltinRuntime = (typeof BUILTIN_RUNTIMES)[number];

export const AGENT_CLASSES = [
  'orchestrator',
  'implementer',
  'reviewer',
  'security_reviewer',
  'final_reviewer',
  'enhancer',
  'canary',
] as const;
export type AgentClass = (typeof AGENT_CLASSES)[number];

export const TRANSPORTS = ['tmux', 'matrix'] as const;
export const LAUNCHERS = ['direct', 'mosaic'] as const;
export type Launcher = (typeof LAUNCHERS)[number];
export { PI_SKILL_MODES };

/** The host name agents use when they run on this machine. */
export const LOCAL_HOST = 'local';
export const DEFAULT_SOCKET_NAME = 'mosaic-factory';
export const DEFAULT_HOLDER_SESSION = '_holder';

export function isBuiltinRuntime(name: string): name is BuiltinRuntime {
  return (BUILTIN_RUNTIMES as readonly string[]).includes(name);
}

export const DELIVERY_RECEIPTS = ['screen', 'hook'] as const;

/** When the fleet service revives an agent whose REPL exited: never (the default), after a failure, or always. */
export const RESTART_POLICIES = ['never', 'on-failure', 'always'] as const;
export type RestartPolicyName = (typeof RESTART_POLICIES)[number];
