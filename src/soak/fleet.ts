// The soak's private world: temp HOME/XDG dirs, a private TMUX_TMPDIR and socket, a roster of sim agents,
// and teardown that removes exactly what it created. The default tmux server is never addressed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { runProc, type ProcResult } from './proc.js';
import type { AgentPlan } from './plan.js';

export interface PrivateFleet {
  dir: string;
  socket: string;
  env: NodeJS.ProcessEnv;
  logOf(agent: string): string;
  /** Raw tmux on the private socket (person drafts, teardown). */
  tmux(args: readonly string[]): Promise<ProcResult>;
  /** `mosaic-fleet ARGS` as a user runs it. */
  fleet(args: readonly string[], timeoutMs?: number): Promise<ProcResult>;
  teardown(): Promise<void>;
}

export interface Bins {
  fleet: string;
  agent: string;
  sim: string;
}

/** The environment every child sees: this process's, minus anything that could reach another tmux server or fleet. */
export function privateEnv(base: NodeJS.ProcessEnv, dirs: { home: string; state: string; cache: string; config: string; tmux: string; roster: string; socket: string }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (k === 'TMUX' || k === 'TMUX_PANE' || k.startsWith('MOSAIC_') || k.startsWith('XDG_')) continue;
    env[k] = v;
  }
  return {
    ...env,
    HOME: dirs.home,
    XDG_STATE_HOME: dirs.state,
    XDG_CACHE_HOME: dirs.cache,
    XDG_CONFIG_HOME: dirs.config,
    TMUX_TMPDIR: dirs.tmux,
    MOSAIC_FLEET_ROSTER: dirs.roster,
    MOSAIC_TMUX_SOCKET: dirs.socket,
    NO_COLOR: '1',
  };
}

/** Roster document: every agent runs the sim with its layout, busy time, swallow window and log from `env:`. */
export function rosterFor(socket: string, dir: string, agents: readonly AgentPlan[], logOf: (agent: string) => string): Record<string, unknown> {
  return {
    version: 1,
    transport: 'tmux',
    tmux: { socket_name: socket, holder_session: '_holder' },
    defaults: { working_directory: dir, runtime: 'sim', ready_timeout_seconds: 20 },
    agents: agents.map((a) => ({
      name: a.name,
      runtime: 'sim',
      env: {
        MOSAIC_SIM_LOG: logOf(a.name),
        MOSAIC_SIM_BUSY_MS: String(a.busyMs),
        MOSAIC_SIM_LAYOUT: a.layout,
        ...enterPolicyEnv(a),
        ...(a.placeholder ? { MOSAIC_SIM_PLACEHOLDER: a.placeholder } : {}),
      },
    })),
  };
}

/** Wait (up to 5 s) for the panes' processes to exit after kill-server, then SIGKILL any that did not
 *  (only a process whose environment names our directory: never a pid that was reused meanwhile). */
async function waitGone(pids: readonly number[], dir: string): Promise<void> {
  const alive = () => pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  for (let waited = 0; alive().length > 0 && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  for (const pid of alive()) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').includes(dir)) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The sim's variables for an Enter policy: a 150 ms swallow window, ignore the first Enter, or a 40 ms newline window. */
export function enterPolicyEnv(a: AgentPlan): Record<string, string> {
  if (a.enterPolicy === 'ignore-first') return { MOSAIC_SIM_SWALLOW_MS: '0', MOSAIC_SIM_IGNORE_ENTERS: '1' };
  if (a.enterPolicy === 'newline') return { MOSAIC_SIM_SWALLOW_MS: '0', MOSAIC_SIM_ENTER_NEWLINE_MS: '40' };
  return { MOSAIC_SIM_SWALLOW_MS: String(a.swallowMs) };
}

export function createPrivateFleet(bins: Bins, agents: readonly AgentPlan[]): PrivateFleet {
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-soak-'));
  const sub = (name: string) => {
    const p = join(dir, name);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const socket = `soak-${randomBytes(4).toString('hex')}`;
  const logs = sub('logs');
  const logOf = (agent: string) => join(logs, `${agent}.jsonl`);
  const roster = join(dir, 'roster.yaml');
  writeFileSync(roster, stringify(rosterFor(socket, sub('work'), agents, logOf)));
  const env = privateEnv(process.env, { home: sub('home'), state: sub('state'), cache: sub('cache'), config: sub('config'), tmux: sub('tmux'), roster, socket });
  const tmux = (args: readonly string[], teardown = false) => runProc('tmux', ['-L', socket, ...args], { env, timeoutMs: 20_000, teardown });
  let tornDown = false;
  return {
    dir,
    socket,
    env,
    logOf,
    tmux,
    fleet: (args, timeoutMs = 120_000) => runProc(process.execPath, [bins.fleet, ...args], { env, timeoutMs }),
    async teardown() {
      if (tornDown) return;
      tornDown = true;
      const pids = (await tmux(['list-panes', '-a', '-F', '#{pane_pid}'], true).catch(() => null))?.stdout.split('\n').map(Number).filter((n) => n > 0) ?? [];
      // Only our server: -L names it and TMUX_TMPDIR is our own directory.
      await tmux(['kill-server'], true).catch(() => undefined);
      await waitGone(pids, dir);
      // A REPL may still be appending its exit record: retry instead of failing on ENOTEMPTY.
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      } catch (error) {
        process.stderr.write(`soak: could not remove ${dir}: ${(error as Error).message}\n`);
      }
    },
  };
}
