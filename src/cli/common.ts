import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import type { Context, CommonOptions } from '../core/context.js';
import { currentInvocation } from '../invocation.js';

/** Socket and roster selection, accepted by every command. */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-L, --socket <name>', 'tmux socket name of the fleet (default: $MOSAIC_TMUX_SOCKET, then the roster, then mosaic-factory)'))
    .addOption(new Option('--socket-path <path>', 'tmux socket path instead of a name'))
    .addOption(new Option('--roster <path>', 'roster file (default: $MOSAIC_FLEET_ROSTER or $MOSAIC_HOME/fleet/roster.yaml)'));
}

/** Loaded on demand: `--help` and `--version` should not pay for the roster schema and the transport.
 *  A roster named with --roster or $MOSAIC_FLEET_ROSTER must exist (exit 5) for every command; only the unset
 *  default may be absent. `init --write` creates it, so it passes `rosterMayBeMissing`. */
export async function contextFrom(opts: CommonOptions, how: { rosterMayBeMissing?: boolean } = {}): Promise<Context> {
  const inv = currentInvocation();
  if (inv) return inv.context(opts);
  const { Context } = await import('../core/context.js');
  const ctx = new Context({
    ...(opts.socket ? { socket: opts.socket } : {}),
    ...(opts.socketPath ? { socketPath: opts.socketPath } : {}),
    ...(opts.roster ? { roster: opts.roster } : {}),
  });
  if (!how.rosterMayBeMissing) await requireNamedRoster(ctx, opts.roster);
  return ctx.prepare();
}

async function requireNamedRoster(ctx: Context, flag: string | undefined): Promise<void> {
  const { rosterSource } = await import('../roster/paths.js');
  const source = rosterSource({ flag, env: ctx.env });
  if (source === 'default') return;
  const path = ctx.rosterPath();
  if (existsSync(path)) return;
  const { rosterMissing } = await import('../roster/read.js');
  throw rosterMissing(path, source);
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Run a long-lived command (tail --follow, deliver --watch, demo) until Ctrl-C, SIGTERM or SIGHUP aborts its signal. */
export async function untilInterrupted(work: (signal: AbortSignal) => Promise<void>): Promise<void> {
  // Inside the fleet service the client's going away is the interrupt.
  const inv = currentInvocation();
  if (inv) return work(inv.signal);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  for (const s of STOP_SIGNALS) process.once(s, onSignal);
  // A pending promise alone does not keep Node running (it exits 13 with an unsettled await): a timer does.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    await work(stop.signal);
  } finally {
    clearInterval(keepAlive);
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
}

/** Resolves when `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

/** The -m / -f options of a command, as readBody takes them. */
export function bodyOptions(opts: Record<string, unknown>): { message?: string; file?: string } {
  return {
    ...(typeof opts.message === 'string' ? { message: opts.message } : {}),
    ...(typeof opts.file === 'string' ? { file: opts.file } : {}),
  };
}

/** A help footer with examples (every command shows at least one). Examples are written for our executables and
 *  shown with the real command path, so mounted as `mosaic agent send` they read `mosaic agent send ...`. */
export function examples(cmd: Command, lines: string[], group = false): Command {
  return cmd.addHelpText('after', () => {
    // A command group (`agent` mounted in `mosaic`) stands for the executable itself; a subcommand for its parent.
    const path = commandPath(group ? cmd : cmd.parent);
    const shown = lines.map((l) => (path ? l.replace(/^mosaic-(agent|fleet)\b/, path) : l));
    return `\nExamples:\n${shown.map((l) => `  $ ${l}`).join('\n')}\n`;
  });
}

function commandPath(cmd: Command | null): string {
  const names: string[] = [];
  for (let c = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
