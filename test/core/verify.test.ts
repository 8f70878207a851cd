import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';
import { runCli } from '../helpers/cli.js';
import { simFleet, type SimFleet } from '../helpers/fleet.js';

let t: PrivateTmux;
let f: SimFleet;
// The "default" tmux server of a test lives in the private TMUX_TMPDIR set up by setup.ts.
const defaultTmux = (...args: string[]) => spawnSync('tmux', args, { encoding: 'utf8', env: { ...process.env, HOME: t.home } });
const verify = async () => {
  const r = await runCli('fleet', ['verify', '--json', '--roster', f.roster], { env: { HOME: t.home } });
  const doc = JSON.parse(r.stdout) as { ok: boolean; checks: { name: string; status: string; detail: string; hint?: string }[] };
  return { code: r.code, doc, check: (name: string) => doc.checks.find((c) => c.name === name)! };
};

beforeEach(async () => {
  t = privateTmux('mft-verify');
  f = simFleet(t, [{ name: 'alpha' }, { name: 'bravo' }]);
  const s = await runCli('fleet', ['start', '--roster', f.roster], { env: { HOME: t.home } });
  expect(s.code, s.stderr).toBe(0);
});
afterEach(() => {
  defaultTmux('kill-server');
  t.cleanup();
});

describe('mosaic-fleet verify', () => {
  it('passes every check on a healthy fleet (systemd only warns when absent)', async () => {
    const v = await verify();
    expect(v.code).toBe(0);
    expect(v.doc.ok).toBe(true);
    for (const name of ['tmux version', 'fleet socket', 'holder session', 'default server untouched', 'exact targets', 'restart isolation', 'roster agents']) {
      expect(v.check(name).status, `${name}: ${v.check(name).detail}`).toBe('pass');
    }
    expect(v.check('systemd units').status).toBe('warn');
    const human = await runCli('fleet', ['verify', '--roster', f.roster], { env: { HOME: t.home } });
    expect(human.stdout).toMatch(/pass {2}exact targets/);
  });

  it('fails with a hint when the holder is gone', async () => {
    t.tmux('kill-session', '-t', '=_holder');
    const v = await verify();
    expect(v.code).toBe(6);
    expect(v.check('holder session')).toMatchObject({ status: 'fail' });
    expect(v.check('holder session').hint).toMatch(/stop --all, then mosaic-fleet start/);
  });

  it('fails with a hint naming a dead roster agent', async () => {
    const pid = Number(t.tmux('list-panes', '-t', '=bravo:', '-F', '#{pane_pid}').stdout.trim());
    process.kill(pid, 'SIGKILL');
    await waitFor('bravo dead', () => t.tmux('list-panes', '-t', '=bravo:', '-F', '#{pane_dead}').stdout.trim() === '1');
    const v = await verify();
    expect(v.code).toBe(6);
    expect(v.check('roster agents')).toMatchObject({ status: 'fail', detail: 'dead: bravo', hint: 'mosaic-fleet start bravo' });
  });

  it('fails when a fleet session is planted on the default server side', async () => {
    defaultTmux('-f', '/dev/null', 'new-session', '-d', '-s', 'alpha', 'sleep', '300');
    const v = await verify();
    expect(v.code).toBe(6);
    expect(v.check('default server untouched').status).toBe('fail');
    expect(v.check('default server untouched').detail).toMatch(/alpha/);
    expect(v.check('default server untouched').hint).toMatch(/capture/);
    // verify only read the default server
    expect(defaultTmux('list-sessions', '-F', '#{session_name}').stdout.trim()).toBe('alpha');
  });
});

describe('mosaic-fleet capture', () => {
  it('writes the whole scrollback of a default-server session to a file and leaves the session untouched', async () => {
    defaultTmux('-f', '/dev/null', 'new-session', '-d', '-s', 'legacy', '-x', '80', '-y', '10', 'sh', '-c', 'i=0; while [ $i -lt 60 ]; do echo "legacy line $i"; i=$((i+1)); done; sleep 300');
    await waitFor('output drawn', () => defaultTmux('capture-pane', '-p', '-J', '-S', '-', '-t', '=legacy:').stdout.includes('legacy line 59'));
    const before = {
      pane: defaultTmux('list-panes', '-a', '-F', '#{session_name} #{pane_id} #{pane_pid} #{history_size}').stdout,
      text: defaultTmux('capture-pane', '-p', '-J', '-S', '-', '-t', '=legacy:').stdout,
      buffers: defaultTmux('list-buffers').stdout,
    };
    const out = join(f.dir, 'legacy.log');
    const r = await runCli('fleet', ['capture', 'legacy', '-o', out], { env: { HOME: t.home } });
    expect(r.code, r.stderr).toBe(0);
    const saved = readFileSync(out, 'utf8');
    expect(saved.replace(/\n+$/, '')).toBe(before.text.replace(/\n+$/, ''));
    expect(saved).toContain('legacy line 0\n');
    expect(saved).toContain('legacy line 59');
    expect(defaultTmux('list-panes', '-a', '-F', '#{session_name} #{pane_id} #{pane_pid} #{history_size}').stdout).toBe(before.pane);
    expect(defaultTmux('list-buffers').stdout).toBe(before.buffers);
    const miss = await runCli('fleet', ['capture', 'legac'], { env: { HOME: t.home } });
    expect(miss.code).toBe(1);
  });
});
