import { CommandError, FleetError, type ErrorCode } from '../errors.js';
import { formatArgv } from '../exec/run.js';
import type { Host } from '../host/types.js';
import { parsePaneList, paneFormat, STATE_FIELDS, type PaneInfo, type PaneState } from './format.js';
import { resolvePane } from './target.js';
import { parseCapture } from './screen.js';
import type { Screen } from '../runtimes/types.js';

/** Which tmux server: a named socket (-L), an explicit socket path (-S), or the user's default server. */
export interface SocketSpec {
  name?: string;
  path?: string;
}

export const DEFAULT_SOCKET = 'mosaic-factory';

export function describeSocket(socket: SocketSpec): string {
  if (socket.path) return `socket ${socket.path}`;
  if (socket.name) return `socket '${socket.name}'`;
  return 'the default tmux server';
}

export interface TmuxRunOptions {
  input?: string | Buffer;
  timeoutMs?: number;
}

/** The busy search's last results: valid for a pane that has drawn nothing since `sentMs` (see paneFormat). */
interface BusyMemory {
  sentMs: number;
  /** When every screen was last searched. */
  fullMs: number;
  panes: Map<string, { key: string; busy: boolean }>;
}

/** Every screen is searched at least this often, whatever the memory says: a screen can also change without its pane
 *  drawing (someone's `tmux send-keys -R`, say), and such a change is then seen within this time. */
const FULL_SEARCH_EVERY_MS = 10_000;

/** Typed tmux verbs for one server on one host. Every call is one `tmux` process with an argv array. */
export class Tmux {
  private busyMemory: BusyMemory | null = null;
  /** Whether this tmux compares numbers in formats (#{e|<:a,b}); asked once, before the memory is first used. */
  private comparesNumbers: Promise<boolean> | null = null;

  constructor(
    readonly host: Host,
    readonly socket: SocketSpec,
    /** Config loaded when a command starts the server; ignored by a running server. */
    public configFile?: string,
  ) {}

  /** The same server reached through another Host (a lock's command channel). */
  on(host: Host): Tmux {
    return new Tmux(host, this.socket, this.configFile);
  }

  argv(args: string[]): string[] {
    const sock = this.socket.path ? ['-S', this.socket.path] : this.socket.name ? ['-L', this.socket.name] : [];
    const conf = this.configFile ? ['-f', this.configFile] : [];
    // -u: UTF-8 even without a locale (systemd units), or tmux rewrites non-ASCII in -F output.
    return ['tmux', '-u', ...sock, ...conf, ...args];
  }

  where(): string {
    return `${describeSocket(this.socket)}${this.host.isLocal ? '' : ` on host ${this.host.name}`}`;
  }

  /** Run a tmux command; throws CommandError (typed by stderr) on failure. */
  async run(args: string[], options: TmuxRunOptions = {}): Promise<string> {
    const argv = this.argv(args);
    const result = await this.host.exec(argv, { input: options.input, timeoutMs: options.timeoutMs ?? 15_000 });
    if (result.spawnError) {
      if (result.spawnError.code === 'ENOENT') {
        throw new CommandError('TMUX_MISSING', 'tmux is not installed', argv, null, '', {
          hint: 'install it: sudo apt-get install tmux (3.2 or newer)',
        });
      }
      throw new CommandError('TMUX_FAILED', `cannot run tmux: ${result.spawnError.message}`, argv, null, '');
    }
    if (result.timedOut) {
      throw new CommandError('TMUX_FAILED', `tmux did not answer within ${options.timeoutMs ?? 15_000} ms: ${formatArgv(argv.slice(0, 6))}`, argv, null, result.stderr, {
        hint: 'the tmux server may be wedged; check `tmux -L <socket> ls`',
      });
    }
    if (result.code !== 0) {
      const stderr = result.stderr.trim();
      const code = classifyTmuxError(stderr);
      throw new CommandError(code, describeTmuxFailure(code, stderr, this.where()), argv, result.code, stderr, {
        hint: hintFor(code),
      });
    }
    return result.stdout;
  }

  async serverRunning(): Promise<boolean> {
    try {
      await this.run(['list-sessions', '-F', '#{session_id}']);
      return true;
    } catch (error) {
      if (error instanceof FleetError && error.code === 'NO_SERVER') return false;
      throw error;
    }
  }

  /** Every pane on the server in one call; [] when no server is running. */
  async listPanes(): Promise<PaneInfo[]> {
    return this.orNoPanes(async () => parsePaneList(await this.run(['list-panes', '-a', '-F', paneFormat(false)])));
  }

  /** What `status` needs of every pane, with the busy search (tmux scans each screen for busy markers). A long-lived
   *  caller (the service) searches again only the panes that drew since its last search. Local servers only: the
   *  cutoff is a time on tmux's clock, which is ours only here. */
  async listPaneStates(): Promise<PaneState[]> {
    return this.orNoPanes(async () => {
      const sentMs = Date.now();
      const last = this.host.isLocal && this.busyMemory && (await this.canCompareNumbers()) ? this.busyMemory : null;
      // A clock stepped back would make old output look new and the reverse: forget.
      const memory = last && sentMs >= last.sentMs && sentMs - last.fullMs < FULL_SEARCH_EVERY_MS ? last : null;
      let panes = await this.readStates(memory ? Math.floor(memory.sentMs / 1000) : undefined);
      const remembered = (p: PaneState) => memory?.panes.get(p.paneId)?.key === busyKey(p);
      // A pane the last search did not see as it is now (new, respawned, resized): search every screen once more.
      if (panes.some((p) => p.busyUnchanged && !remembered(p))) return this.searchAll(Date.now());
      panes = panes.map((p) => (p.busyUnchanged ? { ...p, busy: memory!.panes.get(p.paneId)!.busy, busyUnchanged: false } : p));
      this.remember(sentMs, panes, memory ? memory.fullMs : sentMs);
      return panes;
    });
  }

  /** A tmux that does not know the comparison must not be asked to skip searches (its answer could read as "skip"). */
  private canCompareNumbers(): Promise<boolean> {
    this.comparesNumbers ??= this.run(['display-message', '-p', '#{e|<:1,2}#{e|<:2,1}']).then(
      (out) => out.trim() === '10',
      () => {
        this.comparesNumbers = null; // no answer (no server yet): ask again next time
        return false;
      },
    );
    return this.comparesNumbers;
  }

  private async readStates(searchedSince?: number): Promise<PaneState[]> {
    return parsePaneList(await this.run(['list-panes', '-a', '-F', paneFormat(true, searchedSince, STATE_FIELDS)]), STATE_FIELDS);
  }

  private async searchAll(sentMs: number): Promise<PaneState[]> {
    const panes = await this.readStates();
    this.remember(sentMs, panes, sentMs);
    return panes;
  }

  private async orNoPanes<T>(list: () => Promise<T[]>): Promise<T[]> {
    try {
      return await list();
    } catch (error) {
      if (error instanceof FleetError && error.code === 'NO_SERVER') return [];
      throw error;
    }
  }

  private remember(sentMs: number, panes: PaneState[], fullMs: number): void {
    if (!this.host.isLocal || (this.busyMemory && this.busyMemory.sentMs > sentMs)) return;
    this.busyMemory = { sentMs, fullMs, panes: new Map(panes.map((p) => [p.paneId, { key: busyKey(p), busy: p.busy }])) };
  }

  /** Resolve a user target exactly to one pane (see target.ts). */
  async resolve(target: string): Promise<PaneInfo> {
    const panes = await this.listPanes();
    return resolvePane(panes, target, this.where());
  }

  async serverPid(): Promise<number | null> {
    try {
      const out = await this.run(['display-message', '-p', '#{pid}']);
      const pid = Number.parseInt(out.trim(), 10);
      return Number.isFinite(pid) ? pid : null;
    } catch (error) {
      if (error instanceof FleetError && (error.code === 'NO_SERVER' || error.code === 'TARGET_NOT_FOUND')) return null;
      throw error;
    }
  }

  async socketPath(): Promise<string | null> {
    try {
      return (await this.run(['display-message', '-p', '#{socket_path}'])).trim() || null;
    } catch {
      return null;
    }
  }

  /** The visible screen of a pane with attributes (-e) so dim placeholders can be told apart. */
  async capture(paneId: string, cursorY?: number): Promise<Screen> {
    const raw = await this.run(['capture-pane', '-p', '-e', '-t', paneId]);
    return parseCapture(raw, cursorY);
  }

  /** Scrollback plus screen as plain text, wrapped lines joined. */
  async captureHistory(paneId: string, lines: number | 'all'): Promise<string> {
    const start = lines === 'all' ? '-' : String(-Math.max(1, lines));
    return this.run(['capture-pane', '-p', '-J', '-S', start, '-t', paneId]);
  }

  async loadBuffer(name: string, data: string): Promise<void> {
    await this.run(['load-buffer', '-b', name, '-'], { input: data });
  }

  /** Bracketed paste (-p) keeps newlines as text; -r keeps LF as LF (without it LF becomes CR, a submit key). */
  async pasteBuffer(name: string, paneId: string): Promise<void> {
    await this.run(['paste-buffer', '-p', '-r', '-d', '-b', name, '-t', paneId]);
  }

  /** load-buffer (body on stdin, any size) and bracketed paste into the pane in one tmux call; the buffer is consumed. */
  async loadAndPaste(name: string, data: string, paneId: string): Promise<void> {
    try {
      await this.run(['load-buffer', '-b', name, '-', ';', 'paste-buffer', '-p', '-r', '-d', '-b', name, '-t', paneId], { input: data });
    } catch (error) {
      await this.deleteBuffer(name);
      throw error;
    }
  }

  async deleteBuffer(name: string): Promise<void> {
    try {
      await this.run(['delete-buffer', '-b', name]);
    } catch {
      // already consumed by paste-buffer -d
    }
  }

  async sendEnter(paneId: string): Promise<void> {
    await this.run(['send-keys', '-t', paneId, 'Enter'], { timeoutMs: 5_000 });
  }
}

/** Typed from stderr only: the argv can hold a message body that merely mentions these words. */
export function classifyTmuxError(stderr: string): ErrorCode {
  if (/no server running|error connecting to|server exited unexpectedly|No such file or directory/i.test(stderr)) return 'NO_SERVER';
  if (/can't find (pane|session|window)|no such (session|window|pane)|session not found/i.test(stderr)) return 'TARGET_NOT_FOUND';
  if (/target pane has exited|pane .* is dead/i.test(stderr)) return 'PANE_DEAD';
  return 'TMUX_FAILED';
}

function describeTmuxFailure(code: ErrorCode, stderr: string, where: string): string {
  switch (code) {
    case 'NO_SERVER':
      return `no tmux server is running on ${where}`;
    case 'TARGET_NOT_FOUND':
      return `tmux: ${stderr} (${where})`;
    case 'PANE_DEAD':
      return `the target pane has exited (${where})`;
    default:
      return `tmux failed on ${where}: ${stderr || 'no error text'}`;
  }
}

function hintFor(code: ErrorCode): string | undefined {
  switch (code) {
    case 'NO_SERVER':
      return 'start the fleet with `mosaic-fleet start`, or name the right socket with -L';
    case 'PANE_DEAD':
      return 'revive it with `mosaic-fleet start <agent>`';
    default:
      return undefined;
  }
}

export interface Observation {
  screen: Screen;
  dead: boolean;
  inMode: boolean;
  /** The pane's process: a different pid means the REPL was replaced (respawned) since an earlier reading. */
  pid: number | null;
}

/** One tmux call: the pane's screen plus its cursor, dead flag, copy-mode flag and process id. */
export async function observePane(tmux: Tmux, paneId: string): Promise<Observation> {
  const out = await tmux.run([
    'capture-pane', '-p', '-e', '-t', paneId, ';',
    'display-message', '-p', '-t', paneId, '#{cursor_y} #{pane_dead} #{pane_in_mode} #{cursor_x} #{pane_pid} #{cursor_flag}',
  ]);
  const body = out.replace(/\n$/, '');
  const cut = body.lastIndexOf('\n');
  const meta = (cut === -1 ? body : body.slice(cut + 1)).split(' ');
  const raw = cut === -1 ? '' : body.slice(0, cut);
  const screen = parseCapture(raw, Number.parseInt(meta[0] ?? '', 10));
  const x = Number.parseInt(meta[3] ?? '', 10);
  if (Number.isFinite(x)) screen.cursorX = x;
  if (meta[5] === '0') screen.cursorHidden = true;
  const pid = Number.parseInt(meta[4] ?? '', 10);
  return { screen, dead: meta[1] === '1', inMode: meta[2] === '1', pid: Number.isFinite(pid) ? pid : null };
}

/** What else changes a screen without the pane writing to it: another process (respawn), a resize, copy mode, a new
 *  server (pane ids start again at %0). */
function busyKey(p: PaneState): string {
  return `${p.serverPid}:${p.panePid}:${p.dead ? 1 : 0}:${p.width}x${p.height}:${p.inMode ? 1 : 0}`;
}
