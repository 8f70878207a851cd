import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { LocalHost } from '../host/local.js';
import type { HeldLock, Host } from '../host/types.js';
import type { RunOptions, RunResult } from '../exec/run.js';

/** A local host that counts the tmux processes it spawns. */
export class CountingHost implements Host {
  readonly name = 'local';
  readonly isLocal = true;
  tmuxCalls = 0;
  private readonly inner = new LocalHost();
  exec(argv: string[], options?: RunOptions): Promise<RunResult> {
    if (argv[0] === 'tmux') this.tmuxCalls += 1;
    return this.inner.exec(argv, options);
  }
  lock(key: string, timeoutMs: number): Promise<HeldLock> {
    return this.inner.lock(key, timeoutMs);
  }
  shortHostname(): Promise<string> {
    return this.inner.shortHostname();
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function fmtMs(ms: number): string {
  return Number.isNaN(ms) ? '-' : `${Math.round(ms)} ms`;
}

/** A roster of `n` sim agents on `socket`, written to a temp dir. */
export function simRoster(socket: string, names: string[], env: Record<string, string> = {}): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-bench-'));
  const roster = {
    version: 1,
    tmux: { socket_name: socket },
    defaults: { working_directory: dir, runtime: 'sim', ready_timeout_seconds: 120 },
    agents: names.map((name) => ({ name, runtime: 'sim', env: { MOSAIC_SIM_LOG: join(dir, `${name}.jsonl`), ...env } })),
  };
  const path = join(dir, 'roster.yaml');
  writeFileSync(path, stringify(roster));
  return { dir, path };
}

export function printTable(title: string, rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  process.stdout.write(`\n${title}\n`);
  rows.forEach((r, i) => {
    process.stdout.write(`| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |\n`);
    if (i === 0) process.stdout.write(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`);
  });
}
