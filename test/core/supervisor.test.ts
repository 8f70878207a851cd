import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { privateTmux, type PrivateTmux } from '../helpers/tmux.js';
import { BIN, runProcess } from '../helpers/cli.js';
import { simFleet, type SimFleet } from '../helpers/fleet.js';
import { startUserManager, type TestUserManager } from '../../src/testbed/systemd-user.js';
import { withJournal } from '../systemd/helpers/manager.js';

// A real systemd user manager (src/testbed/systemd-user.ts); the CLI runs inside its mount namespace with its
// HOME and XDG_RUNTIME_DIR, so its own `systemctl --user` calls reach that manager.
let t: PrivateTmux;
let f: SimFleet;
let other: SimFleet;
let m: TestUserManager;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  t = privateTmux('mft-sup');
  f = simFleet(t, [{ name: 'alpha' }]);
  other = simFleet(t, [{ name: 'beta' }]);
  m = await startUserManager({ home: t.home });
  env = { ...process.env, ...m.env, NO_COLOR: '1' };
  delete env.DBUS_SESSION_BUS_ADDRESS;
});
afterEach(async () => {
  await m.stop();
  t.cleanup();
});

function fleet(...args: string[]) {
  const [file, ...rest] = m.inside([process.execPath, BIN.fleet, ...args]);
  return runProcess(file!, rest, { env, timeoutMs: 120_000 });
}
const status = async (roster: string) => JSON.parse((await fleet('status', '--json', '--roster', roster)).stdout) as { supervisor: string };
const state = (unit: string) => m.property(unit, 'ActiveState');

describe('--supervisor auto', () => {
  it('uses systemd only for the fleet the units were installed for', async () => {
    await withJournal(m, async () => {
      expect((await status(f.roster)).supervisor).toBe('direct'); // nothing installed yet
      const install = await fleet('install-systemd', '--roster', f.roster, '--json');
      expect(install.code, install.stderr).toBe(0);
      expect((await status(f.roster)).supervisor).toBe('systemd');
      expect((await status(other.roster)).supervisor).toBe('direct');
    });
  });

  it('starts and stops through systemctl --user when the units serve this fleet', async () => {
    await withJournal(m, async () => {
      const install = await fleet('install-systemd', '--roster', f.roster, '--enable', '--json');
      expect(install.code, install.stderr).toBe(0);
      const start = await fleet('start', 'alpha', '--roster', f.roster, '--json');
      expect(start.code, start.stderr).toBe(0);
      expect(JSON.parse(start.stdout)).toMatchObject({ supervisor: 'systemd', agents: [{ name: 'alpha', ready: true }] });
      expect([await state('mosaic-tmux-holder.service'), await state('mosaic-agent@alpha.service')]).toEqual(['active', 'active']);
      expect(t.tmux('has-session', '-t', '=alpha').code).toBe(0);

      const stop = await fleet('stop', 'alpha', '--roster', f.roster, '--json');
      expect(stop.code, stop.stderr).toBe(0);
      expect(await state('mosaic-agent@alpha.service')).toBe('inactive');
      expect(t.tmux('has-session', '-t', '=alpha').code).not.toBe(0);
      expect(await state('mosaic-tmux-holder.service')).toBe('active');

      const all = await fleet('stop', '--all', '--roster', f.roster, '--json');
      expect(all.code, all.stderr).toBe(0);
      expect(await state('mosaic-tmux-holder.service')).toBe('inactive');
      expect(t.tmux('list-sessions').code).not.toBe(0);

      // Another roster on the same machine is not what the units serve: it stays direct.
      const direct = await fleet('start', '--no-wait', '--roster', other.roster, '--json');
      expect(JSON.parse(direct.stdout).supervisor).toBe('direct');
    });
  });
});
