// The real sim in a real tmux pane on a private socket, driven the way the product delivers
// (bracketed paste, Enter as its own key), with its ground-truth log and its process for signals.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { LogRecord } from '../../src/sim/state.js';
import { readJsonLines } from '../helpers/jsonl.js';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';

export const MAIN = fileURLToPath(new URL('../../dist/sim/main.js', import.meta.url));
const SRC = fileURLToPath(new URL('../../src/sim/', import.meta.url));
const PANE = 'simpane';
export const WAIT_MS = 15_000;

export interface SimPane {
  tmux: PrivateTmux;
  pid: number;
  screen(): string;
  lines(): string[];
  screenWithAttributes(): string;
  cursor(): { row: number; col: number };
  /** A tmux format (`#{cursor_flag}`, …) expanded for the pane. */
  display(format: string): string;
  records(): LogRecord[];
  kinds(kind: LogRecord['kind']): LogRecord[];
  paste(body: string, options?: { enter?: boolean }): void;
  keys(...keys: string[]): void;
  signal(name: NodeJS.Signals): void;
}

/** Fail early with a clear message when the built sim is older than its source. */
export function assertBuilt(): void {
  const newest = (dir: string): number =>
    Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
  if (!existsSync(MAIN) || statSync(MAIN).mtimeMs < newest(SRC)) {
    throw new Error('dist/sim/main.js is missing or older than src/sim: run `npx tsc -p tsconfig.json` first');
  }
}

const opened: Array<{ tmux: PrivateTmux; dir: string }> = [];

export function closeAll(): void {
  for (const { tmux, dir } of opened.splice(0)) {
    tmux.cleanup();
    // A sim writes its exit record as it goes: retry while the directory is still being written.
    rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  }
}

/** Start the sim with `args` in a fresh private tmux server; resolves once `ready` is on screen. */
export async function openSim(args: string[], ready: (screen: string) => boolean, size = { columns: 100, rows: 30 }): Promise<SimPane> {
  const tmux = privateTmux('mft-simp');
  const dir = mkdtempSync(join(tmpdir(), 'mft-simp-log-'));
  opened.push({ tmux, dir });
  const logFile = join(dir, 'sim.jsonl');
  const started = tmux.tmux('-f', '/dev/null', 'new-session', '-d', '-s', PANE, '-x', String(size.columns), '-y', String(size.rows), process.execPath, MAIN, '--log', logFile, ...args);
  expect(started.stderr).toBe('');
  const records = (): LogRecord[] => readJsonLines<LogRecord>(logFile);
  const pane: SimPane = {
    tmux,
    pid: Number(tmux.tmux('display-message', '-p', '-t', PANE, '#{pane_pid}').stdout.trim()),
    screen: () => tmux.tmux('capture-pane', '-p', '-t', PANE).stdout,
    lines: () => pane.screen().replace(/\n$/, '').split('\n'),
    screenWithAttributes: () => tmux.tmux('capture-pane', '-p', '-e', '-t', PANE).stdout,
    cursor() {
      const [col, row] = tmux.tmux('display-message', '-p', '-t', PANE, '#{cursor_x} #{cursor_y}').stdout.trim().split(' ').map(Number);
      return { row: row!, col: col! };
    },
    display: (format) => tmux.tmux('display-message', '-p', '-t', PANE, format).stdout.trim(),
    records,
    kinds: (kind) => records().filter((r) => r.kind === kind),
    paste(body, options = {}) {
      const loaded = spawnSync('tmux', ['-L', tmux.socket, 'load-buffer', '-b', 'b1', '-'], { input: body, env: { ...process.env, HOME: tmux.home } });
      expect(loaded.status).toBe(0);
      // One tmux invocation for paste + Enter makes the Enter land right behind the paste, as fast delivery would.
      const enter = options.enter ? [';', 'send-keys', '-t', PANE, 'Enter'] : [];
      expect(tmux.tmux('paste-buffer', '-p', '-r', '-d', '-b', 'b1', '-t', PANE, ...enter).code).toBe(0);
    },
    keys: (...keys) => expect(tmux.tmux('send-keys', '-t', PANE, ...keys).code).toBe(0),
    signal: (name) => process.kill(pane.pid, name),
  };
  expect(pane.pid).toBeGreaterThan(0);
  await waitFor('sim ready', () => ready(pane.screen()), WAIT_MS);
  await waitFor('start record', () => pane.kinds('start').length > 0, WAIT_MS);
  return pane;
}
