// Claude rewrites ~/.claude.json at startup without a lock, so agents sharing it must not launch together
// (anthropics/claude-code #29143). Two transports stand for two processes (systemd starts every agent unit at once);
// a sim-backed profile that declares a shared startup file stands in for Claude.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost } from '../../src/host/local.js';
import { TmuxTransport } from '../../src/transport/tmux/transport.js';
import type { AgentLaunch } from '../../src/transport/types.js';
import { registerProfile } from '../../src/runtimes/registry.js';
import { simProfile } from '../../src/runtimes/sim.js';
import { privateTmux, type PrivateTmux } from '../helpers/tmux.js';
import { readEvents, simArgs } from '../helpers/sim.js';

const STARTUP_MS = 800;
registerProfile({ ...simProfile, name: 'sim-shared', startupStateFile: (env) => `${env.HOME ?? '~'}/.state.json` });

describe('starting agents that share a startup state file', () => {
  let t: PrivateTmux;
  let dir = '';
  beforeEach(() => {
    t = privateTmux('mft-stagger');
    dir = mkdtempSync(join(tmpdir(), 'mft-stagger-'));
  });
  afterEach(() => t.cleanup());

  const transport = () => new TmuxTransport({ host: new LocalHost(), socket: { name: t.socket }, holderSession: '_holder' });
  const launch = (name: string, home: string): AgentLaunch & { log: string } => {
    const log = join(dir, `${name}.jsonl`);
    return {
      name, host: 'local', runtime: 'sim-shared', profile: 'sim-shared', launcher: 'direct',
      argv: simArgs(name, log, { startupMs: STARTUP_MS }), env: { HOME: home }, workingDirectory: dir, readyTimeoutMs: 15_000, log,
    };
  };
  const readyAt = (l: { log: string }) => readEvents(l.log).find((e) => e.kind === 'start')!.ts;

  it('launches the second only once the first is ready, even from another process', async () => {
    const [a, b] = [launch('a', dir), launch('b', dir)];
    const holderFirst = transport();
    await holderFirst.ensureHolder();
    const [oa, ob] = await Promise.all([holderFirst.start(a, {}), transport().start(b, {})]);
    expect([oa, ob]).toEqual(['started', 'started']);
    // Each start returned once its agent was ready; whichever went second was launched after the first was ready.
    const [first, second] = [readyAt(a), readyAt(b)].sort((x, y) => x - y);
    expect(second! - first!).toBeGreaterThanOrEqual(STARTUP_MS - 50);
  });

  it('an agent already running is left alone and does not hold up the next', async () => {
    const tr = transport();
    const a = launch('a', dir);
    expect(await tr.start(a, {})).toBe('started');
    const before = readEvents(a.log).length;
    expect(await tr.start(a, {})).toBe('already-running');
    expect(readEvents(a.log)).toHaveLength(before);
  });
});
