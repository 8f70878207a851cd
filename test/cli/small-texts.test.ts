// The small things a new user trips over: leftovers, silent waits, cut-off sentences, two words for one outcome,
// two time formats.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runCli } from '../helpers/cli.js';
import { underTerminal } from './terminal.js';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';
import { simFleet, type SimFleet } from '../helpers/fleet.js';

describe('verify', () => {
  it('leaves no mosaic-verify-* socket files behind', async () => {
    const tmuxDir = mkdtempSync(join(tmpdir(), 'mft-vsock-'));
    const home = mkdtempSync(join(tmpdir(), 'mft-vhome-'));
    mkdirSync(join(home, 'run'));
    const env = { HOME: home, TMUX_TMPDIR: tmuxDir, MOSAIC_TMUX_SOCKET: `mft-v-${randomBytes(4).toString('hex')}`, XDG_RUNTIME_DIR: join(home, 'run'), DBUS_SESSION_BUS_ADDRESS: '' };
    for (let i = 0; i < 2; i += 1) {
      const r = await runCli('fleet', ['verify', '--json'], { env });
      const checks = JSON.parse(r.stdout).checks as { name: string; status: string }[];
      expect(checks.find((c) => c.name === 'exact targets')?.status).toBe('pass');
    }
    const uidDir = join(tmuxDir, `tmux-${process.getuid?.() ?? 0}`);
    expect(existsSync(uidDir) ? readdirSync(uidDir).filter((n) => n.startsWith('mosaic-verify-')) : []).toEqual([]);
  });
});

describe('with a sim fleet', () => {
  let t: PrivateTmux;
  let f: SimFleet;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    t = privateTmux('mft-texts');
    f = simFleet(t, [{ name: 'alpha', busyMs: 4000 }, { name: 'bravo' }]);
    env = { HOME: t.home, MOSAIC_FLEET_ROSTER: f.roster };
    const s = await runCli('fleet', ['start'], { env });
    expect(s.code, s.stderr).toBe(0);
  });
  afterEach(() => t.cleanup());

  it('send --when-idle says on a terminal what it waits for, and nothing through a pipe', async () => {
    const first = await runCli('agent', ['send', 'alpha', '-m', 'a long task', '--from', 'h:tester'], { env });
    expect(first.code, first.stderr).toBe(0);
    const tty = underTerminal('agent', ['send', 'alpha', '--when-idle', '-m', 'after that', '--from', 'h:tester'], env);
    expect(tty.output).toMatch(/alpha is busy: waiting up to 300 s for its turn to end/);
    expect(tty.code, tty.output).toBe(0);
    await runCli('agent', ['send', 'alpha', '-m', 'another long task', '--from', 'h:tester'], { env });
    const piped = await runCli('agent', ['send', 'alpha', '--when-idle', '-m', 'quietly', '--from', 'h:tester'], { env });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).not.toMatch(/waiting/);
  });

  it('a pending send says who will deliver it, in a whole sentence', async () => {
    await runCli('fleet', ['stop', 'bravo'], { env });
    const r = await runCli('agent', ['send', 'bravo', '--queue', '-m', 'later', '--from', 'h:tester', '--json'], { env });
    const doc = JSON.parse(r.stdout);
    expect(doc.status).toBe('pending');
    expect(doc.detail).toMatch(/`mosaic-fleet deliver` .*will hand it over when it can$/);
  });

  it('restart says "restarted" for people and in --json', async () => {
    const human = await runCli('fleet', ['restart', 'bravo'], { env });
    expect(human.stdout).toMatch(/bravo\s+restarted/);
    const json = await runCli('fleet', ['restart', 'bravo', '--json'], { env });
    expect(JSON.parse(json.stdout).agents[0].outcome).toBe('restarted');
  });

  it('inbox shows times as log does (local YYYY-MM-DD HH:MM:SS); --json keeps ISO', async () => {
    await waitFor('alpha idle', async () => (await runCli('agent', ['status', 'alpha', '--json'], { env })).stdout.includes('"idle"'), 20_000);
    await runCli('agent', ['send', 'bravo', '-m', 'hello bravo', '--from', 'h:tester'], { env });
    const time = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\b/m;
    const inbox = await runCli('agent', ['inbox', '--agent', 'bravo'], { env });
    expect(inbox.stdout).toMatch(time);
    expect(inbox.stdout).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    const log = await runCli('agent', ['log', 'bravo'], { env });
    expect(log.stdout.split('\n')[1]).toMatch(time);
    const json = await runCli('agent', ['inbox', '--agent', 'bravo', '--json'], { env });
    expect(JSON.parse(json.stdout).messages[0].created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  });
});
