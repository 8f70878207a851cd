import { Command, Option } from 'commander';
import { pc } from './colors.js';
import { COMMON_EXITS, helpFooter } from './help.js';
import { action } from './action.js';
import { addCommonOptions, bodyOptions, contextFrom, examples, untilInterrupted } from './common.js';
import { printJson, type Io } from './io.js';
import { exitCodeFor, parseCount, parseSeconds } from './parse.js';
import { renderStatus } from './status-view.js';
import { table } from './render.js';
import { progressLine } from './progress.js';
import { spawnSync } from 'node:child_process';
import { FleetError, ExitCode, UsageError } from '../errors.js';
import { formatArgv } from '../exec/run.js';
import { currentInvocation } from '../invocation.js';

// Core modules are imported inside each action so `--help` and `--version` stay fast.
const core = {
  send: () => import('../core/send.js'),
  fleet: () => import('../core/fleet.js'),
  agent: () => import('../core/agent.js'),
  broadcast: () => import('../core/broadcast.js'),
  inbox: () => import('../core/inbox.js'),
  ledger: () => import('../ledger/index.js'),
  roster: () => import('../roster/resolve.js'),
};

/** Add the per-agent commands (send, ...) to `cmd`: the `mosaic-agent` program itself, or an `agent` subcommand. */
export function addAgentCommands(cmd: Command): Command {
  addRoster(cmd);
  addStatus(cmd);
  addSend(cmd);
  addReset(cmd);
  addTail(cmd);
  addAttach(cmd);
  addBroadcast(cmd);
  addLog(cmd);
  addInbox(cmd);
  addReply(cmd);
  return cmd;
}

/** Mount the per-agent commands into an existing commander program as `agent`. */
export function registerAgentCommands(program: Command): Command {
  const agent = program.command('agent').description('work with one agent: send, status, reset, tail, ...');
  examples(agent, ['mosaic-agent send coder0 -m "status on #29?"', 'mosaic-agent status'], true);
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
    .option('--runtime <name>', 'read the target screen as this runtime (claude, codex, pi, opencode, gemini, sim, shell; anything else is read by the cursor)')
    .option('--ssh <user@host>', 'the target is on another machine reached with ssh (no roster entry needed); -L names its socket')
    .option('--timeout <seconds>', 'how long to confirm submission', '10')
    .option('--retries <n>', 'extra Enter keystrokes while the body is still in the input box', '7')
    .option('--when-idle', 'wait for the running turn to end before pasting')
    .option('--wait <seconds>', 'with --when-idle: how long to wait', '300')
    .option('--hold <seconds>', 'how long to wait for text a person is typing to clear', '2')
    .option('--queue', 'if the target is busy, dead or restarting, record the message as pending and return (exit 0)')
    .option('--ttl <seconds>', 'with --queue: drop the message if not delivered within this time', '86400')
    .option('--json', 'print one JSON document');
  addCommonOptions(cmd);
  examples(cmd, [
    'mosaic-agent send coder0 -m "status on #29?"',
    'mosaic-agent send rev0 --queue -f review.md   # delivered by `mosaic-fleet deliver` when rev0 is free',
    'mosaic-agent send --ssh me@build2 -L mosaic-factory coder3 -m "pull main"',
    'mosaic-agent send -L mosaic-factory =rev0 -f review-request.md --json',
    'echo "done" | mosaic-agent send %12 --from web1:mos-claude',
  ]);
  helpFooter(cmd, `0 submitted, queued or pending, 1 target not found or dead (failed), 2 draft, held or unconfirmed, ${COMMON_EXITS}, 7 no input box in time`, ['running.md', 'send']);
  cmd.action(
    action(async (io, target: string, opts: Record<string, string | boolean | undefined>) => {
      const ctx = await contextFrom(opts);
      const { readBody, sendMessage } = await core.send();
      const body = await readBody(bodyOptions(opts));
      if (opts.whenIdle && (currentInvocation()?.stderrIsTTY ?? process.stderr.isTTY) && typeof opts.ssh !== 'string') await announceWait(ctx, target, String(opts.wait), io);
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
        ...(opts.queue ? { queue: true, ttlSeconds: parseSeconds(String(opts.ttl), '--ttl') } : {}),
        ...(typeof opts.ssh === 'string' ? { ssh: opts.ssh } : {}),
      });
      if (opts.json) {
        printJson(io, { ok: report.status === 'submitted' || report.status === 'queued' || report.status === 'pending', ...report });
      } else {
        const color = report.status === 'submitted' || report.status === 'queued' || report.status === 'pending' ? pc.green : pc.red;
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

/** --when-idle on a terminal: say what the wait is for when the target is busy (a silent wait looks like a hang). */
async function announceWait(ctx: Awaited<ReturnType<typeof contextFrom>>, target: string, seconds: string, io: Io): Promise<void> {
  const { resolveTarget } = await import('../core/targets.js');
  try {
    const where = resolveTarget(ctx, target);
    const state = await where.transport.inspect(where.target);
    if (state.busy) io.err(`${target} is busy: waiting up to ${seconds} s for its turn to end before pasting (Ctrl-C to give up)`);
  } catch {
    // the send itself reports a target it cannot reach
  }
}

function addRoster(parent: Command): void {
  const cmd = parent.command('roster').description('list the agents the roster declares').option('--json', 'print one JSON document');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-agent roster', 'mosaic-agent roster --json']);
  helpFooter(cmd, `0, ${COMMON_EXITS}`, ['roster.md']);
  cmd.action(
    action(async (io, opts: Record<string, unknown>) => {
      const ctx = await contextFrom(opts);
      const { resolveAgents } = await core.roster();
      const agents = resolveAgents(ctx.roster(true), ctx.env);
      if (opts.json) {
        printJson(io, { ok: true, roster: ctx.rosterPath(), agents });
        return 0;
      }
      io.out(
        table([
          ['AGENT', 'HOST', 'RUNTIME', 'CLASS', 'LAUNCHER', 'PERSONA', 'RESET', 'DIRECTORY'],
          ...agents.map((a) => [a.name, a.host, a.runtime, a.class, a.command ? 'command' : a.launcher, String(a.persistentPersona), a.resetBetweenTasks ? 'yes' : 'no', a.workingDirectory]),
        ]),
      );
      return 0;
    }),
  );
}

function addStatus(parent: Command): void {
  const cmd = parent
    .command('status')
    .description('state of one agent (or all): idle, busy, dead, missing; pid, uptime, runtime')
    .argument('[agent]', 'agent name')
    .option('--json', 'print one JSON document');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-agent status', 'mosaic-agent status coder0 --json']);
  helpFooter(cmd, `0, 1 the agent is dead, missing or unknown, ${COMMON_EXITS}`, ['running.md', 'start, status, stop, restart']);
  cmd.action(
    action(async (io, agent: string | undefined, opts: Record<string, unknown>) => {
      const { fleetStatus } = await core.fleet();
      const status = await fleetStatus(await contextFrom(opts));
      if (agent !== undefined) {
        const row = status.agents.find((a) => a.name === agent);
        if (!row) throw new FleetError('AGENT_NOT_FOUND', `no agent or session '${agent}' on socket ${status.socket}`, { hint: 'list them with `mosaic-agent status`' });
        if (opts.json) printJson(io, { ok: true, agent: row });
        else renderStatus(io, { ...status, agents: [row] });
        return row.state === 'dead' || row.state === 'missing' ? ExitCode.notFound : 0;
      }
      if (opts.json) printJson(io, { ok: true, ...status });
      else renderStatus(io, status);
      return 0;
    }),
  );
}

function addReset(parent: Command): void {
  const cmd = parent
    .command('reset')
    .description("start a fresh conversation in an agent (its runtime's reset command, confirmed), then send its kickstart")
    .argument('<agent>', 'roster agent')
    .option('--clear', 'use /clear')
    .option('--new', 'use /new')
    .option('--kickstart <text>', 'kickstart text instead of the rendered kickstart_template')
    .option('--kickstart-file <path>', 'read the kickstart from a file')
    .option('--no-kickstart', 'reset only')
    .option('--var <key=value...>', 'extra {{key}} values for the kickstart template')
    .option('--from <host:session>', 'sender label for the kickstart preamble')
    .option('--confirm-timeout <seconds>', 'how long to wait for the fresh conversation', '15')
    .option('--json', 'print one JSON document');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-agent reset coder0', 'mosaic-agent reset rev0 --new --kickstart-file task.md', 'mosaic-agent reset coder1 --var ticket=ENG-42']);
  helpFooter(cmd, `0 reset confirmed (and kickstart submitted), 1 unknown agent or dead, 2 reset not confirmed or kickstart not submitted, ${COMMON_EXITS}`, ['running.md', 'reset and kickstart']);
  cmd.action(
    action(async (io, agent: string, opts: Record<string, unknown>) => {
      if (opts.clear && opts.new) throw new FleetError('USAGE', 'give --clear or --new, not both');
      const { resetAgent } = await core.agent();
      const progress = progressLine({ json: Boolean(opts.json) });
      const report = await resetAgent(await contextFrom(opts), {
        agent,
        onProgress: progress.update,
        ...(opts.clear ? { mode: 'clear' as const } : opts.new ? { mode: 'new' as const } : {}),
        ...(typeof opts.kickstart === 'string' ? { kickstart: opts.kickstart } : {}),
        ...(typeof opts.kickstartFile === 'string' ? { kickstartFile: opts.kickstartFile } : {}),
        noKickstart: opts.kickstart === false,
        vars: (opts.var as string[] | undefined) ?? [],
        ...(typeof opts.from === 'string' ? { from: opts.from } : {}),
        confirmSeconds: parseSeconds(String(opts.confirmTimeout), '--confirm-timeout'),
      }).finally(() => progress.done());
      const kick = report.kickstart;
      if (opts.json) printJson(io, { ok: report.confirmed && (!kick || kick.status === 'submitted' || kick.status === 'queued'), ...report });
      else {
        io.out(`${agent}: ${report.method === 'restart' ? 'restarted (runtime has no reset command)' : `${report.command} ${report.confirmed ? pc.green('confirmed') : pc.red('NOT confirmed')}`}${report.detail ? ` (${report.detail})` : ''}`);
        if (!report.confirmed) io.out('no kickstart was sent');
        else if (kick) io.out(`kickstart: ${kick.status} (${kick.latencyMs} ms, id ${kick.id})`);
      }
      if (!report.confirmed) return ExitCode.notConfirmed;
      return kick ? exitCodeFor(kick.status) : 0;
    }),
  );
}

function addTail(parent: Command): void {
  const cmd = parent
    .command('tail')
    .description("print the last lines of an agent's pane (scrollback included)")
    .argument('<agent>', 'agent name, =session, session:window.pane or %N')
    .addOption(lastOption('lines', '80'))
    .addOption(new Option('--lines <n>', 'same as --last').hideHelp())
    .option('--follow', 'then keep printing only new or changed lines, like tail -f, until Ctrl-C')
    .option('--json', 'print one JSON document (not with --follow)');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-agent tail coder0', 'mosaic-agent tail rev0 -n 200', 'mosaic-agent tail mos-claude --follow', 'mosaic-agent tail coder0 -n 20 --json']);
  helpFooter(cmd, `0, 1 target not found, ${COMMON_EXITS}`, ['running.md', 'tail']);
  cmd.action(
    action(async (io, agent: string, opts: Record<string, unknown>) => {
      const lines = parseCount(String(opts.lines ?? opts.last), opts.lines !== undefined ? '--lines' : '--last');
      if (opts.follow && opts.json) throw new UsageError('--follow never ends, so it cannot print one JSON document', 'drop --json, or drop --follow for one snapshot');
      const ctx = await contextFrom(opts);
      const { followAgent, tailAgent } = await core.agent();
      if (!opts.follow) {
        const text = await tailAgent(ctx, agent, lines);
        if (opts.json) printJson(io, { ok: true, agent, lines: text === '' ? [] : text.split('\n') });
        else io.out(text);
        return 0;
      }
      await untilInterrupted((signal) => followAgent(ctx, agent, lines, (text) => io.out(text), signal));
      return 0;
    }),
  );
}

/** -n means the same everywhere: how many of the newest lines (tail) or messages (log, inbox) to show. */
function lastOption(what: 'lines' | 'messages', fallback: string): Option {
  return new Option('-n, --last <n>', `how many of the newest ${what} to show`).default(fallback);
}

function addBroadcast(parent: Command): void {
  const cmd = parent
    .command('broadcast')
    .description('send one message to many agents in parallel (one ledger record each); never to yourself')
    .argument('[agents...]', 'roster agents')
    .option('--class <class>', 'every agent of this class')
    .option('--all', 'every roster agent')
    .option('-m, --message <text>', 'message body')
    .option('-f, --file <path>', 'read the body from a file')
    .option('--from <host:session>', 'sender label for the preamble')
    .option('--concurrency <n>', 'deliveries at once', '8')
    .option('--timeout <seconds>', 'how long to confirm each delivery', '10')
    .option('--json', 'print one JSON document');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-agent broadcast --class reviewer -m "freeze: no merges until 18:00"', 'mosaic-agent broadcast --all -f announcement.md --json', 'mosaic-agent broadcast coder0 coder1 -m "rebase on main"']);
  helpFooter(cmd, `0 every target submitted or queued, 6 a target was not, ${COMMON_EXITS}`, ['running.md', 'broadcast']);
  cmd.action(
    action(async (io, agents: string[], opts: Record<string, unknown>) => {
      const ctx = await contextFrom(opts);
      const { readBody } = await core.send();
      const body = await readBody(bodyOptions(opts));
      const { broadcast } = await core.broadcast();
      const progress = progressLine({ json: Boolean(opts.json) });
      const result = await broadcast(ctx, {
        onProgress: progress.update,
        agents,
        body,
        all: Boolean(opts.all),
        ...(typeof opts.class === 'string' ? { className: opts.class } : {}),
        ...(typeof opts.from === 'string' ? { from: opts.from } : {}),
        concurrency: Math.max(1, parseCount(String(opts.concurrency), '--concurrency')),
        timeoutSeconds: parseSeconds(String(opts.timeout), '--timeout'),
      }).finally(() => progress.done());
      const good = (r: (typeof result.results)[number]) => 'report' in r && ['submitted', 'queued'].includes(r.report.status);
      const failed = result.results.filter((r) => !good(r)).length;
      if (opts.json) printJson(io, { ok: failed === 0, group: result.group, results: result.results });
      else {
        io.out(
          table([
            ['AGENT', 'STATUS', 'LATENCY', 'ID / ERROR'],
            ...result.results.map((r) =>
              'report' in r
                ? [r.agent, good(r) ? pc.green(r.report.status) : pc.red(r.report.status), `${r.report.latencyMs} ms`, r.report.id]
                : [r.agent, pc.red('failed'), '-', r.error],
            ),
          ]),
        );
        io.out(`${result.results.length - failed}/${result.results.length} delivered (group ${result.group})`);
      }
      return failed > 0 ? ExitCode.checkFailed : 0;
    }),
  );
}

function addLog(parent: Command): void {
  const cmd = parent
    .command('log')
    .description('message history from the ledger, newest last')
    .argument('[agent]', 'only messages to or from this agent (name or host:name)')
    .option('--since <when>', 'e.g. 10m, 2h, 1d, or an ISO time')
    .option('--status <status...>', 'only these statuses (submitted queued draft held failed pending sending expired)')
    .option('--follow', 'then keep printing each message as it is recorded or changes status, until Ctrl-C')
    .addOption(lastOption('messages', '50'))
    .addOption(new Option('--limit <n>', 'same as --last').hideHelp())
    .option('--json', 'print one JSON document');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-agent log', 'mosaic-agent log coder0 --since 2h', 'mosaic-agent log --status draft failed --json']);
  helpFooter(cmd, `0, ${COMMON_EXITS}`, ['running.md', 'log']);
  cmd.action(
    action(async (io, agent: string | undefined, opts: Record<string, unknown>) => {
      if (opts.follow && opts.json) throw new UsageError('--follow prints a line per change; --json prints one document', 'drop one of them (a JSON event stream: subscribe to the fleet service, see docs/service.md)');
      const ctx = await contextFrom(opts);
      const { parseSince, formatLogTable } = await core.ledger();
      const { ledgerOf } = await import('../core/ledger.js');
      const records = ledgerOf(ctx).list({
        ...(agent ? { agent } : {}),
        ...(typeof opts.since === 'string' ? { since: parseSince(opts.since) } : {}),
        ...(Array.isArray(opts.status) ? { status: opts.status as never } : {}),
        limit: parseCount(String(opts.limit ?? opts.last), opts.limit !== undefined ? '--limit' : '--last'),
      });
      if (opts.json) printJson(io, { ok: true, messages: records });
      else io.out(records.length === 0 ? 'no messages' : formatLogTable(records));
      if (opts.follow) {
        const { followLog } = await import('../core/log-follow.js');
        await untilInterrupted((signal) =>
          followLog(ctx, { ...(agent ? { agent } : {}), ...(Array.isArray(opts.status) ? { status: opts.status as string[] } : {}) }, records, (line) => io.out(line), signal),
        );
      }
      return 0;
    }),
  );
}

function addInbox(parent: Command): void {
  const cmd = parent
    .command('inbox')
    .description('messages delivered to this agent (run inside its tmux session), so a reset agent can see who asked what')
    .option('--agent <name>', 'read another agent\'s inbox')
    .addOption(lastOption('messages', '10'))
    .addOption(new Option('--limit <n>', 'same as --last').hideHelp())
    .option('--json', 'print one JSON document');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-agent inbox', 'mosaic-agent inbox -n 3 --json', 'mosaic-agent inbox --agent coder0']);
  helpFooter(cmd, `0, 1 not inside an agent's session and no --agent, ${COMMON_EXITS}`, ['running.md', 'inbox and reply']);
  cmd.action(
    action(async (io, opts: Record<string, unknown>) => {
      const ctx = await contextFrom(opts);
      const { whoAmI, readInbox } = await core.inbox();
      const me = await whoAmI(ctx, typeof opts.agent === 'string' ? opts.agent : undefined);
      const messages = await readInbox(ctx, me, parseCount(String(opts.limit ?? opts.last), opts.limit !== undefined ? '--limit' : '--last'));
      if (opts.json) printJson(io, { ok: true, agent: me, messages });
      else if (messages.length === 0) io.out(`no messages for ${me.session}`);
      else {
        // The same local time format as `log`; --json keeps the ISO time.
        const { formatTime } = await core.ledger();
        for (const m of messages) io.out(`${pc.dim(formatTime(new Date(m.created)))} ${m.id} ${m.status}\n${m.text}\n`);
      }
      return 0;
    }),
  );
}

function addReply(parent: Command): void {
  const cmd = parent
    .command('reply')
    .description('answer the sender of the newest message in your inbox (the preamble is flipped)')
    .option('-m, --message <text>', 'reply body')
    .option('-f, --file <path>', 'read the body from a file')
    .option('--agent <name>', 'reply as this agent (default: the tmux session you are in)')
    .option('--json', 'print one JSON document');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-agent reply -m "Q2 done, opening PR #34."']);
  helpFooter(cmd, `0 submitted or queued, 1 no sender to reply to or target dead, 2 draft, held or unconfirmed, ${COMMON_EXITS}`, ['running.md', 'inbox and reply']);
  cmd.action(
    action(async (io, opts: Record<string, unknown>) => {
      const ctx = await contextFrom(opts);
      const { readBody } = await core.send();
      const body = await readBody(bodyOptions(opts));
      const { whoAmI, reply } = await core.inbox();
      const me = await whoAmI(ctx, typeof opts.agent === 'string' ? opts.agent : undefined);
      const { inReplyTo, report } = await reply(ctx, me, body);
      if (opts.json) printJson(io, { ok: ['submitted', 'queued'].includes(report.status), inReplyTo, ...report });
      else io.out(`${report.status} ${report.from.host}:${report.from.session} -> ${report.to.host}:${report.to.session} (reply to ${inReplyTo}, ${report.latencyMs} ms)`);
      return exitCodeFor(report.status);
    }),
  );
}

function addAttach(parent: Command): void {
  const cmd = parent
    .command('attach')
    .description('open an agent\'s tmux session in this terminal (detach again with the tmux prefix, then d)')
    .argument('<agent>', 'agent name, host:name, =session or %N')
    .option('--print', 'print the command instead of running it')
    .option('--json', 'print the command as one JSON document instead of running it');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-agent attach coder0', 'mosaic-agent attach build2:coder3', 'mosaic-agent attach rev0 --print']);
  helpFooter(cmd, 'tmux\'s own once attached; 1 target not found, 3 usage (no terminal), 4 tmux or ssh failed, 5 roster invalid or missing', ['running.md', 'tail']);
  cmd.action(
    action(async (io, agent: string, opts: Record<string, unknown>) => {
      const { attachCommand } = await core.agent();
      const argv = await attachCommand(await contextFrom(opts), agent);
      if (opts.json) {
        printJson(io, { ok: true, agent, argv, command: formatArgv(argv) });
        return 0;
      }
      if (opts.print) {
        io.out(formatArgv(argv));
        return 0;
      }
      if (!process.stdin.isTTY) throw new FleetError('USAGE', 'attach needs a terminal', { hint: `run it from a terminal, or use: ${formatArgv(argv)}` });
      const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'inherit' });
      return r.status ?? 1;
    }),
  );
}
