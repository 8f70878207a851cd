// `npm run bench -- top`: what one refresh of `mosaic-fleet top` costs at 100 agents (tmux processes, wall time,
// CPU of the view, of the tmux clients it starts and of the tmux server), and what drawing a frame costs.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Context } from '../core/context.js';
import { startFleet } from '../core/fleet.js';
import { ledgerOf } from '../core/ledger.js';
import { PollFeed } from '../top/feed.js';
import { applySnapshot, initialView } from '../top/controller.js';
import { layoutFrame, renderLines } from '../top/layout.js';
import { packageRoot } from '../paths.js';
import { fmtMs, percentile, printTable, simRoster } from './util.js';

const TICK_MS = 10; // USER_HZ on Linux

/** utime+stime of a process, and of its reaped children, in ms (/proc). */
function cpuOf(pid: number | 'self'): { own: number; children: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { own: (Number(f[11]) + Number(f[12])) * TICK_MS, children: (Number(f[13]) + Number(f[14])) * TICK_MS };
}

export async function benchTop(newSocket: (tag: string) => string): Promise<void> {
  const socket = newSocket('top');
  const names = Array.from({ length: 100 }, (_, i) => `agent${String(i).padStart(3, '0')}`);
  const roster = simRoster(socket, names);
  const env = { ...process.env, MOSAIC_LEDGER_DIR: join(roster.dir, 'ledger') };
  const ctx = await new Context({ roster: roster.path, socket }, env).prepare();
  let calls = 0;
  const inner = ctx.localHost.exec.bind(ctx.localHost);
  ctx.localHost.exec = (argv, options) => {
    if (argv[0] === 'tmux') calls += 1;
    return inner(argv, options);
  };
  try {
    await startFleet(ctx, [], { wait: true });
    // A ledger with history: 1000 delivered messages between the agents, 50 still pending.
    const ledger = ledgerOf(ctx);
    for (let i = 0; i < 1000; i += 1) {
      const r = ledger.create({ from: { host: 'bench', session: names[i % 100]! }, to: { host: 'bench', session: names[(i * 7) % 100]! }, body: `message ${i}` });
      ledger.finishAttempt(r.id, 'submitted', { latencyMs: 80 });
    }
    for (let i = 0; i < 50; i += 1) ledger.create({ from: { host: 'bench', session: 'lead' }, to: { host: 'bench', session: names[i]! }, body: `queued ${i}`, queue: true });
    const serverPid = Number((await ctx.transport().overview([])).serverPid);
    const feed = new PollFeed(ctx);
    const rows: string[][] = [['refresh', 'n', 'p50 wall', 'p95 wall', 'tmux calls', 'CPU view', 'CPU tmux clients', 'CPU tmux server']];
    const measure = async (label: string, n: number, detail: string | null) => {
      const wall: number[] = [];
      const c0 = calls;
      const self0 = cpuOf('self');
      const server0 = cpuOf(serverPid);
      for (let i = 0; i < n; i += 1) {
        const t0 = performance.now();
        const snap = await feed.snapshot({ detail, screenLines: 200 });
        wall.push(performance.now() - t0);
        if (snap.agents.length !== 100) throw new Error(`top saw ${snap.agents.length} agents`);
      }
      const self1 = cpuOf('self');
      const server1 = cpuOf(serverPid);
      const per = (x: number) => `${(x / n).toFixed(1)} ms`;
      rows.push([label, String(n), fmtMs(percentile(wall, 50)), fmtMs(percentile(wall, 95)), ((calls - c0) / n).toFixed(1), per(self1.own - self0.own), per(self1.children - self0.children), per(server1.own - server0.own)]);
    };
    // The first refresh probes every agent still inside its start-up window (one batched capture for all 100).
    await measure('first (100 agents probed for `starting`, one batch)', 1, null);
    await measure('steady state, table only', 40, null);
    await measure('steady state, detail pane open', 40, `local:${names[0]}`);
    printTable('`mosaic-fleet top` refresh, 100 sim agents, ledger with 1050 messages (per refresh)', rows);

    const snap = await feed.snapshot({ detail: `local:${names[0]}`, screenLines: 200 });
    const frames: string[][] = [['frame', 'p50', 'p95']];
    for (const [w, h, detail] of [[80, 24, false], [200, 60, true]] as const) {
      let view = applySnapshot({ ...initialView(), detail }, snap);
      const times: number[] = [];
      for (let i = 0; i < 200; i += 1) {
        const t0 = performance.now();
        view = applySnapshot(view, snap);
        renderLines(layoutFrame(view, { width: w, height: h }, Date.now()).lines, 'color');
        times.push(performance.now() - t0);
      }
      frames.push([`fold snapshot + lay out + paint ${w}x${h}${detail ? ' with detail' : ''}`, `${percentile(times, 50).toFixed(2)} ms`, `${percentile(times, 95).toFixed(2)} ms`]);
    }
    const { run } = await import('../exec/run.js');
    const bin = join(packageRoot(), 'dist', 'cli', 'fleet-bin.js');
    for (const args of [['--once', '--size', '120x40'], ['--json']]) {
      const times: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const t0 = performance.now();
        const r = await run([process.execPath, bin, 'top', ...args, '--roster', roster.path, '-L', socket], { env });
        if (r.code !== 0) throw new Error(`top ${args.join(' ')} failed: ${r.stderr}`);
        times.push(performance.now() - t0);
      }
      frames.push([`\`mosaic-fleet top ${args.join(' ')}\` (whole process)`, fmtMs(percentile(times, 50)), fmtMs(percentile(times, 95))]);
    }
    printTable('`mosaic-fleet top`: drawing, and one-shot commands (100 agents)', frames);
  } finally {
    await ctx.transport().stopServer().catch(() => undefined);
    rmSync(roster.dir, { recursive: true, force: true });
  }
}
