import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { RunOptions, RunResult } from '../exec/run.js';

/** A held exclusive lock; the kernel releases it if this process dies. */
export interface HeldLock {
  release(): Promise<void>;
  /** Where the host offers one: runs commands through the lock's own session (one round trip each, no new ssh). */
  channel?: Host;
}

/** A machine that runs tmux: the local one, or a remote one over ssh. Everything that touches a tmux host goes through this. */
export interface Host {
  /** Roster name of the host ('local' for this machine). */
  readonly name: string;
  readonly isLocal: boolean;
  /** Run argv on the host (never through a shell on our side); stdin from options.input. */
  exec(argv: string[], options?: RunOptions): Promise<RunResult>;
  /** Take an exclusive lock named `key` on the host, waiting at most timeoutMs. */
  lock(key: string, timeoutMs: number): Promise<HeldLock>;
  /** `hostname -s` of the machine, for the addressing preamble. */
  shortHostname(): Promise<string>;
  /** Where the host streams pane output (the fleet service's tmux connection): resolves true as soon as the pane
   *  draws anything, false after `timeoutMs`. Without it, screen readers poll on a timer. */
  waitOutput?(paneId: string, timeoutMs: number, since?: number): Promise<boolean>;
  /** A mark to pass to waitOutput as `since` (take it before reading), so output drawn meanwhile still wakes the wait. */
  outputMark?(paneId: string): number;
  /** Remote hosts: start argv there with its stdin and stdout streamed both ways over the host's connection (the
   *  relay to that host's fleet service). */
  open?(argv: string[]): Promise<ChildProcessWithoutNullStreams>;
}
