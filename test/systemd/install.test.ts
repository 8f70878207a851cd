import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRoster } from '../../src/roster/index.js';
import { checkInstalledUnits, unitsInstalled, userManagerAvailable, lingerState, parseEnvFile, readLinger, systemdCgroup, tmuxServerOwner, unitOfCgroup } from '../../src/systemd/index.js';
import { startUserManager, type TestUserManager } from '../../src/testbed/systemd-user.js';
import { runProcess } from '../helpers/cli.js';
import { privateTmux } from '../helpers/tmux.js';
import { FLEET_CLI, INSTALL_BIN, PLAIN_PATH, expectGolden, normalise, runInstall, tempDir } from './helpers/install.js';
import { withJournal } from './helpers/manager.js';

let tmp: string;
let env: NodeJS.ProcessEnv;
let unitDir: string;
let mosaicHome: string;
let rosterPath: string;

// A roster with the awkward cases: a directory that needs quoting, an argv command, a launcher, a remote agent.
function rosterYaml(agents = ['alpha', 'bravo', 'delta', 'charlie']): string {
  const all: Record<string, string> = {
    alpha: '  - name: alpha',
    bravo: `  - name: bravo\n    working_directory: '${tmp}/odd $x 100% "q"'\n    command: [node, --flag, 'a b']`,
    delta: '  - name: delta\n    runtime: claude\n    launcher: mosaic',
    charlie: '  - name: charlie\n    host: web1',
  };
  return [
    'version: 1',
    'tmux:',
    '  socket_name: mft-golden',
    'defaults:',
    '  runtime: sim',
    `  working_directory: ${tmp}/work`,
    'hosts:',
    '  web1:',
    '    ssh: u@web1',
    'agents:',
    ...agents.map((a) => all[a]!),
    '',
  ].join('\n');
}

function writeRoster(agents?: string[]): void {
  writeFileSync(rosterPath, rosterYaml(agents));
}

beforeEach(() => {
  tmp = tempDir('mft-sd');
  unitDir = join(tmp, 'units');
  mosaicHome = join(tmp, 'mosaic');
  rosterPath = join(tmp, 'roster.yaml');
  mkdirSync(join(tmp, 'home'));
  mkdirSync(join(tmp, 'work'));
  mkdirSync(join(tmp, 'odd $x 100% "q"'));
  writeRoster();
  // Everything the install captures is pinned, so the goldens do not depend on the developer's shell.
  // PATH repeats directories, as login shells often make it: the units get each once (the goldens show PLAIN_PATH).
  env = { HOME: join(tmp, 'home'), MOSAIC_HOME: mosaicHome, PATH: `${PLAIN_PATH}:/usr/bin::/usr/local/bin:/bin`, LANG: 'C.UTF-8', LC_ALL: '', LC_CTYPE: '', XDG_CONFIG_HOME: '', USER: 'tester' };
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** The deliverer unit an older install-systemd wrote (test/systemd/fixtures), for this test's paths. */
function olderDeliverer(): string {
  const text = readFileSync(join(import.meta.dirname, 'fixtures', 'mosaic-deliver.service'), 'utf8');
  return normalise(text, { '@NODE@': process.execPath, '@CLI@': FLEET_CLI, '@TMP@': tmp, '@TMUX_TMPDIR@': process.env.TMUX_TMPDIR! });
}

const install = (...args: string[]) => runInstall(['install-systemd', '--roster', rosterPath, '--unit-dir', unitDir, '--json', ...args], env);
const json = (stdout: string) => JSON.parse(stdout) as { ok: boolean; files: { path: string; status: string; content?: string }[]; warnings: string[]; skipped: { agent: string }[]; next: string[]; enable?: { ok: boolean; error?: string; hint?: string; steps: { command: string; ok: boolean }[] } };
const statuses = (stdout: string) => Object.fromEntries(json(stdout).files.map((f) => [f.path.replace(`${tmp}/`, ''), f.status]));

describe('install-systemd: rendering', () => {
  it('writes the holder unit, the agent template and one env file per local agent (goldens)', async () => {
    const r = await install();
    expect(r.code, r.stderr).toBe(0);
    expect(statuses(r.stdout)).toEqual({
      'units/mosaic-tmux-holder.service': 'created',
      'units/mosaic-agent@.service': 'created',
      'units/mosaic-serve.service': 'created',
      'mosaic/fleet/agents/alpha.env': 'created',
      'mosaic/fleet/agents/bravo.env': 'created',
      'mosaic/fleet/agents/delta.env': 'created',
    });
    expect(json(r.stdout).skipped.map((s) => s.agent)).toEqual(['charlie']);
    const placeholders = { [process.execPath]: '@NODE@', [FLEET_CLI]: '@CLI@', [tmp]: '@TMP@', [process.env.TMUX_TMPDIR!]: '@TMUX_TMPDIR@' };
    for (const [file, golden] of [
      [join(unitDir, 'mosaic-tmux-holder.service'), 'mosaic-tmux-holder.service'],
      [join(unitDir, 'mosaic-agent@.service'), 'mosaic-agent@.service'],
      [join(unitDir, 'mosaic-serve.service'), 'mosaic-serve.service'],
      [join(mosaicHome, 'fleet', 'agents', 'alpha.env'), 'alpha.env'],
      [join(mosaicHome, 'fleet', 'agents', 'bravo.env'), 'bravo.env'],
      [join(mosaicHome, 'fleet', 'agents', 'delta.env'), 'delta.env'],
    ] as const) {
      expectGolden(golden, normalise(readFileSync(file, 'utf8'), placeholders));
      expect(statSync(file).mode & 0o777).toBe(0o644);
    }
  });

  it('env files read back, with systemd EnvironmentFile= rules, to exactly the values installed', async () => {
    expect((await install()).code).toBe(0);
    const bravo = parseEnvFile(readFileSync(join(mosaicHome, 'fleet', 'agents', 'bravo.env'), 'utf8'));
    expect(bravo).toEqual({
      MOSAIC_AGENT_NAME: 'bravo',
      MOSAIC_AGENT_RUNTIME: 'sim',
      MOSAIC_AGENT_WORKDIR: `${tmp}/odd $x 100% "q"`,
      MOSAIC_AGENT_COMMAND: "node --flag 'a b'",
      MOSAIC_HOME: mosaicHome,
      MOSAIC_FLEET_ROSTER: rosterPath,
      MOSAIC_TMUX_SOCKET: 'mft-golden',
      LANG: 'C.UTF-8',
      PATH: PLAIN_PATH,
      TMUX_TMPDIR: process.env.TMUX_TMPDIR,
    });
  });

  it('every rendered unit passes systemd-analyze verify, and a broken one does not', async () => {
    expect((await install()).code).toBe(0);
    const runtimeDir = tempDir('mft-sd-rt'); // --user needs a runtime dir; no user manager is contacted
    const verify = (...units: string[]) =>
      spawnSync('systemd-analyze', ['--user', 'verify', ...units], { cwd: unitDir, encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir } });
    // The template is checked both as such and as a concrete instance (systemd loads mosaic-agent@.service for it).
    const ok = verify('./mosaic-tmux-holder.service', './mosaic-agent@.service', './mosaic-agent@alpha.service', './mosaic-serve.service');
    expect(ok.error).toBeUndefined();
    expect({ code: ok.status, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' });

    // The same check fails on a unit whose node is gone, so the pass above means something.
    const holder = join(unitDir, 'mosaic-tmux-holder.service');
    writeFileSync(holder, readFileSync(holder, 'utf8').replaceAll(process.execPath, '/nonexistent/node'));
    const broken = verify('./mosaic-tmux-holder.service');
    expect(broken.status).not.toBe(0);
    expect(broken.stderr).toMatch(/nonexistent\/node/);
    rmSync(runtimeDir, { recursive: true, force: true });
  });

  it('refuses agent names that cannot be unit instances, naming them', async () => {
    writeFileSync(rosterPath, rosterYaml(['alpha']).replace('name: alpha', "name: 'ab*c'"));
    const r = await install();
    expect(r.code).toBe(3);
    expect(json(r.stdout).ok).toBe(false);
    expect(r.stderr).toMatch(/agent name 'ab\*c' cannot be a systemd unit instance/);
    expect(existsSync(unitDir)).toBe(false);
  });
});

describe('install-systemd: idempotence', () => {
  it('removes the mosaic-deliver.service of an older install (a dry run shows it), never one it did not write', async () => {
    mkdirSync(unitDir, { recursive: true });
    const legacy = join(unitDir, 'mosaic-deliver.service');
    writeFileSync(legacy, olderDeliverer());
    const preview = await install('--dry-run');
    expect(statuses(preview.stdout)['units/mosaic-deliver.service']).toBe('removed');
    const human = await runInstall(['install-systemd', '--roster', rosterPath, '--unit-dir', unitDir, '--dry-run'], env);
    expect(human.stdout).toMatch(/would remove +.*\/units\/mosaic-deliver\.service \(replaced by mosaic-serve\.service\)/);
    expect(existsSync(legacy)).toBe(true);
    // verify names it while it is there.
    const check = () => checkInstalledUnits(loadRoster(rosterPath, { env }), unitDir, mosaicHome, { env, rosterPath });
    expect(check().problems).toContainEqual({ file: legacy, message: 'the deliverer unit of an older install, replaced by mosaic-serve.service' });

    const r = await install();
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).files.find((f) => f.path === legacy)).toEqual({ path: legacy, kind: 'unit', status: 'removed', replacedBy: 'mosaic-serve.service' });
    expect(existsSync(legacy)).toBe(false);
    expect(existsSync(join(unitDir, 'mosaic-serve.service'))).toBe(true);
    expect(check()).toMatchObject({ ok: true, problems: [] });

    // A file of that name the user wrote: left as it is, with a warning.
    const mine = '[Service]\nExecStart=/bin/true\n';
    writeFileSync(legacy, mine);
    const again = await install();
    expect(again.code, again.stderr).toBe(0);
    expect(json(again.stdout).files.map((f) => f.path)).not.toContain(legacy);
    expect(json(again.stdout).warnings).toContain(
      `${legacy} was not written by mosaic-fleet, so it is left alone; mosaic-serve.service delivers queued messages now: ` +
        'if that unit runs `mosaic-fleet deliver --watch`, disable it (systemctl --user disable --now mosaic-deliver.service)',
    );
    expect(readFileSync(legacy, 'utf8')).toBe(mine);
    expect(check()).toMatchObject({ ok: true, problems: [] });
  });

  it('--dry-run reports and shows everything and writes nothing', async () => {
    const r = await install('--dry-run');
    expect(r.code, r.stderr).toBe(0);
    const doc = json(r.stdout);
    expect(doc.files.map((f) => f.status)).toEqual(['created', 'created', 'created', 'created', 'created', 'created']);
    expect(doc.files.every((f) => typeof f.content === 'string' && f.content.startsWith('# Written by mosaic-fleet install-systemd'))).toBe(true);
    expect(existsSync(unitDir)).toBe(false);
    expect(existsSync(mosaicHome)).toBe(false);

    const human = await runInstall(['install-systemd', '--roster', rosterPath, '--unit-dir', unitDir, '--dry-run'], env);
    expect(human.stdout).toMatch(/would create +.*mosaic-tmux-holder\.service/);
    expect(human.stdout).toContain('ExecStop=');
    expect(existsSync(unitDir)).toBe(false);
  });

  it('a second run reports unchanged; an edit is put back as updated', async () => {
    expect((await install()).code).toBe(0);
    const again = await install();
    expect(Object.values(statuses(again.stdout))).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(json(again.stdout).next).toEqual([
      'systemctl --user enable --now mosaic-tmux-holder.service mosaic-serve.service mosaic-agent@alpha.service mosaic-agent@bravo.service mosaic-agent@delta.service',
    ]);

    const alpha = join(mosaicHome, 'fleet', 'agents', 'alpha.env');
    const original = readFileSync(alpha, 'utf8');
    writeFileSync(alpha, original.replace('MOSAIC_TMUX_SOCKET=mft-golden', 'MOSAIC_TMUX_SOCKET=other'));
    const fixed = await install();
    expect(statuses(fixed.stdout)['mosaic/fleet/agents/alpha.env']).toBe('updated');
    expect(readFileSync(alpha, 'utf8')).toBe(original);
  });

  it('removes env files it wrote for agents that left the roster, never files it did not write', async () => {
    expect((await install()).code).toBe(0);
    const agents = join(mosaicHome, 'fleet', 'agents');
    writeFileSync(join(agents, 'mine.env'), 'MOSAIC_AGENT_NAME=mine\n'); // no marker: the user's own file
    writeRoster(['alpha', 'charlie']);

    const preview = await install('--dry-run');
    expect(statuses(preview.stdout)).toMatchObject({ 'mosaic/fleet/agents/bravo.env': 'removed', 'mosaic/fleet/agents/delta.env': 'removed' });
    expect(readdirSync(agents).sort()).toEqual(['alpha.env', 'bravo.env', 'delta.env', 'mine.env']);

    const r = await install();
    expect(statuses(r.stdout)).toEqual({
      'units/mosaic-tmux-holder.service': 'unchanged',
      'units/mosaic-agent@.service': 'unchanged',
      'units/mosaic-serve.service': 'unchanged',
      'mosaic/fleet/agents/alpha.env': 'unchanged',
      'mosaic/fleet/agents/bravo.env': 'removed',
      'mosaic/fleet/agents/delta.env': 'removed',
    });
    expect(readdirSync(agents).sort()).toEqual(['alpha.env', 'mine.env']);
  });
});

// --enable against a real user manager (src/testbed/systemd-user.ts), the installer run inside its namespace.
describe('install-systemd --enable', () => {
  let m: TestUserManager;
  beforeEach(async () => {
    m = await startUserManager({ home: env.HOME! });
    Object.assign(env, m.env, { USER: 'tester' });
  });
  afterEach(() => m.stop());

  /** The installer inside the manager's mount namespace, as a logged-in user runs it. */
  const installInside = async (...args: string[]) => {
    const [file, ...rest] = m.inside([process.execPath, INSTALL_BIN, 'install-systemd', '--roster', rosterPath, '--json', ...args]);
    const r = await runProcess(file!, rest, { env: { ...process.env, ...env, NO_COLOR: '1' } });
    return { ...r, doc: json(r.stdout) };
  };
  const enabled = async (...units: string[]) => (await m.systemctl(['is-enabled', ...units])).stdout.trim().split('\n');

  it('reloads, enables the holder and every agent, and disables instances of agents that left', async () => {
    await withJournal(m, async () => {
      const first = await installInside('--enable');
      expect(first.code, first.stderr).toBe(0);
      expect(await enabled('mosaic-tmux-holder.service', 'mosaic-serve.service', 'mosaic-agent@alpha.service', 'mosaic-agent@bravo.service', 'mosaic-agent@delta.service')).toEqual(['enabled', 'enabled', 'enabled', 'enabled', 'enabled']);
      // An instance still enabled for an agent that is no longer in the roster.
      symlinkSync('../mosaic-agent@.service', join(m.unitDir, 'default.target.wants', 'mosaic-agent@gone.service'));
      writeRoster(['alpha']);
      const r = await installInside('--enable');
      expect(r.code, r.stderr).toBe(0);
      expect(r.doc.enable?.ok).toBe(true);
      expect(r.doc.enable?.steps.map((s) => s.command)).toEqual([
        'systemctl --user daemon-reload',
        'systemctl --user enable mosaic-tmux-holder.service mosaic-serve.service mosaic-agent@alpha.service',
        'systemctl --user disable mosaic-agent@bravo.service mosaic-agent@delta.service mosaic-agent@gone.service',
      ]);
      expect(await enabled('mosaic-agent@alpha.service', 'mosaic-agent@bravo.service', 'mosaic-agent@delta.service')).toEqual(['enabled', 'disabled', 'disabled']);
      expect(readdirSync(join(m.unitDir, 'default.target.wants')).sort()).toEqual(['mosaic-agent@alpha.service', 'mosaic-tmux-holder.service']);
      expect(r.doc.next).toEqual(['systemctl --user start mosaic-tmux-holder.service mosaic-serve.service mosaic-agent@alpha.service']);
      expect(r.doc.warnings.join('\n')).toMatch(/lingering.*loginctl enable-linger tester/);
    });
  });

  it('an older install\'s running deliverer: --enable disables and stops it before removing it, and says so', async () => {
    await withJournal(m, async () => {
      const legacy = join(m.unitDir, 'mosaic-deliver.service');
      await olderInstallRunning(legacy);
      const r = await installInside('--enable');
      expect(r.code, r.stderr).toBe(0);
      expect(r.doc.enable?.steps.map((s) => s.command)).toEqual([
        'systemctl --user disable --now mosaic-deliver.service',
        'systemctl --user daemon-reload',
        'systemctl --user enable mosaic-tmux-holder.service mosaic-serve.service mosaic-agent@alpha.service mosaic-agent@bravo.service mosaic-agent@delta.service',
      ]);
      expect(r.doc.files.find((f) => f.path === legacy)).toMatchObject({ status: 'removed' });
      expect(existsSync(legacy)).toBe(false);
      expect(await m.property('mosaic-deliver.service', 'ActiveState')).toBe('inactive');
      expect(await m.property('mosaic-deliver.service', 'LoadState')).toBe('not-found');
      expect(readdirSync(join(m.unitDir, 'mosaic-tmux-holder.service.wants'))).toEqual(['mosaic-serve.service']);
      // The human report says so too.
      await olderInstallRunning(legacy);
      const [file, ...rest] = m.inside([process.execPath, INSTALL_BIN, 'install-systemd', '--roster', rosterPath, '--enable']);
      const human = await runProcess(file!, rest, { env: { ...process.env, ...env, NO_COLOR: '1' } });
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).toMatch(/removed +.*\/mosaic-deliver\.service \(replaced by mosaic-serve\.service\)/);
      expect(human.stdout).toMatch(/^ +ran systemctl --user disable --now mosaic-deliver\.service$/mu);
    });
  });

  it('an older install\'s running deliverer without --enable: removed, and the next steps end it', async () => {
    await withJournal(m, async () => {
      const legacy = join(m.unitDir, 'mosaic-deliver.service');
      await olderInstallRunning(legacy);
      const r = await installInside();
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(legacy)).toBe(false);
      const units = 'mosaic-tmux-holder.service mosaic-serve.service mosaic-agent@alpha.service mosaic-agent@bravo.service mosaic-agent@delta.service';
      expect(r.doc.next).toEqual(['systemctl --user daemon-reload', 'systemctl --user disable --now mosaic-deliver.service', `systemctl --user enable --now ${units}`]);
      // The next steps, run as printed (the holder and the service only: the agents' REPLs are not what this tests).
      for (const step of r.doc.next.slice(0, 2)) {
        const run = await m.systemctl(step.split(' ').slice(2));
        expect(run.code, `${step}: ${run.stderr}`).toBe(0);
      }
      expect(await m.property('mosaic-deliver.service', 'ActiveState')).toBe('inactive');
      expect(existsSync(join(m.unitDir, 'mosaic-tmux-holder.service.wants', 'mosaic-deliver.service'))).toBe(false);
    });
  });

  /** What an upgrade starts from: the older deliverer enabled and running (it pulls in the holder). */
  async function olderInstallRunning(legacy: string): Promise<void> {
    const first = await installInside();
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(legacy, olderDeliverer());
    for (const args of [['daemon-reload'], ['enable', '--now', 'mosaic-deliver.service']]) {
      const r = await m.systemctl(args, 60_000);
      expect(r.code, `systemctl ${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect(await m.property('mosaic-deliver.service', 'ActiveState')).toBe('active');
  }

  it('a failing systemctl step stops the sequence and is reported', async () => {
    await withJournal(m, async () => {
      // Units written where the manager does not look: enabling them fails in systemd itself.
      const r = await installInside('--unit-dir', unitDir, '--enable');
      expect(r.code).toBe(4);
      expect(r.doc.warnings.join('\n')).toMatch(/systemctl --user does not read .*units/);
      expect(r.doc.enable?.steps.map((s) => [s.command, s.ok])).toEqual([
        ['systemctl --user daemon-reload', true],
        ['systemctl --user enable mosaic-tmux-holder.service mosaic-serve.service mosaic-agent@alpha.service mosaic-agent@bravo.service mosaic-agent@delta.service', false],
      ]);
      expect(r.doc.enable?.error).toMatch(/enable failed: .*mosaic-tmux-holder\.service does not exist/);
    });
  });
});

describe('install-systemd without a user manager or loginctl', () => {
  it('without a user manager: exit 4, a clear error and hint, no stack trace, files still written', async () => {
    const nobody = tempDir('mft-sd-nobus'); // a runtime directory no manager listens in
    env.XDG_RUNTIME_DIR = nobody;
    const r = await runInstall(['install-systemd', '--roster', rosterPath, '--unit-dir', unitDir, '--enable'], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/error: no systemd user manager answers \(Failed to connect to bus: No such file or directory\)/);
    expect(r.stderr).toMatch(/hint: .*--supervisor direct/);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(existsSync(join(unitDir, 'mosaic-tmux-holder.service'))).toBe(true);

    const asJson = await install('--enable');
    expect(asJson.code).toBe(4);
    expect(json(asJson.stdout)).toMatchObject({ ok: false, enable: { ok: false, steps: [] } });
    rmSync(nobody, { recursive: true, force: true });
  });

  it('warns, not fails, when loginctl is missing', async () => {
    env.PATH = join(tmp, 'nowhere'); // no loginctl anywhere (node and the CLI are run by absolute path)
    const r = await install();
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).warnings.join('\n')).toMatch(/loginctl is not available \(ENOENT\).*loginctl enable-linger tester/);
  });
});

describe('mosaic-fleet', () => {
  it('offers install-systemd and install-tools', () => {
    for (const command of ['install-systemd', 'install-tools']) {
      const r = spawnSync(process.execPath, [FLEET_CLI, command, '--help'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(command === 'install-systemd' ? /--unit-dir.*--dry-run.*--enable/s : /--dir/);
    }
  });
});

describe('systemd helpers for start/status/verify', () => {
  it('unitsInstalled and checkInstalledUnits follow the files and the roster', async () => {
    expect(unitsInstalled(unitDir)).toBe(false);
    expect((await install()).code).toBe(0);
    expect(unitsInstalled(unitDir)).toBe(true);
    const check = () => checkInstalledUnits(loadRoster(rosterPath, { env }), unitDir, mosaicHome, { env, rosterPath });
    expect(check()).toMatchObject({ ok: true, problems: [] });

    writeRoster(['alpha', 'bravo', 'charlie']); // delta left; its env file is stale
    writeFileSync(rosterPath, readFileSync(rosterPath, 'utf8').replace('socket_name: mft-golden', 'socket_name: mft-moved'));
    const holder = join(unitDir, 'mosaic-tmux-holder.service');
    writeFileSync(holder, readFileSync(holder, 'utf8').replaceAll(process.execPath, '/nonexistent/node'));
    const result = check();
    expect(result.ok).toBe(false);
    const messages = result.problems.map((p) => `${p.file.replace(`${tmp}/`, '')}: ${p.message}`);
    expect(messages).toEqual([
      "units/mosaic-tmux-holder.service: MOSAIC_TMUX_SOCKET is 'mft-golden', the roster says 'mft-moved'",
      'units/mosaic-tmux-holder.service: ExecStart= runs /nonexistent/node, which is not an executable file',
      'units/mosaic-tmux-holder.service: ExecStop= runs /nonexistent/node, which is not an executable file',
      "units/mosaic-serve.service: MOSAIC_TMUX_SOCKET is 'mft-golden', the roster says 'mft-moved'",
      "mosaic/fleet/agents/alpha.env: MOSAIC_TMUX_SOCKET is 'mft-golden', the roster says 'mft-moved'",
      "mosaic/fleet/agents/bravo.env: MOSAIC_TMUX_SOCKET is 'mft-golden', the roster says 'mft-moved'",
      'mosaic/fleet/agents/delta.env: environment file of an agent that is no longer in the roster',
    ]);
    expect(result.hint).toMatch(/mosaic-fleet install-systemd/);

    rmSync(join(unitDir, 'mosaic-agent@.service'));
    expect(unitsInstalled(unitDir)).toBe(false);
    expect(check().problems.map((p) => p.message)).toContain('missing');
  });

  it('userManagerAvailable asks a real user manager; readLinger reads loginctl, else the linger file', async () => {
    const m = await startUserManager({ home: env.HOME! });
    try {
      expect(await userManagerAvailable({ env: { ...process.env, ...m.env } })).toBe(true);
      const nobody = tempDir('mft-sd-nobus');
      expect(await userManagerAvailable({ env: { ...process.env, XDG_RUNTIME_DIR: nobody } })).toBe(false);
      expect(await userManagerAvailable({ env: { PATH: join(tmp, 'nowhere') } })).toBe(false);
      rmSync(nobody, { recursive: true, force: true });
    } finally {
      await m.stop();
    }
    // loginctl's answers, as logind gives them.
    const lingerDir = join(tmp, 'linger');
    mkdirSync(lingerDir);
    expect(readLinger({ code: 0, stdout: 'Linger=yes\n', stderr: '' }, 'tester', lingerDir)).toEqual({ state: 'on', detail: 'Linger=yes' });
    expect(readLinger({ code: 0, stdout: 'Linger=no\n', stderr: '' }, 'tester', lingerDir).state).toBe('off');
    expect(readLinger({ code: 1, stdout: '', stderr: 'Failed to get user: User ID 1000 is not logged in or lingering\n' }, 'tester', lingerDir).state).toBe('off');
    // No logind (a container): unknown, saying what the linger file shows.
    const noBus = { code: 1, stdout: '', stderr: 'Failed to connect to bus: No such file or directory\n' };
    expect(readLinger(noBus, 'tester', lingerDir)).toEqual({ state: 'unknown', detail: expect.stringMatching(/^loginctl failed: Failed to connect to bus: No such file or directory; .*linger\/tester is absent, so lingering is not configured/) });
    writeFileSync(join(lingerDir, 'tester'), '');
    expect(readLinger(noBus, 'tester', lingerDir).detail).toMatch(/linger\/tester exists, so lingering is configured, but without logind nothing acts on it/);
    // And the real loginctl of this machine gives one of those three answers.
    expect(['on', 'off', 'unknown']).toContain((await lingerState('tester')).state);
  });
});

describe('who owns the tmux server', () => {
  it('reads the unit from cgroup v2 and v1 /proc/<pid>/cgroup texts', () => {
    const v2 = '0::/user.slice/user-1000.slice/user@1000.service/app.slice/mosaic-tmux-holder.service\n';
    const v1 = '12:pids:/user.slice\n1:name=systemd:/user.slice/user-1000.slice/user@1000.service/mosaic-agent@coder0.service\n0::/\n';
    expect(unitOfCgroup(systemdCgroup(v2)!)).toBe('mosaic-tmux-holder.service');
    expect(unitOfCgroup(systemdCgroup(v1)!)).toBe('mosaic-agent@coder0.service');
    expect(unitOfCgroup(systemdCgroup('0::/\n')!)).toBeUndefined();
  });

  it('warns at install when a server already runs on the fleet socket outside the holder unit', async () => {
    const t = privateTmux('mft-sd-owner');
    try {
      writeFileSync(rosterPath, rosterYaml().replace('mft-golden', t.socket));
      expect(t.tmux('new-session', '-d', '-s', 'manual').code).toBe(0);
      const owner = await tmuxServerOwner(t.socket);
      expect(owner).toMatchObject({ running: true, inHolder: false });
      expect(owner.pid).toBeGreaterThan(0);
      const r = await install();
      expect(r.code, r.stderr).toBe(0);
      expect(json(r.stdout).warnings.join('\n')).toMatch(new RegExp(`a tmux server already runs on socket ${t.socket} outside mosaic-tmux-holder.service`));
    } finally {
      t.cleanup();
    }
    expect((await tmuxServerOwner(t.socket)).running).toBe(false);
  });
});
