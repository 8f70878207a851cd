import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { privateTmux, type PrivateTmux } from '../helpers/tmux.js';
import { runCli } from '../helpers/cli.js';
import { simFleet, type SimFleet } from '../helpers/fleet.js';

// No systemd user manager runs here: a stand-in `systemctl` on PATH answers and records what it was asked.
let t: PrivateTmux;
let f: SimFleet;
let other: SimFleet;
let env: NodeJS.ProcessEnv;
let calls: string;

beforeEach(() => {
  t = privateTmux('mft-sup');
  f = simFleet(t, [{ name: 'alpha' }]);
  other = simFleet(t, [{ name: 'beta' }]);
  const bin = join(f.dir, 'fakebin');
  mkdirSync(bin);
  calls = join(f.dir, 'systemctl.calls');
  writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\n[ "$2" = show ] && echo 252\nexit 0\n`);
  writeFileSync(join(bin, 'loginctl'), '#!/bin/sh\necho Linger=yes\n');
  chmodSync(join(bin, 'systemctl'), 0o755);
  chmodSync(join(bin, 'loginctl'), 0o755);
  env = { HOME: t.home, PATH: `${bin}:${process.env.PATH}` };
});
afterEach(() => t.cleanup());

const status = async (roster: string) => JSON.parse((await runCli('fleet', ['status', '--json', '--roster', roster], { env })).stdout) as { supervisor: string };

describe('--supervisor auto', () => {
  it('uses systemd only for the fleet the units were installed for', async () => {
    expect((await status(f.roster)).supervisor).toBe('direct'); // nothing installed yet
    const install = await runCli('fleet', ['install-systemd', '--roster', f.roster, '--json'], { env });
    expect(install.code, install.stderr).toBe(0);
    expect((await status(f.roster)).supervisor).toBe('systemd');
    expect((await status(other.roster)).supervisor).toBe('direct');
  });

  it('starts and stops through systemctl --user when the units serve this fleet', async () => {
    await runCli('fleet', ['install-systemd', '--roster', f.roster], { env });
    if (existsSync(calls)) writeFileSync(calls, '');
    const start = await runCli('fleet', ['start', 'alpha', '--no-wait', '--roster', f.roster, '--json'], { env });
    expect(start.code, start.stderr).toBe(0);
    expect(JSON.parse(start.stdout).supervisor).toBe('systemd');
    const stop = await runCli('fleet', ['stop', 'alpha', '--roster', f.roster, '--json'], { env });
    expect(stop.code, stop.stderr).toBe(0);
    const asked = readFileSync(calls, 'utf8').trim().split('\n').filter((l) => !l.startsWith('--user show'));
    expect(asked).toEqual(['--user start mosaic-tmux-holder.service', '--user start mosaic-agent@alpha.service', '--user stop mosaic-agent@alpha.service']);
    const direct = await runCli('fleet', ['start', '--no-wait', '--supervisor', 'direct', '--roster', other.roster, '--json'], { env });
    expect(JSON.parse(direct.stdout).supervisor).toBe('direct');
  });
});
