import { Command, Option } from 'commander';
import type { Context, CommonOptions } from '../core/context.js';

/** Socket and roster selection, accepted by every command. */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-L, --socket <name>', 'tmux socket name of the fleet (default: roster, $MOSAIC_TMUX_SOCKET, mosaic-factory)'))
    .addOption(new Option('--socket-path <path>', 'tmux socket path instead of a name'))
    .addOption(new Option('--roster <path>', 'roster file (default: $MOSAIC_FLEET_ROSTER or $MOSAIC_HOME/fleet/roster.yaml)'));
}

/** Loaded on demand: `--help` and `--version` should not pay for the roster schema and the transport. */
export async function contextFrom(opts: CommonOptions): Promise<Context> {
  const { Context } = await import('../core/context.js');
  return new Context({
    ...(opts.socket ? { socket: opts.socket } : {}),
    ...(opts.socketPath ? { socketPath: opts.socketPath } : {}),
    ...(opts.roster ? { roster: opts.roster } : {}),
  });
}

/** A help footer with examples (every command shows at least one). */
export function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}
