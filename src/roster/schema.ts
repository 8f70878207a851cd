// The roster's one zod schema: the source of its TypeScript types, its validation and the committed JSON Schema.
import * as z from 'zod';
import { AGENT_NAME_PATTERN, checkSessionName } from './names.js';
import {
  AGENT_CLASSES,
  BUILTIN_RUNTIMES,
  DEFAULT_HOLDER_SESSION,
  DEFAULT_SOCKET_NAME,
  DELIVERY_RECEIPTS,
  LAUNCHERS,
  PI_SKILL_MODES,
  RESTART_POLICIES,
  TRANSPORTS,
} from './constants.js';

export * from './constants.js';

const SOCKET_NAME_PATTERN = /^[A-Za-z0-9_.-]+$/u;
const KEY_PATTERN = /^[A-Za-z0-9_-]+$/u;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/u;

// A refinement so the message names the exact tmux problem; the pattern feeds editors through the JSON Schema.
function sessionNameSchema(label: string) {
  return z
    .string()
    .superRefine((name, ctx) => {
      const reason = checkSessionName(name, label);
      if (reason !== null) ctx.addIssue({ code: 'custom', message: reason });
    })
    .meta({ pattern: AGENT_NAME_PATTERN, description: 'tmux session name: no . or :, no whitespace, no leading = % $ @' });
}
const AgentNameSchema = sessionNameSchema('agent name');

const SocketNameSchema = z
  .string()
  .regex(SOCKET_NAME_PATTERN, 'a tmux socket name may only use letters, digits, _ . and -');

const KeySchema = z.string().regex(KEY_PATTERN, 'names here may only use letters, digits, _ and -');

const CommandSchema = z
  .union([z.string().min(1), z.array(z.string()).min(1)], {
    error: 'expected a command string (run via sh -c) or a list of argv strings',
  })
  .meta({ description: 'a string run via `sh -c`, or an argv list run directly' });

// Numbers and booleans are accepted because YAML users write `DEBUG: 1`; the process sees strings either way.
const EnvSchema = z
  .record(
    z.string().regex(ENV_NAME_PATTERN, 'environment variable names use letters, digits and _ and do not start with a digit'),
    z
      .union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean value' })
      .transform(String),
  )
  .meta({ description: 'extra environment variables' });

// Editors offer the builtin runtimes; any other name must be a key of `runtimes` (checked after parsing).
const RuntimeRefSchema = z.union([z.enum(BUILTIN_RUNTIMES), z.string().min(1)], {
  error: `expected a runtime name (${BUILTIN_RUNTIMES.join(', ')} or a key of runtimes)`,
});

const ClassSchema = z.union([z.enum(AGENT_CLASSES), z.string().min(1)], {
  error: `expected a class name (${AGENT_CLASSES.join(', ')} or your own)`,
});

const PersonaSchema = z.union([z.boolean(), z.literal('semi')], { error: "expected true, false or 'semi'" });

const TmuxSchema = z
  .strictObject({
    socket_name: SocketNameSchema.default(DEFAULT_SOCKET_NAME).meta({ description: 'tmux -L socket name' }),
    holder_session: sessionNameSchema('holder session name').default(DEFAULT_HOLDER_SESSION).meta({
      description: 'session that owns the tmux server',
    }),
  })
  .meta({ description: 'the dedicated tmux server' });

const DeliveryReceiptSchema = z.enum(DELIVERY_RECEIPTS).meta({
  description:
    "how a send is confirmed: screen (always), or hook = also the REPL's own report of each prompt it takes where it has one (Claude Code's UserPromptSubmit hook, a Pi extension, an OpenCode plugin; none for Codex and Gemini CLI)",
});

const RestartPolicyNameSchema = z.enum(RESTART_POLICIES).meta({
  description: 'never (default): a dead REPL stays dead; on-failure: revive after a non-zero exit or a signal; always: revive after any exit',
});

// No zod defaults inside: an agent's fields are merged over `defaults.restart` field by field (see resolve.ts).
const RestartSpecSchema = z
  .strictObject({
    policy: RestartPolicyNameSchema.optional(),
    max_restarts: z.number().int().min(1).optional().meta({
      description: 'revivals allowed within window_seconds; one more death and the agent is left dead (given up) until started by hand (default 5)',
    }),
    window_seconds: z.number().positive().optional().meta({ description: 'the span max_restarts counts over (default 600)' }),
    backoff_seconds: z.number().min(0).optional().meta({
      description: 'wait before the first revival; doubles with each further revival in the window (default 2)',
    }),
    max_backoff_seconds: z.number().min(0).optional().meta({ description: 'the longest wait between revivals (default 60)' }),
    kickstart: z.boolean().optional().meta({ description: "send the agent's kickstart again once it is revived and ready (default false)" }),
  })
  .meta({ description: 'restart policy with its limits' });

const RestartSchema = z
  .union([RestartPolicyNameSchema, RestartSpecSchema], {
    error: `expected ${RESTART_POLICIES.join(', ')} or a mapping {policy, max_restarts, window_seconds, backoff_seconds, max_backoff_seconds, kickstart}`,
  })
  .meta({ description: 'what the fleet service (mosaic-fleet serve) does when this REPL exits' });

const DefaultsSchema = z
  .strictObject({
    working_directory: z.string().min(1).default('~').meta({ description: '~ and $HOME are expanded' }),
    runtime: RuntimeRefSchema.default('claude'),
    launcher: z.enum(LAUNCHERS).default('direct').meta({ description: 'mosaic = launch as `mosaic yolo <runtime>`' }),
    pi_skill_mode: z.enum(PI_SKILL_MODES).optional().meta({
      description: 'Pi skill loading; when unset, MOSAIC_PI_SKILL_MODE or discover',
    }),
    ready_timeout_seconds: z.number().positive().default(60),
    delivery_receipt: DeliveryReceiptSchema.default('screen'),
    restart: RestartSchema.optional(),
  })
  .meta({ description: 'values every agent inherits' });

export const RuntimeOverrideSchema = z
  .strictObject({
    command: CommandSchema.optional(),
    reset_command: z
      .string()
      .min(1)
      .nullable()
      .optional()
      .meta({ description: 'slash command that starts a fresh conversation; null = restart instead' }),
    env: EnvSchema.optional(),
    base: z.enum(BUILTIN_RUNTIMES).optional().meta({
      description: 'builtin runtime whose screen reading a custom runtime uses (default shell)',
    }),
  })
  .meta({ description: 'override a builtin runtime or define a custom one' });

export const HostSchema = z
  .strictObject({
    ssh: z.string().min(1).meta({ description: 'ssh destination, e.g. user@host' }),
    port: z.number().int().min(1).max(65535).default(22),
    identity_file: z.string().min(1).optional(),
    socket_name: SocketNameSchema.optional().meta({ description: 'tmux socket on that host (default tmux.socket_name)' }),
    hostname: z.string().min(1).optional().meta({ description: 'host name shown in message preambles' }),
  })
  .meta({ description: 'a remote host reached over ssh' });

export const AgentSchema = z
  .strictObject({
    name: AgentNameSchema,
    runtime: RuntimeRefSchema.optional(),
    class: ClassSchema.optional(),
    model_hint: z.string().optional(),
    persistent_persona: PersonaSchema.optional(),
    reset_between_tasks: z.boolean().optional(),
    kickstart_template: z.string().optional().meta({
      description: 'placeholders: {{name}} {{class}} {{host}} {{socket}} {{working_directory}} {{runtime}}',
    }),
    working_directory: z.string().min(1).optional(),
    command: CommandSchema.optional().meta({ description: 'raw launch override (escape hatch)' }),
    env: EnvSchema.optional(),
    host: z.string().min(1).optional().meta({ description: "'local' (default) or a key of hosts" }),
    launcher: z.enum(LAUNCHERS).optional(),
    pi_skill_mode: z.enum(PI_SKILL_MODES).optional(),
    delivery_receipt: DeliveryReceiptSchema.optional(),
    restart: RestartSchema.optional(),
  })
  .meta({ description: 'one agent: a tmux session running a REPL' });

export const RosterSchema = z
  .strictObject({
    version: z.literal(1),
    transport: z.enum(TRANSPORTS).default('tmux').meta({ description: "only tmux is available; 'matrix' is reserved" }),
    tmux: TmuxSchema.prefault({}),
    defaults: DefaultsSchema.prefault({}),
    runtimes: z.record(KeySchema, RuntimeOverrideSchema).default({}),
    hosts: z.record(KeySchema, HostSchema).default({}),
    agents: z.array(AgentSchema).min(1),
  })
  .meta({
    title: 'mosaic-fleet roster',
    description: 'The agents of a mosaic-fleet: which REPL each runs, where, and on which tmux socket.',
  });

export type Roster = z.output<typeof RosterSchema>;
export type RosterInput = z.input<typeof RosterSchema>;
export type AgentSpec = z.output<typeof AgentSchema>;
export type HostSpec = z.output<typeof HostSchema>;
export type RuntimeOverride = z.output<typeof RuntimeOverrideSchema>;
export type RestartSpec = z.output<typeof RestartSchema>;
