import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { ReadHints } from './reading.js';

// What we learnt about one pane's screen while we could be sure of it (the REPL had just started, been reset, or
// taken our message): how to read it and how its empty input area looks. Keyed by the pane's process, so a restarted
// REPL is learnt afresh. Losing it costs speed, never truth: every reading still needs its own evidence.

export interface PaneMemory {
  recall(key: string): ReadHints | undefined;
  learn(key: string, hints: ReadHints): void;
}

/** A pane as the memory names it: server, pane id and the pid of the REPL in it. */
export function paneKey(host: string, socket: string, paneId: string, pid: number | null): string {
  return `${host}|${socket}|${paneId}|${pid ?? '?'}`;
}

const PRUNE_ABOVE = 256;

export class FilePaneMemory implements PaneMemory {
  constructor(readonly dir: string = FilePaneMemory.defaultDir()) {}

  static defaultDir(env: NodeJS.ProcessEnv = process.env): string {
    const xdg = env.XDG_STATE_HOME;
    const state = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'state');
    return join(state, 'mosaic', 'fleet', 'panes');
  }

  recall(key: string): ReadHints | undefined {
    try {
      const value = JSON.parse(readFileSync(this.file(key), 'utf8')) as { key?: string; hints?: ReadHints };
      return value.key === key ? value.hints : undefined;
    } catch {
      return undefined;
    }
  }

  learn(key: string, hints: ReadHints): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const tmp = `${this.file(key)}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ key, hints }), { mode: 0o600 });
      renameSync(tmp, this.file(key));
      this.prune();
    } catch {
      // A read-only state dir makes sends slower on unknown screens, not wrong.
    }
  }

  /** Panes come and go (each restart is a new key): keep the folder small by dropping what was not touched in a week. */
  private prune(): void {
    const names = readdirSync(this.dir);
    if (names.length < PRUNE_ABOVE) return;
    const cutoff = Date.now() - 7 * 24 * 3600_000;
    for (const name of names) {
      const path = join(this.dir, name);
      try {
        if (statSync(path).mtimeMs < cutoff) rmSync(path, { force: true });
      } catch {
        // raced with another sender: fine
      }
    }
  }

  private file(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 24)}.json`);
  }
}

/** For tests and one-off callers: remembers nothing across processes. */
export class MemoryPaneMemory implements PaneMemory {
  private readonly map = new Map<string, ReadHints>();
  recall(key: string): ReadHints | undefined {
    return this.map.get(key);
  }
  learn(key: string, hints: ReadHints): void {
    this.map.set(key, hints);
  }
}
