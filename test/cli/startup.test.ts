// What a command pays before it does anything: `--help` and a `status` on a roster read before load neither yaml
// nor zod (about 90 ms together). A module loader hook lists every module the process loads.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, runProcess } from '../helpers/cli.js';

const HOOK = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  'export async function load(url, context, next) { process.stderr.write("loaded " + url + "\\\\n"); return next(url, context); }',
));
`;

let dir = '';
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mft-startup-'));
  writeFileSync(join(dir, 'hook.mjs'), HOOK);
  mkdirSync(join(dir, 'work'));
  writeFileSync(join(dir, 'roster.yaml'), 'version: 1\ndefaults: { working_directory: work, runtime: sim }\nagents:\n  - name: a\n');
  env = { ...process.env, HOME: dir, XDG_CACHE_HOME: join(dir, 'cache'), MOSAIC_TMUX_SOCKET: `mft-startup-${process.pid}` };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function modulesLoadedBy(bin: keyof typeof BIN, args: string[]): Promise<{ code: number | null; modules: string[]; stdout: string }> {
  const r = await runProcess(process.execPath, ['--import', join(dir, 'hook.mjs'), BIN[bin], ...args], { env });
  const modules = r.stderr.split('\n').filter((l) => l.startsWith('loaded ')).map((l) => l.slice('loaded '.length));
  return { code: r.code, modules, stdout: r.stdout };
}

const heavy = (modules: string[]) => modules.filter((m) => /\/node_modules\/(zod|yaml)\//.test(m));

describe('startup cost', () => {
  it('--help and --version load neither yaml nor zod', async () => {
    for (const bin of ['fleet', 'agent'] as const) {
      for (const args of [['--help'], ['--version']]) {
        const r = await modulesLoadedBy(bin, args);
        expect(r.code).toBe(0);
        // The executable is CommonJS (the thin client); the program it then loads is seen by the hook.
        expect(r.modules.some((m) => m.endsWith('/cli/programs.js'))).toBe(true);
        expect(heavy(r.modules)).toEqual([]);
      }
    }
  });

  it('status validates a new roster once (yaml + zod), then reads it from the cache without them', async () => {
    const args = ['status', '--roster', join(dir, 'roster.yaml'), '--json'];
    const first = await modulesLoadedBy('fleet', args);
    expect(JSON.parse(first.stdout).agents.map((a: { name: string }) => a.name)).toEqual(['a']);
    expect(heavy(first.modules).length).toBeGreaterThan(0);
    const second = await modulesLoadedBy('fleet', args);
    expect(JSON.parse(second.stdout)).toMatchObject({ agents: [{ name: 'a', state: 'missing' }] });
    expect(heavy(second.modules)).toEqual([]);
    // An edit is validated again, and a broken roster still gets its exact position.
    writeFileSync(join(dir, 'roster.yaml'), 'version: 1\ndefaults: { working_directory: work, runtime: sim }\nagents:\n  - name: a\n    clas: reviewer\n');
    const third = await runProcess(process.execPath, [BIN.fleet, ...args], { env });
    expect(third.code).toBe(5);
    expect(third.stderr).toMatch(/roster\.yaml:5:5: agents\.0\.clas: .*did you mean 'class'/);
  });
});
