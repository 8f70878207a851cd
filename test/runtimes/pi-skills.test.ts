import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FleetError } from '../../src/errors.js';
import {
  buildPiSkillArgs,
  findForcedSkills,
  listSkillDirs,
  resolvePiSkillMode,
  type PiSkillArgsOptions,
} from '../../src/runtimes/pi-skills.js';

// Layout under a temp root:
//   mosaic/skills/{mosaic-tools, alpha, not-a-skill/, broken -> nowhere}
//   mosaic/skills-local/{local-only, alpha -> ../skills/alpha (duplicate)}
//   home/.pi/agent/skills/{beta, tools-link -> mosaic/skills/mosaic-tools}
//   project/.pi/skills/{gamma}
let root: string;
let mosaic: string;
let home: string;
let cwd: string;

function makeSkill(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'SKILL.md'), `# ${name}\n`);
  return dir;
}

function options(overrides: Partial<PiSkillArgsOptions> = {}): PiSkillArgsOptions {
  return { mosaicHome: mosaic, home, cwd, forced: ['mosaic-tools'], env: {}, ...overrides };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pi-skills-'));
  mosaic = join(root, 'mosaic');
  home = join(root, 'home');
  cwd = join(root, 'project');
  makeSkill(join(mosaic, 'skills'), 'mosaic-tools');
  makeSkill(join(mosaic, 'skills'), 'alpha');
  mkdirSync(join(mosaic, 'skills', 'not-a-skill'), { recursive: true });
  symlinkSync(join(root, 'nowhere'), join(mosaic, 'skills', 'broken'));
  makeSkill(join(mosaic, 'skills-local'), 'local-only');
  symlinkSync(join(mosaic, 'skills', 'alpha'), join(mosaic, 'skills-local', 'alpha'), 'dir');
  makeSkill(join(cwd, '.pi', 'skills'), 'gamma');
  makeSkill(join(home, '.pi', 'agent', 'skills'), 'beta');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const nativeTools = () => symlinkSync(join(mosaic, 'skills', 'mosaic-tools'), join(home, '.pi', 'agent', 'skills', 'tools-link'), 'dir');

describe('listSkillDirs', () => {
  it('keeps dirs and symlinked dirs holding SKILL.md; skips plain dirs, broken links and missing roots; collapses real-path duplicates', () => {
    expect(listSkillDirs([join(mosaic, 'skills'), join(mosaic, 'skills-local'), join(root, 'absent')])).toEqual([
      join(mosaic, 'skills', 'alpha'),
      join(mosaic, 'skills', 'mosaic-tools'),
      join(mosaic, 'skills-local', 'local-only'),
    ]);
  });

  it('accepts a root that only holds a symlink to the skill', () => {
    const scanned = join(root, 'scanned');
    mkdirSync(scanned);
    symlinkSync(join(mosaic, 'skills', 'alpha'), join(scanned, 'alpha'), 'dir');
    expect(listSkillDirs([scanned])).toEqual([join(scanned, 'alpha')]);
  });
});

describe('findForcedSkills', () => {
  it('finds skills by name in skills/ then skills-local/, skipping unknown names and paths', () => {
    expect(findForcedSkills(['local-only', 'mosaic-tools', 'missing', '../skills/alpha', 'broken', 'mosaic-tools'], mosaic)).toEqual([
      join(mosaic, 'skills-local', 'local-only'),
      join(mosaic, 'skills', 'mosaic-tools'),
    ]);
  });
});

describe('buildPiSkillArgs', () => {
  it('none: no arguments, even with forced skills', () => {
    expect(buildPiSkillArgs(options({ mode: 'none' }))).toEqual([]);
  });

  it('discover: passes a forced skill Pi would not find itself', () => {
    expect(buildPiSkillArgs(options({ mode: 'discover' }))).toEqual(['--skill', join(mosaic, 'skills', 'mosaic-tools')]);
  });

  it('discover: drops a forced skill Pi already finds natively through a symlink', () => {
    nativeTools();
    expect(buildPiSkillArgs(options({ mode: 'discover' }))).toEqual([]);
  });

  it('discover: drops a forced skill found under the project root too', () => {
    symlinkSync(join(mosaic, 'skills', 'mosaic-tools'), join(cwd, '.pi', 'skills', 'mt'), 'dir');
    expect(buildPiSkillArgs(options({ mode: 'discover', forced: ['mosaic-tools', 'local-only'] }))).toEqual([
      '--skill',
      join(mosaic, 'skills-local', 'local-only'),
    ]);
  });

  it('all: --no-skills then every skill of the four roots once, native roots included', () => {
    nativeTools();
    expect(buildPiSkillArgs(options({ mode: 'all' }))).toEqual([
      '--no-skills',
      '--skill',
      join(mosaic, 'skills', 'alpha'),
      '--skill',
      join(mosaic, 'skills', 'mosaic-tools'),
      '--skill',
      join(mosaic, 'skills-local', 'local-only'),
      '--skill',
      join(home, '.pi', 'agent', 'skills', 'beta'),
      '--skill',
      join(cwd, '.pi', 'skills', 'gamma'),
    ]);
  });

  it('all: forced skills are present even when the catalog scan would miss them', () => {
    rmSync(join(mosaic, 'skills-local'), { recursive: true });
    const args = buildPiSkillArgs(options({ mode: 'all', forced: ['mosaic-tools'] }));
    expect(args.filter((a) => a.endsWith('mosaic-tools'))).toEqual([join(mosaic, 'skills', 'mosaic-tools')]);
  });
});

describe('resolvePiSkillMode', () => {
  it('roster value wins, then MOSAIC_PI_SKILL_MODE, then discover', () => {
    expect(resolvePiSkillMode('none', { MOSAIC_PI_SKILL_MODE: 'all' })).toBe('none');
    expect(resolvePiSkillMode(undefined, { MOSAIC_PI_SKILL_MODE: 'all' })).toBe('all');
    expect(resolvePiSkillMode(undefined, { MOSAIC_PI_SKILL_MODE: '' })).toBe('discover');
    expect(resolvePiSkillMode(undefined, {})).toBe('discover');
  });

  it('the environment mode drives buildPiSkillArgs when the roster is silent', () => {
    expect(buildPiSkillArgs(options({ env: { MOSAIC_PI_SKILL_MODE: 'none' } }))).toEqual([]);
  });

  it('an unknown environment mode is a usage error', () => {
    expect(() => resolvePiSkillMode(undefined, { MOSAIC_PI_SKILL_MODE: 'most' })).toThrow(FleetError);
    expect(() => resolvePiSkillMode(undefined, { MOSAIC_PI_SKILL_MODE: 'most' })).toThrow("MOSAIC_PI_SKILL_MODE='most' is not a Pi skill mode");
  });
});
