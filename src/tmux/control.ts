// One persistent tmux control-mode client (`tmux -C`) as a Host: every tmux argv the transport would fork runs as one
// command line over this connection instead, and panes in any session can be watched for output as it is drawn.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandError } from '../errors.js';
import type { RunOptions, RunResult } from '../exec/run.js';
import type { HeldLock, Host } from '../host/types.js';
import { classifyTmuxError, describeSocket, type SocketSpec } from './client.js';
import { ControlArgError, commandLine, findStdinSource, pinToNewSession, readGlobalFlags, splitCommands } from './control-quote.js';
import { ControlParser, type ControlBlock, type ControlEvent } from './control-parse.js';
import { OutputWatcher, type WatchState } from './control-watch.js';

export interface ConnectControlOptions {
  /** Runs everything that is not tmux (and the FIFO setup); name, lock and hostname come from it too. */
  local: Host;
  socket: SocketSpec;
  /** Passed with -f like Tmux.argv does (a running server ignores it). */
  configFile?: string;
  /** The session the control client attaches to (the fleet's holder; it must exist). */
  session: string;
  env?: NodeJS.ProcessEnv;
  /** Per-call timeout when the caller gives none (Tmux passes 15 s). */
  defaultTimeoutMs?: number;
  /** A timed-out command still unanswered this long after its timeout declares the connection broken. */
  stallMs?: number;
  connectTimeoutMs?: number;
  /** Parent of the private directory for stdin bodies and FIFOs (default $XDG_RUNTIME_DIR, else the tmpdir). */
  spoolParent?: string;
  /** One line per unexpected problem with output watching (the service's stderr log). */
  log?: (line: string) => void;
}

interface Entry {
  argv: string[];
  commands: number;
  blocks: ControlBlock[];
  settled: boolean;
  resolve: (result: RunResult) => void;
  timer?: NodeJS.Timeout;
  spool?: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_STALL_MS = 30_000;
const EXIT_GRACE_MS = 3_000;
const CLOSED_BY_OWNER = 'closed by its owner';

/** What a Host offers when it can tell that a pane drew (the control connection can; a forked host cannot). */
export interface PaneOutputEvents {
  waitOutput(paneId: string, timeoutMs: number, since?: number): Promise<boolean>;
  outputMark(paneId: string): number;
}

/** The host's output events, or null for a host that has none (then sleep as before). */
export function paneOutputEvents(host: Host): PaneOutputEvents | null {
  return host instanceof ControlHost ? host : null;
}

/** Connect a control client to `session` on the server; rejects (CommandError, typed like Tmux.run) if it cannot. */
export async function connectControl(options: ConnectControlOptions): Promise<ControlHost> {
  // attach-session may start a server (then fails: no sessions): never start one just to find nothing there.
  const path = socketPathOf(options.socket, options.env ?? process.env);
  if (!existsSync(path)) {
    const argv = ['tmux', '-C', 'attach-session'];
    throw new CommandError('NO_SERVER', `no tmux server is running on ${describeSocket(options.socket)}`, argv, null, `no server running on ${path}`);
  }
  const host = new ControlHost(options);
  await host.ready;
  return host;
}

export class ControlHost implements Host, PaneOutputEvents {
  readonly name: string;
  readonly isLocal: boolean;
  readonly socket: SocketSpec;
  /** Resolves with the reason once the connection is gone (server killed, client died, close()). */
  readonly closed: Promise<string>;
  /** @internal resolved when the attach command answered */
  readonly ready: Promise<void>;

  private readonly local: Host;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly entries: Entry[] = [];
  private readonly sync = `mosaic-control-sync-${randomBytes(6).toString('hex')}`;
  private readonly dir: string;
  private readonly watcher: OutputWatcher;
  private readonly defaultTimeoutMs: number;
  private readonly stallMs: number;
  private readonly serverPath: string;
  private readonly closeCallbacks: ((reason: string) => void)[] = [];
  private closedReason: string | null = null;
  private closing: Promise<void> | null = null;
  private resolveClosed!: (reason: string) => void;
  private stderrTail = '';
  private spoolSerial = 0;
  private drained: (() => void) | null = null;

  constructor(options: ConnectControlOptions) {
    this.local = options.local;
    this.name = options.local.name;
    this.isLocal = options.local.isLocal;
    this.socket = options.socket;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.stallMs = options.stallMs ?? DEFAULT_STALL_MS;
    const env = { ...(options.env ?? process.env) };
    // With an explicit socket, $TMUX (a caller inside tmux) must neither pick the server nor trip nesting checks.
    if (options.socket.name || options.socket.path) delete env.TMUX;
    this.serverPath = socketPathOf(options.socket, env);
    this.dir = privateDir(options.spoolParent ?? env.XDG_RUNTIME_DIR);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.watcher = new OutputWatcher({
      dir: this.dir,
      makeFifo: async (path) => (await this.local.exec(['mkfifo', '-m', '600', path], { timeoutMs: 10_000 })).code === 0,
      run: (commands) => this.send(['tmux', '(watch)'], commands, undefined, this.defaultTimeoutMs),
      log: options.log,
    });

    const sock = options.socket.path ? ['-S', options.socket.path] : options.socket.name ? ['-L', options.socket.name] : [];
    const conf = options.configFile ? ['-f', options.configFile] : [];
    this.child = spawn('tmux', ['-u', ...sock, ...conf, '-C', 'attach-session', '-t', `=${options.session}`], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => {}); // EPIPE after the client died: the exit handler tells the story

    let attached: (error?: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      const limit = options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS;
      const timer = setTimeout(() => attached(new CommandError('TMUX_FAILED', `tmux control client did not attach within ${limit} ms`, this.child.spawnargs, null, '')), limit);
      attached = (error) => {
        clearTimeout(timer);
        attached = () => {};
        if (error) {
          this.shutdown(error.message);
          reject(error);
        } else resolve();
      };
    });
    // Until the attach command's own block arrives, nothing we send could be matched.
    let first = true;
    const parser = new ControlParser((event) => {
      if (first && event.kind === 'block') {
        first = false;
        if (event.ok) attached();
        else attached(connectError(event.text, options.socket, this.child.spawnargs));
        return;
      }
      this.event(event);
    });
    this.child.stdout.on('data', (chunk: Buffer) => parser.push(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4096)));
    this.child.on('error', (error) => attached(new CommandError('TMUX_MISSING', `cannot run tmux: ${error.message}`, this.child.spawnargs, null, '')));
    this.child.on('close', (code, signal) => {
      const why = this.closing ? CLOSED_BY_OWNER : this.stderrTail.trim() || `tmux control client exited (${signal ?? `code ${code}`})`;
      attached(connectError(why, options.socket, this.child.spawnargs));
      this.shutdown(why);
    });
  }

  /** Locks and the hostname are the local host's: the connection only replaces how tmux is reached. */
  lock(key: string, timeoutMs: number): Promise<HeldLock> {
    return this.local.lock(key, timeoutMs);
  }

  shortHostname(): Promise<string> {
    return this.local.shortHostname();
  }

  /** tmux argv for this connection's server runs over the connection; anything else on the local host. */
  exec(argv: string[], options: RunOptions = {}): Promise<RunResult> {
    if (argv[0] !== 'tmux') return this.local.exec(argv, options);
    const globals = readGlobalFlags(argv);
    if (globals.foreign || globals.command >= argv.length) return this.local.exec(argv, options);
    const wanted = socketPathOf({ name: globals.socketName, path: globals.socketPath }, options.env ?? process.env);
    if (wanted !== this.serverPath) {
      return Promise.resolve(failed(argv, `this control connection serves ${describeSocket(this.socket)}, not ${wanted}`));
    }
    let commands: string[][];
    try {
      commands = pinToNewSession(splitCommands(argv.slice(globals.command)));
      commandLine(commands); // validate every argument before anything is written
    } catch (error) {
      if (error instanceof ControlArgError) return Promise.resolve(failed(argv, error.message));
      throw error;
    }
    if (this.closing && this.closedReason === null) return Promise.resolve(noServer(argv, 'the control connection is closing'));
    return this.send(argv, commands, options.input, options.timeoutMs ?? this.defaultTimeoutMs);
  }

  /** Register a callback for the end of the connection (called once, with the reason). */
  onClose(callback: (reason: string) => void): void {
    if (this.closedReason !== null) callback(this.closedReason);
    else this.closeCallbacks.push(callback);
  }

  /** Resolves true as soon as the pane draws anything after this call (or after `since`, from outputMark), false at the timeout. */
  waitOutput(paneId: string, timeoutMs: number, since?: number): Promise<boolean> {
    return this.watcher.wait(paneId, timeoutMs, since);
  }

  /** A mark to pass to waitOutput as `since`: take it before pasting, so output drawn before the wait began counts. */
  outputMark(paneId: string): number {
    return this.watcher.mark(paneId);
  }

  /** Start watching a pane now; resolves 'active' (piped), 'foreign' (someone else pipes it) or 'ended' (no such pane). */
  watchPane(paneId: string): Promise<WatchState> {
    return this.watcher.watch(paneId);
  }

  /** Raw output chunks of a watched pane; returns the unsubscribe. */
  onPaneOutput(paneId: string, listener: (chunk: Buffer) => void): () => void {
    return this.watcher.onOutput(paneId, listener);
  }

  /** The control client's process id (tests, diagnostics). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Let calls in flight finish, close our pipes, detach the client and wait for it to exit. */
  close(): Promise<void> {
    if (this.closedReason !== null) return Promise.resolve();
    this.closing ??= (async () => {
      if (this.entries.length > 0) {
        const drained = new Promise<void>((resolve) => (this.drained = resolve));
        await Promise.race([drained, this.closed, delay(EXIT_GRACE_MS)]);
      }
      await this.watcher.stopAll(this.closedReason === null);
      await this.detach();
      this.shutdown(CLOSED_BY_OWNER);
    })();
    return this.closing;
  }

  /** Write one command line plus the sync line; the reply is every block up to the sync block. */
  private send(argv: string[], commands: string[][], input: string | Buffer | undefined, timeoutMs: number): Promise<RunResult> {
    if (this.closedReason !== null) return Promise.resolve(noServer(argv, this.closedReason));
    return new Promise((resolve) => {
      const entry: Entry = { argv, commands: commands.length, blocks: [], settled: false, resolve };
      const source = input === undefined ? null : findStdinSource(commands);
      if (source) {
        // Control mode has no stdin per command: the body goes through a private file tmux's client reads.
        entry.spool = join(this.dir, `body-${(this.spoolSerial += 1)}`);
        writeFileSync(entry.spool, input!, { mode: 0o600, flag: 'wx' });
        const [c, a] = source;
        commands = commands.map((cmd, i) => (i === c ? cmd.map((arg, j) => (j === a ? entry.spool! : arg)) : cmd));
      }
      if (timeoutMs > 0) entry.timer = setTimeout(() => this.timeOut(entry, timeoutMs), timeoutMs);
      this.entries.push(entry);
      this.child.stdin.write(`${commandLine(commands)}\ndisplay-message -p ${this.sync}\n`);
    });
  }

  private event(event: ControlEvent): void {
    if (event.kind === 'exit') {
      this.shutdown(this.closing ? CLOSED_BY_OWNER : event.reason ? `tmux: ${event.reason}` : 'the tmux server closed the control connection');
      return;
    }
    // Blocks with flags 0 run on our behalf without being ours (hooks): not part of any reply.
    if (event.kind !== 'block' || event.flags !== 1) return;
    const head = this.entries[0];
    if (!head) return;
    if (event.ok && event.text === `${this.sync}\n`) this.finish(head);
    else head.blocks.push(event);
  }

  private finish(entry: Entry): void {
    const at = this.entries.indexOf(entry);
    if (at !== -1) this.entries.splice(at, 1);
    if (this.entries.length === 0) this.drained?.();
    if (entry.timer) clearTimeout(entry.timer);
    if (entry.spool) rmSync(entry.spool, { force: true });
    if (!entry.settled) {
      entry.settled = true;
      entry.resolve(replyOf(entry));
    }
  }

  private timeOut(entry: Entry, timeoutMs: number): void {
    if (entry.settled) return;
    entry.settled = true;
    entry.resolve({ argv: entry.argv, code: null, signal: null, stdout: '', stderr: '', timedOut: true });
    // Its reply still comes in order and is dropped; if it never comes, every later call would wait behind it.
    setTimeout(() => {
      if (this.entries.includes(entry)) this.shutdown(`a tmux command did not finish ${this.stallMs} ms after its ${timeoutMs} ms timeout`, true);
    }, this.stallMs).unref();
  }

  /** End of the connection: settle everything, free files, tell the owner. Idempotent. */
  private shutdown(reason: string, kill = false): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    for (const entry of this.entries.splice(0)) {
      if (entry.timer) clearTimeout(entry.timer);
      if (entry.spool) rmSync(entry.spool, { force: true });
      if (entry.settled) continue;
      entry.settled = true;
      // kill-server's own reply arrives before the connection ends: a complete reply stands.
      entry.resolve(complete(entry) ? replyOf(entry) : noServer(entry.argv, reason));
    }
    void this.watcher.stopAll(false);
    if (kill || this.child.exitCode === null) void this.detach();
    rmSync(this.dir, { recursive: true, force: true });
    this.resolveClosed(reason);
    for (const callback of this.closeCallbacks.splice(0)) callback(reason);
  }

  /** EOF on stdin detaches a control client; a client that does not go is killed. Node reaps it either way. */
  private async detach(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    if (await Promise.race([exited.then(() => true), delay(EXIT_GRACE_MS).then(() => false)])) return;
    this.child.kill('SIGKILL');
    await exited;
  }
}

/** A reply counts as complete when every command answered or one failed (tmux drops the rest of the list). */
function complete(entry: Entry): boolean {
  return entry.blocks.some((b) => !b.ok) || entry.blocks.length >= entry.commands;
}

/** Blocks as a forked tmux reports them: outputs concatenated on stdout, the first error on stderr with exit 1. */
function replyOf(entry: Entry): RunResult {
  let stdout = '';
  for (const block of entry.blocks) {
    if (!block.ok) {
      // A forked tmux prints parse errors without the "parse error: " that control mode adds.
      const stderr = block.text.replace(/^parse error: /, '');
      return { argv: entry.argv, code: 1, signal: null, stdout, stderr, timedOut: false };
    }
    stdout += block.text;
  }
  return { argv: entry.argv, code: 0, signal: null, stdout, stderr: '', timedOut: false };
}

function failed(argv: string[], message: string): RunResult {
  return { argv, code: 1, signal: null, stdout: '', stderr: `${message}\n`, timedOut: false };
}

/** Worded so classifyTmuxError says NO_SERVER. */
function noServer(argv: string[], reason: string): RunResult {
  return failed(argv, `no server running: the tmux control connection closed (${reason})`);
}

function connectError(text: string, socket: SocketSpec, argv: string[]): CommandError {
  // A stale socket lets attach-session start an empty server, which answers "no sessions": no fleet server is there.
  const stderr = text.trim() === 'no sessions' ? 'no server running (the server had no sessions)' : text.trim();
  const code = classifyTmuxError(stderr);
  return new CommandError(code, `cannot attach a tmux control client on ${describeSocket(socket)}: ${stderr}`, argv, null, stderr);
}

/** The socket a tmux client would use: -S as given, -L under $TMUX_TMPDIR/tmux-UID (as tmux computes it). */
export function socketPathOf(socket: SocketSpec, env: NodeJS.ProcessEnv): string {
  if (socket.path) return socket.path;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return join(env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`, socket.name || 'default');
}

/** 0700 directory for bodies and FIFOs; its path goes into tmux and sh commands, so keep it to plain characters. */
function privateDir(parent: string | undefined): string {
  for (const base of [parent, tmpdir(), '/tmp']) {
    if (!base || !/^[A-Za-z0-9_./-]+$/.test(base)) continue;
    try {
      return mkdtempSync(join(base, 'mosaic-control-'));
    } catch {
      // unwritable: try the next
    }
  }
  throw new Error('no writable directory for the tmux control connection');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
