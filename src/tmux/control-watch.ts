// Per-pane output events for panes in any session: tmux 3.3a sends %output to a control client only for panes in
// the session it is attached to, so each watched pane gets `pipe-pane -O` into a private FIFO read without polling.
import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { RunResult } from '../exec/run.js';
import { commandLine } from './control-quote.js';

export interface WatchDeps {
  /** Private directory (0700) for the FIFOs. */
  dir: string;
  makeFifo(path: string): Promise<boolean>;
  /** Run commands over the control connection. */
  run(commands: string[][]): Promise<RunResult>;
  /** Why a watch could not start or ended early (for the owner's log). */
  log?: (line: string) => void;
}

/** active: piped to us; foreign: the pane has a pipe of someone else's; dead: the pane's program exited (kept by
 *  remain-on-exit); ended: no such pane, or the pipe closed. foreign and dead are looked at again after a while. */
export type WatchState = 'starting' | 'active' | 'foreign' | 'dead' | 'ended';

interface Watch {
  paneId: string;
  state: WatchState;
  fifo?: string;
  reader?: Socket;
  /** Our own write end, held until the pipe's shell has opened the FIFO (else the reader sees EOF at once). */
  hold?: number;
  recheckAt: number;
  ready: Promise<WatchState>;
  connected?: () => void;
}

const NOT_OURS = 'mosaic-control-pipe-';
// A pane someone else pipes, or a dead one, is looked at again after this long (it may be free or respawned by then).
const RECHECK_MS = 5_000;
// The pipe's shell writes one byte on opening the FIFO; without it by then the watch is abandoned.
const CONNECT_TIMEOUT_MS = 5_000;

export class OutputWatcher {
  private readonly watches = new Map<string, Watch>();
  private readonly counts = new Map<string, number>();
  private readonly waiters = new Map<string, Set<(ok: boolean) => void>>();
  private readonly listeners = new Map<string, Set<(chunk: Buffer) => void>>();
  private serial = 0;
  private closed = false;

  constructor(private readonly deps: WatchDeps) {}

  /** How many output chunks the pane has drawn since watching began; starts watching. */
  mark(paneId: string): number {
    this.ensure(paneId);
    return this.counts.get(paneId) ?? 0;
  }

  /** Starts watching (if not yet) and resolves with the watch's state once set up. */
  watch(paneId: string): Promise<WatchState> {
    this.ensure(paneId);
    return this.watches.get(paneId)?.ready ?? Promise.resolve('ended');
  }

  /** True as soon as the pane draws after `since` (default: now), false at the timeout. */
  wait(paneId: string, timeoutMs: number, since?: number): Promise<boolean> {
    const mark = since ?? this.counts.get(paneId) ?? 0;
    this.ensure(paneId);
    if ((this.counts.get(paneId) ?? 0) > mark) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    let set = this.waiters.get(paneId);
    if (!set) this.waiters.set(paneId, (set = new Set()));
    const waiters = set;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiters.get(paneId) === waiters) this.waiters.delete(paneId);
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), Math.max(0, timeoutMs));
      waiters.add(done);
    });
  }

  /** Every chunk the pane draws (raw pty bytes) while watched; returns the unsubscribe. */
  onOutput(paneId: string, listener: (chunk: Buffer) => void): () => void {
    let set = this.listeners.get(paneId);
    if (!set) this.listeners.set(paneId, (set = new Set()));
    set.add(listener);
    this.ensure(paneId);
    return () => set.delete(listener);
  }

  /** Close our pipes (pipe-pane without a command) and wake every waiter with false. */
  async stopAll(detach: boolean): Promise<void> {
    this.closed = true;
    const live = [...this.watches.values()].filter((w) => w.state === 'active' || w.state === 'starting');
    // One line per pane: a pane gone meanwhile fails only its own line.
    if (detach) await Promise.allSettled(live.map((w) => this.deps.run([['pipe-pane', '-t', w.paneId]])));
    for (const w of [...this.watches.values()]) this.end(w);
    for (const set of [...this.waiters.values()]) for (const done of [...set]) done(false);
  }

  private ensure(paneId: string): void {
    if (this.closed || !/^%\d+$/.test(paneId)) return;
    const w = this.watches.get(paneId);
    if (w && !((w.state === 'foreign' || w.state === 'dead') && Date.now() >= w.recheckAt)) return;
    const fresh: Watch = { paneId, state: 'starting', recheckAt: 0, ready: Promise.resolve('starting') };
    this.watches.set(paneId, fresh);
    fresh.ready = this.start(fresh).catch((error: unknown) => {
      this.deps.log?.(`cannot watch pane ${paneId}: ${error instanceof Error ? error.message : String(error)}`);
      this.end(fresh);
      return 'ended' as const;
    });
  }

  private async start(w: Watch): Promise<WatchState> {
    const fifo = join(this.deps.dir, `pane-${w.paneId.slice(1)}-${(this.serial += 1)}`);
    if (!(await this.deps.makeFifo(fifo)) || this.closed || w.state !== 'starting') {
      if (!this.closed && w.state === 'starting') this.deps.log?.(`cannot watch pane ${w.paneId}: mkfifo ${fifo} failed`);
      rmSync(fifo, { force: true });
      this.end(w);
      return w.state;
    }
    w.fifo = fifo;
    // Non-blocking open: a blocking FIFO open would hold a libuv threadpool thread until a writer came.
    const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    w.hold = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const reader = new Socket({ fd, readable: true, writable: false });
    w.reader = reader;
    reader.on('data', (chunk: Buffer) => this.data(w, chunk));
    reader.on('end', () => this.end(w));
    reader.on('close', () => this.end(w));
    reader.on('error', (error) => {
      this.deps.log?.(`reading the output of pane ${w.paneId} failed: ${error.message}`);
      this.end(w);
    });
    const connected = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), CONNECT_TIMEOUT_MS);
      w.connected = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
    // Only a live pane without a pipe gets ours: plain pipe-pane would replace a user's pipe, and -o would close it.
    // Checked and piped in one server step (if-shell -F). The shell command is ours alone; the FIFO path comes from
    // our private directory, and [ -p ] keeps a late shell from creating a plain file there once the FIFO is gone.
    const path = shellQuote(fifo);
    const shell = `[ -p ${path} ] && exec >${path} && printf o && exec cat`;
    const result = await this.deps.run([
      [
        'if-shell', '-F', '-t', w.paneId, '#{||:#{pane_pipe},#{pane_dead}}',
        commandLine([['display-message', '-p', '-t', w.paneId, `${NOT_OURS}#{?pane_pipe,foreign,dead}`]]),
        commandLine([['pipe-pane', '-O', '-t', w.paneId, shell]]),
      ],
    ]);
    // The pipe shell's hello can be read before tmux's reply to this command: a watch already 'active' is ours.
    if (result.code !== 0 || (w.state !== 'starting' && w.state !== 'active')) {
      // A pane that is gone is no news; anything else is worth a line.
      if (result.code !== 0 && !/can't find pane/.test(result.stderr)) this.deps.log?.(`cannot pipe pane ${w.paneId}: ${result.stderr.trim() || (result.timedOut ? 'tmux timed out' : 'failed')}`);
      this.end(w);
      return w.state;
    }
    const notOurs = result.stdout.trim();
    if (notOurs.startsWith(NOT_OURS)) {
      this.end(w);
      w.state = notOurs === `${NOT_OURS}dead` ? 'dead' : 'foreign';
      w.recheckAt = Date.now() + RECHECK_MS;
      this.watches.set(w.paneId, w);
      return w.state;
    }
    if (!(await connected) && w.state === 'starting') {
      this.deps.log?.(`pane ${w.paneId}: the pipe never opened ${fifo} within ${CONNECT_TIMEOUT_MS} ms`);
      this.end(w);
    }
    return w.state;
  }

  private data(w: Watch, chunk: Buffer): void {
    if (w.state !== 'starting' && w.state !== 'active') return;
    if (w.state === 'starting') {
      // The first byte is the pipe shell's hello, not pane output.
      w.state = 'active';
      this.releaseHold(w);
      w.connected?.();
      chunk = chunk.subarray(1);
    }
    if (chunk.length === 0) return;
    this.counts.set(w.paneId, (this.counts.get(w.paneId) ?? 0) + 1);
    for (const listener of this.listeners.get(w.paneId) ?? []) listener(chunk);
    for (const done of [...(this.waiters.get(w.paneId) ?? [])]) done(true);
  }

  private releaseHold(w: Watch): void {
    if (w.hold === undefined) return;
    try {
      closeSync(w.hold);
    } catch {
      // already closed
    }
    w.hold = undefined;
  }

  /** The pipe closed (pane killed, pipe replaced) or we stop: free the FIFO; a later wait starts afresh. */
  private end(w: Watch): void {
    if (w.state === 'ended') return;
    w.state = 'ended';
    this.releaseHold(w);
    w.reader?.destroy();
    w.reader = undefined;
    if (w.fifo) rmSync(w.fifo, { force: true });
    w.connected?.();
    if (this.watches.get(w.paneId) === w) this.watches.delete(w.paneId);
  }
}

/** A path for sh, single-quoted. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
