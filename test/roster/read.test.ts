// The roster cache: a roster validated once is read back without yaml and zod, but only for the same bytes at the
// same path, with its local working directories still there; everything else goes through the full validator.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RosterError, parseRoster } from '../../src/roster/index.js';
import { loadRosterValidator, readCachedRoster, readRoster } from '../../src/roster/read.js';

let home: string;
let env: NodeJS.ProcessEnv;
let file: string;

beforeEach(async () => {
  await loadRosterValidator();
  home = mkdtempSync(join(tmpdir(), 'roster-cache-'));
  env = { HOME: home, XDG_CACHE_HOME: join(home, 'cache') };
  mkdirSync(join(home, 'work', 'a'), { recursive: true });
  file = join(home, 'fleet', 'roster.yaml');
  mkdirSync(join(home, 'fleet'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const RICH = [
  'version: 1',
  'tmux: { socket_name: night, holder_session: keep }',
  'defaults: { working_directory: ~/work, runtime: sim, ready_timeout_seconds: 20, delivery_receipt: hook }',
  'hosts:',
  '  box: { ssh: me@box, port: 2222, identity_file: ~/.ssh/id_box }',
  'runtimes:',
  '  fast: { base: sim, command: "sim --fast", env: { A: "1" } }',
  'agents:',
  '  - { name: orch, class: orchestrator, runtime: claude, kickstart_template: "hi {{name}}", env: { X: y } }',
  '  - { name: a, working_directory: ../work/a, runtime: fast, persistent_persona: semi }',
  '  - { name: far, host: box, working_directory: ~/remote-only, runtime: pi, pi_skill_mode: all }',
  '',
].join('\n');

describe('readRoster through the cache', () => {
  it('returns exactly what the validator returns, from the cache on the second read', () => {
    writeFileSync(file, RICH);
    const expected = parseRoster(RICH, file, { env });
    expect(readCachedRoster(file, env)).toBeNull();
    expect(readRoster(file, env)).toEqual(expected);
    expect(readdirSync(join(home, 'cache', 'mosaic-fleet', 'rosters'))).toHaveLength(1);
    expect(readCachedRoster(file, env)).toEqual(expected);
  });

  it('any change to the bytes is validated again, with exact positions, and an invalid roster is never cached', () => {
    writeFileSync(file, RICH);
    readRoster(file, env);
    const broken = RICH.replace('runtime: fast,', 'runtime: fats,');
    writeFileSync(file, broken);
    expect(readCachedRoster(file, env)).toBeNull();
    expect(() => readRoster(file, env)).toThrow(RosterError);
    expect(() => readRoster(file, env)).toThrow(/roster\.yaml:10:\d+: agents\.1\.runtime: .*fats/);
    expect(readCachedRoster(file, env)).toBeNull();
  });

  it('a working directory removed since the roster was cached is reported by the validator', () => {
    writeFileSync(file, RICH);
    readRoster(file, env);
    rmSync(join(home, 'work', 'a'), { recursive: true });
    expect(readCachedRoster(file, env)).toBeNull();
    expect(() => readRoster(file, env)).toThrow(/roster\.yaml:10:\d+: agents\.1\.working_directory/);
  });

  it('the same bytes at another path, or a damaged cache file, are not trusted', () => {
    writeFileSync(file, RICH);
    readRoster(file, env);
    const other = join(home, 'other.yaml');
    writeFileSync(other, RICH.replace('../work/a', 'work/a'));
    expect(readCachedRoster(other, env)).toBeNull();
    const dir = join(home, 'cache', 'mosaic-fleet', 'rosters');
    for (const name of readdirSync(dir)) writeFileSync(join(dir, name), '{"key": "x", "roster": {"agents": []}}');
    expect(readCachedRoster(file, env)).toBeNull();
    for (const name of readdirSync(dir)) writeFileSync(join(dir, name), 'not json');
    expect(readCachedRoster(file, env)).toBeNull();
    expect(readRoster(file, env).agents.map((a) => a.name)).toEqual(['orch', 'a', 'far']);
  });

  it('paths are resolved for the reader, not frozen in the cache', () => {
    writeFileSync(file, RICH);
    readRoster(file, env);
    const otherHome = mkdtempSync(join(tmpdir(), 'roster-cache-b-'));
    try {
      mkdirSync(join(otherHome, 'work'));
      const roster = readCachedRoster(file, { ...env, HOME: otherHome });
      expect(roster?.agents[0]!.working_directory).toBe(join(otherHome, 'work'));
      expect(roster?.agents[1]!.working_directory).toBe(join(home, 'work', 'a'));
    } finally {
      rmSync(otherHome, { recursive: true, force: true });
    }
  });

  it('a cache that cannot be written costs only the validation', () => {
    writeFileSync(file, RICH);
    writeFileSync(join(home, 'cache'), 'a file where the cache directory would go');
    expect(readRoster(file, env).agents).toHaveLength(3);
    expect(readCachedRoster(file, env)).toBeNull();
    expect(existsSync(join(home, 'cache', 'mosaic-fleet'))).toBe(false);
  });
});
