// A roster named with --roster or $MOSAIC_FLEET_ROSTER that does not exist is exit 5 "roster not found" for every
// command; only the unset default may be absent.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runCli } from '../helpers/cli.js';
import { COMMANDS, ROSTERLESS } from './commands.js';

function sandbox(): { env: NodeJS.ProcessEnv; dir: string } {
  const home = mkdtempSync(join(tmpdir(), 'mft-noroster-'));
  mkdirSync(join(home, 'run'));
  const dir = join(home, 'fleet');
  mkdirSync(dir);
  // A real roster next to the mistyped name, for the did-you-mean.
  writeFileSync(join(dir, 'roster.yaml'), 'version: 1\nagents: []\n');
  return { dir, env: { HOME: home, MOSAIC_TMUX_SOCKET: `mft-nr-${randomBytes(4).toString('hex')}`, XDG_RUNTIME_DIR: join(home, 'run'), DBUS_SESSION_BUS_ADDRESS: '' } };
}

describe('a missing roster that was named explicitly', () => {
  for (const [bin, commands] of Object.entries(COMMANDS) as ['fleet' | 'agent', Record<string, string[]>][]) {
    for (const [command, args] of Object.entries(commands)) {
      if (ROSTERLESS.has(`${bin} ${command}`)) continue;
      const takesFlag = command !== 'capture';
      it(`mosaic-${bin} ${command}: exit 5 ROSTER_MISSING from ${takesFlag ? '--roster and ' : ''}$MOSAIC_FLEET_ROSTER`, async () => {
        const { env, dir } = sandbox();
        const typo = join(dir, 'rostr.yaml');
        const ways: [string, string[], NodeJS.ProcessEnv][] = [['$MOSAIC_FLEET_ROSTER', [], { ...env, MOSAIC_FLEET_ROSTER: typo }]];
        if (takesFlag) ways.push(['--roster', ['--roster', typo], env]);
        for (const [how, extra, e] of ways) {
          const r = await runCli(bin, [command, ...args, ...extra, '--json'], { env: e });
          expect(r.code, `${how}: ${r.stdout}${r.stderr}`).toBe(5);
          const doc = JSON.parse(r.stdout);
          expect(doc.error.code, how).toBe('ROSTER_MISSING');
          expect(doc.error.message).toContain(typo);
          expect(doc.error.hint).toContain(join(dir, 'roster.yaml'));
          const plain = await runCli(bin, [command, ...args, ...extra], { env: e });
          expect(plain.code).toBe(5);
          expect(plain.stderr).toMatch(/roster not found: .*rostr\.yaml/);
        }
      });
    }
  }
});

describe('the unset default roster', () => {
  it('may be absent: status falls back to the socket and says there are no agents', async () => {
    const { env } = sandbox();
    const r = await runCli('fleet', ['status', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
  });

  it('init --write creates a roster named with --roster', async () => {
    const { env, dir } = sandbox();
    const r = await runCli('fleet', ['init', '--write', '--roster', join(dir, 'new.yaml'), '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, written: true, path: join(dir, 'new.yaml') });
  });
});
