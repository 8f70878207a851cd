// Turning a forked tmux argv into one control-mode command line that tmux 3.3a parses to the same commands.
// Pure functions: no I/O here.

/** Thrown for an argv that cannot travel as one control line (a newline or NUL in an argument). */
export class ControlArgError extends Error {}

/**
 * Split argv into commands exactly as a forked tmux 3.3a does (cmd_parse_from_arguments): an argument ending in `;`
 * ends the command (the `;` dropped), unless it ends in `\;`, which becomes a literal `;`. Empty commands vanish.
 */
export function splitCommands(args: string[]): string[][] {
  const commands: string[][] = [];
  let current: string[] = [];
  for (const arg of args) {
    let value = arg;
    let end = false;
    if (value.endsWith(';')) {
      value = value.slice(0, -1);
      if (value.endsWith('\\')) value = `${value.slice(0, -1)};`;
      else end = true;
    }
    if (!end || value !== '') current.push(value);
    if (end) {
      if (current.length > 0) commands.push(current);
      current = [];
    }
  }
  if (current.length > 0) commands.push(current);
  return commands;
}

/** One argument for tmux's command parser: single-quoted (no escapes inside), `'` as `'\''`; tmux joins the parts. */
export function quoteArg(arg: string): string {
  // A newline would end the control line; NUL would cut the C string: neither can travel as an argument.
  if (/[\n\0]/.test(arg)) throw new ControlArgError(`a tmux argument holds a ${arg.includes('\n') ? 'newline' : 'NUL byte'}; send such text as a body (stdin), not as an argument`);
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The control line for a list of commands: `;` between them, every word quoted. */
export function commandLine(commands: string[][]): string {
  return commands.map((cmd) => cmd.map(quoteArg).join(' ')).join(' ; ');
}

/**
 * Parse the leading flags of one command like getopt: `valueFlags` are the letters that take a value.
 * Returns the flags seen (last value wins) and the index of the first positional argument.
 */
export function readFlags(args: string[], valueFlags: string): { flags: Map<string, string | true>; positional: number } {
  const flags = new Map<string, string | true>();
  let i = 0;
  for (; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--') return { flags, positional: i + 1 };
    if (!arg.startsWith('-') || arg === '-') break;
    for (let j = 1; j < arg.length; j += 1) {
      const letter = arg[j]!;
      if (!valueFlags.includes(letter)) {
        flags.set(letter, true);
        continue;
      }
      const attached = arg.slice(j + 1);
      if (attached !== '') flags.set(letter, attached);
      else {
        i += 1;
        flags.set(letter, args[i] ?? '');
      }
      break;
    }
  }
  return { flags, positional: i };
}

// Value-taking flags of the commands we rewrite (tmux 3.3a getopt strings).
const NEW_SESSION_VALUES = 'cefFnstxy';
const LOAD_BUFFER_VALUES = 'bt';
/** Commands whose missing -t means "the current session": pinned to a session the same list just created. */
const SESSION_RELATIVE: Record<string, string> = {
  'set-option': 't',
  set: 't',
  'set-window-option': 't',
  setw: 't',
  'show-options': 't',
  show: 't',
  'display-message': 'cdtF',
  display: 'cdtF',
  'set-hook': 't',
  'set-environment': 't',
  setenv: 't',
};

/**
 * A forked client has no session, so a command without -t after `new-session -s NAME` in the same list lands on the
 * newest session (the one just made). A control client is attached to a session, which tmux would use instead:
 * pin such commands to the new session (`=NAME:`) so they mean what they mean forked.
 */
export function pinToNewSession(commands: string[][]): string[][] {
  let session: string | null = null;
  return commands.map((cmd) => {
    const [name, ...rest] = cmd;
    if (name === undefined) return cmd;
    if (name === 'new-session' || name === 'new') {
      const s = readFlags(rest, NEW_SESSION_VALUES).flags.get('s');
      // tmux turns : and . in a session name into _ (session_check_name).
      session = typeof s === 'string' && s !== '' ? s.replace(/[:.]/g, '_') : null;
      return cmd;
    }
    const values = SESSION_RELATIVE[name];
    if (session === null || values === undefined || readFlags(rest, values).flags.has('t')) return cmd;
    return [name, '-t', `=${session}:`, ...rest];
  });
}

/** Where the first `load-buffer … -` reads stdin: [command index, argument index], or null. */
export function findStdinSource(commands: string[][]): [number, number] | null {
  for (let c = 0; c < commands.length; c += 1) {
    const [name, ...rest] = commands[c]!;
    if (name !== 'load-buffer' && name !== 'loadb') continue;
    const { positional } = readFlags(rest, LOAD_BUFFER_VALUES);
    if (rest[positional] === '-') return [c, positional + 1];
  }
  return null;
}

/** Global flags that Tmux.argv puts before the command. */
export interface GlobalFlags {
  socketName?: string;
  socketPath?: string;
  configFile?: string;
  /** Index in argv where the command starts. */
  command: number;
  /** A flag we do not translate (-V, -c, -C, ...): the call must run as a real process. */
  foreign: boolean;
}

/** Read `tmux -u -L name | -S path -f conf ...` (argv[0] is 'tmux'). */
export function readGlobalFlags(argv: string[]): GlobalFlags {
  const out: GlobalFlags = { command: argv.length, foreign: false };
  for (let i = 1; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '-u') continue;
    if (arg === '-L' || arg === '-S' || arg === '-f') {
      const value = argv[i + 1];
      if (value === undefined) return { ...out, foreign: true };
      if (arg === '-L') out.socketName = value;
      else if (arg === '-S') out.socketPath = value;
      else out.configFile = value;
      i += 1;
      continue;
    }
    if (arg.startsWith('-')) return { ...out, foreign: true };
    out.command = i;
    return out;
  }
  return out;
}
