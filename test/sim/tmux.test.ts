// The sim in a real tmux pane, driven the way the product delivers: bracketed paste, then Enter as its own key.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/sim/state.js';
import { readJsonLines } from '../helpers/jsonl.js';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';

const MAIN = fileURLToPath(new URL('../../dist/sim/main.js', import.meta.url));
const SRC = fileURLToPath(new URL('../../src/sim/', import.meta.url));
const PANE = 'simtest';
const WAIT_MS = 15_000;

interface Sim {
  tmux: PrivateTmux;
  logFile: string;
  screen(): string;
  screenWithAttributes(): string;
  records(): LogRecord[];
  submits(): LogRecord[];
  paste(body: string, options?: { enter?: boolean }): void;
  keys(...keys: string[]): void;
}

let current: { tmux: PrivateTmux; dir: string } | undefined;

beforeAll(() => {
  const newestSource = Math.max(...readdirSync(SRC).map((f) => statSync(join(SRC, f)).mtimeMs));
  if (!existsSync(MAIN) || statSync(MAIN).mtimeMs < newestSource) {
    throw new Error('dist/sim/main.js is missing or older than src/sim: run `npx tsc -p tsconfig.json` first');
  }
});

afterEach(() => {
  current?.tmux.cleanup();
  if (current) rmSync(current.dir, { recursive: true, force: true });
  current = undefined;
});

async function startSim(args: string[], waitForUi = true): Promise<Sim> {
  const tmux = privateTmux('mft-sim');
  const dir = mkdtempSync(join(tmpdir(), 'mft-sim-log-'));
  current = { tmux, dir };
  const logFile = join(dir, 'sim.jsonl');
  const started = tmux.tmux('-f', '/dev/null', 'new-session', '-d', '-s', PANE, '-x', '120', '-y', '40', process.execPath, MAIN, '--log', logFile, ...args);
  expect(started.stderr).toBe('');
  const sim: Sim = {
    tmux,
    logFile,
    screen: () => tmux.tmux('capture-pane', '-p', '-t', PANE).stdout,
    screenWithAttributes: () => tmux.tmux('capture-pane', '-p', '-e', '-t', PANE).stdout,
    records: () => readJsonLines<LogRecord>(logFile),
    submits: () => sim.records().filter((r) => r.kind === 'submit'),
    paste(body, options = {}) {
      const loaded = spawnSync('tmux', ['-L', tmux.socket, 'load-buffer', '-b', 'b1', '-'], { input: body, env: { ...process.env, HOME: tmux.home } });
      expect(loaded.status).toBe(0);
      // One tmux invocation for paste + Enter makes the Enter land right behind the paste, as fast delivery would.
      const enter = options.enter ? [';', 'send-keys', '-t', PANE, 'Enter'] : [];
      expect(tmux.tmux('paste-buffer', '-p', '-r', '-d', '-b', 'b1', '-t', PANE, ...enter).code).toBe(0);
    },
    keys: (...keys) => expect(tmux.tmux('send-keys', '-t', PANE, ...keys).code).toBe(0),
  };
  if (waitForUi) await waitFor('sim header', () => sim.screen().includes('sim · t1 · session 1'), WAIT_MS);
  return sim;
}

describe('sim in a real tmux pane', () => {
  it('takes a multi-line paste as one draft and submits it whole on Enter', async () => {
    const sim = await startSim(['--name', 't1']);
    const body = 'first line\n  indented second\nthird ❯ 日本 🎉\n\nfifth after a blank line\nlast';
    sim.paste(body);
    await waitFor('paste placeholder in the box', () => sim.screen().includes('❯\u00a0[Pasted text #1 +5 lines]'), WAIT_MS);
    expect(sim.submits()).toEqual([]);
    sim.keys('Enter');
    await waitFor('reply', () => sim.screen().includes(`● ok t1 received ${[...body].length} chars`), WAIT_MS);
    expect(sim.submits()).toEqual([expect.objectContaining({ name: 't1', session: 1, kind: 'submit', text: body, queued: false })]);
    const screen = sim.screen();
    expect(screen).toContain('❯ first line\n    indented second\n  third ❯ 日本 🎉\n');
    expect(screen).toContain('  ? for shortcuts');
  });

  it('swallows an Enter right after the paste, keeps the draft, and submits on a later Enter', async () => {
    const swallowMs = 1500;
    const sim = await startSim(['--name', 't1', '--swallow-ms', String(swallowMs)]);
    sim.paste('swallow me', { enter: true });
    const swallowed = await waitFor('swallowed record', () => sim.records().find((r) => r.kind === 'swallowed'), WAIT_MS);
    expect(swallowed.text).toBe('swallow me');
    // The log is written before the frame reaches tmux: wait for the draw.
    await waitFor('draft still in the box', () => sim.screen().includes('❯\u00a0swallow me'), WAIT_MS);
    expect(sim.submits()).toEqual([]);
    await waitFor('swallow window to pass', () => Date.now() > swallowed.ts + swallowMs + 50, WAIT_MS);
    sim.keys('Enter');
    await waitFor('submit record', () => sim.submits().length > 0, WAIT_MS);
    expect(sim.submits().map((r) => r.text)).toEqual(['swallow me']);
    expect(sim.records().filter((r) => r.kind === 'swallowed')).toHaveLength(1);
    await waitFor('reply', () => sim.screen().includes('● ok t1 received 10 chars'), WAIT_MS);
  });

  it('queues a message sent while busy, shows the queue, and runs both turns in order', async () => {
    const sim = await startSim(['--name', 't1', '--busy-ms', '3000']);
    sim.paste('task one', { enter: true });
    await waitFor('spinner', () => sim.screen().includes('✻ Working… ('), WAIT_MS);
    sim.paste('task two', { enter: true });
    await waitFor('queued submit record', () => sim.submits().find((r) => r.queued), WAIT_MS);
    const busyScreen = await waitFor('queued row', () => {
      const s = sim.screenWithAttributes();
      return s.includes('  ❯ task two') && s;
    }, WAIT_MS);
    expect(busyScreen).toContain('\x1b[2mPress up to edit queued messages');
    expect(busyScreen).toContain('  esc to interrupt');
    expect(sim.submits().map((r) => [r.text, r.queued])).toEqual([
      ['task one', false],
      ['task two', true],
    ]);
    await waitFor('both turns done', () => sim.screen().includes('  ? for shortcuts'), WAIT_MS);
    expect(sim.screen()).toContain('❯ task one\n● ok t1 received 8 chars\n❯ task two\n● ok t1 received 8 chars\n');
    expect(sim.submits()).toHaveLength(2);
  });

  it('/clear starts a new session with an empty transcript', async () => {
    const sim = await startSim(['--name', 't1']);
    sim.paste('before clear', { enter: true });
    await waitFor('reply', () => sim.screen().includes('● ok t1 received 12 chars'), WAIT_MS);
    sim.keys('-l', '/clear');
    await waitFor('typed command', () => sim.screen().includes('❯\u00a0/clear'), WAIT_MS);
    sim.keys('Enter');
    await waitFor('new session', () => sim.screen().includes('sim · t1 · session 2'), WAIT_MS);
    const screen = sim.screen();
    expect(screen).toContain('✓ New session started');
    expect(screen).not.toContain('before clear');
    expect(sim.records().filter((r) => r.kind === 'command')).toEqual([expect.objectContaining({ session: 2, text: '/clear' })]);
    sim.paste('after clear', { enter: true });
    await waitFor('submit in session 2', () => sim.submits().find((r) => r.text === 'after clear'), WAIT_MS);
    expect(sim.submits().map((r) => [r.text, r.session])).toEqual([
      ['before clear', 1],
      ['after clear', 2],
    ]);
  });

  it('drops input that arrives during startup', async () => {
    const sim = await startSim(['--name', 't1', '--startup-ms', '1500'], false);
    sim.keys('-l', 'too early');
    sim.keys('Enter');
    await waitFor('sim header', () => sim.screen().includes('sim · t1 · session 1'), WAIT_MS);
    expect(sim.screen()).not.toContain('too early');
    sim.paste('on time', { enter: true });
    await waitFor('submit', () => sim.submits().length > 0, WAIT_MS);
    expect(sim.submits().map((r) => r.text)).toEqual(['on time']);
  });

  it('exits 0 on SIGTERM and logs it', async () => {
    const sim = await startSim(['--name', 't1']);
    const pid = Number(sim.tmux.tmux('display-message', '-p', '-t', PANE, '#{pane_pid}').stdout.trim());
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGTERM');
    await waitFor('exit record', () => sim.records().find((r) => r.kind === 'exit'), WAIT_MS);
    expect(sim.records().map((r) => r.kind)).toEqual(['start', 'exit']);
  });
});

describe('sim command line', () => {
  it('rejects unknown options with a one-line error and exit code 3', () => {
    const r = spawnSync(process.execPath, [MAIN, '--bogus'], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stderr).toBe('mosaic-sim: unknown option --bogus (see --help)\n');
  });

  it('prints help and exits 0', () => {
    const r = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--swallow-ms N');
  });
});
