// Long-lived flock holders for a long-lived process (the fleet service). Each holder is one small `sh` that takes a
// lock file on request, holds it until told to let go, and waits for the next request. A lock then costs a line each
// way, where spawning a `flock` per lock costs the service's event loop a fork of a large process (~30 ms each on a
// 2-core VM, most of the service's time per message). If we die, a holder's stdin closes, it exits, and the kernel
// drops its lock, exactly as with a holder per lock.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { lockFailed, lockTimeout } from './lock.js';
import type { HeldLock } from './types.js';

// Request: "<seconds> <file>". Answers: "locked", then (after any line from us) "released"; or "failed <status>".
// `command exec` so that a file that cannot be opened fails the request, not the whole shell.
const HOLDER_SCRIPT = [
  'while IFS= read -r req; do',
  '  w=${req%% *}; f=${req#* }',
  '  if command exec 9>>"$f" && flock -x -w "$w" 9; then',
  '    echo locked',
  '    IFS= read -r _ || exit 0',
  '    exec 9>&-',
  '    echo released',
  '  else',
  '    s=$?; exec 9>&-; echo "failed $s"',
  '  fi',
  'done',
].join('\n');

/** Holders kept idle for the next locks; more are started while more locks are held at once. */
const MAX_IDLE = 16;

export class LockPool {
  private readonly idle: Holder[] = [];
  private closed = false;
  /** Holders started so far (each is a process; a warm pool starts none per lock). */
  started = 0;

  /** Take `file` exclusively, waiting at most `timeoutMs` (flock -w); errors typed as the per-lock holder's are. */
  async lock(file: string, timeoutMs: number, what: string): Promise<HeldLock> {
    const holder = this.idle.pop() ?? this.start();
    const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
    const answer = await holder.ask(`${seconds} ${file}`, timeoutMs + 5_000);
    if (answer === 'locked') {
      return {
        release: async () => {
          const released = await holder.ask('', 5_000);
          this.putBack(holder, released === 'released');
        },
      };
    }
    this.putBack(holder, answer.startsWith('failed '));
    throw answer === 'failed 1' ? lockTimeout(what, timeoutMs) : lockFailed(what, answer);
  }

  /** End every idle holder (a held lock's holder ends when that lock is released); until then they keep the event
   *  loop alive, as a lock being waited for should. */
  close(): void {
    this.closed = true;
    for (const holder of this.idle.splice(0)) holder.end();
  }

  private start(): Holder {
    this.started += 1;
    return new Holder();
  }

  private putBack(holder: Holder, healthy: boolean): void {
    if (healthy && !this.closed && this.idle.length < MAX_IDLE) this.idle.push(holder);
    else holder.end();
  }
}

/** One `sh` holder: one request at a time, answered by one line. */
class Holder {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffered = '';
  private waiting: ((line: string) => void) | null = null;
  private gone: string | null = null;

  constructor() {
    this.child = spawn('sh', ['-c', HOLDER_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.resume();
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffered += chunk.toString('utf8');
      const nl = this.buffered.indexOf('\n');
      if (nl === -1) return;
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      this.settle(line);
    });
    this.child.on('error', (e: NodeJS.ErrnoException) => this.fail(e.code === 'ENOENT' ? 'sh is not installed' : e.message));
    this.child.on('close', (code) => this.fail(`lock holder exited (${code ?? 'signal'})`));
  }

  /** Send one line, resolve with the answer line ("holder gone: ..." if it died or did not answer in time). */
  ask(line: string, timeoutMs: number): Promise<string> {
    if (this.gone !== null) return Promise.resolve(`holder gone: ${this.gone}`);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.end();
        this.settle('holder gone: no answer');
      }, timeoutMs);
      timer.unref();
      this.waiting = (answer) => {
        clearTimeout(timer);
        resolve(answer);
      };
      this.child.stdin.write(`${line}\n`);
    });
  }

  end(): void {
    this.child.stdin.end();
    this.child.kill('SIGKILL');
  }

  private settle(line: string): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.(line);
  }

  private fail(why: string): void {
    this.gone ??= why;
    this.settle(`holder gone: ${why}`);
  }
}
