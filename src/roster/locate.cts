// Where the roster lives and how paths written in it become absolute: CommonJS with node builtins only, so the thin
// client (src/service/client.cts) finds the roster without loading the ESM world. src/roster/paths.ts is what the
// rest of the code imports (relative paths there mean the command's working directory).
import { isAbsolute, join, resolve } from 'node:path';

export const ROSTER_ENV = 'MOSAIC_FLEET_ROSTER';
export const MOSAIC_HOME_ENV = 'MOSAIC_HOME';

/** $HOME from `env`, falling back to the OS account's home. */
export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  // node:os only when $HOME is unset: loading it costs every thin-client start 0.4 ms.
  return nonEmpty(env.HOME) ?? (require('node:os') as typeof import('node:os')).homedir();
}

/** Expand a leading `~`, and `$HOME` / `${HOME}` anywhere, then make the path absolute against `baseDir`. */
export function expandPath(path: string, env: NodeJS.ProcessEnv = process.env, baseDir = process.cwd()): string {
  const home = homeDir(env);
  const expanded = path
    .replace(/^~(?=$|\/)/u, home)
    .replace(/\$\{HOME\}|\$HOME(?![A-Za-z0-9_])/gu, home);
  return isAbsolute(expanded) ? resolve(expanded) : resolve(baseDir, expanded);
}

/** $MOSAIC_HOME, default ~/.config/mosaic. */
export function mosaicHome(env: NodeJS.ProcessEnv = process.env): string {
  const configured = nonEmpty(env[MOSAIC_HOME_ENV]);
  return configured === undefined ? join(homeDir(env), '.config', 'mosaic') : expandPath(configured, env);
}

export interface RosterPathOptions {
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** What a relative --roster is relative to (default: this process's working directory). */
  baseDir?: string;
}

/** The roster file: --roster, then $MOSAIC_FLEET_ROSTER, then $MOSAIC_HOME/fleet/roster.yaml. */
export function resolveRosterPath({ flag, env = process.env, baseDir = process.cwd() }: RosterPathOptions = {}): string {
  const explicit = nonEmpty(flag) ?? nonEmpty(env[ROSTER_ENV]);
  return explicit === undefined ? join(mosaicHome(env), 'fleet', 'roster.yaml') : expandPath(explicit, env, baseDir);
}

/** Who named the roster: --roster, $MOSAIC_FLEET_ROSTER, or nobody (the default path, which may be absent). */
export function rosterSource({ flag, env = process.env }: RosterPathOptions = {}): 'flag' | 'env' | 'default' {
  if (nonEmpty(flag) !== undefined) return 'flag';
  return nonEmpty(env[ROSTER_ENV]) !== undefined ? 'env' : 'default';
}

// An empty variable counts as unset, as in most shells' ${VAR:-default}.
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
