// Talking to the systemd user manager and logind: argv only, through the project's runner, never a shell.
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { run, type RunResult } from '../exec/run.js';
import { homeDir } from '../roster/paths.js';
import { AGENT_TEMPLATE_UNIT, GENERATED_MARKER, HOLDER_UNIT } from './render.js';
import { hasMarker } from './files.js';

export interface SystemctlOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** `$XDG_CONFIG_HOME/systemd/user`, default ~/.config/systemd/user: where the user manager reads our units. */
export function defaultUnitDir(env: NodeJS.ProcessEnv = process.env): string {
  const config = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : join(homeDir(env), '.config');
  return join(config, 'systemd', 'user');
}

/** `systemctl --user <args...>`. Never throws: a missing systemctl shows as spawnError. */
export function systemctlUser(args: string[], options: SystemctlOptions = {}): Promise<RunResult> {
  return run(['systemctl', '--user', ...args], { timeoutMs: options.timeoutMs ?? 30_000, ...(options.env ? { env: options.env } : {}) });
}

export interface UserManagerProbe {
  available: boolean;
  /** The manager's version when available, else why not (one line). */
  detail: string;
}

/** Ask the user manager a harmless question (its version) to learn whether one answers. */
export async function probeUserManager(options: SystemctlOptions = {}): Promise<UserManagerProbe> {
  const r = await systemctlUser(['show', '--property=Version', '--value'], { timeoutMs: 5_000, ...options });
  if (r.spawnError) return { available: false, detail: `systemctl cannot run: ${r.spawnError.code ?? r.spawnError.message}` };
  if (r.timedOut) return { available: false, detail: 'systemctl --user did not answer within 5 s' };
  if (r.code === 0) return { available: true, detail: `systemd ${r.stdout.trim()}` };
  return { available: false, detail: firstLine(r.stderr) || `systemctl --user exited with ${r.code}` };
}

/** True when a systemd user manager answers (`--supervisor auto` then prefers systemd). */
export async function userManagerAvailable(options: SystemctlOptions = {}): Promise<boolean> {
  return (await probeUserManager(options)).available;
}

/** True when both of our unit files are in `unitDir` (and were written by install-systemd). */
export function unitsInstalled(unitDir: string = defaultUnitDir()): boolean {
  return [HOLDER_UNIT, AGENT_TEMPLATE_UNIT].every((name) => {
    const path = join(unitDir, name);
    return existsSync(path) && hasMarker(readFileSync(path, 'utf8'), GENERATED_MARKER);
  });
}

export type LingerState = { state: 'on' | 'off'; detail: string } | { state: 'unknown'; detail: string };

/** Where logind keeps the users it lets linger (one empty file per user). */
export const LINGER_DIR = '/var/lib/systemd/linger';

export interface LingerOptions extends SystemctlOptions {
  /** Default LINGER_DIR (tests point it elsewhere). */
  lingerDir?: string;
}

/** The account name systemd knows us by. */
export function currentUser(env: NodeJS.ProcessEnv = process.env): string {
  return env.USER || env.LOGNAME || userInfo().username;
}

/** Whether logind keeps this user's manager (and so the fleet) running after logout. */
export async function lingerState(user: string = currentUser(), options: LingerOptions = {}): Promise<LingerState> {
  const r = await run(['loginctl', 'show-user', user, '--property=Linger'], {
    timeoutMs: options.timeoutMs ?? 5_000,
    ...(options.env ? { env: options.env } : {}),
  });
  return readLinger(r, user, options.lingerDir ?? LINGER_DIR);
}

/** loginctl's answer; when logind cannot be asked (a container has none), what its linger file says, marked as such. */
export function readLinger(r: Pick<RunResult, 'code' | 'stdout' | 'stderr' | 'spawnError'>, user: string, lingerDir: string = LINGER_DIR): LingerState {
  if (!r.spawnError && r.code === 0) {
    const on = /^Linger=yes$/mu.test(r.stdout);
    return { state: on ? 'on' : 'off', detail: r.stdout.trim() };
  }
  // logind lists only users that are logged in or lingering.
  if (!r.spawnError && /not logged in or lingering/u.test(r.stderr)) return { state: 'off', detail: firstLine(r.stderr) };
  const why = r.spawnError ? `loginctl is not available (${r.spawnError.code ?? r.spawnError.message})` : `loginctl failed: ${firstLine(r.stderr) || `exit ${r.code}`}`;
  const file = join(lingerDir, user);
  const configured = existsSync(file)
    ? `${file} exists, so lingering is configured, but without logind nothing acts on it`
    : `${file} is absent, so lingering is not configured`;
  return { state: 'unknown', detail: `${why}; ${configured} (in a container without logind, the user manager lives as long as whatever started it)` };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
