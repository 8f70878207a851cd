// End to end at the library level: TmuxTransport over an SshHost to the loopback sshd (a private remote tmux
// socket), a sim agent started there, and verified sends into it; then latency beside a local send.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../src/host/local.js';
import { SshHost } from '../../src/host/ssh.js';
import type { HeldLock, Host } from '../../src/host/types.js';
import type { RunOptions, RunResult } from '../../src/exec/run.js';
import { TmuxTransport } from '../../src/transport/tmux/transport.js';
import type { AgentLaunch, OutgoingMessage } from '../../src/transport/types.js';
import { ROOT } from '../helpers/cli.js';
import { readEvents, simArgs } from '../helpers/sim.js';
import { startSshd, type TestSshd } from '../helpers/sshd.js';
import { HOSTILE_BODY, PWNED_FILES } from './hostile.js';

const CONF = join(ROOT, 'assets', 'tmux.conf');
const scratch = mkdtempSync(join(tmpdir(), 'mft-e2e-'));
const SENDS = 30;
let sshd: TestSshd;
let localName: string;

beforeAll(async () => {
  // MOSAIC_TEST_SSH_FULL_SHELL=1 keeps this machine's ~/.bashrc in remote sessions (a heavy login shell).
  sshd = await startSshd({ hostname: 'remote-a', leanShell: process.env.MOSAIC_TEST_SSH_FULL_SHELL !== '1' });
  localName = await new LocalHost().shortHostname();
});
afterAll(async () => {
  await sshd?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function launch(name: string): AgentLaunch & { log: string } {
  const log = join(scratch, `${name}-${randomBytes(3).toString('hex')}.jsonl`);
  return {
    name,
    host: 'remote-a',
    runtime: 'sim',
    profile: 'sim',
    launcher: 'direct',
    argv: simArgs(name, log),
    env: {},
    workingDirectory: scratch,
    readyTimeoutMs: 15_000,
    log,
  };
}

function transportOver(host: Host): TmuxTransport {
  return new TmuxTransport({ host, socket: { name: `mft-e2e-${randomBytes(4).toString('hex')}` }, holderSession: '_holder', configFile: CONF });
}

function message(toHost: string, body: string): OutgoingMessage {
  return { from: { host: localName, session: 'tester' }, toHost, body, preamble: true };
}

/** The lead's proposed deliver() change, emulated from outside: while the send lock is held, tmux calls go
 *  through the lock's channel instead of one ssh process each. */
class LockChannelRouting implements Host {
  readonly isLocal = false;
  readonly name: string;
  private active: Host | null = null;
  constructor(readonly inner: SshHost) {
    this.name = inner.name;
  }
  exec(argv: string[], options?: RunOptions): Promise<RunResult> {
    return (this.active ?? this.inner).exec(argv, options);
  }
  async lock(key: string, timeoutMs: number): Promise<HeldLock> {
    const held = await this.inner.lock(key, timeoutMs);
    this.active = held.channel;
    return {
      release: async () => {
        this.active = null;
        await held.release();
      },
    };
  }
  shortHostname(): Promise<string> {
    return this.inner.shortHostname();
  }
}

describe('TmuxTransport over ssh', () => {
  it('starts a sim on the remote and delivers a preambled message exactly once; hostile bodies arrive inert', async () => {
    for (const f of PWNED_FILES) rmSync(f, { force: true });
    const host = new SshHost(sshd.hostOptions('remote-a'));
    const transport = transportOver(host);
    const agent = launch('agent');
    try {
      expect(await transport.ensureHolder()).toBe('created');
      expect(await transport.start(agent, {})).toBe('started');
      await transport.waitReady(agent);
      const overview = await transport.overview(['agent']);
      expect(overview.agents[0]).toMatchObject({ name: 'agent', host: 'remote-a', state: 'idle' });

      const toHost = await host.shortHostname();
      expect(toHost).toBe('remote-a');
      const nonce = randomBytes(4).toString('hex');
      const plain = await transport.send('agent', message(toHost, `hello ${nonce}`), {});
      expect(plain.status).toBe('submitted');
      expect(plain.text).toBe(`[${localName}:tester -> remote-a:agent] hello ${nonce}`);
      const hostile = await transport.send('agent', message(toHost, HOSTILE_BODY), {});
      expect(hostile.status).toBe('submitted');

      const submits = readEvents(agent.log).filter((e) => e.kind === 'submit');
      expect(submits.filter((e) => e.text?.includes(nonce)).map((e) => e.text)).toEqual([plain.text]);
      expect(submits.filter((e) => e.text === hostile.text)).toHaveLength(1);
      expect(hostile.text).toBe(`[${localName}:tester -> remote-a:agent] ${HOSTILE_BODY}`);
      for (const f of PWNED_FILES) expect(existsSync(f)).toBe(false);

      expect(await transport.stop('agent')).toBe('stopped');
      expect((await transport.overview(['agent'])).agents[0]?.state).toBe('missing');
    } finally {
      await transport.stopServer().catch(() => undefined);
    }
  });
});

describe('latency: confirmed sends, remote vs local', () => {
  // Generous: without namespaces the sessions pay for this machine's full login shell on every ssh call.
  it(`measures p50/p95 over ${SENDS} sends and the ssh processes per send`, { timeout: 300_000 }, async () => {
    const rows: string[] = [];
    const local = await measure('local', new LocalHost(), localName);
    rows.push(local.row);

    const plainHost = new SshHost(sshd.hostOptions('remote-a'));
    const plain = await measure('ssh, one ssh process per tmux call', plainHost, 'remote-a', () => plainHost.spawns);
    rows.push(plain.row);

    const routedInner = new SshHost(sshd.hostOptions('remote-a'));
    const routed = await measure('ssh, tmux calls inside the lock via its channel', new LockChannelRouting(routedInner), 'remote-a', () => routedInner.spawns);
    rows.push(routed.row);

    console.log(`\nconfirmed send latency (${SENDS} sends each, warm connection, sim agent, remote login shell ${sshd.leanShell ? 'without ~/.bashrc' : "with this machine's ~/.bashrc"}):\n${rows.join('\n')}\n`);
    // deliver() routes the verify loop through the remote lock's channel: one listing plus the lock per send.
    expect(plain.spawnsPerSend).toBeLessThanOrEqual(2);
    expect(routed.spawnsPerSend).toBeLessThanOrEqual(2);
  });
});

async function measure(label: string, host: Host, toHost: string, spawns?: () => number) {
  const transport = transportOver(host);
  const agent = launch('bench');
  try {
    await transport.ensureHolder();
    await transport.start(agent, {});
    await transport.waitReady(agent);
    await transport.send('bench', message(toHost, 'warm-up'), {});
    const times: number[] = [];
    const before = spawns?.() ?? 0;
    for (let i = 0; i < SENDS; i += 1) {
      const t0 = performance.now();
      const r = await transport.send('bench', message(toHost, `message ${i} ${'x'.repeat(40)}`), {});
      times.push(performance.now() - t0);
      expect(r.status).toBe('submitted');
    }
    const spawnsPerSend = ((spawns?.() ?? 0) - before) / SENDS;
    const submits = readEvents(agent.log).filter((e) => e.kind === 'submit' && /^\[.* message \d+ x+$/.test(e.text ?? ''));
    expect(submits).toHaveLength(SENDS);
    const row = `  ${label.padEnd(48)} p50 ${ms(percentile(times, 50))}  p95 ${ms(percentile(times, 95))}${spawns ? `  ssh processes/send ${spawnsPerSend.toFixed(1)}` : ''}`;
    return { row, spawnsPerSend };
  } finally {
    await transport.stopServer().catch(() => undefined);
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function ms(v: number): string {
  return `${v.toFixed(0).padStart(4)} ms`;
}
