// A tmux host reached with the system ssh client: the user's ~/.ssh/config, agent and known_hosts apply, one
// multiplexed connection per host is reused, and nothing is installed remotely (tmux, POSIX sh and flock suffice).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { lstatSync, mkdirSync, chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CommandError, FleetError } from '../errors.js';
import { formatArgv, run, type RunOptions, type RunResult } from '../exec/run.js';
import { lockFileName, shortName } from './local.js';
import { remoteCommandLine } from './quote.js';
import { holdRemoteLock, REMOTE_LOCK_SCRIPT, type RemoteHeldLock } from './remote-lock.js';
import type { Host } from './types.js';

export interface SshHostOptions {
  /** Roster name of the host. */
  name: string;
  /** ssh destination: `user@host`, `host`, or an alias from ~/.ssh/config. */
  ssh: string;
  port?: number;
  identityFile?: string;
  /** Name for message preambles; skips asking the host. */
  hostnameOverride?: string;
  /** Directory for ControlMaster sockets (created 0700); default under $XDG_RUNTIME_DIR or the tmux tmpdir. */
  controlDir?: string;
  connectTimeoutSec?: number;
  /** Extra ssh arguments placed before ours, so they win (e.g. ['-F', file, '-o', 'UserKnownHostsFile=…']). */
  extraOptions?: string[];
  /** The ssh program (default `ssh` on PATH). */
  sshProgram?: string;
  /** Where learned hostnames are cached; null disables the file (memory only). Default $XDG_CACHE_HOME/mosaic-fleet/hostnames.json. */
  hostnameCacheFile?: string | null;
}

const DEFAULT_CONNECT_TIMEOUT_SEC = 10;
// ssh adds ".XXXXXXXXXXXXXXXX" while creating the socket and %C is 40 hex digits; sun_path holds 107 bytes.
const MAX_CONTROL_DIR_LENGTH = 107 - 1 - 40 - 17;
const HOSTNAME_TTL_MS = 7 * 24 * 3600 * 1000;

export class SshHost implements Host {
  readonly name: string;
  readonly isLocal = false;
  readonly destination: string;
  /** ssh processes started by this host (exec, lock, hostname): the round trips. */
  spawns = 0;
  private readonly options: SshHostOptions;
  private hostname: Promise<string> | null = null;
  private connected: Promise<void> | null = null;
  private lastUse = 0;

  constructor(options: SshHostOptions) {
    if (options.ssh.startsWith('-') || /\s/.test(options.ssh) || options.ssh === '') {
      throw new FleetError('ROSTER_INVALID', `host ${options.name}: '${options.ssh}' is not an ssh destination`, {
        hint: 'write it as user@host or a Host alias from ~/.ssh/config',
      });
    }
    this.name = options.name;
    this.destination = options.ssh;
    this.options = options;
  }

  /** Run argv on the host: one quoted remote command line, stdin carried over the connection. */
  async exec(argv: string[], options: RunOptions = {}): Promise<RunResult> {
    const program = argv[0] ?? '';
    // cwd goes through a static script with the directory as a positional parameter; env stays the remote's own.
    const remote = options.cwd === undefined ? argv : ['sh', '-c', 'cd -- "$1" && shift && exec "$@"', 'sh', options.cwd, ...argv];
    await this.connect();
    const result = await this.spawnSsh(['-T', ...this.connectionArgs(), '--', this.destination, remoteCommandLine(remote)], options);
    const typed = this.sshFailure(result.code, result.stderr) ?? this.missingProgram(result.code, result.stderr, program);
    if (typed) throw typed;
    return { ...result, argv };
  }

  /** argv on the host with stdin and stdout streamed both ways, over the shared master connection. */
  async open(argv: string[]): Promise<ChildProcessWithoutNullStreams> {
    const remote = remoteCommandLine(argv);
    await this.connect();
    ensurePrivateDir(this.controlDir());
    this.spawns += 1;
    return spawn(this.sshProgram(), ['-T', ...this.connectionArgs(), '--', this.destination, remote], { stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** The per-pane send lock, held by flock on the remote host; its `channel` runs commands inside the lock's session. */
  async lock(key: string, timeoutMs: number): Promise<RemoteHeldLock> {
    const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
    const remote = remoteCommandLine(['sh', '-c', REMOTE_LOCK_SCRIPT, 'mosaic-lock', lockFileName(key), seconds]);
    await this.connect();
    this.spawns += 1;
    return holdRemoteLock({
      argv: [this.sshProgram(), '-T', ...this.connectionArgs(), '--', this.destination, remote],
      host: this,
      key,
      timeoutMs,
      connectGraceMs: this.connectTimeoutSec() * 1000,
      sshFailure: (code, stderr) => this.sshFailure(code, stderr),
      missingProgram: (code, stderr, program) => this.missingProgram(code, stderr, program),
    });
  }

  /** `hostname -s` of the remote machine: asked once, then cached in memory and on disk. */
  shortHostname(): Promise<string> {
    if (this.options.hostnameOverride) return Promise.resolve(this.options.hostnameOverride);
    this.hostname ??= this.learnHostname().catch((error: unknown) => {
      this.hostname = null; // a failed lookup is retried next time
      throw error;
    });
    return this.hostname;
  }

  /** Bring the shared master connection up before concurrent calls would each open their own connection (a burst
   *  of unauthenticated connections trips sshd's MaxStartups). Rechecked after an idle spell near ControlPersist. */
  private connect(): Promise<void> {
    if (Date.now() - this.lastUse > 45_000) this.connected = null;
    this.lastUse = Date.now();
    this.connected ??= this.openMaster().catch((error: unknown) => {
      this.connected = null;
      throw error;
    });
    return this.connected;
  }

  private async openMaster(): Promise<void> {
    if (await this.masterRunning()) return;
    // With ControlMaster=auto this ssh becomes the master and persists; if another process won the race it is a
    // plain connection that ends with its command, so nothing is left behind either way.
    const r = await this.spawnSsh(['-T', ...this.connectionArgs(), '--', this.destination, remoteCommandLine(['true'])], {
      timeoutMs: (this.connectTimeoutSec() + 15) * 1000,
    });
    const typed = this.sshFailure(r.code, r.stderr);
    if (typed) throw typed;
  }

  /** Is a master connection up for this host (`ssh -O check`)? */
  async masterRunning(): Promise<boolean> {
    const r = await this.spawnSsh([...this.connectionArgs(), '-O', 'check', '--', this.destination], { timeoutMs: 5_000 });
    return r.code === 0;
  }

  /** Close the shared master connection now instead of after ControlPersist. */
  async closeMaster(): Promise<void> {
    await this.spawnSsh([...this.connectionArgs(), '-O', 'exit', '--', this.destination], { timeoutMs: 5_000 });
  }

  /** The ssh options every call uses; the user's own (extraOptions) come first, so they take precedence. */
  connectionArgs(): string[] {
    const o = this.options;
    return [
      ...(o.extraOptions ?? []),
      '-o', 'BatchMode=yes',
      '-o', `ConnectTimeout=${this.connectTimeoutSec()}`,
      '-o', 'ControlMaster=auto',
      '-o', `ControlPath=${join(this.controlDir(), '%C')}`,
      '-o', 'ControlPersist=60',
      '-o', 'ServerAliveInterval=15',
      ...(o.port !== undefined ? ['-p', String(o.port)] : []),
      ...(o.identityFile !== undefined ? ['-i', o.identityFile] : []),
    ];
  }

  /** The command a person runs to see why ssh fails. */
  debugCommand(): string {
    const o = this.options;
    return formatArgv(['ssh', '-v', ...(o.port !== undefined ? ['-p', String(o.port)] : []), ...(o.identityFile ? ['-i', o.identityFile] : []), this.destination, 'true']);
  }

  private connectTimeoutSec(): number {
    return this.options.connectTimeoutSec ?? DEFAULT_CONNECT_TIMEOUT_SEC;
  }

  private sshProgram(): string {
    return this.options.sshProgram ?? 'ssh';
  }

  private controlDir(): string {
    return this.options.controlDir ?? defaultControlDir();
  }

  private async spawnSsh(args: string[], options: RunOptions): Promise<RunResult> {
    ensurePrivateDir(this.controlDir());
    this.spawns += 1;
    const result = await run([this.sshProgram(), ...args], { input: options.input, timeoutMs: options.timeoutMs });
    if (result.spawnError?.code === 'ENOENT') {
      throw new FleetError('TMUX_MISSING', `${this.sshProgram()} is not installed (needed for host ${this.name})`, {
        hint: 'install the OpenSSH client: sudo apt-get install openssh-client',
      });
    }
    return result;
  }

  /** ssh's own failures (exit 255 with its diagnostics) as typed errors; null when the remote command failed. */
  sshFailure(code: number | null, stderr: string): FleetError | null {
    if (code !== 255) return null;
    const line = sshDiagnostic(stderr);
    const where = `host ${this.name} (${this.destination}${this.options.port ? ` port ${this.options.port}` : ''})`;
    if (/Permission denied|Too many authentication failures|no mutual signature/i.test(stderr)) {
      return new FleetError('SSH_AUTH', `ssh to ${where} was refused: ${line}`, {
        hint: `ssh runs with BatchMode=yes (no prompts): install a key (ssh-copy-id ${this.destination}) or set identity_file for ${this.name}; debug: ${this.debugCommand()}`,
      });
    }
    if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i.test(stderr)) {
      return new FleetError('SSH_AUTH', `ssh to ${where}: the host key is unknown or changed (${line})`, {
        hint: `check and accept the host key once with: ssh ${this.destination} true`,
      });
    }
    if (/Connection refused|timed out|No route to host|Could not resolve|Network is unreachable|Connection closed|Connection reset|kex_exchange_identification|Broken pipe/i.test(stderr)) {
      return new FleetError('HOST_UNREACHABLE', `cannot reach ${where}: ${line}`, {
        hint: `is the host up and sshd listening? debug: ${this.debugCommand()}`,
      });
    }
    if (/^(ssh|mux_client|Control ?socket|ControlPath)[\w ]*:/im.test(stderr)) {
      return new FleetError('HOST_UNREACHABLE', `ssh to ${where} failed: ${line}`, { hint: `debug: ${this.debugCommand()}` });
    }
    return null;
  }

  /** Exit 127 with "<program>: not found" from the remote shell: the program is not installed there. */
  missingProgram(code: number | null, stderr: string, program: string): FleetError | null {
    if (code !== 127 || program === '') return null;
    const name = basename(program);
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const notFound = new RegExp(`(^|[\\s:/])${escaped}: (command )?not found|command not found: ${escaped}|${escaped}: No such file or directory`, 'm');
    if (!notFound.test(stderr)) return null;
    const hint = name === 'tmux' ? `install tmux (3.2 or newer) on ${this.name}, on the PATH of non-interactive ssh sessions` : `install ${name === 'flock' ? 'util-linux (flock)' : name} on ${this.name}`;
    return new CommandError('TMUX_MISSING', `${name} is not installed on host ${this.name}`, [program], code, stderr.trim(), { hint });
  }

  private async learnHostname(): Promise<string> {
    const key = `${this.destination}:${this.options.port ?? ''}`;
    const file = this.options.hostnameCacheFile === undefined ? defaultHostnameCache() : this.options.hostnameCacheFile;
    const cached = file ? readHostnameCache(file)[key] : undefined;
    if (cached && Date.now() - cached.learnedAt < HOSTNAME_TTL_MS) return cached.hostname;
    // uname -n is POSIX (some systems lack hostname(1)); cutting at the first dot is what hostname -s does.
    const r = await this.exec(['uname', '-n'], { timeoutMs: (this.connectTimeoutSec() + 10) * 1000 });
    if (r.code !== 0 || r.stdout.trim() === '') {
      throw new FleetError('HOST_UNREACHABLE', `cannot learn the hostname of host ${this.name}: ${r.stderr.trim() || (r.timedOut ? 'timed out' : `exit ${r.code}`)}`, {
        hint: `set hosts.${this.name}.hostname in the roster, or debug: ${this.debugCommand()}`,
      });
    }
    const name = shortName(r.stdout.trim());
    if (file) writeHostnameCache(file, key, name);
    return name;
  }
}

/** The most telling line of ssh's stderr (its last non-warning line). */
function sshDiagnostic(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^Warning: Permanently added/.test(l));
  return lines[lines.length - 1] ?? 'ssh failed';
}

/** Control sockets live beside the lock directory, or in $XDG_RUNTIME_DIR; short enough for a unix socket path. */
export function defaultControlDir(env: NodeJS.ProcessEnv = process.env): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const preferred = env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'mosaic-fleet', 'ssh') : join(env.TMUX_TMPDIR || tmpdir(), `mosaic-fleet-${uid}`, 'ssh');
  return preferred.length <= MAX_CONTROL_DIR_LENGTH ? preferred : `/tmp/mosaic-fleet-${uid}-ssh`;
}

/** Create `dir` 0700 and refuse one that someone else owns (their socket would see our connections). */
export function ensurePrivateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
  if (!st.isDirectory() || st.uid !== uid) {
    throw new FleetError('TMUX_FAILED', `${dir} is not a directory owned by you; refusing to put ssh control sockets there`, {
      hint: 'remove it, or set XDG_RUNTIME_DIR to a private directory',
    });
  }
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}

export function defaultHostnameCache(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mosaic-fleet', 'hostnames.json');
}

interface HostnameEntry {
  hostname: string;
  learnedAt: number;
}

export function readHostnameCache(file: string): Record<string, HostnameEntry> {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, HostnameEntry>) : {};
  } catch {
    return {}; // missing or corrupt: relearn
  }
}

/** Merge one entry; written to a temp file and renamed, so a concurrent reader never sees half a file. */
function writeHostnameCache(file: string, key: string, hostname: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const data = { ...readHostnameCache(file), [key]: { hostname, learnedAt: Date.now() } };
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // The cache only saves a round trip; a read-only home must not fail a send.
  }
}
