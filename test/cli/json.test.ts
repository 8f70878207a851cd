// --json on every command prints exactly one JSON document on stdout, errors and usage errors included, and its
// exit code is the process's.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runCli } from '../helpers/cli.js';
import { COMMANDS } from './commands.js';

function sandbox(): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'mft-json-'));
  mkdirSync(join(home, 'run'));
  // No roster, a socket of its own, and no systemd user manager to reach.
  return { HOME: home, MOSAIC_TMUX_SOCKET: `mft-json-${randomBytes(4).toString('hex')}`, XDG_RUNTIME_DIR: join(home, 'run'), DBUS_SESSION_BUS_ADDRESS: '' };
}

function oneDocument(stdout: string, label: string): Record<string, unknown> {
  try {
    return JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`${label}: stdout is not one JSON document:\n${stdout}`);
  }
}

describe('--json on every command', () => {
  for (const [bin, commands] of Object.entries(COMMANDS) as ['fleet' | 'agent', Record<string, string[]>][]) {
    it(`mosaic-${bin}: the audit lists every command`, async () => {
      const help = await runCli(bin, ['--help']);
      const section = help.stdout.slice(help.stdout.indexOf('\nCommands:\n') + 1);
      const listed = [...section.slice(0, section.indexOf('\n\n')).matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
      expect(listed.sort()).toEqual(Object.keys(commands).sort());
    });

    for (const [command, args] of Object.entries(commands)) {
      it(`mosaic-${bin} ${command} --json: one document, its exit code the process's`, async () => {
        const r = await runCli(bin, [command, ...args, '--json'], { env: sandbox(), timeoutMs: 90_000 });
        const doc = oneDocument(r.stdout, `mosaic-${bin} ${command}`);
        expect(typeof doc.ok, r.stdout).toBe('boolean');
        if (doc.ok === false && doc.error) expect((doc.error as { exitCode: number }).exitCode).toBe(r.code);
        if (doc.ok === true) expect(r.code, r.stderr).toBe(0);
      });
    }
  }
});

describe('usage errors with --json', () => {
  const cases: [string, 'fleet' | 'agent', string[], RegExp][] = [
    ['unknown option', 'agent', ['status', '--bogus', '--json'], /unknown option '--bogus'/],
    ['unknown command', 'fleet', ['statsu', '--json'], /unknown command 'statsu'/],
    ['missing argument', 'agent', ['send', '--json'], /missing required argument 'target'/],
    ['bad choice', 'fleet', ['init', '--profile', 'big', '--json'], /Allowed choices are minimal, demo, usc/],
  ];
  for (const [what, bin, args, message] of cases) {
    it(`${what}: one JSON error on stdout with exit code 3, the message on stderr`, async () => {
      const r = await runCli(bin, args, { env: sandbox() });
      expect(r.code).toBe(3);
      const doc = oneDocument(r.stdout, what);
      expect(doc).toMatchObject({ ok: false, error: { code: 'USAGE', exitCode: 3 } });
      expect((doc.error as { message: string }).message).toMatch(message);
      expect(r.stderr).toMatch(message);
    });
  }

  it('without --json stdout stays empty', async () => {
    const r = await runCli('agent', ['status', '--bogus'], { env: sandbox() });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
  });
});
