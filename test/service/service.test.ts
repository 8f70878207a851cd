// Issue 12: the fleet service on real tmux with sim agents: the same verdicts and exit codes through it as without
// it, arrival order per pane under 8 concurrent senders, a service killed mid-send (nothing lost, nothing twice),
// version mismatch, stale sockets, two services at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';
import { BIN, runCli, runCliJson } from '../helpers/cli.js';
import { simFleet, type SimFleet } from '../helpers/fleet.js';
import { fakeServiceAt, serviceSocket, startService, subscribe, type RunningService } from '../helpers/service.js';

let t: PrivateTmux;
let f: SimFleet;
let service: RunningService | null = null;
const env = () => ({ HOME: t.home });
const json = (bin: 'fleet' | 'agent', args: string[], extra: NodeJS.ProcessEnv = {}) => runCliJson(bin, [...args, '--roster', f.roster], { env: { ...env(), ...extra } });
const bodies = (name: string) => f.submits(name).map((e) => e.text?.replace(/^\[[^\]]+\] /, ''));
/** Which process recorded the message's delivery attempt: the service, or the client itself. */
const attemptPid = async (id: string): Promise<number> => {
  const log = await json('agent', ['log', '--last', '500']);
  const record = (log.doc.messages as Array<{ id: string; attempts: Array<{ pid: number }> }>).find((m) => m.id === id);
  return record!.attempts[0]!.pid;
};

beforeEach(() => {
  t = privateTmux('mft-svc');
});
afterEach(async () => {
  await service?.stop();
  service = null;
  t.cleanup();
});

describe('the fleet service', () => {
  it('gives the same verdicts and exit codes as the direct path, and really ran the command when it is up', async () => {
    f = simFleet(t, [{ name: 'plain' }, { name: 'deaf', extra: { env: { MOSAIC_SIM_IGNORE_ENTER: '1' } } }, { name: 'doomed' }]);
    expect((await json('fleet', ['start'])).code).toBe(0);
    const doomed = Number(t.tmux('list-panes', '-t', '=doomed:', '-F', '#{pane_pid}').stdout.trim());
    process.kill(doomed, 'SIGKILL');
    await waitFor('doomed dead', () => t.tmux('list-panes', '-t', '=doomed:', '-F', '#{pane_dead}').stdout.trim() === '1');
    // A person's half-typed text in plain's box arrives before the held case and is cleared after it.
    const cases = async (mode: string) => {
      const out: Record<string, unknown> = {};
      const sent = await json('agent', ['send', 'plain', '-m', `hello ${mode}`, '--from', 'h:o']);
      out.submitted = [sent.code, sent.doc.status];
      const pid = await attemptPid(sent.doc.id);
      const draft = await json('agent', ['send', 'deaf', '-m', `never taken ${mode}`, '--from', 'h:o', '--timeout', '1', '--retries', '1']);
      out.draft = [draft.code, draft.doc.status];
      t.tmux('send-keys', '-t', '=deaf:', 'C-u');
      const unknown = await json('agent', ['send', 'nobody', '-m', 'x', '--from', 'h:o']);
      out.unknown = [unknown.code, unknown.doc.ok, unknown.doc.error?.code];
      const dead = await json('agent', ['send', 'doomed', '-m', 'x', '--from', 'h:o']);
      out.dead = [dead.code, dead.doc.error?.code];
      t.tmux('send-keys', '-t', '=plain:', '-l', 'a person typing');
      await waitFor('the typed text on screen', () => t.tmux('capture-pane', '-p', '-t', '=plain:').stdout.includes('a person typing'));
      const held = await json('agent', ['send', 'plain', '-m', `blocked ${mode}`, '--from', 'h:o', '--hold', '0.3']);
      out.held = [held.code, held.doc.status];
      t.tmux('send-keys', '-t', '=plain:', 'C-u');
      const usage = await json('agent', ['send', 'plain', '--from', 'h:o', '--retries', 'many', '-m', 'x']);
      out.usage = [usage.code, usage.doc.error?.code];
      const status = await json('fleet', ['status']);
      out.status = [status.code, (status.doc.agents as Array<{ name: string; state: string }>).map((a) => [a.name, a.state])];
      return { out, pid };
    };
    const direct = await cases('direct');
    service = await startService(f.roster, env());
    const served = await cases('served');
    expect(served.out).toEqual(direct.out);
    expect(direct.out.submitted).toEqual([0, 'submitted']);
    expect(direct.out.draft).toEqual([2, 'draft']);
    expect(direct.out.held).toEqual([2, 'held']);
    expect(direct.out.dead).toEqual([1, 'PANE_DEAD']);
    // The direct send was recorded by its own process; the served one by the service.
    expect(direct.pid).not.toBe(service.pid);
    expect(served.pid).toBe(service.pid);
    expect(bodies('plain')).toEqual(['hello direct', 'hello served']);
  });

  it('serves senders to one agent in arrival order under 8 concurrent senders, each message exactly once', async () => {
    f = simFleet(t, [{ name: 'hub', busyMs: 30 }, { name: 'side' }]);
    await json('fleet', ['start']);
    service = await startService(f.roster, env());
    const events = await subscribe(service.socket);
    const senders = Array.from({ length: 8 }, async (_, s) => {
      const verdicts: string[] = [];
      for (let k = 0; k < 5; k += 1) {
        const target = k === 2 ? 'side' : 'hub';
        const r = await json('agent', ['send', target, '-m', `s${s}-m${k}`, '--from', `h:sender${s}`]);
        verdicts.push(`${r.code}:${r.doc.status}`);
      }
      return verdicts;
    });
    const verdicts = (await Promise.all(senders)).flat();
    events.close();
    expect(verdicts.every((v) => v === '0:submitted' || v === '0:queued'), verdicts.join(' ')).toBe(true);
    // Each message once, and in the order the service took the pane's turns.
    const hub = events.events.filter((e) => e.kind === 'message' && e.to === `${hostnameOf(f)}:hub`);
    const arrived = hub.filter((e) => e.step === 'queued').map((e) => e.id);
    const pasted = hub.filter((e) => e.step === 'pasted').map((e) => e.id);
    expect(arrived).toHaveLength(32);
    expect(pasted).toEqual(arrived);
    const truth = bodies('hub');
    expect(truth).toHaveLength(32);
    expect(new Set(truth).size).toBe(32);
    expect(bodies('side').sort()).toEqual(Array.from({ length: 8 }, (_, s) => `s${s}-m2`).sort());
  });

  it('a service killed mid-send loses nothing and pastes nothing twice: the restarted service finishes the message', async () => {
    f = simFleet(t, [{ name: 'slowpoke', extra: { env: { MOSAIC_SIM_IGNORE_ENTERS: '4' } } }]);
    await json('fleet', ['start']);
    service = await startService(f.roster, env());
    const events = await subscribe(service.socket);
    const sending = runCliJson('agent', ['send', 'slowpoke', '-m', 'survive the crash', '--from', 'h:o', '--roster', f.roster], { env: env() });
    await waitFor('the paste', () => events.events.some((e) => e.step === 'pasted'), 20_000);
    events.close();
    expect(await service.kill()).toBe(null);
    const r = await sending;
    // Killed in the middle: the record is still 'sending', and its process is gone.
    const between = (await json('agent', ['log'])).doc.messages.find((x: { body: string }) => x.body === 'survive the crash');
    expect(between).toMatchObject({ status: 'sending', crashed: true });
    expect(r.code).toBe(4);
    expect(r.doc.error.code).toBe('SERVICE_LOST');
    service = await startService(f.roster, env());
    const final = await waitFor('the message finished', async () => {
      const log = await json('agent', ['log']);
      const m = (log.doc.messages as Array<{ status: string; body: string }>).find((x) => x.body === 'survive the crash');
      return m && m.status !== 'sending' ? m : null;
    }, 30_000, 200);
    expect(final.status, JSON.stringify({ final, events: f.events('slowpoke') })).toBe('submitted');
    expect(bodies('slowpoke'), JSON.stringify({ final, events: f.events('slowpoke') })).toEqual(['survive the crash']);
    expect(f.events('slowpoke').filter((e) => e.kind === 'paste')).toHaveLength(1);
  });

  it('a client of another version is refused with a clear message and runs directly; the service says so too', async () => {
    f = simFleet(t, [{ name: 'solo' }]);
    await json('fleet', ['start']);
    service = await startService(f.roster, env());
    // The service side: a hello of another version gets a refusal naming both versions, and the command that rode
    // with it, or followed it unasked, is never run.
    const run = (body: string) => ({ bin: 'agent', argv: ['send', 'solo', '-m', body, '--from', 'h:o', '--roster', f.roster], cwd: process.cwd(), env: { ...process.env, ...env() }, tty: { stdin: false, stdout: false, stderr: false } });
    const refusal = await rawHello(service.socket, '0.0.0-other', run('riding with a stranger'), [{ type: 'run', ...run('after a stranger') }]);
    expect(refusal).toMatchObject({ type: 'refused', reason: 'version' });
    expect(String(refusal.message)).toMatch(/runs mosaic-fleet \S+ .*this client is 0\.0\.0-other/);
    await waitFor('the service logs the refusal', () => /refused a client of mosaic-fleet 0\.0\.0-other/.test(service!.stderr()));
    await service.stop();
    service = null;
    // The client side: a service answering with another version is not used; the command runs here.
    const fake = await fakeServiceAt(serviceSocket(f.roster), [], (m, s) => {
      if (m.type === 'hello') s.write(`${JSON.stringify({ type: 'hello', protocol: 1, version: '9.9.9', pid: 4242, roster: f.roster, socket: t.socket })}\n`);
    });
    try {
      const r = await json('agent', ['send', 'solo', '-m', 'despite the stranger', '--from', 'h:o']);
      expect(r.code).toBe(0);
      expect(r.doc.status).toBe('submitted');
      expect(r.stderr).toMatch(/runs mosaic-fleet 9\.9\.9, this is \S+; running this command directly/);
      expect(await attemptPid(r.doc.id)).not.toBe(4242);
    } finally {
      fake.close();
    }
    expect(bodies('solo')).toEqual(['despite the stranger']);
  });

  it('a stale socket file is harmless: clients run directly, and a new service takes its place', async () => {
    f = simFleet(t, [{ name: 'solo' }]);
    await json('fleet', ['start']);
    const path = serviceSocket(f.roster);
    mkdirSync(dirname(path), { recursive: true });
    // A socket whose server died with SIGKILL leaves its file behind.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.stdout.write('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    expect(existsSync(path)).toBe(true);
    const r = await json('agent', ['send', 'solo', '-m', 'past the stale socket', '--from', 'h:o']);
    expect([r.code, r.doc.status]).toEqual([0, 'submitted']);
    service = await startService(f.roster, env());
    const s = await json('agent', ['send', 'solo', '-m', 'through the new service', '--from', 'h:o']);
    expect(await attemptPid(s.doc.id)).toBe(service.pid);
    expect(bodies('solo')).toEqual(['past the stale socket', 'through the new service']);
  });

  it('of two services started at once, one serves and the other exits 8 naming the first', async () => {
    f = simFleet(t, [{ name: 'solo' }]);
    await json('fleet', ['start']);
    const both = await Promise.allSettled([startService(f.roster, env()), startService(f.roster, env())]);
    const winners = both.filter((b): b is PromiseFulfilledResult<RunningService> => b.status === 'fulfilled');
    const losers = both.filter((b): b is PromiseRejectedResult => b.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    service = winners[0]!.value;
    expect(String(losers[0]!.reason)).toMatch(new RegExp(`another mosaic-fleet serve \\(pid ${service.pid}\\) already serves the roster`));
    const third = runCli('fleet', ['serve', '--roster', f.roster, '--json'], { env: env() });
    const r = await third;
    expect(r.code).toBe(8);
    expect(JSON.parse(r.stdout).error.code).toBe('SERVICE_RUNNING');
  });

  it('the tmux server killed under the service: it says so and exits non-zero, and clients run directly', async () => {
    f = simFleet(t, [{ name: 'solo' }]);
    await json('fleet', ['start']);
    service = await startService(f.roster, env());
    t.tmux('kill-server');
    expect(await service.exited).toBe(1);
    expect(service.stderr()).toMatch(/the tmux server on socket '[^']+' went away; the service stops/);
    expect(existsSync(service.socket)).toBe(false);
    service = null;
    const r = await json('agent', ['send', 'solo', '-m', 'x', '--from', 'h:o']);
    expect([r.code, r.doc.error?.code]).toEqual([1, 'NO_SERVER']);
  });
});

function hostnameOf(_fleet: SimFleet): string {
  return hostname().split('.')[0]!;
}

/** A hello (with a run riding on it, and more lines after it in the same write); the service's first answer. */
async function rawHello(path: string, version: string, run?: Record<string, unknown>, after: Record<string, unknown>[] = []): Promise<Record<string, unknown>> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let buf = '';
    s.on('error', reject);
    s.on('connect', () => s.write([{ type: 'hello', protocol: 1, version, ...(run ? { run } : {}) }, ...after].map((m) => `${JSON.stringify(m)}\n`).join('')));
    s.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl !== -1) {
        s.destroy();
        resolve(JSON.parse(buf.slice(0, nl)));
      }
    });
  });
}



describe('mosaic-agent log --follow', () => {
  it('prints each message as it changes, through the service (woken by its events) and without it (polling)', async () => {
    f = simFleet(t, [{ name: 'scribe' }]);
    await json('fleet', ['start']);
    const follow = async (label: string) => {
      const { spawn } = await import('node:child_process');
      const child = spawn(process.execPath, [BIN.agent, 'log', '--follow', '--roster', f.roster], { env: { ...process.env, ...env(), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
      await waitFor(`${label}: the history printed`, () => /no messages|TIME/.test(out));
      const sent = await json('agent', ['send', 'scribe', '-m', `followed ${label}`, '--from', 'h:o']);
      expect(sent.doc.status).toBe('submitted');
      await waitFor(`${label}: the submitted line`, () => new RegExp(`${sent.doc.id}\\s+h:o -> \\S+:scribe\\s+submitted\\s+followed ${label}`).test(out), 15_000);
      child.kill('SIGINT');
      await new Promise((resolve) => child.on('close', resolve));
      return out;
    };
    await follow('direct');
    service = await startService(f.roster, env());
    const served = await follow('served');
    expect(served).toMatch(/followed direct/);
    const both = await json('agent', ['log', '--follow']);
    expect(both.code).toBe(3);
    expect(both.doc.error.code).toBe('USAGE');
  });
});

describe('supervision by the service', () => {
  it('revives an on-failure agent in place with growing backoff, records it, and status shows restarts and the last exit', async () => {
    // The agent's REPL dies with status 3 a moment after each start; the policy allows two revivals in the window.
    f = simFleet(t, [
      { name: 'steady' },
      { name: 'flaky', extra: { runtime: 'shell', command: ['sh', '-c', 'sleep 0.3; exit 3'], restart: { policy: 'on-failure', max_restarts: 2, backoff_seconds: 0.2, max_backoff_seconds: 5, window_seconds: 600 } } },
    ]);
    await json('fleet', ['start', 'steady']);
    await json('fleet', ['start', 'flaky']).catch(() => undefined);
    service = await startService(f.roster, env());
    const events = await subscribe(service.socket);
    const gaveUp = await waitFor('flaky given up', () => events.events.find((e) => e.kind === 'supervision' && e.event === 'agent-given-up' && e.agent === 'flaky'), 60_000, 100);
    events.close();
    const supervision = events.events.filter((e) => e.kind === 'supervision' && e.agent === 'flaky');
    const revived = supervision.filter((e) => e.event === 'agent-revived');
    expect(revived.map((e) => e.attempt)).toEqual([1, 2]);
    const delays = revived.map((e) => e.delayMs as number);
    expect(delays[1]!).toBeGreaterThan(delays[0]!);
    expect(gaveUp, JSON.stringify(supervision)).toMatchObject({ restarts: 2 });
    // tmux 3.3 sometimes marks a pane dead without its exit status (docs/roster.md): 3 or unknown, never another.
    const statuses = supervision.filter((e) => e.event === 'agent-exited').map((e) => e.exitStatus);
    expect(statuses.every((s) => s === 3 || s === null), JSON.stringify(statuses)).toBe(true);
    // Every death was seen and recorded before its revival.
    expect(supervision.filter((e) => e.event === 'agent-exited').length).toBeGreaterThanOrEqual(3);
    const status = await json('fleet', ['status']);
    const row = (status.doc.agents as Array<Record<string, unknown>>).find((a) => a.name === 'flaky')!;
    expect(row).toMatchObject({ state: 'dead', restarts: 2, givenUp: true });
    expect([3, null]).toContain((row.lastExit as { status: number | null }).status);
    // The steady agent was never touched.
    const steady = (status.doc.agents as Array<Record<string, unknown>>).find((a) => a.name === 'steady')!;
    expect(steady).toMatchObject({ state: 'idle', restarts: 0 });
  });
});

describe('what the service runs', () => {
  it('runs only the thin clients\' commands: anything else sent to it (serve, attach, start) is handed back as fallback', async () => {
    f = simFleet(t, [{ name: 'solo' }]);
    await json('fleet', ['start']);
    service = await startService(f.roster, env());
    const { connect } = await import('node:net');
    const version = (await import('node:fs')).readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const answer = (bin: string, argv: string[]) =>
      new Promise<Array<{ type: string }>>((resolve, reject) => {
        const s = connect(service!.socket);
        const got: Array<{ type: string }> = [];
        let buf = '';
        s.on('error', reject);
        s.on('connect', () => s.write(`${JSON.stringify({ type: 'hello', protocol: 1, version: JSON.parse(version).version })}\n`));
        s.on('data', (c: Buffer) => {
          buf += c.toString('utf8');
          for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
            const m = JSON.parse(buf.slice(0, nl));
            buf = buf.slice(nl + 1);
            got.push(m);
            if (m.type === 'hello') s.write(`${JSON.stringify({ type: 'run', bin, argv: [...argv, '--roster', f.roster], cwd: process.cwd(), env: { ...process.env, ...env() }, tty: { stdin: false, stdout: false, stderr: false } })}\n`);
          }
        });
        s.on('close', () => resolve(got));
      });
    for (const [bin, argv] of [['fleet', ['serve']], ['agent', ['attach', 'solo']], ['fleet', ['start']]] as const) {
      const got = await answer(bin, [...argv]);
      expect(got.map((m) => m.type)).toEqual(['hello', 'fallback']);
    }
    const served = await answer('fleet', ['status', '--json']);
    expect(served.map((m) => m.type).at(-1)).toBe('exit');
  });

  it('a client sends its command with the hello; a service that does not run it from there is sent it after', async () => {
    f = simFleet(t, [{ name: 'solo' }]);
    const { version } = JSON.parse((await import('node:fs')).readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    // Stands in for a service of this version from before the hello carried the command (test double: an older build).
    const got: Array<Record<string, unknown>> = [];
    const server = await fakeServiceAt(serviceSocket(f.roster), got, (m, s) => {
      if (m.type === 'hello') s.write(`${JSON.stringify({ type: 'hello', protocol: 1, version, pid: 4242, roster: f.roster, socket: t.socket })}\n`);
      if (m.type === 'run') s.end(`${JSON.stringify({ type: 'out', data: 'from the older service\n' })}\n${JSON.stringify({ type: 'exit', code: 5 })}\n`);
    });
    try {
      const r = await runCli('agent', ['status', 'solo', '--roster', f.roster], { env: env() });
      expect([r.code, r.stdout]).toEqual([5, 'from the older service\n']);
      expect(got.map((m) => m.type)).toEqual(['hello', 'run']);
      expect((got[0]!.run as { argv: string[] }).argv).toEqual((got[1] as { argv: string[] }).argv);
      expect((got[1] as { argv: string[] }).argv).toEqual(['status', 'solo', '--roster', f.roster]);
    } finally {
      server.close();
    }
  });
});
