import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { privateTmux, type PrivateTmux } from '../helpers/tmux.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { simFleet } from '../helpers/fleet.js';

// An existing commander program of someone else's that mounts our commands as `fleet` and `agent`.
const HOST_PROGRAM = `
import { Command } from 'commander';
import { registerFleetCommands, registerAgentCommands } from ${JSON.stringify(join(ROOT, 'dist', 'index.js'))};
const program = new Command('mosaic').description('host program');
program.command('hello').action(() => console.log('hello from the host'));
registerFleetCommands(program);
registerAgentCommands(program);
await program.parseAsync(process.argv);
`;

let t: PrivateTmux;
let hostBin: string;
beforeEach(() => {
  t = privateTmux('mft-mount');
  const dir = mkdtempSync(join(ROOT, 'node_modules', '.mft-mount-'));
  hostBin = join(dir, 'host.mjs');
  writeFileSync(hostBin, HOST_PROGRAM);
});
afterEach(() => {
  t.cleanup();
  rmSync(dirname(hostBin), { recursive: true, force: true });
});

describe('mounted into an existing commander program', () => {
  it('runs fleet and agent subcommands through the same code path as the executables', async () => {
    const f = simFleet(t, [{ name: 'mounted' }]);
    const env = { HOME: t.home };
    const start = await runCli(hostBin, ['fleet', 'start', '--roster', f.roster, '--json'], { env });
    expect(start.code, start.stderr).toBe(0);
    expect(JSON.parse(start.stdout).agents[0]).toMatchObject({ name: 'mounted', ready: true });
    const send = await runCli(hostBin, ['agent', 'send', 'mounted', '-m', 'via the host program', '--from', 'h:host', '--roster', f.roster, '--json'], { env });
    expect(send.code, send.stderr).toBe(0);
    expect(JSON.parse(send.stdout).status).toBe('submitted');
    const direct = await runCli('agent', ['send', 'mounted', '-m', 'via mosaic-agent', '--from', 'h:host', '--roster', f.roster, '--json'], { env });
    expect(JSON.parse(direct.stdout).status).toBe('submitted');
    expect(f.submits('mounted').map((e) => e.text?.replace(/^\[[^\]]+\] /, ''))).toEqual(['via the host program', 'via mosaic-agent']);
    expect((await runCli(hostBin, ['hello'], { env })).stdout.trim()).toBe('hello from the host');
  });

  it('maps errors to the same exit codes and messages when mounted', async () => {
    const f = simFleet(t, [{ name: 'mounted' }]);
    const env = { HOME: t.home };
    const viaHost = await runCli(hostBin, ['agent', 'send', 'nobody', '-m', 'x', '--roster', f.roster], { env });
    const viaBin = await runCli('agent', ['send', 'nobody', '-m', 'x', '--roster', f.roster], { env });
    expect(viaHost.code).toBe(1);
    expect(viaBin.code).toBe(1);
    expect(viaHost.stderr).toBe(viaBin.stderr);
    const help = await runCli(hostBin, ['fleet', 'start', '--help'], { env });
    expect(help.stdout).toMatch(/Examples:\n {2}\$ mosaic fleet start/);
    const group = await runCli(hostBin, ['agent', '--help'], { env });
    expect(group.stdout).toMatch(/\$ mosaic agent send coder0/);
  });

  it('both executables print their version', async () => {
    const pkg = JSON.parse((await import('node:fs')).readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect((await runCli('fleet', ['--version'])).stdout.trim()).toBe(pkg.version);
    expect((await runCli('agent', ['--version'])).stdout.trim()).toBe(pkg.version);
  });
});
