// Long waits show progress to a person at a terminal (stderr), and nothing extra when stdout is not a terminal or
// with --json.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { privateTmux, type PrivateTmux } from '../helpers/tmux.js';
import { simFleet, type SimFleet } from '../helpers/fleet.js';
import { underTerminal } from './terminal.js';

let t: PrivateTmux;
let f: SimFleet;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  t = privateTmux('mft-progress');
  // Each sim draws nothing for 1.5 s: a start that takes more than a second.
  const slow = { env: { MOSAIC_SIM_STARTUP_MS: '1500' } };
  f = simFleet(t, [{ name: 'alpha', extra: slow }, { name: 'bravo', extra: slow }]);
  env = { HOME: t.home, MOSAIC_FLEET_ROSTER: f.roster };
});
afterEach(() => t.cleanup());

const ERASE = '\x1b[K';

describe('progress on a terminal', () => {
  it('start shows which agents it waits for, then erases the line; nothing when stdout is a file or with --json', async () => {
    const tty = underTerminal('fleet', ['start'], env);
    expect(tty.code, tty.output).toBe(0);
    expect(tty.output).toMatch(/waiting for alpha, bravo to be ready \(0\/2, \d+\.\d s\)/);
    expect(tty.output).toContain(ERASE);
    expect(tty.output).toMatch(/alpha\s+started\s+yes/);

    await runCli('fleet', ['stop'], { env });
    const out = join(mkdtempSync(join(tmpdir(), 'mft-progress-')), 'out.txt');
    const redirected = underTerminal('fleet', ['start'], env, `> ${out}`);
    expect(redirected.code).toBe(0);
    expect(redirected.output).not.toMatch(/waiting for/);
    expect(readFileSync(out, 'utf8')).toMatch(/alpha\s+started/);

    await runCli('fleet', ['stop'], { env });
    const json = underTerminal('fleet', ['start', '--json'], env);
    expect(json.code).toBe(0);
    expect(json.output).not.toMatch(/waiting for|\x1b\[K/);
  });

  it('broadcast, reset and deliver say which agent they are on', async () => {
    expect((await runCli('fleet', ['start'], { env })).code).toBe(0);
    const b = underTerminal('agent', ['broadcast', '--all', '-m', 'hello all', '--from', 'h:tester'], env);
    expect(b.code, b.output).toBe(0);
    expect(b.output).toMatch(/delivering to (alpha|bravo)[^(]*\(\d\/2, \d+\.\d s\)/);

    const r = underTerminal('agent', ['reset', 'alpha', '--no-kickstart'], env);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/alpha: \/new, waiting for a fresh conversation \(0\/1, \d+\.\d s\)/);

    await runCli('fleet', ['stop', 'bravo'], { env });
    const q = await runCli('agent', ['send', 'bravo', '--queue', '-m', 'later', '--from', 'h:tester', '--json'], { env });
    expect(JSON.parse(q.stdout).status).toBe('pending');
    await runCli('fleet', ['start', 'bravo'], { env });
    const d = underTerminal('fleet', ['deliver'], env);
    expect(d.code, d.output).toBe(0);
    expect(d.output).toMatch(/delivering to bravo \(0\/1, \d+\.\d s\)/);
    expect(d.output).toMatch(/1 delivered/);

    const piped = await runCli('agent', ['broadcast', '--all', '-m', 'again', '--from', 'h:tester'], { env });
    expect(piped.stderr).not.toMatch(/delivering to/);
  });
});
