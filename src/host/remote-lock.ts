// The send lock of a remote host, held ON that host: a static POSIX sh script takes flock(1) on a file in the
// remote lock directory and keeps it while our ssh channel's stdin stays open. It doubles as a command channel:
// while the lock is held, framed argv requests on stdin run on the remote without a new ssh round trip each.
import { spawn } from 'node:child_process';
import { FleetError } from '../errors.js';
import type { RunOptions, RunResult } from '../exec/run.js';
import type { HeldLock, Host } from './types.js';

/**
 * Runs as `sh -c REMOTE_LOCK_SCRIPT mosaic-lock <lock-file-name> <wait-seconds>`; values arrive only as $1 and $2.
 * The lock lives on fd 9, which commands run through the channel do not inherit (a tmux server they start would
 * otherwise keep the lock forever). Requests: "<argc>\n", argc argument lines, one input line; each line starts
 * with r (raw text) or e (printf %b escapes). Reply: "R <exit> <stdout-bytes> <stderr-bytes>\n" + stdout + stderr.
 */
export const REMOTE_LOCK_SCRIPT = `umask 077
d="\${TMUX_TMPDIR:-/tmp}/mosaic-fleet-$(id -u)/locks"
mkdir -p "$d" || exit 3
exec 9>>"$d/$1" || exit 3
flock -x -w "$2" 9 || exit $?
t="$d/.channel-$$"
trap 'rm -f "$t.i" "$t.o" "$t.e"' EXIT
printf 'locked\\n'
while IFS= read -r n; do
  set --
  while [ "$n" -gt 0 ]; do
    IFS= read -r a || exit 0
    case $a in
      e*) a=$(printf '%bx' "\${a#e}"); a=\${a%x} ;;
      *) a=\${a#r} ;;
    esac
    set -- "$@" "$a"
    n=$((n - 1))
  done
  IFS= read -r a || exit 0
  case $a in
    e*) printf '%b' "\${a#e}" >"$t.i" ;;
    *) printf '%s' "\${a#r}" >"$t.i" ;;
  esac
  "$@" <"$t.i" >"$t.o" 2>"$t.e" 9>&-
  c=$?
  set -- $(wc -c <"$t.o"; wc -c <"$t.e")
  printf 'R %s %s %s\\n' "$c" "$1" "$2"
  cat "$t.o" "$t.e"
done`;

const RELEASE_GRACE_MS = 5_000;

/** One request line: raw when it has no newline or backslash (the common case costs no fork remotely). */
export function encodeLine(value: string | Buffer): string {
  const text = typeof value === 'string' ? value : value.toString('latin1');
  if (!/[\n\\]/.test(text)) return `r${text}`;
  return `e${text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`;
}

/** The bytes of one channel request for argv with optional stdin. */
export function encodeRequest(argv: string[], input?: string | Buffer): Buffer {
  for (const a of argv) if (a.includes('\0')) throw new Error('a command argument cannot contain a NUL byte');
  const lines = [String(argv.length), ...argv.map(encodeLine), encodeLine(input ?? '')];
  // A Buffer input was encoded byte-for-byte as latin1; strings go out as UTF-8.
  const latin1 = typeof input !== 'string' && input !== undefined;
  const head = Buffer.from(`${lines.slice(0, -1).join('\n')}\n`, 'utf8');
  const tail = Buffer.from(`${lines[lines.length - 1]}\n`, latin1 ? 'latin1' : 'utf8');
  return Buffer.concat([head, tail]);
}

interface Reply {
  code: number;
  stdout: string;
  stderr: string;
}

/** Splits the holder's stdout into the "locked" line and then framed replies. */
export class ReplyParser {
  private buf = Buffer.alloc(0);
  private locked = false;

  push(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
  }

  takeLocked(): boolean {
    if (this.locked) return true;
    const nl = this.buf.indexOf(0x0a);
    if (nl === -1) return false;
    const line = this.buf.subarray(0, nl).toString('utf8');
    this.buf = this.buf.subarray(nl + 1);
    // Anything before our line (a chatty login script) is skipped, line by line.
    this.locked = line === 'locked';
    return this.locked ? true : this.takeLocked();
  }

  takeReply(): Reply | null {
    const nl = this.buf.indexOf(0x0a);
    if (nl === -1) return null;
    const m = /^R (\d+) (\d+) (\d+)$/.exec(this.buf.subarray(0, nl).toString('utf8').trim());
    if (!m) throw new Error(`lock channel: unexpected reply ${JSON.stringify(this.buf.subarray(0, Math.min(nl, 80)).toString('utf8'))}`);
    const out = Number(m[2]);
    const err = Number(m[3]);
    if (this.buf.length < nl + 1 + out + err) return null;
    const body = this.buf.subarray(nl + 1);
    this.buf = body.subarray(out + err);
    return { code: Number(m[1]), stdout: body.subarray(0, out).toString('utf8'), stderr: body.subarray(out, out + err).toString('utf8') };
  }
}

export interface RemoteLockContext {
  /** The ssh argv that runs the remote lock script (already quoted for the remote shell). */
  argv: string[];
  /** The host the lock lives on: the channel falls back to it once broken, and takes its name. */
  host: Host;
  key: string;
  timeoutMs: number;
  /** Extra grace for connection setup before the guard kills a wedged ssh. */
  connectGraceMs: number;
  /** A typed error when ssh itself failed (unreachable, auth), else null. */
  sshFailure(code: number | null, stderr: string): FleetError | null;
  /** A typed error when the remote shell could not find `program`, else null. */
  missingProgram(code: number | null, stderr: string, program: string): FleetError | null;
}

/** A held remote lock; `channel` runs commands on the host through the lock's own ssh session. */
export interface RemoteHeldLock extends HeldLock {
  channel: Host;
  /** The local ssh process holding the remote lock (for diagnostics). */
  pid: number | undefined;
}

/** Spawn the remote holder and resolve once the remote flock is held. */
export function holdRemoteLock(ctx: RemoteLockContext): Promise<RemoteHeldLock> {
  const [file, ...args] = ctx.argv;
  if (file === undefined) throw new Error('holdRemoteLock: empty argv');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const parser = new ReplyParser();
    const channel = new LockChannel(ctx, child.stdin);
    let stderr = '';
    let held = false;
    let wedged = false;
    const exited = new Promise<void>((done) => child.on('close', () => done()));
    // The guard covers a wedged ssh as well as flock's own -w.
    const guard = setTimeout(() => {
      if (held) return;
      wedged = true;
      child.kill('SIGKILL');
    }, ctx.timeoutMs + ctx.connectGraceMs + 5_000);
    child.stdin.on('error', () => {});
    child.stdout.on('data', (chunk: Buffer) => {
      parser.push(chunk);
      if (!held && parser.takeLocked()) {
        held = true;
        clearTimeout(guard);
        resolve({
          channel,
          pid: child.pid,
          release: async () => {
            await channel.drain();
            child.stdin.end();
            // EOF ends the remote loop at once. A stalled link or a command stuck past its timeout must not hold
            // the caller; the remote lock then goes when that command ends and the loop reads EOF.
            const stop = setTimeout(() => child.kill('SIGKILL'), RELEASE_GRACE_MS);
            await exited;
            clearTimeout(stop);
          },
        });
      }
      if (!held) return;
      try {
        channel.deliver(parser);
      } catch (error) {
        // A garbled reply means we no longer know where requests end: stop using this session for commands.
        channel.close(new FleetError('TMUX_FAILED', `the lock session to host ${ctx.host.name} sent an unreadable reply: ${(error as Error).message}`));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(guard);
      reject(
        e.code === 'ENOENT'
          ? new FleetError('TMUX_MISSING', `${file} is not installed`, { hint: 'install openssh-client' })
          : new FleetError('TMUX_FAILED', `cannot start the ssh lock holder: ${e.message}`),
      );
    });
    child.on('close', (code) => {
      clearTimeout(guard);
      channel.close(ctx.sshFailure(code, stderr) ?? new FleetError('TMUX_FAILED', `the lock session to host ${ctx.host.name} ended (${stderr.trim() || `exit ${code}`})`));
      if (held) return;
      reject(
        wedged
          ? new FleetError('HOST_UNREACHABLE', `no answer from host ${ctx.host.name} while taking the send lock on ${ctx.key}`, { hint: 'the connection is stalled; check the host and retry' })
          : lockFailure(ctx, code, stderr),
      );
    });
  });
}

function lockFailure(ctx: RemoteLockContext, code: number | null, stderr: string): FleetError {
  const typed = ctx.sshFailure(code, stderr) ?? ctx.missingProgram(code, stderr, 'flock');
  if (typed) return typed;
  if (code === 1) {
    return new FleetError('LOCK_TIMEOUT', `timed out after ${Math.round(ctx.timeoutMs / 1000)} s waiting for the send lock on ${ctx.key} (host ${ctx.host.name})`, {
      hint: 'another sender is still delivering to this pane; retry, or raise --timeout',
    });
  }
  return new FleetError('TMUX_FAILED', `lock on ${ctx.key} failed on host ${ctx.host.name}: ${stderr.trim() || `exit ${code}`}`, {
    hint: `flock (util-linux) must be installed on ${ctx.host.name}, and \${TMUX_TMPDIR:-/tmp} writable there`,
  });
}

interface Pending {
  argv: string[];
  resolve(result: RunResult): void;
  reject(error: unknown): void;
  timer?: NodeJS.Timeout;
}

/** A Host whose exec goes through a held lock's session, one request at a time. */
class LockChannel implements Host {
  readonly isLocal = false;
  readonly name: string;
  private pending: Pending[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private failure: unknown = null;
  // After a timeout the remote loop is stuck in that command: later calls use plain ssh (the lock stays held).
  private broken = false;

  private readonly host: Host;

  constructor(
    private readonly ctx: RemoteLockContext,
    private readonly stdin: NodeJS.WritableStream,
  ) {
    this.host = ctx.host;
    this.name = ctx.host.name;
  }

  exec(argv: string[], options: RunOptions = {}): Promise<RunResult> {
    const next = this.queue.then(() => this.send(argv, options));
    this.queue = next.catch(() => {});
    return next;
  }

  lock(key: string, timeoutMs: number): Promise<HeldLock> {
    return this.host.lock(key, timeoutMs);
  }

  shortHostname(): Promise<string> {
    return this.host.shortHostname();
  }

  /** Wait for requests in flight, so release never cuts a command short. */
  async drain(): Promise<void> {
    await this.queue;
  }

  deliver(parser: ReplyParser): void {
    for (;;) {
      const head = this.pending[0];
      if (!head) return;
      const reply = parser.takeReply();
      if (!reply) return;
      this.pending.shift();
      if (head.timer) clearTimeout(head.timer);
      const missing = this.ctx.missingProgram(reply.code, reply.stderr, head.argv[0] ?? '');
      if (missing) {
        head.reject(missing);
        continue;
      }
      head.resolve({ argv: head.argv, code: reply.code, signal: null, stdout: reply.stdout, stderr: reply.stderr, timedOut: false });
    }
  }

  close(reason: unknown): void {
    this.failure = reason;
    for (const p of this.pending.splice(0)) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(reason);
    }
  }

  private send(argv: string[], options: RunOptions): Promise<RunResult> {
    if (this.broken || this.failure) return this.host.exec(argv, options);
    return new Promise((resolve, reject) => {
      const entry: Pending = { argv, resolve, reject };
      if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
        entry.timer = setTimeout(() => {
          this.broken = true;
          this.pending = this.pending.filter((p) => p !== entry);
          resolve({ argv, code: null, signal: null, stdout: '', stderr: '', timedOut: true });
        }, options.timeoutMs);
      }
      this.pending.push(entry);
      this.stdin.write(encodeRequest(argv, options.input));
    });
  }
}
