// Which `--skill` arguments a Pi agent is launched with, so fleet skills load exactly once.
//
// Mode precedence: the roster's pi_skill_mode (agent, then defaults) when given, else MOSAIC_PI_SKILL_MODE,
// else 'discover'. An unknown MOSAIC_PI_SKILL_MODE value is a usage error rather than a silent fallback.
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from '../errors.js';

export const PI_SKILL_MODES = ['none', 'all', 'discover'] as const;
export type PiSkillMode = (typeof PI_SKILL_MODES)[number];
export const PI_SKILL_MODE_ENV = 'MOSAIC_PI_SKILL_MODE';
export const DEFAULT_PI_SKILL_MODE: PiSkillMode = 'discover';

export interface PiSkillArgsOptions {
  /** The roster's mode; wins over the environment when given. */
  mode?: PiSkillMode | undefined;
  /** Consulted for MOSAIC_PI_SKILL_MODE only when `mode` is undefined. */
  env?: NodeJS.ProcessEnv;
  mosaicHome: string;
  home: string;
  /** The agent's working directory (Pi looks for `<cwd>/.pi/skills`). */
  cwd: string;
  /** Fleet skills that must be loaded, by directory name under the Mosaic skill roots (e.g. 'mosaic-tools'). */
  forced: string[];
}

/** The mode in effect: roster value, else MOSAIC_PI_SKILL_MODE, else discover. */
export function resolvePiSkillMode(mode: PiSkillMode | undefined, env: NodeJS.ProcessEnv = {}): PiSkillMode {
  if (mode !== undefined) return mode;
  const fromEnv = env[PI_SKILL_MODE_ENV];
  if (fromEnv === undefined || fromEnv === '') return DEFAULT_PI_SKILL_MODE;
  if (isPiSkillMode(fromEnv)) return fromEnv;
  throw new UsageError(
    `${PI_SKILL_MODE_ENV}='${fromEnv}' is not a Pi skill mode`,
    `use one of ${PI_SKILL_MODES.join(', ')}, or set pi_skill_mode in the roster`,
  );
}

function isPiSkillMode(value: string): value is PiSkillMode {
  return (PI_SKILL_MODES as readonly string[]).includes(value);
}

/** Skill catalogs Mosaic maintains: the synced global set, then local additions. */
export function mosaicSkillRoots(mosaicHome: string): string[] {
  return [join(mosaicHome, 'skills'), join(mosaicHome, 'skills-local')];
}

/** Roots Pi scans by itself unless started with --no-skills. */
export function piNativeSkillRoots(home: string, cwd: string): string[] {
  return [join(home, '.pi', 'agent', 'skills'), join(cwd, '.pi', 'skills')];
}

/** Canonical path of a skill so symlinked copies of one skill compare equal; a broken path keeps its literal form. */
export function skillKey(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/** A directory, or a symlink to one, that holds a SKILL.md (broken links hold nothing). */
export function isSkillDir(dir: string): boolean {
  return existsSync(join(dir, 'SKILL.md'));
}

/** Skill directories under `roots` in root order (names sorted within a root), first path per real path. */
export function listSkillDirs(roots: string[]): string[] {
  return uniqueByRealPath(roots.flatMap(listRoot));
}

function listRoot(root: string): string[] {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return []; // a missing or unreadable root contributes nothing
  }
  return entries
    .filter((entry) => entry.isDirectory() || entry.isSymbolicLink()) // synced skills arrive as symlinks
    .map((entry) => join(root, entry.name))
    .filter(isSkillDir)
    .sort();
}

function uniqueByRealPath(dirs: string[]): string[] {
  const seen = new Set<string>();
  return dirs.filter((dir) => {
    const key = skillKey(dir);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Directories of the forced skills, looked up by name in the Mosaic roots (first root wins); missing ones are skipped. */
export function findForcedSkills(names: string[], mosaicHome: string): string[] {
  const roots = mosaicSkillRoots(mosaicHome);
  const found = names
    .filter((name) => name !== '' && basename(name) === name && name !== '..' && name !== '.') // a name, never a path
    .map((name) => roots.map((root) => join(root, name)).find(isSkillDir))
    .filter((dir): dir is string => dir !== undefined);
  return uniqueByRealPath(found);
}

/** Pi CLI arguments for the skill mode: none -> [], discover -> forced skills Pi would not find itself,
 *  all -> --no-skills plus every skill of the four roots and the forced ones. */
export function buildPiSkillArgs(options: PiSkillArgsOptions): string[] {
  const mode = resolvePiSkillMode(options.mode, options.env);
  if (mode === 'none') return [];
  const forced = findForcedSkills(options.forced, options.mosaicHome);
  const nativeRoots = piNativeSkillRoots(options.home, options.cwd);
  if (mode === 'discover') {
    const native = new Set(listSkillDirs(nativeRoots).map(skillKey));
    return toSkillArgs(forced.filter((dir) => !native.has(skillKey(dir))));
  }
  // --no-skills turns off Pi's own scan, so its native roots are passed back explicitly.
  const catalog = listSkillDirs([...mosaicSkillRoots(options.mosaicHome), ...nativeRoots]);
  return ['--no-skills', ...toSkillArgs(uniqueByRealPath([...catalog, ...forced]))];
}

function toSkillArgs(dirs: string[]): string[] {
  return dirs.flatMap((dir) => ['--skill', dir]);
}
