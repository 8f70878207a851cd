import { Command } from 'commander';
import pc from 'picocolors';
import { action } from './action.js';
import { addCommonOptions, contextFrom, examples } from './common.js';
import { printJson } from './io.js';
import { exitCodeFor, parseCount, parseSeconds, readBody, sendMessage } from '../core/send.js';

/** Add the per-agent commands (send, ...) to `cmd`: the `mosaic-agent` program itself, or an `agent` subcommand. */
export function addAgentCommands(cmd: Command): Command {
  addSend(cmd);
  return cmd;
}

/** Mount the per-agent commands into an existing commander program as `agent`. */
export function registerAgentCommands(program: Command): Command {
  const agent = program.command('agent').description('work with one agent: send, status, reset, tail, ...');
  return addAgentCommands(agent);
}

function addSend(parent: Command): void {
  const cmd = parent
    .command('send')
    .description('deliver an addressed message to an agent and confirm it was submitted')
    .argument('<target>', 'agent name, =session, session:window.pane, or pane id %N (matched exactly)')
    .option('-m, --message <text>', 'message body')
    .option('-f, --file <path>', 'read the body from a file (- for stdin)')
    .option('--from <host:session>', 'sender label for the preamble (default: this host and tmux session)')
    .option('--to-host <name>', 'destination host name for the preamble (default: hostname -s)')
    .option('--no-preamble', 'send the body without the [src -> dst] preamble')
    .option('--raw', 'with --no-preamble: allow a body starting with / or ! (a REPL command)')
    .option('--runtime <name>', 'read the target screen as this runtime (claude, codex, pi, opencode, sim, shell)')
    .option('--timeout <seconds>', 'how long to confirm submission', '10')
    .option('--retries <n>', 'extra Enter keystrokes while the body is still in the input box', '7')
    .option('--when-idle', 'wait for the running turn to end before pasting')
    .option('--wait <seconds>', 'with --when-idle: how long to wait', '300')
    .option('--hold <seconds>', 'how long to wait for text a person is typing to clear', '2')
    .option('--json', 'print one JSON document');
  addCommonOptions(cmd);
  examples(cmd, [
    'mosaic-agent send coder0 -m "status on #29?"',
    'mosaic-agent send -L mosaic-factory =rev0 -f review-request.md --json',
    'echo "done" | mosaic-agent send %12 --from web1:mos-claude',
  ]);
  cmd.action(
    action(async (io, target: string, opts: Record<string, string | boolean | undefined>) => {
      const ctx = contextFrom(opts);
      const body = await readBody({
        ...(typeof opts.message === 'string' ? { message: opts.message } : {}),
        ...(typeof opts.file === 'string' ? { file: opts.file } : {}),
      });
      const report = await sendMessage(ctx, {
        target,
        body,
        preamble: opts.preamble !== false,
        raw: Boolean(opts.raw),
        ...(typeof opts.from === 'string' ? { from: opts.from } : {}),
        ...(typeof opts.toHost === 'string' ? { toHost: opts.toHost } : {}),
        ...(typeof opts.runtime === 'string' ? { runtime: opts.runtime } : {}),
        timeoutSeconds: parseSeconds(String(opts.timeout), '--timeout'),
        retries: parseCount(String(opts.retries), '--retries'),
        holdSeconds: Number(opts.hold),
        ...(opts.whenIdle ? { whenIdleSeconds: parseSeconds(String(opts.wait), '--wait') } : {}),
      });
      if (opts.json) {
        printJson(io, { ok: report.status === 'submitted' || report.status === 'queued', ...report });
      } else {
        const color = report.status === 'submitted' || report.status === 'queued' ? pc.green : pc.red;
        io.out(
          `${color(report.status)} ${report.from.host}:${report.from.session} -> ${report.to.host}:${report.to.session} ` +
            `(${report.latencyMs} ms, ${report.attempts} Enter${report.attempts === 1 ? '' : 's'}, id ${report.id})` +
            (report.detail ? `: ${report.detail}` : ''),
        );
      }
      return exitCodeFor(report.status);
    }),
  );
}
