// Reading the roster for a command. A roster this build has validated before (the same bytes at the same path) is
// read back from a small cache: loading yaml and zod alone costs ~90 ms of every command, about half of `status`.
// Anything else, including every invalid roster, goes through the full validator with its exact error positions.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FleetError } from '../errors.js';
import { absolutize, isLocalAgent } from './absolute.js';
import { homeDir, ROSTER_ENV } from './paths.js';
import { didYouMean } from './names.js';
import type { Roster } from './schema.js';

export const INIT_HINT = 'mosaic-fleet init --profile minimal --write';

type Validate = (text: string, file: string, options: { env?: NodeJS.ProcessEnv }) => Roster;
let validate: Validate | undefined;

/** Load the validator (yaml + zod). Call before readRoster when the cache may not answer. */
export async function loadRosterValidator(): Promise<void> {
  validate ??= (await import('./load.js')).validateRoster;
}

export function readRosterText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw rosterMissing(path, undefined, error);
    throw new FleetError('ROSTER_INVALID', `cannot read roster ${path}: ${(error as Error).message}`, { details: { file: path }, cause: error });
  }
}

/** ROSTER_MISSING for `path` (exit 5), naming who asked for it and a near file name in the same directory. */
export function rosterMissing(path: string, source?: 'flag' | 'env', cause?: unknown): FleetError {
  const from = source === 'flag' ? ' (from --roster)' : source === 'env' ? ` (from $${ROSTER_ENV})` : '';
  const near = nearbyRoster(path);
  return new FleetError('ROSTER_MISSING', `roster not found: ${path}${from}`, {
    hint: near ? `did you mean ${near}? To create this one: ${INIT_HINT} --roster ${path}` : `${INIT_HINT} --roster ${path}`,
    details: { file: path, ...(source ? { source } : {}) },
    ...(cause ? { cause } : {}),
  });
}

function nearbyRoster(path: string): string | undefined {
  try {
    const dir = dirname(path);
    const names = readdirSync(dir).filter((n) => /\.ya?ml$/u.test(n));
    const guess = didYouMean(basename(path), names);
    return guess === undefined ? undefined : join(dir, guess);
  } catch {
    return undefined;
  }
}

/** The roster at `path` from the cache, or null when the cache cannot vouch for it (unseen bytes, a missing directory). */
export function readCachedRoster(path: string, env: NodeJS.ProcessEnv = process.env): Roster | null {
  return fromCache(resolve(path), readRosterText(path), env);
}

/** Read and validate the roster at `path`, through the cache. Synchronous: loadRosterValidator() must have run,
 *  unless the cache answers. */
export function readRoster(path: string, env: NodeJS.ProcessEnv = process.env): Roster {
  return readCachedRoster(path, env) ?? validateRosterFile(path, env);
}

/** Validate the roster at `path` in full (no cache lookup) and remember it in the cache when it passes. */
export function validateRosterFile(path: string, env: NodeJS.ProcessEnv = process.env): Roster {
  if (!validate) throw new Error('internal: the roster validator is not loaded (await loadRosterValidator() first)');
  const text = readRosterText(path);
  const file = resolve(path);
  const roster = validate(text, path, { env });
  writeCache(cacheFile(file, env), cacheKey(file, text), roster);
  return absolutize(roster, env, dirname(file));
}

function fromCache(file: string, text: string, env: NodeJS.ProcessEnv): Roster | null {
  const cached = readCache(cacheFile(file, env), cacheKey(file, text));
  const roster = cached && absolutize(cached, env, dirname(file));
  return roster && directoriesExist(roster) ? roster : null;
}

function cacheFile(file: string, env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || join(homeDir(env), '.cache');
  return join(base, 'mosaic-fleet', 'rosters', `${sha256(file).slice(0, 32)}.json`);
}

// The key covers the bytes, the path and this build of the validator (its modules' sizes and mtimes).
function cacheKey(file: string, text: string): string {
  return sha256([validatorStamp(), file, text].join('\0'));
}

let stamp: string | undefined;
function validatorStamp(): string {
  if (stamp !== undefined) return stamp;
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  const parts = readdirSync(dir)
    .filter((name) => extname(name) === extname(here))
    .sort()
    .map((name) => {
      const st = statSync(join(dir, name));
      return `${name}:${st.size}:${st.mtimeMs}`;
    });
  stamp = parts.join('|');
  return stamp;
}

function readCache(path: string, key: string): Roster | null {
  try {
    const entry = JSON.parse(readFileSync(path, 'utf8')) as { key?: unknown; roster?: Roster };
    return entry.key === key && entry.roster ? entry.roster : null;
  } catch {
    return null;
  }
}

// Best effort: a read-only or full disk only costs the next command the validation.
function writeCache(path: string, key: string, roster: Roster): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key, roster }), { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    // not cached
  }
}

// The validator checks that local working directories exist; the cache re-checks, and a miss reports it in full.
function directoriesExist(roster: Roster): boolean {
  return roster.agents.every((agent) => {
    if (!isLocalAgent(agent)) return true;
    try {
      return statSync(agent.working_directory!).isDirectory();
    } catch {
      return false;
    }
  });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
