import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { run, type RunOptions, type RunResult } from '../exec/run.js';
import type { HeldLock, Host } from './types.js';
import { HOLD_SCRIPT, holdLock } from './lock.js';

/** Directory for lock files: beside tmux's own sockets, private to this user. */
export function lockDir(env: NodeJS.ProcessEnv = process.env): string {
  // Same rule as tmux and as the remote lock script: $TMUX_TMPDIR, else /tmp (not $TMPDIR).
  const base = env.TMUX_TMPDIR || '/tmp';
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return join(base, `mosaic-fleet-${uid}`, 'locks');
}

/** Remove lock files left by servers that no longer exist (verify's scratch sockets); a held lock is never touched
 *  because only files whose name contains `socketName` of a server we just stopped are matched. */
export function removeLocksOf(socketName: string): void {
  const dir = lockDir();
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir)) if (f.includes(socketName)) rmSync(join(dir, f), { force: true });
}

/** Lock keys become file names: keep them to a safe alphabet. */
export function lockFileName(key: string): string {
  return `${key.replace(/[^A-Za-z0-9_.-]/g, '_')}.lock`;
}

/** The file a lock named `key` is taken on (its directory created). */
export function lockFile(key: string): string {
  const dir = lockDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, lockFileName(key));
}

export class LocalHost implements Host {
  readonly name: string;
  readonly isLocal = true;

  constructor(name = 'local') {
    this.name = name;
  }

  exec(argv: string[], options?: RunOptions): Promise<RunResult> {
    return run(argv, options);
  }

  async lock(key: string, timeoutMs: number): Promise<HeldLock> {
    const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
    return holdLock(['flock', '-x', '-w', String(seconds), lockFile(key), 'sh', '-c', HOLD_SCRIPT], key, timeoutMs);
  }

  async shortHostname(): Promise<string> {
    return shortName(hostname());
  }
}

export function shortName(name: string): string {
  return name.split('.')[0] || name || '?';
}
