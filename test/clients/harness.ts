// Real-client test bed: run Claude Code / Codex / Pi / OpenCode / Gemini CLI in a private tmux pane against the mock LLM.
// CLIENTS=latest runs against the latest published versions (a separate install cache; see scripts/clients/install.sh).
// Reusable by the send/queued/draft/reset tests: start a client, read its screen through its profile,
// paste + Enter the way the delivery engine does, and tear down leaving no process behind.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { bringUp, clientsBinDir, type ClientName } from '../../src/runtimes/bringup.js';
import { claudeProfile } from '../../src/runtimes/claude.js';
import { codexProfile } from '../../src/runtimes/codex.js';
import { piProfile } from '../../src/runtimes/pi.js';
import { opencodeProfile } from '../../src/runtimes/opencode.js';
import { geminiProfile } from '../../src/runtimes/gemini.js';
import { parseCapture } from '../../src/tmux/screen.js';
import type { RuntimeProfile, Screen, ScreenState } from '../../src/runtimes/types.js';
import type { MockLlm, MockRequestRecord } from '../../src/testbed/mock-llm.js';
import { waitFor } from '../helpers/tmux.js';

export type { ClientName } from '../../src/runtimes/bringup.js';
export { CLIENT_NAMES } from '../../src/runtimes/bringup.js';

export const PROFILES: Record<ClientName, RuntimeProfile> = {
  claude: claudeProfile,
  codex: codexProfile,
  pi: piProfile,
  opencode: opencodeProfile,
  gemini: geminiProfile,
};

/** Executable names under the clients bin dir (scripts/clients/install.sh). */
const EXECUTABLES: Record<ClientName, string> = { claude: 'claude', codex: 'codex', pi: 'pi', opencode: 'opencode', gemini: 'gemini' };

/** Throw (so the test fails, never skips) when a client is not installed. */
export function assertInstalled(clients: readonly ClientName[], binDir = clientsBinDir()): void {
  const missing = missingClients(binDir).filter((c) => clients.includes(c));
  if (missing.length > 0) {
    throw new Error(
      `real client(s) not installed: ${missing.join(', ')} (looked in ${binDir}). ` +
        `Run \`${process.env.CLIENTS === 'latest' ? 'CLIENTS=latest ' : ''}bash scripts/clients/install.sh\` (CI does) or point MOSAIC_CLIENTS_DIR at an install.`,
    );
  }
}

/** Which clients are missing from the install cache (empty when all are installed). */
export function missingClients(binDir = clientsBinDir()): ClientName[] {
  return (Object.keys(EXECUTABLES) as ClientName[]).filter((c) => !existsSync(join(binDir, EXECUTABLES[c])));
}

export interface StartOptions {
  /** Private tmux socket name (-L); the harness kills this server in stop(). */
  socket: string;
  /** Mock LLM base URL (no /v1). */
  mockUrl: string;
  workdir: string;
  /** Isolated HOME; default: a fresh temp dir removed in stop(). */
  home?: string;
  cols?: number;
  rows?: number;
  /** Max wait for the first ready screen (OpenCode takes 5-15 s on a loaded 2-core box). */
  readyTimeoutMs?: number;
  /** Ready must hold this long before the client counts as started: Claude drops an Enter sent at the very
   *  first ready frame (research §8), 50 ms later it is safe. */
  settleMs?: number;
  /** tmux config the private server starts with (default /dev/null; the product tests pass assets/tmux.conf). */
  tmuxConf?: string;
  /** Tag the pane with @mosaic_profile/@mosaic_runtime = client, as `mosaic-fleet start` does, so the product's
   *  own commands (reset, kickstart) read it with the right screen profile. */
  tagProfile?: boolean;
}

export interface ClientHandle {
  client: ClientName;
  profile: RuntimeProfile;
  socket: string;
  /** tmux pane id (%N) of the client. */
  pane: string;
  home: string;
  workdir: string;
  /** Milliseconds from `tmux new-session` to the first screen the profile calls ready. */
  readyMs: number;
  /** Run tmux on this client's private server. */
  tmux(args: string[], input?: string): { code: number | null; stdout: string; stderr: string };
  capture(): Screen;
  state(): ScreenState;
  /** Poll the parsed screen until `pred` holds; returns that state. */
  waitForState(what: string, pred: (s: ScreenState) => boolean, timeoutMs?: number): Promise<ScreenState>;
  /** Bracketed paste of `text` via load-buffer (stdin) + paste-buffer -p -r -d, as the delivery engine does. */
  paste(text: string): void;
  pressEnter(): void;
  /** Live pids of this client: every process whose environment carries this client's private HOME. */
  processes(): number[];
  /** Pids in the pane's process tree. */
  paneTree(): number[];
  /** Sum of VmRSS over the pane's process tree, in kB. */
  rssKb(): number;
  /** Kill the tmux server and the pane's process tree as `mosaic-fleet stop` does (Gemini CLI ignores the hangup),
   *  wait for the client's processes to exit, reap stragglers. Returns what had to be reaped beyond the pane tree
   *  (a daemon that left it) and what survived even SIGKILL. */
  stop(): Promise<{ reaped: number[]; survivors: number[] }>;
}

function runTmux(socket: string, env: NodeJS.ProcessEnv, args: string[], input?: string, conf = '/dev/null') {
  const r = spawnSync('tmux', ['-L', socket, '-f', conf, ...args], { encoding: 'utf8', env, input, timeout: 20_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** pid -> ppid for every live process. */
function processTable(): Map<number, number> {
  const table = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(name), Number(fields[1]));
    } catch {
      // exited while we looked
    }
  }
  return table;
}

function descendants(root: number): number[] {
  const table = processTable();
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of table) if (ppid === out[i]) out.push(pid);
  return out.filter((p) => table.has(p));
}

/** Processes whose environment holds HOME=<home>: finds daemons even after they were reparented to init. */
export function processesWithHome(home: string): number[] {
  const needle = Buffer.from(`HOME=${home}\0`);
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`);
      if (env.indexOf(needle) === 0 || env.indexOf(Buffer.concat([Buffer.from('\0'), needle])) >= 0) pids.push(Number(name));
    } catch {
      // gone, or a kernel thread
    }
  }
  return pids;
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

async function waitGone(list: () => number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = list();
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Bring the client up (isolated HOME, offline config) and launch it in a new private tmux server; resolves when ready. */
export async function startClientInTmux(client: ClientName, opts: StartOptions): Promise<ClientHandle> {
  const ownHome = opts.home === undefined;
  const home = opts.home ?? mkdtempSync(join(tmpdir(), `mfc-${client}-home-`));
  const profile = PROFILES[client];
  const spec = await bringUp(client, { home, workdir: opts.workdir, baseUrl: opts.mockUrl });
  // The server's own environment is minimal, so nothing from the developer's shell (keys, base URLs) leaks in.
  const serverEnv: NodeJS.ProcessEnv = { PATH: spec.env.PATH, HOME: home, LANG: 'C.UTF-8', TMUX_TMPDIR: process.env.TMUX_TMPDIR };
  const tmux = (args: string[], input?: string) => runTmux(opts.socket, serverEnv, args, input, opts.tmuxConf);
  const envArgs = Object.entries(spec.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const started = Date.now();
  const created = tmux([
    'new-session', '-d', '-P', '-F', '#{pane_id} #{pane_pid}',
    '-s', client, '-x', String(opts.cols ?? 160), '-y', String(opts.rows ?? 48), '-c', opts.workdir,
    ...envArgs, '--', ...spec.argv,
  ]);
  if (created.code !== 0) throw new Error(`tmux new-session for ${client} failed: ${created.stderr.trim()}`);
  const [pane, panePidText] = created.stdout.trim().split(' ') as [string, string];
  const panePid = Number(panePidText);
  // Keep the pane after the client exits so a crash screen can be read instead of vanishing.
  tmux(['set-option', '-t', pane, 'remain-on-exit', 'on']);
  if (opts.tagProfile) {
    tmux(['set-option', '-p', '-t', pane, '@mosaic_profile', client]);
    tmux(['set-option', '-p', '-t', pane, '@mosaic_runtime', client]);
  }
  const serverPid = Number(tmux(['display-message', '-p', '-t', pane, '#{pid}']).stdout.trim());

  const capture = (): Screen => {
    const raw = tmux(['capture-pane', '-p', '-e', '-t', pane]).stdout;
    const cursor = Number(tmux(['display-message', '-p', '-t', pane, '#{cursor_y}']).stdout.trim());
    return parseCapture(raw, Number.isFinite(cursor) ? cursor : undefined);
  };
  const paneDead = () => tmux(['display-message', '-p', '-t', pane, '#{pane_dead}']).stdout.trim() === '1';
  const state = () => profile.parse(capture());
  const handle: ClientHandle = {
    client,
    profile,
    socket: opts.socket,
    pane,
    home,
    workdir: opts.workdir,
    readyMs: 0,
    tmux,
    capture,
    state,
    async waitForState(what, pred, timeoutMs = 30_000) {
      try {
        return await waitFor(
          `${client}: ${what}`,
          () => {
            if (paneDead()) throw new Error(`${client} exited:\n${screenText(capture())}`);
            const s = state();
            return pred(s) ? s : null;
          },
          timeoutMs,
          50,
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}\n--- screen ---\n${screenText(capture())}`);
      }
    },
    paste(text) {
      const buffer = `mfc-${randomBytes(4).toString('hex')}`;
      const load = tmux(['load-buffer', '-b', buffer, '-'], text);
      if (load.code !== 0) throw new Error(`load-buffer failed: ${load.stderr}`);
      const put = tmux(['paste-buffer', '-p', '-r', '-d', '-b', buffer, '-t', pane]);
      if (put.code !== 0) throw new Error(`paste-buffer failed: ${put.stderr}`);
    },
    pressEnter() {
      tmux(['send-keys', '-t', pane, 'Enter']);
    },
    processes: () => processesWithHome(home).filter((p) => p !== serverPid),
    paneTree: () => descendants(panePid),
    rssKb: () => descendants(panePid).reduce((sum, p) => sum + rssOf(p), 0),
    async stop() {
      const tree = descendants(panePid);
      tmux(['kill-server']);
      signal(tree, 'SIGTERM');
      const leftover = await waitGone(() => processesWithHome(home), 10_000);
      signal(leftover, 'SIGTERM');
      let survivors = await waitGone(() => processesWithHome(home), 3_000);
      signal(survivors, 'SIGKILL'); // a half-dead Codex daemon ignores SIGTERM (research §9)
      survivors = await waitGone(() => processesWithHome(home), 3_000);
      if (ownHome && survivors.length === 0) rmSync(home, { recursive: true, force: true });
      return { reaped: leftover, survivors };
    },
  };
  try {
    await handle.waitForState('first ready screen', (s) => s.ready, opts.readyTimeoutMs ?? 60_000);
    handle.readyMs = Date.now() - started;
    await waitReadyStable(handle, opts.settleMs ?? 300);
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}

/** Ready must be seen continuously for `settleMs` (polled, not slept blindly). */
async function waitReadyStable(h: ClientHandle, settleMs: number): Promise<void> {
  let since = Date.now();
  await h.waitForState(`ready for ${settleMs} ms`, (s) => {
    if (!s.ready) since = Date.now();
    return s.ready && Date.now() - since >= settleMs;
  });
}

/** Plain rows of a screen, for failure messages. */
export function screenText(screen: Screen): string {
  return screen.lines.map((l) => l.text).join('\n').trimEnd();
}

/** Conversation requests (not title side requests) whose last user text contains `token`. */
export function turnRequestsWith(mock: MockLlm, token: string): MockRequestRecord[] {
  return mock.requests().filter((r) => r.kind === 'turn' && r.lastUserText.includes(token));
}

/** A unique, greppable token for one delivery. */
export function newToken(prefix = 'tk'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

/** Idle = ready, not busy, empty box, nothing queued. */
export function isIdle(s: ScreenState): boolean {
  return s.ready && !s.busy && !s.queued && s.input === '';
}

export function newSocketName(client: ClientName): string {
  return `mfc-${client}-${randomBytes(4).toString('hex')}`;
}
