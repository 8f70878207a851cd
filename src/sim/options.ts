// Command line and environment for the demo agent. Flags win over environment variables.

export interface SimOptions {
  name: string;
  swallowMs: number;
  busyMs: number;
  startupMs: number;
  logFile: string | null;
  ignoreEnter: boolean;
  bracketedPaste: boolean;
  placeholderLines: number;
}

export type ParsedArgs = { kind: 'run'; options: SimOptions } | { kind: 'help' } | { kind: 'error'; message: string };

export const HELP = `usage: mosaic-sim [options]

A REPL look-alike that draws a Claude Code style screen, for testing message delivery.

  --name NAME              agent name shown in the header (env MOSAIC_AGENT_NAME, default sim)
  --swallow-ms N           drop an Enter arriving < N ms after a paste ends (env MOSAIC_SIM_SWALLOW_MS, default 0)
  --busy-ms N              stay busy N ms per message; messages sent meanwhile are queued (env MOSAIC_SIM_BUSY_MS, default 0)
  --startup-ms N           discard input and draw nothing for N ms (env MOSAIC_SIM_STARTUP_MS, default 0)
  --log FILE               append one JSON line per event (env MOSAIC_SIM_LOG)
  --ignore-enter           never submit; drafts stay forever (env MOSAIC_SIM_IGNORE_ENTER=1)
  --no-bracketed-paste     do not enable bracketed paste mode (env MOSAIC_SIM_NO_BRACKETED_PASTE=1)
  --placeholder-lines N    pastes with more than N newlines show as [Pasted text #K +L lines]
                           (env MOSAIC_SIM_PLACEHOLDER_LINES, default 2)
  --help                   show this help
`;

type Env = Record<string, string | undefined>;

const VALUE_FLAGS = {
  '--name': 'name',
  '--swallow-ms': 'swallowMs',
  '--busy-ms': 'busyMs',
  '--startup-ms': 'startupMs',
  '--log': 'logFile',
  '--placeholder-lines': 'placeholderLines',
} as const;

type ValueKey = (typeof VALUE_FLAGS)[keyof typeof VALUE_FLAGS];

class ArgError extends Error {}

/** Parse argv (without node and script) plus the environment into options, help, or a one-line error. */
export function parseArgs(argv: readonly string[], env: Env = {}): ParsedArgs {
  try {
    return readArgs(argv, env);
  } catch (error) {
    if (error instanceof ArgError) return { kind: 'error', message: error.message };
    throw error;
  }
}

function readArgs(argv: readonly string[], env: Env): ParsedArgs {
  const options = defaultsFromEnv(env);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--ignore-enter') {
      options.ignoreEnter = true;
      continue;
    }
    if (arg === '--no-bracketed-paste') {
      options.bracketedPaste = false;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!(flag in VALUE_FLAGS)) throw new ArgError(`unknown option ${arg} (see --help)`);
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) throw new ArgError(`option ${flag} needs a value`);
    setValue(options, VALUE_FLAGS[flag as keyof typeof VALUE_FLAGS], value, flag);
  }
  return { kind: 'run', options };
}

function defaultsFromEnv(env: Env): SimOptions {
  const options: SimOptions = {
    name: 'sim',
    swallowMs: 0,
    busyMs: 0,
    startupMs: 0,
    logFile: null,
    ignoreEnter: false,
    bracketedPaste: true,
    placeholderLines: 2,
  };
  const fromEnv: Array<[string, ValueKey]> = [
    ['MOSAIC_AGENT_NAME', 'name'],
    ['MOSAIC_SIM_SWALLOW_MS', 'swallowMs'],
    ['MOSAIC_SIM_BUSY_MS', 'busyMs'],
    ['MOSAIC_SIM_STARTUP_MS', 'startupMs'],
    ['MOSAIC_SIM_LOG', 'logFile'],
    ['MOSAIC_SIM_PLACEHOLDER_LINES', 'placeholderLines'],
  ];
  for (const [variable, key] of fromEnv) {
    const value = env[variable];
    if (value !== undefined && value !== '') setValue(options, key, value, variable);
  }
  if (isTruthy(env.MOSAIC_SIM_IGNORE_ENTER)) options.ignoreEnter = true;
  if (isTruthy(env.MOSAIC_SIM_NO_BRACKETED_PASTE)) options.bracketedPaste = false;
  return options;
}

function setValue(options: SimOptions, key: ValueKey, value: string, source: string): void {
  if (key === 'name') {
    if (value === '') throw new ArgError(`${source} must not be empty`);
    options.name = value;
  } else if (key === 'logFile') {
    options.logFile = value === '' ? null : value;
  } else {
    options[key] = toCount(value, source);
  }
}

function toCount(value: string, source: string): number {
  if (!/^\d+$/.test(value)) throw new ArgError(`${source} must be a whole number >= 0, got "${value}"`);
  return Number(value);
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
