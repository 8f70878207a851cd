import { Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { action } from '../action.js';
import { addCommonOptions, contextFrom, examples, untilInterrupted } from '../common.js';
import { printJson } from '../io.js';
import { parseSeconds } from '../parse.js';
import { COMMON_EXITS, helpFooter } from '../help.js';

const SORTS = ['state', 'name', 'host', 'class', 'time', 'pending'];

/** Add `top`, the live view of the fleet. Its modules load only when it runs (status and --help never pay for them). */
export function addTopCommand(parent: Command): void {
  const cmd = parent
    .command('top')
    .description('live full-screen view of every agent: state, time in state, last message in and out, pending; keys to attach, send, reset, restart, deliver')
    .option('--interval <seconds>', 'seconds between refreshes', '1')
    .addOption(new Option('--sort <key>', 'initial sort').choices(SORTS).default('state'))
    .option('--filter <query>', 'initial filter: host:NAME class:NAME state:NAME, or part of an agent name')
    .option('--detail', 'open the detail pane (the selected agent\'s recent screen)')
    .option('--once', 'print one frame and exit (for scripts)')
    .option('--size <WxH>', 'with --once: frame size (default: the terminal, else 120 wide and every row)')
    .option('--from <host:session>', 'sender label for messages sent from the view')
    .option('--json', 'print the same data as one JSON document and exit');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-fleet top', 'mosaic-fleet top --filter "class:reviewer state:busy"', 'mosaic-fleet top --once --size 80x24', 'mosaic-fleet top --json | jq ".agents[] | {name, state, pending}"']);
  helpFooter(cmd, `0 the view ended (q, Ctrl-C) or the frame/document was printed; ${COMMON_EXITS} (3 also: no terminal without --once/--json, bad --size)`, ['top.md', 'Keys']);
  cmd.action(
    action(async (io, opts: Record<string, unknown>) => {
      const intervalMs = parseSeconds(String(opts.interval), '--interval') * 1000;
      const size = typeof opts.size === 'string' ? parseSize(opts.size) : null;
      const ctx = await contextFrom(opts);
      const { PollFeed } = await import('../../top/feed.js');
      const run = await import('../../top/run.js');
      const feed = new PollFeed(ctx);
      const view = { sort: opts.sort as 'state', ...(typeof opts.filter === 'string' ? { filter: opts.filter } : {}), detail: Boolean(opts.detail) };
      if (opts.json) {
        printJson(io, { ok: true, ...(await run.topDocument(feed, view)) });
        return 0;
      }
      const tty = Boolean(process.stdout.isTTY);
      if (opts.once) {
        const width = size?.width ?? (tty ? process.stdout.columns : 120);
        const height = size?.height ?? (tty ? process.stdout.rows : undefined);
        io.out(await run.topOnce(feed, view, { width, ...(height ? { height } : {}) }, run.paintFor(process.env, tty)));
        return 0;
      }
      if (!tty || !process.stdin.isTTY) throw new UsageError('top needs a terminal', 'use `mosaic-fleet top --once` or `--json` in scripts');
      const { coreActions } = await import('../../top/actions.js');
      const actions = coreActions(ctx, typeof opts.from === 'string' ? { from: opts.from } : {});
      await untilInterrupted((signal) => run.runTop(feed, actions, run.processTerminal(), { intervalMs, ...view }, run.paintFor(process.env, true), process.env, signal));
      return 0;
    }),
  );
}

function parseSize(value: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(value);
  if (!m || Number(m[1]) < 20 || Number(m[2]) < 6) throw new UsageError(`--size takes WIDTHxHEIGHT (at least 20x6), not '${value}'`, 'e.g. --size 80x24');
  return { width: Number(m[1]), height: Number(m[2]) };
}
