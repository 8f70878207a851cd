// `npm run bench`: delivery latency (ours beside the fixed-sleep approach, same run), status and start at scale,
// the cost of a `top` refresh.
// Benchmarks report numbers; tests assert correctness.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Tmux, observePane } from '../tmux/client.js';
import { TmuxTransport } from '../transport/tmux/transport.js';
import { shippedTmuxConf, packageRoot } from '../paths.js';
import { sleep } from '../delivery/deliver.js';
import { headerOf } from '../sim/render.js';
import type { LayoutName } from '../sim/layouts/types.js';
import { Context } from '../core/context.js';
import { startFleet, fleetStatus } from '../core/fleet.js';
import { CountingHost, fmtMs, percentile, printTable, simRoster } from './util.js';
import { broadcast } from '../core/broadcast.js';
import { sendMessage } from '../core/send.js';
import { Ledger } from '../ledger/index.js';

const SWALLOW_MS = 150;

async function main(): Promise<void> {
  // Never the user's servers: a private socket directory for the whole run.
  process.env.TMUX_TMPDIR = mkdtempSync(join(tmpdir(), 'mosaic-bench-tmux-'));
  const sections = (process.argv[2] ?? 'delivery,status,start,broadcast,ledger,remote,top,clients').split(',');
  if (sections.includes('delivery')) await benchDelivery();
  if (sections.includes('status')) await benchStatus();
  if (sections.includes('start')) await benchStart();
  if (sections.includes('broadcast')) await benchBroadcast();
  if (sections.includes('ledger')) benchLedger();
  if (sections.includes('remote')) await benchRemote();
  if (sections.includes('top')) await (await import('./top.js')).benchTop(newSocket);
  if (sections.includes('clients')) await (await import('./clients.js')).benchClients();
}

function newSocket(tag: string): string {
  return `bench-${tag}-${randomBytes(3).toString('hex')}`;
}

async function startSimSession(tmux: Tmux, name: string, args: string[], layout = 'claude'): Promise<string> {
  const out = await tmux.run(['new-session', '-d', '-P', '-F', '#{pane_id}', '-s', name, '-x', '160', '-y', '48', '--', process.execPath, join(packageRoot(), 'dist', 'sim', 'main.js'), '--name', name, ...args]);
  const pane = out.trim();
  const header = headerOf(layout as LayoutName, name);
  for (;;) {
    const screen = (await observePane(tmux, pane)).screen;
    if (screen.lines.some((l) => l.text.includes(header))) return pane;
    await sleep(20);
  }
}

const LAYOUTS: Array<{ layout: string; profile: string }> = [
  { layout: 'claude', profile: 'sim' },
  { layout: 'rounded', profile: 'generic' },
  { layout: 'bare', profile: 'generic' },
  { layout: 'double', profile: 'generic' },
  { layout: 'dashed', profile: 'generic' },
];

/** Per input-area layout (the sim's own, read by its profile, and four no profile knows, read by the cursor):
 *  time to a verdict with a 150 ms window in which the REPL drops an Enter, beside the fixed-sleep approach, each
 *  checked against the sim's ground-truth log. */
async function benchDelivery(): Promise<void> {
  const socket = newSocket('send');
  const host = new CountingHost();
  const transport = new TmuxTransport({ host, socket: { name: socket }, holderSession: '_holder', configFile: shippedTmuxConf() });
  const tmux = transport.tmux;
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-bench-logs-'));
  const rows: string[][] = [['layout', 'read by', 'verdict submitted', 'arrived once', 'p50', 'p95', 'tmux calls/send', 'fixed sleep arrived', 'fixed p50', 'fixed p95']];
  try {
    await transport.ensureHolder();
    for (const { layout, profile } of LAYOUTS) {
      const log = join(dir, `${layout}.jsonl`);
      const name = `t-${layout}`;
      const pane = await startSimSession(tmux, name, ['--layout', layout, '--swallow-ms', String(SWALLOW_MS), '--placeholder', 'Ask me anything', '--log', log], layout);
      const ours: number[] = [];
      let oursOk = 0;
      const sent: string[] = [];
      const before = host.tmuxCalls;
      const N = 20;
      for (let i = 0; i < N; i += 1) {
        const body = `ours ${layout} ${i} ${'x'.repeat(40)}`;
        const t0 = performance.now();
        const r = await transport.send(`=${name}`, { from: { host: 'bench', session: 'b' }, toHost: 'bench', body, preamble: true, profile }, {});
        ours.push(performance.now() - t0);
        sent.push(r.text);
        if (r.status === 'submitted') oursOk += 1;
      }
      const callsPerSend = (host.tmuxCalls - before) / N;
      const fixed: number[] = [];
      const fixedSent: string[] = [];
      const M = 6;
      for (let i = 0; i < M; i += 1) {
        const text = `[bench:b -> bench:${name}] fixed ${i} ${'y'.repeat(40)}`;
        const t0 = performance.now();
        await fixedSleepSend(tmux, pane, text);
        fixed.push(performance.now() - t0);
        fixedSent.push(text);
      }
      const submits = submitsIn(log);
      const once = (texts: string[]) => texts.filter((t) => submits.filter((s) => s === t).length === 1).length;
      rows.push([layout, profile === 'sim' ? 'sim profile' : 'cursor (no profile)', `${oursOk}/${N}`, `${once(sent)}/${N}`, fmtMs(percentile(ours, 50)), fmtMs(percentile(ours, 95)), callsPerSend.toFixed(1), `${once(fixedSent)}/${M}`, fmtMs(percentile(fixed, 50)), fmtMs(percentile(fixed, 95))]);
    }
    printTable(`Delivery per input-area layout (the REPL drops an Enter within ${SWALLOW_MS} ms of a paste): time to a verdict`, rows);
  } finally {
    await tmux.run(['kill-server']).catch(() => undefined);
    // The sims write their last log line as they exit: a temp dir left behind is harmless.
    await sleep(300);
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch {
      /* left in the temp dir */
    }
  }
}

/** What the sim really submitted, from its ground-truth log. */
function submitsIn(log: string): string[] {
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { kind: string; text?: string })
    .filter((e) => e.kind === 'submit')
    .map((e) => e.text ?? '');
}

/** The approach most tools ship: paste, sleep 0.5 s, Enter, sleep 1.2 s, then report "sent" without knowing. */
async function fixedSleepSend(tmux: Tmux, pane: string, text: string): Promise<void> {
  const buf = `fixed-${randomBytes(3).toString('hex')}`;
  await tmux.loadBuffer(buf, text);
  await tmux.run(['paste-buffer', '-p', '-d', '-b', buf, '-t', pane]);
  await sleep(500);
  await tmux.sendEnter(pane);
  await sleep(1200);
}

async function benchStatus(): Promise<void> {
  const socket = newSocket('status');
  const names = Array.from({ length: 100 }, (_, i) => `agent${String(i).padStart(3, '0')}`);
  const roster = simRoster(socket, names);
  const ctx = await new Context({ roster: roster.path, socket }).prepare();
  try {
    await startFleet(ctx, [], { wait: true });
    const host = new CountingHost();
    const transport = new TmuxTransport({ host, socket: { name: socket }, holderSession: '_holder', configFile: shippedTmuxConf() });
    const times: number[] = [];
    let calls = 0;
    for (let i = 0; i < 20; i += 1) {
      const before = host.tmuxCalls;
      const t0 = performance.now();
      const o = await transport.overview(names);
      times.push(performance.now() - t0);
      calls = host.tmuxCalls - before;
      if (o.agents.length !== 100) throw new Error(`status saw ${o.agents.length} agents`);
    }
    // Whole processes: node alone and the thin client answered by a running fleet service alternate round by round,
    // so load drifts hit both alike; the direct path has rounds of its own, because its burst of tmux processes slows
    // whatever runs right after it on a small VM (by ~10 ms here), which is not what either figure measures.
    const args = ['status', '--json', '--roster', roster.path, '-L', socket];
    const service = await startBenchService(['serve', '--roster', roster.path, '-L', socket]);
    const cli: number[] = [];
    const served: number[] = [];
    const bare: number[] = [];
    try {
      await timeCli(args, 40); // a long-lived service's steady state: its first answers run code V8 has not optimised yet
      for (let i = 0; i < 40; i += 1) {
        bare.push(...(await timeCli(['-e', '0'], 1, 'node')));
        served.push(...(await timeCli(args, 1)));
      }
      cli.push(...(await timeCli(args, 15, 'fleet', { MOSAIC_NO_SERVICE: '1' })));
    } finally {
      await service.stop();
    }
    const viaCtx: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const t0 = performance.now();
      await fleetStatus(ctx);
      viaCtx.push(performance.now() - t0);
    }
    printTable('Status of 100 sim agents', [
      ['measure', 'p50', 'p95', 'tmux calls'],
      ['transport.overview (in process)', fmtMs(percentile(times, 50)), fmtMs(percentile(times, 95)), String(calls)],
      ['fleetStatus incl. roster load (in process)', fmtMs(percentile(viaCtx, 50)), fmtMs(percentile(viaCtx, 95)), '-'],
      ['`node -e 0` (whole process, for scale)', fmtMs(percentile(bare, 50)), fmtMs(percentile(bare, 95)), '-'],
      ['`mosaic-fleet status --json`, direct path (whole process)', fmtMs(percentile(cli, 50)), fmtMs(percentile(cli, 95)), '-'],
      ['`mosaic-fleet status --json`, fleet service running (whole process)', fmtMs(percentile(served, 50)), fmtMs(percentile(served, 95)), '0 in the client'],
      ['  service path minus `node -e 0` (p50)', fmtMs(percentile(served, 50) - percentile(bare, 50)), '-', '-'],
      // Paired by round, so a load drift between rounds cancels out.
      ['  the same, p50 of the 40 rounds\' differences', fmtMs(percentile(served.map((t, i) => t - bare[i]!), 50)), '-', '-'],
    ]);
    process.stdout.write('(one list-panes call reads every pane: server pid, pane state, and busy markers searched by tmux itself)\n');
  } finally {
    await ctx.transport().stopServer().catch(() => undefined);
    rmSync(roster.dir, { recursive: true, force: true });
  }
}

/** Whole-process times of `n` runs, taken as a shell takes them: the bench blocks until the process is gone and its
 *  output read (an event loop reading the pipe adds its own jitter to what is measured). */
async function timeCli(args: string[], n: number, what: 'fleet' | 'node' = 'fleet', env: NodeJS.ProcessEnv = {}): Promise<number[]> {
  const { spawnSync } = await import('node:child_process');
  // The installed `mosaic-fleet` executable.
  const bin = join(packageRoot(), 'dist', 'cli', 'mosaic-fleet.cjs');
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [...(what === 'fleet' ? [bin] : []), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
    out.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${String(r.stderr).slice(0, 300)}`);
  }
  return out;
}

/** `mosaic-fleet serve ...` in the background until stop(). */
async function startBenchService(args: string[]): Promise<{ stop(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'cli', 'fleet-bin.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let err = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString('utf8');
      if (/listening on /.test(err)) resolve();
    });
    void exited.then(() => reject(new Error(`mosaic-fleet serve exited: ${err.slice(0, 300)}`)));
  });
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function benchStart(): Promise<void> {
  const rows: string[][] = [['measure', 'time']];
  for (const count of [20]) {
    const socket = newSocket('start');
    const roster = simRoster(socket, Array.from({ length: count }, (_, i) => `s${i}`));
    const ctx = await new Context({ roster: roster.path, socket }).prepare();
    try {
      const t0 = performance.now();
      await startFleet(ctx, [], { wait: false });
      const created = performance.now() - t0;
      const t1 = performance.now();
      const ready = await startFleet(ctx, [], { wait: true });
      const readyMs = created + (performance.now() - t1);
      if (!ready.agents.every((a) => a.ready)) throw new Error('not all agents became ready');
      rows.push([`start ${count} sim agents: sessions created`, fmtMs(created)]);
      rows.push([`start ${count} sim agents: all ready for input`, fmtMs(readyMs)]);
    } finally {
      await ctx.transport().stopServer().catch(() => undefined);
      rmSync(roster.dir, { recursive: true, force: true });
    }
  }
  printTable('Starting a fleet', rows);
}

async function benchBroadcast(): Promise<void> {
  const socket = newSocket('bcast');
  const names = Array.from({ length: 50 }, (_, i) => `b${String(i).padStart(2, '0')}`);
  const roster = simRoster(socket, names);
  const env = { ...process.env, MOSAIC_LEDGER_DIR: join(roster.dir, 'ledger') };
  const ctx = await new Context({ roster: roster.path, socket }, env).prepare();
  try {
    await startFleet(ctx, [], { wait: true });
    const rows: string[][] = [['method', 'confirmed', 'total']];
    for (const concurrency of [4, 8, 16]) {
      const t0 = performance.now();
      const b = await broadcast(ctx, { agents: [], all: true, body: `broadcast at ${concurrency}`, from: 'bench:lead', concurrency });
      const ok = b.results.filter((r) => 'report' in r && r.report.status === 'submitted').length;
      rows.push([`broadcast --all, ${concurrency} at a time (in process)`, `${ok}/50`, fmtMs(performance.now() - t0)]);
    }
    const t1 = performance.now();
    let okSeq = 0;
    for (const name of names) {
      const r = await sendMessage(ctx, { target: `=${name}`, body: 'one after another', from: 'bench:lead', preamble: true, raw: false });
      if (r.status === 'submitted') okSeq += 1;
    }
    rows.push(['send to each, one after another (in process)', `${okSeq}/50`, fmtMs(performance.now() - t1)]);
    const { run } = await import('../exec/run.js');
    const agentBin = join(packageRoot(), 'dist', 'cli', 'agent-bin.js');
    const t2 = performance.now();
    let okCli = 0;
    for (const name of names) {
      const r = await run([process.execPath, agentBin, 'send', name, '--roster', roster.path, '-L', socket, '--from', 'bench:lead', '-m', 'one mosaic-agent send per agent'], { env });
      if (r.code === 0) okCli += 1;
    }
    rows.push(['`mosaic-agent send` per agent, one after another', `${okCli}/50`, fmtMs(performance.now() - t2)]);
    const t3 = performance.now();
    const cliB = await run([process.execPath, agentBin, 'broadcast', '--all', '--roster', roster.path, '-L', socket, '--from', 'bench:lead', '-m', 'one broadcast command', '--json'], { env });
    const cliOk = (JSON.parse(cliB.stdout).results as { report?: { status: string } }[]).filter((r) => r.report?.status === 'submitted').length;
    rows.push(['`mosaic-agent broadcast --all` (whole command)', `${cliOk}/50`, fmtMs(performance.now() - t3)]);
    printTable('Broadcast one message to 50 sim agents (confirmed)', rows);
  } finally {
    await ctx.transport().stopServer().catch(() => undefined);
    rmSync(roster.dir, { recursive: true, force: true });
  }
}

/** What the durable record costs per message: create + attempt start + finish, each an fsynced append. */
function benchLedger(): void {
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-bench-ledger-'));
  try {
    const ledger = new Ledger(dir);
    const times: number[] = [];
    for (let i = 0; i < 300; i += 1) {
      const t0 = performance.now();
      const r = ledger.create({ from: { host: 'h', session: 'a' }, to: { host: 'h', session: 'b' }, body: `message ${i} ${'x'.repeat(300)}` });
      ledger.startAttempt(r.id);
      ledger.finishAttempt(r.id, 'submitted', { latencyMs: 100, enters: 1 });
      times.push(performance.now() - t0);
    }
    const t1 = performance.now();
    const all = new Ledger(dir).list({ limit: 100000 });
    const listMs = performance.now() - t1;
    printTable('Ledger overhead per message (3 fsynced appends: created, attempt, verdict)', [
      ['measure', 'p50', 'p95'],
      ['record one message', `${percentile(times, 50).toFixed(2)} ms`, `${percentile(times, 95).toFixed(2)} ms`],
      [`read back ${all.length} records (cold)`, fmtMs(listMs), '-'],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A confirmed send to a sim on an ssh host (a real sshd on loopback in its own UTS namespace), beside a local one. */
async function benchRemote(): Promise<void> {
  const { startSshd } = await import('../testbed/sshd.js');
  const { SshHost } = await import('../host/ssh.js');
  const { LocalHost } = await import('../host/local.js');
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    process.stdout.write('\nRemote send: skipped (the loopback sshd test bed runs as root)\n');
    return;
  }
  const sshd = await startSshd({ hostname: 'bench-remote' });
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-bench-remote-'));
  const rows: string[][] = [['target', 'sends', 'confirmed', 'p50', 'p95', 'ssh processes/send']];
  try {
    const measure = async (label: string, host: InstanceType<typeof LocalHost> | InstanceType<typeof SshHost>, spawns: () => number) => {
      const transport = new TmuxTransport({ host, socket: { name: newSocket('remote') }, holderSession: '_holder', configFile: shippedTmuxConf() });
      await transport.ensureHolder();
      await transport.start({ name: 'target', host: host.name, runtime: 'sim', profile: 'sim', launcher: 'bench', argv: [process.execPath, join(packageRoot(), 'dist', 'sim', 'main.js'), '--name', 'target'], env: {}, workingDirectory: dir, readyTimeoutMs: 30_000 }, {});
      await transport.waitReady({ name: 'target', host: host.name, runtime: 'sim', profile: 'sim', launcher: 'bench', argv: [], env: {}, workingDirectory: dir, readyTimeoutMs: 30_000 });
      await transport.send('=target', { from: { host: 'bench', session: 'b' }, toHost: 'x', body: 'warm-up', preamble: true }, {});
      const times: number[] = [];
      let ok = 0;
      const before = spawns();
      const N = 30;
      for (let i = 0; i < N; i += 1) {
        const t0 = performance.now();
        const r = await transport.send('=target', { from: { host: 'bench', session: 'b' }, toHost: await transport.hostLabel(), body: `remote bench ${i}`, preamble: true }, {});
        times.push(performance.now() - t0);
        if (r.status === 'submitted') ok += 1;
      }
      rows.push([label, String(N), `${ok}/${N}`, fmtMs(percentile(times, 50)), fmtMs(percentile(times, 95)), host.isLocal ? '-' : ((spawns() - before) / N).toFixed(1)]);
      await transport.stopServer().catch(() => undefined);
    };
    await measure('local sim', new LocalHost(), () => 0);
    const remote = new SshHost(sshd.hostOptions('bench-remote'));
    await measure('sim on an ssh host (warm connection)', remote, () => remote.spawns);
    printTable('Confirmed send to a remote agent over ssh (loopback sshd, ControlMaster, lock channel)', rows);
  } finally {
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
