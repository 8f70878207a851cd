// One error hierarchy for the whole product; src/cli/run.ts is the only place that turns these into messages and exit codes.

/** Exit codes shared by every command (documented in docs/guide.md and README.md). */
export const ExitCode = {
  ok: 0,
  notFound: 1, // target/agent not found, or its pane is dead
  notConfirmed: 2, // message left as a draft, held, or a reset that did not take
  usage: 3, // bad flags, bad body, refused input
  transport: 4, // tmux missing/failed, ssh unreachable, auth failure
  config: 5, // roster invalid or missing
  checkFailed: 6, // `verify` found a failing check, `broadcast` had a failed target
  timeout: 7, // an agent did not become ready in time
  conflict: 8, // another fleet service already serves this roster
  internal: 70, // a bug: never expected
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorCode =
  | 'USAGE'
  | 'TARGET_NOT_FOUND'
  | 'AGENT_NOT_FOUND'
  | 'PANE_DEAD'
  | 'NOT_CONFIRMED'
  | 'TMUX_MISSING'
  | 'TMUX_FAILED'
  | 'NO_SERVER'
  | 'HOST_UNREACHABLE'
  | 'SSH_AUTH'
  | 'TRANSPORT_UNAVAILABLE'
  | 'ROSTER_INVALID'
  | 'ROSTER_MISSING'
  | 'CHECK_FAILED'
  | 'TIMEOUT'
  | 'LOCK_TIMEOUT'
  | 'SERVICE_RUNNING'
  | 'SERVICE_LOST'
  | 'INTERNAL';

const exitFor: Record<ErrorCode, ExitCodeValue> = {
  USAGE: ExitCode.usage,
  TARGET_NOT_FOUND: ExitCode.notFound,
  AGENT_NOT_FOUND: ExitCode.notFound,
  PANE_DEAD: ExitCode.notFound,
  NOT_CONFIRMED: ExitCode.notConfirmed,
  TMUX_MISSING: ExitCode.transport,
  TMUX_FAILED: ExitCode.transport,
  NO_SERVER: ExitCode.notFound,
  HOST_UNREACHABLE: ExitCode.transport,
  SSH_AUTH: ExitCode.transport,
  TRANSPORT_UNAVAILABLE: ExitCode.config,
  ROSTER_INVALID: ExitCode.config,
  ROSTER_MISSING: ExitCode.config,
  CHECK_FAILED: ExitCode.checkFailed,
  TIMEOUT: ExitCode.timeout,
  LOCK_TIMEOUT: ExitCode.transport,
  SERVICE_RUNNING: ExitCode.conflict,
  SERVICE_LOST: ExitCode.transport,
  INTERNAL: ExitCode.internal,
};

export interface FleetErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Extra machine-readable detail for --json error output. */
  details?: Record<string, unknown>;
  exitCode?: ExitCodeValue;
}

/** Every expected failure: a one-line message, an optional hint, and an exit code. */
export class FleetError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: ExitCodeValue;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: FleetErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FleetError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? exitFor[code];
    this.details = options.details;
  }
}

export class UsageError extends FleetError {
  constructor(message: string, hint?: string) {
    super('USAGE', message, { hint });
    this.name = 'UsageError';
  }
}

/** A subprocess (tmux, ssh, flock, systemctl) that failed; carries the command, exit code and stderr. */
export class CommandError extends FleetError {
  readonly command: string[];
  readonly commandExitCode: number | null;
  readonly stderr: string;

  constructor(
    code: ErrorCode,
    message: string,
    command: string[],
    commandExitCode: number | null,
    stderr: string,
    options: FleetErrorOptions = {},
  ) {
    super(code, message, options);
    this.name = 'CommandError';
    this.command = command;
    this.commandExitCode = commandExitCode;
    this.stderr = stderr;
  }
}

export function isFleetError(error: unknown): error is FleetError {
  return error instanceof FleetError;
}
