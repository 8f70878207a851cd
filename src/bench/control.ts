// `node dist/bench/control.js`: the tmux control-mode connection against forked tmux calls.
// - output latency: a pane writes a time-stamped line, how long until waitOutput resolves (p50/p99 over 200 writes)
// - echo latency: send-keys over the connection until the pane's echo wakes waitOutput
// - cost of one capture-pane (and one observePane) over the connection vs a forked `tmux capture-pane` (500 calls each)
// Benchmarks report numbers; tests assert correctness.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { LocalHost } from '../host/local.js';
import { Tmux, observePane } from '../tmux/client.js';
import { connectControl } from '../tmux/control.js';
import { shippedTmuxConf } from '../paths.js';
import { fmtMs, percentile } from './util.js';

const WRITES = 200;
const CALLS = 500;

const now = () => performance.timeOrigin + performance.now();
const fmt = (ms: number) => (ms < 10 ? `${ms.toFixed(2)} ms` : fmtMs(ms));

async function main(): Promise<void> {
  // Never the user's servers: a private socket directory for the whole run.
  process.env.TMUX_TMPDIR = mkdtempSync(join(tmpdir(), 'mosaic-bench-tmux-'));
  const socket = { name: `bench-control-${randomBytes(3).toString('hex')}` };
  const conf = shippedTmuxConf();
  const forked = new Tmux(new LocalHost(), socket, conf);
  await forked.run(['new-session', '-d', '-s', '_holder', '--', 'sh', '-c', 'while :; do sleep 3600; done']);
  const control = await connectControl({ local: new LocalHost(), socket, configFile: conf, session: '_holder', log: (line) => console.error(line) });
  const over = new Tmux(control, socket, conf);
  try {
    // A pane in another session (as every agent is) that writes a stamped line at irregular moments.
    const writer = `let n=0;const tick=()=>{process.stdout.write('t '+(performance.timeOrigin+performance.now())+'\\n');if(++n<${WRITES + 20})setTimeout(tick,15+Math.random()*30)};setTimeout(tick,500)`;
    const pane = (await forked.run(['new-session', '-d', '-P', '-F', '#{pane_id}', '-s', 'writer', '-x', '120', '-y', '40', '--', process.execPath, '-e', writer])).trim();
    const state = await control.watchPane(pane);
    if (state !== 'active') throw new Error(`could not watch the writer pane: ${state}`);
    let last: Buffer = Buffer.alloc(0);
    control.onPaneOutput(pane, (chunk) => (last = chunk));
    const output: number[] = [];
    while (output.length < WRITES) {
      if (!(await control.waitOutput(pane, 2_000))) break;
      const woke = now();
      const stamp = Number.parseFloat(/t ([\d.]+)/.exec(last.toString('latin1'))?.[1] ?? 'NaN');
      if (Number.isFinite(stamp)) output.push(woke - stamp);
    }

    // Echo: our keys in, the pane's echo out, all over the one connection.
    const echoPane = (await forked.run(['new-session', '-d', '-P', '-F', '#{pane_id}', '-s', 'echo', '--', 'cat'])).trim();
    await control.watchPane(echoPane);
    const echo: number[] = [];
    let seen = '';
    control.onPaneOutput(echoPane, (chunk) => (seen += chunk.toString('latin1')));
    for (let i = 0; i < WRITES; i += 1) {
      const token = `k${i}z`;
      seen = '';
      const start = now();
      await over.run(['send-keys', '-t', echoPane, '-l', token]);
      // Until this very token shows: an echo of an earlier one arriving late must not count.
      for (;;) {
        const mark = control.outputMark(echoPane);
        if (seen.includes(token)) {
          echo.push(now() - start);
          break;
        }
        if (!(await control.waitOutput(echoPane, 2_000, mark))) break;
      }
    }

    const timed = async (fn: () => Promise<unknown>): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < CALLS; i += 1) {
        const start = now();
        await fn();
        out.push(now() - start);
      }
      return out;
    };
    const captureForked = await timed(() => forked.capture(echoPane));
    const captureControl = await timed(() => over.capture(echoPane));
    const observeForked = await timed(() => observePane(forked, echoPane));
    const observeControl = await timed(() => observePane(over, echoPane));

    const rows: Array<[string, number[]]> = [
      [`pane writes a line -> waitOutput resolves (${output.length} writes)`, output],
      [`send-keys over control -> echo wakes waitOutput (${echo.length})`, echo],
      [`capture-pane, forked tmux (${CALLS} calls)`, captureForked],
      [`capture-pane over control (${CALLS} calls)`, captureControl],
      [`observePane (2 commands), forked (${CALLS})`, observeForked],
      [`observePane over control (${CALLS})`, observeControl],
    ];
    for (const [label, values] of rows) {
      console.log(`${label.padEnd(62)} p50 ${fmt(percentile(values, 50)).padStart(9)}  p99 ${fmt(percentile(values, 99)).padStart(9)}`);
    }
  } finally {
    await control.close();
    await forked.run(['kill-server']).catch(() => undefined);
    rmSync(process.env.TMUX_TMPDIR!, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
