import { Command, Option } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pc } from './colors.js';
import { COMMON_EXITS, helpFooter } from './help.js';
import { action } from './action.js';
import { aborted, addCommonOptions, contextFrom, examples, untilInterrupted } from './common.js';
import { printJson, type Io } from './io.js';
import type { DemoRun } from '../core/demo.js';
import { table } from './render.js';
import { progressLine } from './progress.js';
import { renderStatus } from './status-view.js';
import { UsageError } from '../errors.js';
import { addInstallCommands } from './commands/install.js';
import { addTopCommand } from './commands/top.js';
import { addServeCommand } from './commands/serve.js';

// Core modules are imported inside each action so `--help` and `--version` stay fast.
const core = {
  fleet: () => import('../core/fleet.js'),
  demo: () => import('../core/demo.js'),
  agent: () => import('../core/agent.js'),
  deliver: () => import('../core/deliver-pending.js'),
  verify: () => import('../core/verify.js'),
  capture: () => import('../core/capture.js'),
  profiles: () => import('../roster/profiles.js'),
  schema: () => import('../roster/json-schema.js'),
};
const PROFILE_NAMES = ['minimal', 'demo', 'usc'];

/** Add the fleet-wide commands to `cmd`: the `mosaic-fleet` program itself, or a `fleet` subcommand. */
export function addFleetCommands(cmd: Command): Command {
  addInit(cmd);
  addStart(cmd);
  addStop(cmd);
  addRestart(cmd);
  addStatus(cmd);
  addTopCommand(cmd);
  addDeliver(cmd);
  addServeCommand(cmd);
  addInstallCommands(cmd);
  addVerify(cmd);
  addCapture(cmd);
  addDemo(cmd);
  return cmd;
}

/** Mount the fleet-wide commands into an existing commander program as `fleet`. */
export function registerFleetCommands(program: Command): Command {
  const fleet = program.command('fleet').description('manage the fleet: init, start, stop, restart, status, verify, ...');
  examples(fleet, ['mosaic-fleet start', 'mosaic-fleet status'], true);
  return addFleetCommands(fleet);
}

function addInit(parent: Command): void {
  const cmd = parent
    .command('init')
    .description('print a roster for a profile, or write it to the roster path')
    .addOption(new Option('--profile <name>', 'minimal | demo | usc').choices(PROFILE_NAMES).default('minimal'))
    .option('--write', 'write it (with roster.schema.json beside it) instead of printing')
    .option('--force', 'with --write: overwrite an existing roster')
    .option('--roster <path>', 'where --write puts it (default: $MOSAIC_FLEET_ROSTER or $MOSAIC_HOME/fleet/roster.yaml)')
    .option('--json', 'print one JSON document (the roster text, or where it was written)');
  examples(cmd, ['mosaic-fleet init --profile minimal', 'mosaic-fleet init --profile demo --write', 'mosaic-fleet init --profile usc --roster ./usc.yaml --write --force']);
  helpFooter(cmd, '0 printed or written, 3 usage (unknown profile, roster exists without --force)', ['roster.md', 'Starting from a profile']);
  cmd.action(
    action(async (io, opts: { profile: string; write?: boolean; force?: boolean; roster?: string; json?: boolean }) => {
      const { PROFILES, renderProfile, isProfileName } = await core.profiles();
      const { rosterJsonSchemaText, rosterSchemaAssetPath } = await core.schema();
      if (!isProfileName(opts.profile)) throw new UsageError(`unknown profile '${opts.profile}'`, `choose one of ${PROFILES.join(', ')}`);
      if (!opts.write) {
        const text = renderProfile(opts.profile, { schemaPath: rosterSchemaAssetPath() });
        if (opts.json) printJson(io, { ok: true, profile: opts.profile, written: false, roster: text });
        else io.out(text);
        return 0;
      }
      const path = (await contextFrom(opts, { rosterMayBeMissing: true })).rosterPath();
      if (existsSync(path) && !opts.force) {
        throw new UsageError(`${path} already exists; nothing was written`, 'pass --force to overwrite it, or --roster PATH to write elsewhere');
      }
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(join(dirname(path), 'roster.schema.json'), rosterJsonSchemaText());
      writeFileSync(path, renderProfile(opts.profile, { schemaPath: './roster.schema.json' }));
      io.err(`wrote ${path} (profile ${opts.profile}) and roster.schema.json beside it`);
      if (opts.json) printJson(io, { ok: true, profile: opts.profile, written: true, path, schema: join(dirname(path), 'roster.schema.json') });
      else io.out(path);
      return 0;
    }),
  );
}

function addStart(parent: Command): void {
  const cmd = parent
    .command('start')
    .description('start the holder and every missing agent (idempotent; dead agents are revived in place)')
    .argument('[agents...]', 'roster agents to start (default: all)')
    .option('--replace', 'recreate agents that are already running')
    .option('--holder-only', 'only create the holder session (it owns the tmux server)')
    .option('--no-wait', 'do not wait for the agents to be ready for input')
    .option('--kickstart', 'once ready, send each agent it started its kickstart (rendered from kickstart_template)')
    .option('--from <host:session>', 'with --kickstart: sender label for the preamble')
    .addOption(new Option('--supervisor <how>', 'auto: systemd when the units are installed and a user manager answers; else direct (tmux)').choices(['auto', 'systemd', 'direct']).default('auto'))
    .option('--json', 'print one JSON document');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-fleet start', 'mosaic-fleet start coder0 rev0 --kickstart', 'mosaic-fleet start --holder-only']);
  helpFooter(cmd, `0 started and ready, 1 unknown agent, ${COMMON_EXITS}, 7 not ready in time`, ['running.md', 'start, status, stop, restart']);
  cmd.action(
    action(async (io, names: string[], opts: Record<string, unknown>) => {
      const { startFleet } = await core.fleet();
      const ctx = await contextFrom(opts);
      if (opts.kickstart && opts.wait === false) throw new UsageError('--kickstart waits for the agents to be ready; drop --no-wait');
      // A start that takes more than a second shows which agent it is on, on a terminal.
      const progress = progressLine({ json: Boolean(opts.json), delayMs: 1000 });
      const result = await startFleet(ctx, names, { replace: Boolean(opts.replace), wait: opts.wait !== false, holderOnly: Boolean(opts.holderOnly), supervisor: opts.supervisor as 'auto', onProgress: progress.update }).finally(() => progress.done());
      const failed = result.agents.filter((a) => a.error);
      // Only agents this start brought up get a kickstart: one already running keeps its conversation.
      const fresh = result.agents.filter((a) => a.ready && a.outcome !== 'already-running').map((a) => a.name);
      const kicked = opts.kickstart && fresh.length > 0 ? await (await core.agent()).kickstartAgents(ctx, fresh, typeof opts.from === 'string' ? opts.from : undefined) : [];
      const kickFailed = kicked.filter((k) => k.error || (k.report && !['submitted', 'queued'].includes(k.report.status)));
      if (opts.json) printJson(io, { ok: failed.length === 0 && kickFailed.length === 0, ...result, ...(opts.kickstart ? { kickstarts: kicked } : {}) });
      else {
        io.out(`holder: ${result.holder} (supervisor: ${result.supervisor})`);
        if (result.agents.length > 0) {
          io.out(table([['AGENT', 'RESULT', 'READY'], ...result.agents.map((a) => [a.name, a.outcome, a.error ? pc.red(a.error) : a.ready ? pc.green('yes') : opts.wait === false ? '-' : 'no'])]));
        }
        for (const k of kicked) io.out(`kickstart ${k.agent}: ${k.report ? k.report.status : pc.red(k.error ?? 'failed')}`);
      }
      return failed[0]?.exitCode ?? (failed.length > 0 || kickFailed.length > 0 ? 1 : 0);
    }),
  );
}

function addStop(parent: Command): void {
  const cmd = parent
    .command('stop')
    .description('stop exactly the named agents (default: all roster agents); --all also stops the holder and server')
    .argument('[agents...]', 'roster agents to stop')
    .option('--all', 'stop every session, the holder and the tmux server')
    .addOption(new Option('--supervisor <how>', 'auto: systemd when the units are installed and a user manager answers; else direct (tmux)').choices(['auto', 'systemd', 'direct']).default('auto'))
    .option('--json', 'print one JSON document');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-fleet stop coder0', 'mosaic-fleet stop', 'mosaic-fleet stop --all']);
  helpFooter(cmd, `0 stopped, 1 unknown agent, ${COMMON_EXITS}`, ['running.md', 'start, status, stop, restart']);
  cmd.action(
    action(async (io, names: string[], opts: Record<string, unknown>) => {
      const { stopFleet } = await core.fleet();
      const result = await stopFleet(await contextFrom(opts), names, { all: Boolean(opts.all), supervisor: opts.supervisor as 'auto' });
      if (opts.json) printJson(io, { ok: result.failures.length === 0, ...result });
      else {
        for (const a of result.agents) io.out(`${a.name}: ${a.result}`);
        if (result.server) io.out(`server: ${result.server}`);
        for (const f of result.failures) io.err(`${pc.red('error:')} host ${f.host}: ${f.error}`);
      }
      return result.failures[0]?.exitCode ?? 0;
    }),
  );
}

function addRestart(parent: Command): void {
  const cmd = parent
    .command('restart')
    .description('recycle only the named agents in place; the server and sibling sessions keep running')
    .argument('[agents...]', 'roster agents to restart (default: all)')
    .option('--no-wait', 'do not wait for the agents to be ready')
    .addOption(new Option('--supervisor <how>', 'auto: systemd when the units are installed and a user manager answers; else direct (tmux)').choices(['auto', 'systemd', 'direct']).default('auto'))
    .option('--json', 'print one JSON document');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-fleet restart coder0', 'mosaic-fleet restart rev0 rev1 --json']);
  helpFooter(cmd, `0 restarted and ready, 1 unknown agent, ${COMMON_EXITS}, 7 not ready in time`, ['running.md', 'start, status, stop, restart']);
  cmd.action(
    action(async (io, names: string[], opts: Record<string, unknown>) => {
      const { restartFleet } = await core.fleet();
      const raw = await restartFleet(await contextFrom(opts), names, { wait: opts.wait !== false, supervisor: opts.supervisor as 'auto' });
      // One word for people and for --json: what restart did to a running agent is "restarted".
      const result = { ...raw, agents: raw.agents.map((a) => ({ ...a, outcome: a.outcome === 'replaced' ? 'restarted' : a.outcome })) };
      const failed = result.agents.filter((a) => a.error);
      if (opts.json) printJson(io, { ok: failed.length === 0, ...result });
      else io.out(table([['AGENT', 'RESULT', 'READY'], ...result.agents.map((a) => [a.name, a.outcome, a.error ? pc.red(a.error) : a.ready ? pc.green('yes') : '-'])]));
      return failed[0]?.exitCode ?? (failed.length > 0 ? 1 : 0);
    }),
  );
}

function addStatus(parent: Command): void {
  const cmd = parent.command('status').description('show the holder and every agent: state, pid, uptime, runtime, launcher').option('--json', 'print one JSON document');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-fleet status', 'mosaic-fleet status --json | jq ".agents[] | {name, state}"']);
  helpFooter(cmd, `0, ${COMMON_EXITS}`, ['running.md', 'start, status, stop, restart']);
  cmd.action(
    action(async (io, opts: Record<string, unknown>) => {
      const { fleetStatus } = await core.fleet();
      const status = await fleetStatus(await contextFrom(opts));
      if (opts.json) printJson(io, { ok: true, ...status });
      else renderStatus(io, status);
      return 0;
    }),
  );
}

function addDemo(parent: Command): void {
  const cmd = parent
    .command('demo')
    .description('start three sim agents on a private socket and have them exchange addressed messages')
    .option('-L, --socket <name>', 'socket for the demo fleet (default: a fresh private one)')
    .option('--rm', 'tear the demo down when it has run (default: keep it until Ctrl-C)')
    .option('--json', 'print one JSON document');
  examples(cmd, ['mosaic-fleet demo --rm', 'mosaic-fleet demo   # then attach from another terminal, Ctrl-C to end']);
  helpFooter(cmd, '0 every message submitted, 1 one was not, 3 usage, 4 tmux failed', ['guide.md', 'The first five minutes']);
  cmd.action(
    action(async (io, opts: { socket?: string; rm?: boolean; json?: boolean }) => {
      const { runDemo } = await core.demo();
      let ok = false;
      // Ctrl-C is ours from the start: one pressed while the demo comes up tears it down as soon as it is up.
      await untilInterrupted(async (signal) => {
        let demo: DemoRun;
        try {
          demo = await runDemo(opts.socket ? { socket: opts.socket } : {});
        } catch (error) {
          // Interrupted while it came up: whatever failed on the way out, runDemo has torn it down.
          if (!signal.aborted) throw error;
          io.err('demo torn down');
          return;
        }
        try {
          ok = demo.steps.every((s) => s.status === 'submitted' || s.status === 'queued');
          showDemo(io, demo, opts);
          if (!opts.rm && !signal.aborted) {
            io.err('the demo keeps running; press Ctrl-C to tear it down');
            await aborted(signal);
          }
        } finally {
          await demo.teardown();
        }
        if (opts.rm) {
          if (!opts.json) io.out('demo torn down (--rm)');
        } else io.err('demo torn down');
      });
      return ok ? 0 : 1;
    }),
  );
}

function showDemo(io: Io, demo: DemoRun, opts: { rm?: boolean; json?: boolean }): void {
  const ok = demo.steps.every((s) => s.status === 'submitted' || s.status === 'queued');
  const attach = Object.keys(demo.received).map((name) => `tmux -L ${demo.socket} attach -t =${name}`);
  if (opts.json) {
    printJson(io, { ok, socket: demo.socket, steps: demo.steps, received: demo.received, ...(opts.rm ? { tornDown: true } : { running: true, attach }) });
    return;
  }
  io.out(pc.bold(`demo fleet on tmux socket '${demo.socket}': alpha, bravo, charlie (sim agents)`));
  for (const s of demo.steps) io.out(`  ${s.from} -> ${s.to}: ${s.status === 'submitted' || s.status === 'queued' ? pc.green(s.status) : pc.red(s.status)}${s.latencyMs !== null ? ` in ${s.latencyMs} ms` : ''}${s.error ? ` (${s.error})` : ''}`);
  io.out(pc.bold('what each agent received:'));
  for (const [name, texts] of Object.entries(demo.received)) {
    io.out(`  ${name}:`);
    for (const t of texts) io.out(`    ${t.replace(/\n/g, '\n    ')}`);
  }
  // After --rm the fleet is gone: attach lines would point at nothing.
  if (!opts.rm) {
    io.out(pc.bold('attach to one from another terminal:'));
    for (const line of attach) io.out(`  ${line}`);
  }
}

function addDeliver(parent: Command): void {
  const cmd = parent
    .command('deliver')
    .description('deliver pending messages (from `send --queue`) in order per target, each at most once')
    .option('--watch', 'keep delivering until stopped (the fleet service, mosaic-serve.service, does this too)')
    .option('--interval <seconds>', 'with --watch: seconds between passes', '2')
    .option('--json', 'print one JSON document (one pass only)');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-fleet deliver', 'mosaic-fleet deliver --watch --interval 5']);
  helpFooter(cmd, `0 the pass ran (see each message's outcome), ${COMMON_EXITS}`, ['running.md', 'Busy agents: queued, --when-idle, --queue']);
  cmd.action(
    action(async (io, opts: Record<string, unknown>) => {
      const ctx = await contextFrom(opts);
      const { deliverPending, watchPending } = await core.deliver();
      const show = (r: Awaited<ReturnType<typeof deliverPending>>) => {
        for (const d of r.delivered) io.out(`${d.id} -> ${d.to}: ${d.outcome}${d.detail ? ` (${d.detail})` : ''}`);
        for (const id of r.expired) io.out(`${id}: expired`);
      };
      if (!opts.watch) {
        const progress = progressLine({ json: Boolean(opts.json) });
        const r = await deliverPending(ctx, { onProgress: progress.update }).finally(() => progress.done());
        if (opts.json) printJson(io, { ok: true, ...r });
        else {
          show(r);
          io.out(`${r.delivered.length} delivered, ${r.expired.length} expired, ${r.waiting} still pending`);
        }
        return 0;
      }
      await untilInterrupted((signal) => watchPending(ctx, Number(opts.interval) * 1000, signal, show));
      return 0;
    }),
  );
}

function addVerify(parent: Command): void {
  const cmd = parent
    .command('verify')
    .description('prove the fleet is healthy and safe: tmux, holder ownership, default server untouched, exact targets, restart isolation, agents, units')
    .option('--json', 'print one JSON document');
  addCommonOptions(cmd);
  examples(cmd, ['mosaic-fleet verify', 'mosaic-fleet verify --json | jq ".checks[] | select(.status != \\"pass\\")"']);
  helpFooter(cmd, `0 no check failed (warn is fine), 6 a check failed, ${COMMON_EXITS}`, ['running.md', 'verify']);
  cmd.action(
    action(async (io, opts: Record<string, unknown>) => {
      const { verifyFleet, verifyFailed } = await core.verify();
      const checks = await verifyFleet(await contextFrom(opts));
      const failed = verifyFailed(checks);
      if (opts.json) printJson(io, { ok: !failed, checks });
      else {
        const mark = { pass: pc.green('pass'), warn: pc.yellow('warn'), fail: pc.red('FAIL') };
        for (const c of checks) {
          io.out(`${mark[c.status]}  ${c.name}: ${c.detail}`);
          if (c.hint && c.status !== 'pass') io.out(`      ${pc.dim('hint:')} ${c.hint}`);
        }
      }
      return failed ? 6 : 0;
    }),
  );
}

function addCapture(parent: Command): void {
  const cmd = parent
    .command('capture')
    .description("save a session's whole scrollback to a file (read-only; any socket, the default server included)")
    .argument('<session>', 'session name (exact), session:window.pane, or %N')
    .option('-L, --socket <name>', 'tmux socket name (default: the default tmux server)')
    .option('--socket-path <path>', 'tmux socket path')
    .option('-o, --output <file>', 'write here instead of stdout')
    .option('--json', 'print one JSON document (with -o: a summary)');
  examples(cmd, ['mosaic-fleet capture coder0 -o ~/handoff/coder0.log', 'mosaic-fleet capture -L mosaic-factory rev0 -o rev0.txt']);
  helpFooter(cmd, '0 captured, 1 no such session, 3 usage, 4 tmux failed', ['running.md', 'capture']);
  cmd.action(
    action(async (io, session: string, opts: { socket?: string; socketPath?: string; output?: string; json?: boolean }) => {
      const { captureSession } = await core.capture();
      const socket = opts.socketPath ? { path: opts.socketPath } : opts.socket ? { name: opts.socket } : {};
      const r = await captureSession(await contextFrom({}), session, socket, opts.output);
      if (opts.json) printJson(io, { ok: true, session: r.session, panes: r.panes, lines: r.lines, file: r.file, ...(r.file ? {} : { text: r.text }) });
      else if (r.file) io.err(`captured ${r.lines} lines of ${r.session} to ${r.file}`);
      else io.out(r.text.replace(/\n$/, ''));
      return 0;
    }),
  );
}
