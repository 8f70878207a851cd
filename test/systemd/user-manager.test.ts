// The units install-systemd writes, run by a real systemd user manager (src/testbed/systemd-user.ts): the product's
// own `systemctl --user` calls reach it because the CLI runs inside the manager's mount namespace with its HOME and
// XDG_RUNTIME_DIR. A failing test prints the manager's log and the fleet units' status.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startUserManager, type TestUserManager } from '../../src/testbed/systemd-user.js';
import { tmuxServerOwner } from '../../src/systemd/index.js';
import { servicePidPath, serviceSocketPath } from '../../src/service/paths.cjs';
import { startService } from '../helpers/service.js';
import { runProcess, type CliResult } from '../helpers/cli.js';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';
import { AGENT_CLI, FLEET_CLI, tempDir } from './helpers/install.js';
import { withJournal } from './helpers/manager.js';

const HOLDER = 'mosaic-tmux-holder.service';
const SERVE = 'mosaic-serve.service';
const agentUnit = (name: string) => `mosaic-agent@${name}.service`;

let m: TestUserManager;
let t: PrivateTmux;
let tmp: string;
let rosterPath: string;
let productEnv: NodeJS.ProcessEnv;

function writeRoster(agents: string[], extra: Record<string, string> = {}): void {
  writeFileSync(
    rosterPath,
    [
      'version: 1',
      'tmux:',
      `  socket_name: ${t.socket}`,
      'defaults:',
      '  runtime: sim',
      `  working_directory: ${tmp}/work`,
      '  ready_timeout_seconds: 20',
      'agents:',
      ...agents.map((name) => `  - name: ${name}${extra[name] ?? ''}`),
      '',
    ].join('\n'),
  );
}

beforeEach(async () => {
  t = privateTmux('mft-sdu');
  tmp = tempDir('mft-sdu-fleet');
  mkdirSync(join(tmp, 'work'));
  rosterPath = join(tmp, 'roster.yaml');
  m = await startUserManager({ home: t.home });
  // What a user's login shell would have: a PATH with repeats (written once into the units), the private
  // TMUX_TMPDIR from test/helpers/setup.ts (captured into the units), and the manager's HOME/XDG_RUNTIME_DIR.
  productEnv = { ...process.env, ...m.env, MOSAIC_HOME: join(tmp, 'mosaic'), PATH: `/usr/bin:${process.env.PATH}:/usr/bin:/bin`, NO_COLOR: '1' };
  delete productEnv.DBUS_SESSION_BUS_ADDRESS;
});
afterEach(async () => {
  await m.stop();
  t.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

/** mosaic-fleet, run inside the manager's namespace as a logged-in user would run it. */
function fleet(...args: string[]): Promise<CliResult> {
  const [file, ...rest] = m.inside([process.execPath, FLEET_CLI, ...args]);
  return runProcess(file!, rest, { env: productEnv, timeoutMs: 120_000 });
}

/** mosaic-agent, the same way: a client of the fleet service when it runs. */
function agent(...args: string[]): Promise<CliResult> {
  const [file, ...rest] = m.inside([process.execPath, AGENT_CLI, ...args]);
  return runProcess(file!, rest, { env: productEnv, timeoutMs: 120_000 });
}

async function systemctl(...args: string[]): Promise<CliResult> {
  const r = await m.systemctl(args, 120_000);
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

async function ok(what: Promise<CliResult>): Promise<CliResult> {
  const r = await what;
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

const state = (unit: string) => m.property(unit, 'ActiveState');
const sessions = () => {
  const r = t.tmux('list-sessions', '-F', '#{session_name}');
  return r.code === 0 ? r.stdout.trim().split('\n').sort() : [];
};
const serverPid = () => t.tmux('display-message', '-p', '#{pid}').stdout.trim();
const panePid = (name: string) => t.tmux('display-message', '-p', '-t', `=${name}:`, '#{pane_pid}').stdout.trim();
const alive = (pid: string | number) => existsSync(`/proc/${pid}`);

describe('the units under a real systemd user manager', () => {
  it('install, daemon-reload, holder, verify, agents, restart of one agent, stop of the holder', async () => {
    writeRoster(['canary', 'sibling']);
    await withJournal(m, async () => {
      const install = JSON.parse((await ok(fleet('install-systemd', '--roster', rosterPath, '--json'))).stdout) as { files: { path: string }[] };
      expect(install.files.map((f) => f.path)).toContain(join(m.unitDir, HOLDER));
      // The PATH a login shell had, each directory once.
      const path = /^Environment=PATH=(.*)$/mu.exec(readFileSync(join(m.unitDir, HOLDER), 'utf8'))?.[1]?.split(':') ?? [];
      expect(path.length).toBeGreaterThan(1);
      expect(new Set(path).size).toBe(path.length);

      await ok(systemctl('daemon-reload'));
      await ok(systemctl('start', HOLDER));
      expect(await state(HOLDER)).toBe('active');
      expect(sessions()).toEqual(['_holder']);
      const server = serverPid();
      // The server was forked inside the holder unit's cgroup, under this manager.
      const holderCgroup = await m.property(HOLDER, 'ControlGroup');
      expect(holderCgroup).toBe(`${m.cgroup}/app.slice/${HOLDER}`);
      expect(m.cgroupPids(holderCgroup)).toContain(Number(server));
      expect(await tmuxServerOwner(t.socket)).toMatchObject({ running: true, inHolder: true, unit: HOLDER });

      // start through the product: it sees the units and the manager, and asks systemd.
      const start = JSON.parse((await ok(fleet('start', '--roster', rosterPath, '--json'))).stdout) as { supervisor: string; agents: { name: string; ready: boolean }[] };
      expect(start.supervisor).toBe('systemd');
      expect(start.agents).toEqual([expect.objectContaining({ name: 'canary', ready: true }), expect.objectContaining({ name: 'sibling', ready: true })]);
      expect([await state(agentUnit('canary')), await state(agentUnit('sibling'))]).toEqual(['active', 'active']);
      expect(sessions()).toEqual(['_holder', 'canary', 'sibling']);

      const verify = await fleet('verify', '--roster', rosterPath, '--json');
      const checks = (JSON.parse(verify.stdout) as { checks: { name: string; status: string; detail: string }[] }).checks;
      const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
      expect(byName['systemd units'], verify.stdout).toMatchObject({ status: 'pass' });
      expect(byName['systemd manager'], verify.stdout).toMatchObject({ status: 'pass' });
      expect(byName['holder unit'], verify.stdout).toMatchObject({ status: 'pass' });
      expect(byName['agent units'], verify.stdout).toMatchObject({ status: 'pass', detail: expect.stringMatching(/2 of 2 active/) });
      expect(byName.lingering?.status, verify.stdout).toMatch(/^(pass|warn|fail)$/);

      const canaryPane = panePid('canary');
      const siblingPane = panePid('sibling');
      await ok(systemctl('restart', agentUnit('canary')));
      expect(await state(agentUnit('canary'))).toBe('active');
      expect(serverPid()).toBe(server);
      expect(panePid('sibling')).toBe(siblingPane);
      expect(panePid('canary')).not.toBe(canaryPane);
      expect(alive(canaryPane)).toBe(false);
      expect(alive(siblingPane)).toBe(true);
      expect(sessions()).toEqual(['_holder', 'canary', 'sibling']);
      expect(await state(HOLDER)).toBe('active');

      const fleetPids = [server, panePid('canary'), panePid('sibling')];
      await ok(systemctl('stop', HOLDER));
      expect(await state(HOLDER)).toBe('inactive');
      expect([await state(agentUnit('canary')), await state(agentUnit('sibling'))]).toEqual(['inactive', 'inactive']); // PartOf=
      expect(t.tmux('list-sessions').code).not.toBe(0);
      expect(m.cgroupPids(holderCgroup)).toEqual([]);
      expect(fleetPids.filter(alive)).toEqual([]);
    });
  });

  it('enable and a simulated boot: holder first, then the agents, then the service', async () => {
    writeRoster(['alpha', 'bravo']);
    await withJournal(m, async () => {
      const r = JSON.parse((await ok(fleet('install-systemd', '--roster', rosterPath, '--enable', '--json'))).stdout) as { enable: { ok: boolean; steps: { command: string }[] } };
      expect(r.enable.steps.map((s) => s.command)).toEqual([
        'systemctl --user daemon-reload',
        `systemctl --user enable ${HOLDER} ${SERVE} ${agentUnit('alpha')} ${agentUnit('bravo')}`,
      ]);
      expect((await systemctl('is-enabled', HOLDER, SERVE, agentUnit('alpha'), agentUnit('bravo'))).stdout.trim().split('\n')).toEqual(['enabled', 'enabled', 'enabled', 'enabled']);
      expect(await state(HOLDER)).toBe('inactive');

      await ok(systemctl('start', 'default.target'));
      await waitFor('the service running', async () => (await state(SERVE)) === 'active', 30_000);
      const units = [HOLDER, agentUnit('alpha'), agentUnit('bravo'), SERVE];
      const times: Record<string, { began: number; up: number }> = {};
      for (const unit of units) {
        expect(await state(unit)).toBe('active');
        times[unit] = { began: Number(await m.property(unit, 'InactiveExitTimestampMonotonic')), up: Number(await m.property(unit, 'ActiveEnterTimestampMonotonic')) };
      }
      for (const agent of [agentUnit('alpha'), agentUnit('bravo')]) {
        expect(times[agent]!.began, `${agent} began after the holder was up`).toBeGreaterThanOrEqual(times[HOLDER]!.up);
        expect(times[SERVE]!.began, `the service began after ${agent} was up`).toBeGreaterThanOrEqual(times[agent]!.up);
      }
      expect(sessions()).toEqual(['_holder', 'alpha', 'bravo']);
    });
  });

  it('verify reports what the manager sees: holder down, agents not started, not enabled, a unit changed on disk, a shadowed unit', async () => {
    writeRoster(['alpha']);
    await withJournal(m, async () => {
      const verify = async () => {
        const r = await fleet('verify', '--roster', rosterPath, '--json');
        const checks = (JSON.parse(r.stdout) as { checks: { name: string; status: string; detail: string; hint?: string }[] }).checks;
        return Object.fromEntries(checks.map((c) => [c.name, c]));
      };
      await ok(fleet('install-systemd', '--roster', rosterPath, '--json'));
      // Nothing started or enabled yet: the holder is down.
      await ok(systemctl('daemon-reload'));
      let v = await verify();
      expect(v['holder unit']).toMatchObject({ status: 'fail', detail: `${HOLDER} is inactive: no supervised tmux server`, hint: `systemctl --user start ${HOLDER}` });
      expect(v['agent units']).toMatchObject({ status: 'warn', detail: `0 of 1 active; not started: ${agentUnit('alpha')}` });
      expect(v['units enabled']).toMatchObject({ status: 'warn', detail: expect.stringContaining(`${HOLDER}, ${SERVE}, ${agentUnit('alpha')}`) });
      expect(v['service unit']).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^mosaic-serve\.service is inactive: /), hint: `systemctl --user start ${SERVE}` });

      // The running holder's file edited on disk (the manager still runs what it read before), and a copy of the
      // deliverer earlier on the manager's search path, shadowing ours.
      await ok(systemctl('start', HOLDER));
      const shadow = join(m.home, '.config', 'systemd', 'user.control'); // searched before ~/.config/systemd/user
      mkdirSync(shadow, { recursive: true });
      writeFileSync(join(shadow, SERVE), readFileSync(join(m.unitDir, SERVE), 'utf8'));
      await ok(systemctl('daemon-reload'));
      const holder = join(m.unitDir, HOLDER);
      writeFileSync(holder, `${readFileSync(holder, 'utf8')}# an edit on disk\n`);
      v = await verify();
      expect(v['holder unit']).toMatchObject({ status: 'pass' });
      expect(v['systemd units']?.status).toBe('fail');
      expect(v['systemd units']?.detail.split('; ')).toEqual([
        `${HOLDER} changed on disk since the user manager read it (systemctl --user daemon-reload)`,
        `${SERVE} is loaded from ${join(shadow, SERVE)}, not ${join(m.unitDir, SERVE)}`,
      ]);
    });
  });

  it('an agent whose REPL cannot start fails its unit, with the reason in the status and the log', async () => {
    writeRoster(['alpha', 'broken'], { broken: "\n    command: [sh, -c, 'echo repl exploded on purpose >&2; exit 3']" });
    await withJournal(m, async () => {
      await ok(fleet('install-systemd', '--roster', rosterPath, '--enable', '--json'));
      await ok(systemctl('start', HOLDER, agentUnit('alpha')));
      const r = await systemctl('start', agentUnit('broken'));
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/Job for mosaic-agent@broken\.service failed/);
      expect(await state(agentUnit('broken'))).toBe('failed');
      expect(await m.property(agentUnit('broken'), 'Result')).toBe('exit-code');
      const status = await systemctl('status', '--no-pager', agentUnit('broken'));
      expect(status.stdout).toMatch(/Active: failed \(Result: exit-code\)/);
      const log = m.log();
      expect(log).toMatch(/mosaic-agent@broken\.service: Main process exited, code=exited, status=\d+/);
      expect(log).toMatch(/^broken +started +broken exited while starting$/mu); // the CLI's own report, from the unit's output
      // The sibling and the holder are untouched by the failure.
      expect([await state(HOLDER), await state(agentUnit('alpha'))]).toEqual(['active', 'active']);

      const verify = JSON.parse((await fleet('verify', '--roster', rosterPath, '--json')).stdout) as { checks: { name: string; status: string; detail: string }[] };
      expect(verify.checks.find((c) => c.name === 'agent units')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/mosaic-agent@broken\.service failed/) });
    });
  });

  it('an agent unit alone pulls in the holder; after a roster edit, install-systemd makes units and env files follow', async () => {
    writeRoster(['alpha', 'bravo']);
    await withJournal(m, async () => {
      await ok(fleet('install-systemd', '--roster', rosterPath, '--enable', '--json'));
      // An agent unit started alone pulls in the holder first, so the server still lands in the holder's cgroup.
      await ok(systemctl('start', agentUnit('alpha')));
      expect(await state(HOLDER)).toBe('active');
      expect(Number(await m.property(agentUnit('alpha'), 'InactiveExitTimestampMonotonic'))).toBeGreaterThanOrEqual(Number(await m.property(HOLDER, 'ActiveEnterTimestampMonotonic')));
      expect(await tmuxServerOwner(t.socket)).toMatchObject({ running: true, inHolder: true });
      await ok(systemctl('start', agentUnit('bravo')));
      expect(sessions()).toEqual(['_holder', 'alpha', 'bravo']);
      const envDir = join(tmp, 'mosaic', 'fleet', 'agents');
      expect(readdirSync(envDir).sort()).toEqual(['alpha.env', 'bravo.env']);

      writeRoster(['alpha', 'charlie']);
      const again = JSON.parse((await ok(fleet('install-systemd', '--roster', rosterPath, '--enable', '--json'))).stdout) as { enable: { steps: { command: string }[] }; next: string[]; warnings: string[] };
      expect(again.enable.steps.map((s) => s.command)).toEqual([
        'systemctl --user daemon-reload',
        `systemctl --user enable ${HOLDER} ${SERVE} ${agentUnit('alpha')} ${agentUnit('charlie')}`,
        `systemctl --user disable ${agentUnit('bravo')}`,
      ]);
      expect(readdirSync(envDir).sort()).toEqual(['alpha.env', 'charlie.env']);
      expect((await systemctl('is-enabled', agentUnit('alpha'), agentUnit('bravo'), agentUnit('charlie'))).stdout.trim().split('\n')).toEqual(['enabled', 'disabled', 'enabled']);
      await ok(systemctl('start', agentUnit('charlie')));
      expect(sessions()).toEqual(['_holder', 'alpha', 'bravo', 'charlie']);
      // A removed agent's running unit is disabled, not stopped (install-systemd never ends a session), and it can no
      // longer stop its session itself (no env file, no roster entry): the warning says how to end it, and that works.
      expect(await state(agentUnit('bravo'))).toBe('active');
      const warning = again.warnings.find((w) => w.startsWith(`${agentUnit('bravo')} is still active`));
      expect(warning).toBe(
        `${agentUnit('bravo')} is still active but 'bravo' left the roster: its unit cannot stop the session any more; ` +
          `end it with \`tmux -L ${t.socket} kill-session -t =bravo\`, then \`systemctl --user stop ${agentUnit('bravo')}\` and \`systemctl --user reset-failed ${agentUnit('bravo')}\``,
      );
      expect(t.tmux('kill-session', '-t', '=bravo').code).toBe(0);
      await ok(systemctl('stop', agentUnit('bravo')));
      // The manager's console log reaches its file through a pty: wait for the line rather than read once.
      await waitFor('the manager logs the missing env file', () => /mosaic-agent@bravo\.service: Failed to load environment files/.test(m.log()));
      expect(m.log()).toMatch(/mosaic-agent@bravo\.service: Failed to load environment files/);
      await ok(systemctl('reset-failed', agentUnit('bravo')));
      expect(await state(agentUnit('bravo'))).toBe('inactive');
      expect(sessions()).toEqual(['_holder', 'alpha', 'charlie']);
      expect(again.next).toEqual([`systemctl --user start ${HOLDER} ${SERVE} ${agentUnit('alpha')} ${agentUnit('charlie')}`]);
    });
  });
  it('mosaic-serve.service starts with the holder, serves the clients, is restarted after a SIGKILL, stops with the holder', async () => {
    writeRoster(['alpha']);
    await withJournal(m, async () => {
      // The unit's XDG_RUNTIME_DIR is the manager's, so its socket is where a client of this login looks.
      const unitEnv = { XDG_RUNTIME_DIR: m.runtimeDir };
      const socket = serviceSocketPath(rosterPath, unitEnv);
      const pidFile = servicePidPath(rosterPath, unitEnv);
      /** The unit's main pid once that process listens (it writes its pid file after it listens), else 0. */
      const serving = async (): Promise<number> => {
        const pid = Number(await m.property(SERVE, 'MainPID'));
        const written = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
        return pid > 0 && existsSync(socket) && written === pid ? pid : 0;
      };
      /** Which process recorded the message's delivery attempt: the service, or the client itself. */
      const attemptPid = async (id: string): Promise<number> => {
        const log = JSON.parse((await ok(agent('log', '--last', '500', '--roster', rosterPath, '--json'))).stdout) as { messages: { id: string; attempts: { pid: number }[] }[] };
        return log.messages.find((r) => r.id === id)!.attempts[0]!.pid;
      };
      const send = async (text: string): Promise<{ id: string; status: string }> =>
        JSON.parse((await ok(agent('send', 'alpha', '-m', text, '--from', 'test:suite', '--roster', rosterPath, '--json'))).stdout) as { id: string; status: string };

      await ok(fleet('install-systemd', '--roster', rosterPath, '--enable', '--json'));
      await ok(systemctl('start', HOLDER));
      const first = await waitFor('the service listening', serving, 30_000, 200);
      expect(await state(SERVE)).toBe('active');
      expect(statSync(socket).mode & 0o777).toBe(0o600);
      const serveCgroup = await m.property(SERVE, 'ControlGroup');
      expect(m.cgroupPids(serveCgroup)).toContain(first);
      // The tmux server stays the holder's: the service connects to it, it does not create it.
      expect(await tmuxServerOwner(t.socket)).toMatchObject({ running: true, inHolder: true });

      const start = JSON.parse((await ok(fleet('start', '--roster', rosterPath, '--json'))).stdout) as { supervisor: string; agents: { name: string; ready: boolean }[] };
      expect(start).toMatchObject({ supervisor: 'systemd', agents: [{ name: 'alpha', ready: true }] });
      const hello = await send('hello through the unit');
      expect(hello.status).toBe('submitted');
      expect(await attemptPid(hello.id)).toBe(first);

      const verify = JSON.parse((await fleet('verify', '--roster', rosterPath, '--json')).stdout) as { checks: { name: string; status: string; detail: string }[] };
      expect(verify.checks.find((c) => c.name === 'service unit')).toEqual({ name: 'service unit', status: 'pass', detail: `${SERVE} is active (pid ${first})` });
      expect(verify.checks.find((c) => c.name === 'units enabled')).toMatchObject({ status: 'pass' });

      // Killed outright: systemd starts a new one (Restart=on-failure), and clients use it.
      process.kill(first, 'SIGKILL');
      const second = await waitFor('a new service listening', async () => {
        const pid = await serving();
        return pid !== first ? pid : 0;
      }, 30_000, 200);
      expect(alive(first)).toBe(false);
      expect(await m.property(SERVE, 'NRestarts')).toBe('1');
      const again = await send('hello after the restart');
      expect(again.status).toBe('submitted');
      expect(await attemptPid(again.id)).toBe(second);
      expect(t.tmux('capture-pane', '-p', '-t', '=alpha:').stdout).toContain('hello after the restart');

      // Stopping the holder stops the service first (SIGTERM: exit 0, so no restart), and its socket goes with it.
      await ok(systemctl('stop', HOLDER));
      expect([await state(HOLDER), await state(SERVE)]).toEqual(['inactive', 'inactive']);
      expect(await m.property(SERVE, 'Result')).toBe('success');
      expect(existsSync(socket)).toBe(false);
      expect(existsSync(pidFile)).toBe(false);
      expect(alive(second)).toBe(false);
      expect(m.cgroupPids(serveCgroup)).toEqual([]);
    });
  });

  it('a service that finds the roster already served exits 8 and is not restarted in a loop', async () => {
    writeRoster(['alpha']);
    await withJournal(m, async () => {
      await ok(fleet('install-systemd', '--roster', rosterPath, '--enable', '--json'));
      await ok(systemctl('start', HOLDER));
      await waitFor('the unit running', async () => (await state(SERVE)) === 'active', 30_000, 200);
      await ok(systemctl('stop', SERVE));
      // One started by hand, as a person might, against the holder's server.
      const byHand = await startService(rosterPath, { ...productEnv });
      try {
        await ok(systemctl('start', SERVE));
        await waitFor('the unit failed', async () => (await state(SERVE)) === 'failed', 30_000, 200);
        expect([await m.property(SERVE, 'Result'), await m.property(SERVE, 'ExecMainStatus'), await m.property(SERVE, 'NRestarts')]).toEqual(['exit-code', '8', '0']);
        const said = new RegExp(`another mosaic-fleet serve \\(pid ${byHand.pid}\\) already serves the roster`);
        await waitFor('the unit says why', () => said.test(m.log()));
        const verify = JSON.parse((await fleet('verify', '--roster', rosterPath, '--json')).stdout) as { checks: { name: string; status: string; detail: string }[] };
        expect(verify.checks.find((c) => c.name === 'service unit')).toMatchObject({ status: 'fail', detail: `${SERVE} failed with exit code 8: another mosaic-fleet serve serves this roster` });
      } finally {
        expect(await byHand.stop()).toBe(0);
      }
      // Once that one is gone the unit starts as usual.
      await ok(systemctl('restart', SERVE));
      await waitFor('the unit running again', async () => (await state(SERVE)) === 'active' && existsSync(serviceSocketPath(rosterPath, { XDG_RUNTIME_DIR: m.runtimeDir })), 30_000, 200);
    });
  });
  it('the tmux server gone: the service exits 1 and is restarted; stopping it never kills a server it had to create', async () => {
    writeRoster(['alpha']);
    await withJournal(m, async () => {
      const socket = serviceSocketPath(rosterPath, { XDG_RUNTIME_DIR: m.runtimeDir });
      await ok(fleet('install-systemd', '--roster', rosterPath, '--enable', '--json'));
      await ok(systemctl('start', HOLDER));
      await waitFor('the service listening', async () => (await state(SERVE)) === 'active' && existsSync(socket), 30_000, 200);
      const first = Number(await m.property(SERVE, 'MainPID'));
      expect(t.tmux('kill-server').code).toBe(0);
      await waitFor('the service restarted', async () => (await m.property(SERVE, 'NRestarts')) === '1' && (await state(SERVE)) === 'active', 30_000, 200);
      await waitFor('the unit says why it stopped', () => /went away; the service stops/.test(m.log()) && /mosaic-serve\.service: Main process exited, code=exited, status=1\/FAILURE/.test(m.log()));
      expect(alive(first)).toBe(false);
      // The holder (a oneshot) did not notice; the restarted service created the server, in its own cgroup.
      await waitFor('a server again', () => t.tmux('has-session', '-t', '=_holder').code === 0, 30_000, 200);
      expect(await tmuxServerOwner(t.socket)).toMatchObject({ running: true, inHolder: false, unit: SERVE });
      const server = serverPid();
      // KillMode=process: stopping the service leaves that server alone.
      await ok(systemctl('stop', SERVE));
      expect(alive(server)).toBe(true);
      expect(sessions()).toEqual(['_holder']);
      // Restarting the holder puts it all back: the server in the holder's cgroup, the service with it.
      await ok(systemctl('restart', HOLDER));
      expect(alive(server)).toBe(false);
      expect(await tmuxServerOwner(t.socket)).toMatchObject({ running: true, inHolder: true });
      await waitFor('the service back', async () => (await state(SERVE)) === 'active' && existsSync(socket), 30_000, 200);
    });
  });
});
