// tail and tail --follow against real panes: the requested lines once, then only what is new, like tail -f.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, runCli } from '../helpers/cli.js';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';
import { freshLines } from '../../src/core/agent.js';

let t: PrivateTmux;
let dir: string;

beforeEach(() => {
  t = privateTmux('mft-tail');
  dir = mkdtempSync(join(tmpdir(), 'mft-tail-'));
});
afterEach(() => t.cleanup());

/** A pane showing `pre 1`..`pre 5` and `begin`, then running `script` (sh) only when the file `go` appears, so the
 *  follower can attach first. */
function pane(script: string): string {
  const go = join(dir, 'go');
  const sh = `for i in 1 2 3 4 5; do echo "pre $i"; done; echo begin; while [ ! -f ${go} ]; do sleep 0.02; done; ${script}; exec sleep 600`;
  const r = t.tmux('new-session', '-d', '-P', '-F', '#{pane_id}', '-x', '100', '-y', '20', '--', 'sh', '-c', sh);
  return r.stdout.trim();
}

function follow(paneId: string, n: number) {
  const child = spawn(process.execPath, [BIN.agent, 'tail', '-L', t.socket, paneId, '-n', String(n), '--follow'], { env: { ...process.env, HOME: t.home, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    lines: () => out.split('\n').filter((l) => l !== ''),
    stderr: () => err,
    async stop() {
      child.kill('SIGINT');
      return closed;
    },
  };
}

describe('mosaic-agent tail --follow', () => {
  it('on an idle pane prints the requested lines once and then only the line that appears', async () => {
    const p = pane(`for i in 1 2 3 4 5 6 7 8 9 10; do echo "idle $i"; done; while [ ! -f ${join(dir, 'more')} ]; do sleep 0.02; done; echo marker`);
    writeFileSync(join(dir, 'go'), '');
    await waitFor('the pane output', () => t.tmux('capture-pane', '-p', '-t', p).stdout.includes('idle 10'));
    const f = follow(p, 3);
    await waitFor('the first lines', () => f.lines().length >= 3);
    // The pane stays idle across several polls (400 ms each): nothing may be printed again in that time.
    await new Promise((r) => setTimeout(r, 2_000));
    writeFileSync(join(dir, 'more'), '');
    await waitFor('the marker', () => f.lines().includes('marker'));
    expect(await f.stop()).toBe(0);
    expect(f.lines()).toEqual(['idle 8', 'idle 9', 'idle 10', 'marker']);
  });

  it('on a busy pane prints every new line exactly once, in order, while it scrolls', async () => {
    const p = pane('echo ready; i=0; while [ $i -lt 150 ]; do i=$((i+1)); echo "line $i"; sleep 0.02; done; echo finished');
    await waitFor('the pane to show begin', () => t.tmux('capture-pane', '-p', '-t', p).stdout.includes('begin'));
    const f = follow(p, 3);
    await waitFor('the follower to start', () => f.lines().length >= 3 || f.stderr() !== '');
    expect(f.lines()).toEqual(['pre 4', 'pre 5', 'begin']);
    writeFileSync(join(dir, 'go'), '');
    await waitFor('the last line', () => f.lines().includes('finished'), 30_000);
    expect(await f.stop()).toBe(0);
    const expected = ['pre 4', 'pre 5', 'begin', 'ready', ...Array.from({ length: 150 }, (_, i) => `line ${i + 1}`), 'finished'];
    expect(f.lines()).toEqual(expected);
  });
});

describe('mosaic-agent tail', () => {
  it('-n and --json: the last lines as a JSON list; --lines still works', async () => {
    const p = pane('for i in 1 2 3 4 5; do echo "row $i"; done');
    writeFileSync(join(dir, 'go'), '');
    await waitFor('the rows', () => t.tmux('capture-pane', '-p', '-t', p).stdout.includes('row 5'));
    const json = await runCli('agent', ['tail', '-L', t.socket, p, '-n', '2', '--json'], { env: { HOME: t.home } });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, lines: ['row 4', 'row 5'] });
    const old = await runCli('agent', ['tail', '-L', t.socket, p, '--lines', '1'], { env: { HOME: t.home } });
    expect(old.stdout.trim()).toBe('row 5');
  });
});

describe('freshLines', () => {
  it('finds nothing new in an unchanged window, the appended lines after a scroll, a changed status line', () => {
    const a = ['h1', 'h2', 'out1', 'status 1s'];
    expect(freshLines(a, a)).toEqual([]);
    expect(freshLines(['a', 'b', 'c'], ['b', 'c', 'd', 'e'])).toEqual(['d', 'e']);
    expect(freshLines(a, ['h1', 'h2', 'out1', 'status 2s'])).toEqual(['status 2s']);
    expect(freshLines([], ['x'])).toEqual(['x']);
  });
});
