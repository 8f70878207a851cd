// Command line of `npm run soak` (pure: argv in, options or a one-line error out).

export const LAYOUTS = ['claude', 'rounded', 'bare', 'double', 'dashed'] as const;
export type Layout = (typeof LAYOUTS)[number];

export interface SoakOptions {
  messages: number;
  agents: number;
  senders: number;
  seed: number;
  layouts: Layout[];
  keep: boolean;
  json: boolean;
  /** false: no faults at all (a clean run, for comparison). */
  faults: boolean;
  /** Everything the newer sim offers: every layout (unless --layouts), placeholders, Enter policies, wedges. */
  mixed: boolean;
  /** Send through the fleet service (mosaic-fleet serve), killed and restarted twice as a fault unless --no-faults. */
  service: boolean;
}

export type ParsedSoakArgs = { kind: 'run'; options: SoakOptions } | { kind: 'help' } | { kind: 'error'; message: string };

export const SOAK_HELP = `usage: npm run soak -- [options]

Soak the real CLI: a private fleet of sim agents, concurrent senders, seeded faults, and every verdict
and ledger record compared with what the REPLs received (their ground-truth logs). See docs/soak.md.

  --messages N     messages to send (default 800, about 4-5 minutes on 2 busy cores)
  --agents N       sim agents (default 20)
  --senders N      concurrent sender processes (default 8)
  --seed N         seed for targets, bodies and faults (default: random, printed)
  --layouts LIST   comma-separated sim layouts given to agents round-robin
                   (${LAYOUTS.join(', ')} or all; default claude; other layouts need a sim that has them)
  --mixed          use what the newer sim offers: every layout (unless --layouts is given), a grey
                   placeholder on some agents, Enter policies (swallow / ignore the first Enter /
                   early Enter is a newline) and wedge faults (SIGUSR1 ... SIGUSR2)
  --service        run the fleet service (mosaic-fleet serve) and send through it; with faults, it is
                   killed (SIGKILL) and restarted twice during the load
  --no-faults      no restarts, kills, stops, person drafts or wedges (a clean run)
  --keep           leave the fleet, its tmux server and temp files in place (printed) for inspection
  --json           print one JSON document instead of the table
  --help           show this help
`;

class SoakArgError extends Error {}

export function parseSoakArgs(argv: readonly string[], randomSeed: () => number = () => Math.floor(Math.random() * 1_000_000)): ParsedSoakArgs {
  try {
    return readArgs(argv, randomSeed);
  } catch (error) {
    if (error instanceof SoakArgError) return { kind: 'error', message: error.message };
    throw error;
  }
}

function readArgs(argv: readonly string[], randomSeed: () => number): ParsedSoakArgs {
  const options: SoakOptions = { messages: 800, agents: 20, senders: 8, seed: -1, layouts: ['claude'], keep: false, json: false, faults: true, mixed: false, service: false };
  let layoutsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      const v = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new SoakArgError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return { kind: 'help' };
      case '--keep':
        options.keep = true;
        break;
      case '--json':
        options.json = true;
        break;
      case '--no-faults':
        options.faults = false;
        break;
      case '--mixed':
        options.mixed = true;
        break;
      case '--service':
        options.service = true;
        break;
      case '--messages':
        options.messages = count(value(), flag, 1);
        break;
      case '--agents':
        options.agents = count(value(), flag, 1);
        break;
      case '--senders':
        options.senders = count(value(), flag, 1);
        break;
      case '--seed':
        options.seed = count(value(), flag, 0);
        break;
      case '--layouts':
        options.layouts = parseLayouts(value());
        layoutsGiven = true;
        break;
      default:
        throw new SoakArgError(`unknown option ${arg} (see --help)`);
    }
  }
  if (options.seed < 0) options.seed = randomSeed();
  if (options.mixed && !layoutsGiven) options.layouts = [...LAYOUTS];
  return { kind: 'run', options };
}

function count(value: string, flag: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min) throw new SoakArgError(`${flag} takes a whole number >= ${min}, not '${value}'`);
  return Number(value);
}

export function parseLayouts(value: string): Layout[] {
  if (value === 'all') return [...LAYOUTS];
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new SoakArgError('--layouts needs at least one layout');
  for (const name of names) {
    if (!(LAYOUTS as readonly string[]).includes(name)) throw new SoakArgError(`unknown layout '${name}' (one of ${LAYOUTS.join(', ')}, or all)`);
  }
  return names as Layout[];
}
