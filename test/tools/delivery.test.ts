// install-tools end to end: the written helpers deliver to sim agents on a private tmux socket through mosaic-agent.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSim } from '../helpers/sim.js';
import { privateTmux, type PrivateTmux } from '../helpers/tmux.js';
import { AGENT_CLI, runInstall, tempDir } from '../systemd/helpers/install.js';

let t: PrivateTmux;
let tmp: string;
let tools: string;

beforeEach(async () => {
  t = privateTmux('mft-tools');
  tmp = tempDir('mft-tools-e2e');
  tools = join(tmp, 'mosaic', 'tools', 'tmux');
  const r = await runInstall(['install-tools', '--json'], { HOME: t.home, MOSAIC_HOME: join(tmp, 'mosaic') });
  expect(r.code, r.stderr).toBe(0);
});
afterEach(() => {
  t.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Like an agent calling the helper from its pane: its own environment, nothing of the test runner's but TMUX_TMPDIR.
function tool(name: string, args: string[], options: { input?: string; path?: string } = {}): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(tools, name), args, {
      cwd: tmp,
      env: { HOME: t.home, PATH: options.path ?? '/usr/local/bin:/usr/bin:/bin', TMUX_TMPDIR: process.env.TMUX_TMPDIR, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // A script that exits before reading its stdin closes the pipe: that is its answer, not a test error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

const agentSend = (args: string[], options?: { input?: string; path?: string }) => tool('agent-send.sh', ['-L', t.socket, ...args], options);
const host = () => spawnSync('hostname', ['-s'], { encoding: 'utf8' }).stdout.trim();

describe('install-tools', () => {
  it('writes both helpers 0755 with absolute paths, idempotently, keeping an old helper it replaces', async () => {
    const env = { HOME: t.home, MOSAIC_HOME: join(tmp, 'mosaic') };
    for (const name of ['agent-send.sh', 'send-message.sh']) {
      expect(statSync(join(tools, name)).mode & 0o777).toBe(0o755);
      const text = readFileSync(join(tools, name), 'utf8');
      expect(text).toContain(`MOSAIC_NODE='${process.execPath}'`);
      expect(text).toContain(`MOSAIC_AGENT_CLI='${AGENT_CLI}'`);
    }
    const again = await runInstall(['install-tools', '--json'], env);
    expect(JSON.parse(again.stdout).files.map((f: { status: string }) => f.status)).toEqual(['unchanged', 'unchanged']);

    const other = join(tmp, 'old-tools');
    mkdirSync(other);
    writeFileSync(join(other, 'agent-send.sh'), '#!/usr/bin/env bash\necho old helper\n', { mode: 0o755 });
    const replaced = await runInstall(['install-tools', '--dir', other, '--json'], env);
    expect(JSON.parse(replaced.stdout).files).toEqual([
      { path: join(other, 'agent-send.sh'), status: 'updated', foreign: true, backup: join(other, 'agent-send.sh.pre-mosaic-fleet') },
      { path: join(other, 'send-message.sh'), status: 'created' },
    ]);
    expect(readFileSync(join(other, 'agent-send.sh.pre-mosaic-fleet'), 'utf8')).toBe('#!/usr/bin/env bash\necho old helper\n');
    const human = await runInstall(['install-tools', '--dir', other, '--dry-run'], env);
    expect(human.stdout).toMatch(/unchanged +.*agent-send\.sh/);
  });
});

describe('agent-send.sh delivers through mosaic-agent send', () => {
  it('delivers -m, -f and stdin bodies exactly once with the preamble', async () => {
    const sim = await startSim(t, 'alpha');
    writeFileSync(join(tmp, 'msg.txt'), 'from a file\nsecond line\n');
    const from = ['-S', 'web1:mos-claude', '-n', 'fleethost'];
    expect(await agentSend(['-s', 'alpha', ...from, '-m', 'status?'])).toMatchObject({ code: 0 });
    expect(await agentSend(['-s', 'alpha', ...from, '-f', 'msg.txt'])).toMatchObject({ code: 0 });
    expect(await agentSend(['-s', 'alpha', ...from], { input: 'from stdin\n' })).toMatchObject({ code: 0 });
    expect(sim.submits().map((e) => e.text)).toEqual([
      '[web1:mos-claude -> fleethost:alpha] status?',
      '[web1:mos-claude -> fleethost:alpha] from a file\nsecond line',
      '[web1:mos-claude -> fleethost:alpha] from stdin',
    ]);
  });

  it('resolves =name exactly, prefixes a bare -S label with this host, and -v reports JSON on stderr', async () => {
    const alpha = await startSim(t, 'alpha');
    const alphabet = await startSim(t, 'alphabet');
    const r = await agentSend(['-v', '-s', '=alpha', '-S', 'tester', '-n', 'fleethost', '-m', 'exact']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr)).toMatchObject({ ok: true, status: 'submitted', to: { host: 'fleethost', session: 'alpha' } });
    expect(alpha.submits().map((e) => e.text)).toEqual([`[${host()}:tester -> fleethost:alpha] exact`]);
    expect(alphabet.submits()).toEqual([]);
  });

  it('exits 1 for an unknown target (no prefix match), 2 when the REPL never submits, 3 on a bad flag', async () => {
    const alphabet = await startSim(t, 'alphabet');
    const stuck = await startSim(t, 'stuck', { ignoreEnter: true });
    const missing = await agentSend(['-s', 'alpha', '-S', 'h:s', '-m', 'nobody']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no session 'alpha'/);
    expect((await agentSend(['-s', 'stuck', '-S', 'h:s', '-r', '1', '-m', 'never submitted'])).code).toBe(2);
    expect((await agentSend(['-s', 'alphabet', '-Z', '-m', 'bad flag'])).code).toBe(3);
    expect(alphabet.submits()).toEqual([]);
    expect(stuck.submits()).toEqual([]);
  });

  it('folds a tmux failure (mosaic-agent exit 4) into 1', async () => {
    const r = await agentSend(['-s', 'alpha', '-S', 'h:s', '-m', 'x'], { path: join(tmp, 'no-tmux-here') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tmux is not installed/);
  });
});

describe('send-message.sh submits raw text', () => {
  it('delivers -b, -m and stdin bodies without a preamble, exactly once', async () => {
    const sim = await startSim(t, 'coder0');
    const b64 = Buffer.from('raw pane message\nline two').toString('base64');
    expect(await tool('send-message.sh', ['-L', t.socket, '-t', '=coder0', '-b', b64])).toMatchObject({ code: 0 });
    expect(await tool('send-message.sh', ['-L', t.socket, '-t', 'coder0', '-m', 'plain'])).toMatchObject({ code: 0 });
    expect(await tool('send-message.sh', ['-L', t.socket, '-t', 'coder0'], { input: 'piped\n' })).toMatchObject({ code: 0 });
    expect(sim.submits().map((e) => e.text)).toEqual(['raw pane message\nline two', 'plain', 'piped']);
    expect((await tool('send-message.sh', ['-L', t.socket, '-t', 'nobody', '-m', 'x'])).code).toBe(1);
  });
});
