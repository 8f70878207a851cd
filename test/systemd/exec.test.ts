// The installed units' command lines, run the way systemd runs them: ExecStart=/ExecStop= parsed into argv, the
// unit's Environment= and EnvironmentFile= as the whole environment (no shell profile), against a private tmux socket.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/exec/run.js';
import { expandSpecifiers, parseEnvFile, parseEnvironmentLine, parseExecLine, readUnitDirectives } from '../../src/systemd/index.js';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';
import { PLAIN_PATH, runInstall, tempDir } from './helpers/install.js';

let t: PrivateTmux;
let tmp: string;
let unitDir: string;

beforeEach(async () => {
  t = privateTmux('mft-unit');
  tmp = tempDir('mft-unit');
  unitDir = join(tmp, 'units');
  mkdirSync(join(tmp, 'work'));
  const roster = join(tmp, 'roster.yaml');
  writeFileSync(
    roster,
    [
      'version: 1',
      'tmux:',
      `  socket_name: ${t.socket}`,
      'defaults:',
      '  runtime: sim',
      `  working_directory: ${tmp}/work`,
      '  ready_timeout_seconds: 20',
      'agents:',
      '  - name: alpha',
      '  - name: bravo',
      '',
    ].join('\n'),
  );
  // TMUX_TMPDIR (private, from test/helpers/setup.ts) is captured into the units like PATH.
  const r = await runInstall(['install-systemd', '--roster', roster, '--unit-dir', unitDir], {
    HOME: t.home,
    MOSAIC_HOME: join(tmp, 'mosaic'),
    PATH: PLAIN_PATH,
  });
  expect(r.code, r.stderr).toBe(0);
});
afterEach(() => {
  t.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

interface UnitCommands {
  env: NodeJS.ProcessEnv;
  start: string[];
  stop: string[];
}

/** What systemd would run for `unit` (`instance` for the template): argv and the complete environment. */
function unitCommands(file: string, instance?: string): UnitCommands {
  const directives = readUnitDirectives(readFileSync(join(unitDir, file), 'utf8')).filter((d) => d.section === 'Service');
  const values = (key: string) => directives.filter((d) => d.key === key).map((d) => d.value);
  const spec = instance === undefined ? {} : { instance };
  // The user manager's own environment is minimal: HOME and the account, no shell profile, no TMUX_TMPDIR.
  const env: NodeJS.ProcessEnv = { HOME: t.home, USER: 'tester', LOGNAME: 'tester' };
  for (const line of values('Environment')) Object.assign(env, parseEnvironmentLine(line, spec));
  for (const line of values('EnvironmentFile')) Object.assign(env, parseEnvFile(readFileSync(expandSpecifiers(line, spec).replace(/^-/, ''), 'utf8')));
  const [start, stop] = [values('ExecStart'), values('ExecStop')].map((v) => {
    expect(v).toHaveLength(1);
    return parseExecLine(v[0]!, spec);
  });
  return { env, start: start!, stop: stop! };
}

async function exec(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const r = await run(argv, { env, cwd: t.home, timeoutMs: 60_000 });
  expect({ argv: argv.slice(2), code: r.code, stderr: r.stderr }).toMatchObject({ argv: argv.slice(2), code: 0 });
}

const sessions = () => {
  const r = t.tmux('list-sessions', '-F', '#{session_name}');
  return r.code === 0 ? r.stdout.trim().split('\n').sort() : [];
};
const serverPid = () => t.tmux('display-message', '-p', '#{pid}').stdout.trim();

describe('unit command lines run as systemd would', () => {
  it('the holder creates the server; agents start and stop only their own session; stopping the holder stops the fleet', async () => {
    const holder = unitCommands('mosaic-tmux-holder.service');
    expect(holder.start.slice(2)).toEqual(['start', '--supervisor', 'direct', '--holder-only']);
    await exec(holder.start, holder.env);
    expect(sessions()).toEqual(['_holder']);
    const pid = serverPid();
    await exec(holder.start, holder.env); // a restart of a oneshot runs ExecStart again: idempotent
    expect(sessions()).toEqual(['_holder']);

    const alpha = unitCommands('mosaic-agent@.service', 'alpha');
    const bravo = unitCommands('mosaic-agent@.service', 'bravo');
    expect(alpha.start.slice(2)).toEqual(['start', '--supervisor', 'direct', '--', 'alpha']);
    expect(alpha.env).toMatchObject({ MOSAIC_AGENT_NAME: 'alpha', MOSAIC_TMUX_SOCKET: t.socket, TMUX_TMPDIR: process.env.TMUX_TMPDIR, PATH: PLAIN_PATH });
    await exec(alpha.start, alpha.env);
    await exec(bravo.start, bravo.env);
    expect(sessions()).toEqual(['_holder', 'alpha', 'bravo']);
    await waitFor('alpha sim drawn', () => t.tmux('capture-pane', '-p', '-t', '=alpha:').stdout.includes('? for shortcuts'));

    await exec(alpha.stop, alpha.env); // systemctl --user stop mosaic-agent@alpha
    expect(sessions()).toEqual(['_holder', 'bravo']);
    expect(serverPid()).toBe(pid);
    await exec(alpha.start, alpha.env); // ... and start again: the same server, the sibling untouched
    expect(sessions()).toEqual(['_holder', 'alpha', 'bravo']);
    expect(serverPid()).toBe(pid);

    await exec(holder.stop, holder.env);
    expect(t.tmux('list-sessions').code).not.toBe(0);
  });

  it('an agent unit started before its holder still lands on the fleet socket from its env file', async () => {
    const alpha = unitCommands('mosaic-agent@.service', 'alpha');
    await exec(alpha.start, alpha.env);
    expect(sessions()).toEqual(['_holder', 'alpha']);
    await exec(alpha.stop, alpha.env);
    expect(sessions()).toEqual(['_holder']);
  });
});
