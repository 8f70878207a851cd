// `top --once` and `top --json` as scripts use them, and what `top` costs the other commands: nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, runCli, runProcess } from '../helpers/cli.js';
import { simFleet, type SimFleet } from '../helpers/fleet.js';
import { privateTmux, type PrivateTmux } from '../helpers/tmux.js';

let t: PrivateTmux;
let f: SimFleet;
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli('fleet', [...args, '--roster', f.roster], { env: { HOME: t.home, ...env } });

beforeAll(async () => {
  t = privateTmux('mft-topcli');
  f = simFleet(t, [{ name: 'alpha', class: 'orchestrator' }, { name: 'bravo' }]);
  const r = await cli(['start']);
  expect(r.code, r.stderr).toBe(0);
  t.tmux('kill-session', '-t', '=bravo');
}, 60_000);
afterAll(() => t.cleanup());

describe('top for scripts', () => {
  it('--once --size 80x24 prints exactly one 80x24 frame, plain text when not a terminal', async () => {
    const r = await cli(['top', '--once', '--size', '80x24']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.replace(/\n$/, '').split('\n');
    expect(lines).toHaveLength(24);
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(r.stdout).not.toContain('\x1b');
    expect(lines.find((l) => l.startsWith('alpha '))).toMatch(/ idle /);
    expect(lines.find((l) => l.startsWith('bravo '))).toMatch(/ stopped /);
  });

  it('FORCE_COLOR paints it; NO_COLOR keeps only attributes', async () => {
    expect((await cli(['top', '--once'], { FORCE_COLOR: '1', NO_COLOR: '' })).stdout).toMatch(/\x1b\[32midle/);
    const mono = (await cli(['top', '--once'], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout;
    expect(mono).toContain('\x1b[7mAGENT');
    expect(mono).not.toMatch(/\x1b\[3\dm/);
  });

  it('--json is one document with the same rows', async () => {
    const r = await cli(['top', '--json', '--sort', 'name']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: true, source: 'poll', socket: t.socket });
    expect(doc.agents.map((a: { name: string; state: string; class: string }) => [a.name, a.state, a.class])).toEqual([['alpha', 'idle', 'orchestrator'], ['bravo', 'missing', 'implementer']]);
  });

  it('bad input is one line with a hint and exit 3; without a terminal the live view says what to use', async () => {
    const bad = await cli(['top', '--once', '--size', '80by24']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^error: --size takes WIDTHxHEIGHT.*\nhint: e\.g\. --size 80x24\n$/);
    const json = await cli(['top', '--size', 'x', '--json']);
    expect(JSON.parse(json.stdout).error.code).toBe('USAGE');
    const noTty = await cli(['top']);
    expect(noTty.code).toBe(3);
    expect(noTty.stderr).toContain('top needs a terminal');
  });
});

describe('a host that does not answer', () => {
  it('its agents are unreachable, the host is named in the title, the local agents are still shown', async () => {
    const roster = join(f.dir, 'with-remote.yaml');
    // Port 1 on loopback refuses at once: a host that is down, without waiting for a timeout.
    writeFileSync(roster, [
      'version: 1',
      `tmux: { socket_name: ${t.socket} }`,
      `defaults: { working_directory: ${f.dir}, runtime: sim }`,
      'hosts:',
      '  gpu1: { ssh: fleet@127.0.0.1, port: 1, hostname: gpu1 }',
      'agents:',
      '  - { name: alpha }',
      '  - { name: train0, host: gpu1 }',
      '',
    ].join('\n'));
    const env = { HOME: t.home };
    const json = await runCli('fleet', ['top', '--json', '--roster', roster, '--sort', 'name'], { env });
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.hosts.map((h: { host: string; reachable: boolean }) => [h.host, h.reachable])).toEqual([['local', true], ['gpu1', false]]);
    expect(doc.agents.map((a: { name: string; host: string; state: string }) => [a.name, a.host, a.state])).toEqual([['alpha', 'local', 'idle'], ['train0', 'gpu1', 'unreachable']]);
    const frame = await runCli('fleet', ['top', '--once', '--roster', roster], { env });
    expect(frame.stdout.split('\n')[0]).toContain('host down: gpu1');
    expect(frame.stdout).toMatch(/^train0 +gpu1 .*unreachable/m);
  });
});

describe('what top costs the other commands', () => {
  const HOOK = `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent('export async function load(url, context, next) { process.stderr.write("loaded " + url + "\\\\n"); return next(url, context); }'));\n`;
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mft-topload-'));
    writeFileSync(join(dir, 'hook.mjs'), HOOK);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('status --json and --help load no module of top', async () => {
    for (const args of [['status', '--json', '--roster', f.roster], ['--help'], ['top', '--help']]) {
      const r = await runProcess(process.execPath, ['--import', join(dir, 'hook.mjs'), BIN.fleet, ...args], { env: { ...process.env, HOME: t.home } });
      expect(r.code, r.stderr).toBe(0);
      const loaded = r.stderr.split('\n').filter((l) => l.startsWith('loaded '));
      expect(loaded.some((l) => l.includes('/dist/cli/'))).toBe(true);
      expect(loaded.filter((l) => l.includes('/dist/top/'))).toEqual([]);
    }
  });
});
