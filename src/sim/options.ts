// Command line and environment for the demo agent. Flags win over environment variables.
import { LAYOUT_NAMES, type LayoutName, type PlaceholderStyle } from './layouts/types.js';

export interface SimOptions {
  name: string;
  swallowMs: number;
  busyMs: number;
  startupMs: number;
  logFile: string | null;
  ignoreEnter: boolean;
  bracketedPaste: boolean;
  placeholderLines: number;
  layout: LayoutName;
  placeholder: string | null;
  placeholderStyle: PlaceholderStyle;
  enterNewlineMs: number;
  ignoreEnters: number;
  wedgeDrop: boolean;
  /** Wedge by itself after this many submitted messages; null never. */
  wedgeAfter: number | null;
  /** Draw each frame in two writes this many ms apart; 0 draws whole frames. */
  splitDrawMs: number;
}

export type ParsedArgs = { kind: 'run'; options: SimOptions } | { kind: 'help' } | { kind: 'error'; message: string };

export const HELP = `usage: mosaic-sim [options]

A REPL look-alike for testing message delivery: draws a Claude Code style screen or another input-area layout,
and logs what it really did with every paste and Enter.

Screen
  --name NAME              agent name shown in the header (env MOSAIC_AGENT_NAME, default sim)
  --layout NAME            input-area layout (env MOSAIC_SIM_LAYOUT, default claude):
                             claude   box between ─ rules, ❯ prompt, "✻ Working…" (the sim profile knows it)
                             rounded  hint, ╭─╮ │ > text │ ╰─╯ box, footer; "Thinking… (esc to cancel, Ns)"
                             bare     no box: ">>> text" / "... more"; "[busy Ns]", "queued: N"
                             double   ╔═ compose ═╗ ║ text ║ ╚═╝; footer "[idle]" / "[working Ns] queued: N"
                             dashed   "you: text" between "- - -" lines; "(thinking…)", "pending> text"
  --placeholder TEXT       text drawn in the empty input area (env MOSAIC_SIM_PLACEHOLDER); it is never typed text
  --placeholder-style S    color (grey, SGR 38;5;244, the default) or dim (SGR 2) (env MOSAIC_SIM_PLACEHOLDER_STYLE)
  --placeholder-lines N    pastes with more than N newlines show as [Pasted text #K +L lines]
                           (env MOSAIC_SIM_PLACEHOLDER_LINES, default 2)

Behaviour
  --busy-ms N              stay busy N ms per message; messages sent meanwhile are queued
                           (env MOSAIC_SIM_BUSY_MS, default 0)
  --startup-ms N           discard input and draw nothing for N ms (env MOSAIC_SIM_STARTUP_MS, default 0)
  --swallow-ms N           drop an Enter arriving < N ms after a paste ends (env MOSAIC_SIM_SWALLOW_MS, default 0)
  --enter-newline-ms N     an Enter arriving < N ms after a paste ends adds a newline to the draft
                           (env MOSAIC_SIM_ENTER_NEWLINE_MS, default 0)
  --ignore-enters N        ignore the first N Enters after each paste (env MOSAIC_SIM_IGNORE_ENTERS, default 0)
  --ignore-enter           never submit; drafts stay forever (env MOSAIC_SIM_IGNORE_ENTER=1)
  --no-bracketed-paste     do not enable bracketed paste mode (env MOSAIC_SIM_NO_BRACKETED_PASTE=1)
  --split-draw-ms N        draw each frame in two writes N ms apart: the top half first, so the pane shows a
                           half-drawn frame without its input area meanwhile (env MOSAIC_SIM_SPLIT_DRAW_MS, default 0)

Wedging (stop reading input and drawing, like a stopped process)
  SIGUSR1 wedges the sim, SIGUSR2 resumes it; input that arrived meanwhile is then taken as one burst.
  --wedge-drop             on resume, discard the input that arrived while wedged (env MOSAIC_SIM_WEDGE_DROP=1)
  --wedge-after N          wedge by itself after N submitted messages (env MOSAIC_SIM_WEDGE_AFTER)

Ground truth
  --log FILE               append one JSON line per event (env MOSAIC_SIM_LOG): start, paste, enter (with its
                           action: submitted, command, newline, ignored, swallowed, empty), submit (queued or not),
                           turn (a message's turn starts), clear (C-u/C-c emptied a draft), swallowed, command
                           (with queued messages a reset discarded), wedge, resume, exit
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
  '--layout': 'layout',
  '--placeholder': 'placeholder',
  '--placeholder-style': 'placeholderStyle',
  '--enter-newline-ms': 'enterNewlineMs',
  '--ignore-enters': 'ignoreEnters',
  '--wedge-after': 'wedgeAfter',
  '--split-draw-ms': 'splitDrawMs',
} as const;

const SWITCHES = {
  '--ignore-enter': (o: SimOptions) => (o.ignoreEnter = true),
  '--no-bracketed-paste': (o: SimOptions) => (o.bracketedPaste = false),
  '--wedge-drop': (o: SimOptions) => (o.wedgeDrop = true),
} as const;

type ValueKey = (typeof VALUE_FLAGS)[keyof typeof VALUE_FLAGS];

const ENV_VALUES: ReadonlyArray<readonly [string, ValueKey]> = [
  ['MOSAIC_AGENT_NAME', 'name'],
  ['MOSAIC_SIM_SWALLOW_MS', 'swallowMs'],
  ['MOSAIC_SIM_BUSY_MS', 'busyMs'],
  ['MOSAIC_SIM_STARTUP_MS', 'startupMs'],
  ['MOSAIC_SIM_LOG', 'logFile'],
  ['MOSAIC_SIM_PLACEHOLDER_LINES', 'placeholderLines'],
  ['MOSAIC_SIM_LAYOUT', 'layout'],
  ['MOSAIC_SIM_PLACEHOLDER', 'placeholder'],
  ['MOSAIC_SIM_PLACEHOLDER_STYLE', 'placeholderStyle'],
  ['MOSAIC_SIM_ENTER_NEWLINE_MS', 'enterNewlineMs'],
  ['MOSAIC_SIM_IGNORE_ENTERS', 'ignoreEnters'],
  ['MOSAIC_SIM_WEDGE_AFTER', 'wedgeAfter'],
  ['MOSAIC_SIM_SPLIT_DRAW_MS', 'splitDrawMs'],
];

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
    if (arg in SWITCHES) {
      SWITCHES[arg as keyof typeof SWITCHES](options);
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

export function defaultOptions(): SimOptions {
  return {
    name: 'sim',
    swallowMs: 0,
    busyMs: 0,
    startupMs: 0,
    logFile: null,
    ignoreEnter: false,
    bracketedPaste: true,
    placeholderLines: 2,
    layout: 'claude',
    placeholder: null,
    placeholderStyle: 'color',
    enterNewlineMs: 0,
    ignoreEnters: 0,
    wedgeDrop: false,
    wedgeAfter: null,
    splitDrawMs: 0,
  };
}

function defaultsFromEnv(env: Env): SimOptions {
  const options = defaultOptions();
  for (const [variable, key] of ENV_VALUES) {
    const value = env[variable];
    if (value !== undefined && value !== '') setValue(options, key, value, variable);
  }
  if (isTruthy(env.MOSAIC_SIM_IGNORE_ENTER)) options.ignoreEnter = true;
  if (isTruthy(env.MOSAIC_SIM_NO_BRACKETED_PASTE)) options.bracketedPaste = false;
  if (isTruthy(env.MOSAIC_SIM_WEDGE_DROP)) options.wedgeDrop = true;
  return options;
}

function setValue(options: SimOptions, key: ValueKey, value: string, source: string): void {
  switch (key) {
    case 'name':
      if (value === '') throw new ArgError(`${source} must not be empty`);
      options.name = value;
      return;
    case 'logFile':
      options.logFile = value === '' ? null : value;
      return;
    case 'placeholder':
      options.placeholder = value === '' ? null : value;
      return;
    case 'layout':
      options.layout = oneOf(LAYOUT_NAMES, value, source);
      return;
    case 'placeholderStyle':
      options.placeholderStyle = oneOf(['color', 'dim'] as const, value, source);
      return;
    case 'wedgeAfter': {
      const count = toCount(value, source);
      if (count === 0) throw new ArgError(`${source} must be at least 1, got "${value}"`);
      options.wedgeAfter = count;
      return;
    }
    default:
      options[key] = toCount(value, source);
  }
}

function oneOf<T extends string>(choices: readonly T[], value: string, source: string): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new ArgError(`${source} must be one of ${choices.join(', ')}, got "${value}"`);
}

function toCount(value: string, source: string): number {
  if (!/^\d+$/.test(value)) throw new ArgError(`${source} must be a whole number >= 0, got "${value}"`);
  return Number(value);
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
