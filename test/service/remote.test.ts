// Issue 12, remote hosts: a send from this machine (A) to an agent on an ssh host (B, the real sshd test bed) is
// handed to the fleet service running on B when there is one, through the ssh connection; otherwise it goes the
// direct way (ssh + flock + tmux on B) as before. B's service runs inside B's ssh session, with B's environment.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { startSshd, type TestSshd } from '../helpers/sshd.js';
import { BIN, runCli, runCliJson } from '../helpers/cli.js';
import { readEvents } from '../helpers/sim.js';
import { waitFor } from '../helpers/tmux.js';
import { fakeServiceAt, subscribe } from '../helpers/service.js';
import { tmuxAliasPath, tmuxSocketFile } from '../../src/service/alias-paths.js';

let b: TestSshd;
let dir: string;
let rosterA: string;
let rosterB: string;
let envA: NodeJS.ProcessEnv;
/** B's sessions see these (sshd SetEnv), so its service and the relay A runs there agree on where things are. */
let envB: Record<string, string>;
const socket = `mft-rsvc-${randomBytes(3).toString('hex')}`;
const local = hostname().split('.')[0]!;
const log = (name: string) => join(dir, `${name}.jsonl`);
const events = (name: string) => readEvents(log(name));
const texts = (name: string) => events(name).filter((e) => e.kind === 'submit').map((e) => e.text);
const pastes = (name: string, text: string) => events(name).filter((e) => e.kind === 'paste' && e.text === text).length;
const cliA = (bin: 'fleet' | 'agent', args: string[]) => runCliJson(bin, [...args, '--roster', rosterA], { env: envA });
const alias = () => tmuxAliasPath(tmuxSocketFile({ name: socket }, envB), envB);

const AGENTS = [
  { name: 'bravo', env: {} },
  // Takes its paste only on the fifth Enter: a delivery stays in flight long enough to kill the service under it.
  { name: 'slowpoke', env: { MOSAIC_SIM_IGNORE_ENTERS: '4' } },
];

function writeRosters(): void {
  const agent = (a: (typeof AGENTS)[number], host: string) => ({ name: a.name, runtime: 'sim', host, working_directory: dir, env: { MOSAIC_SIM_LOG: log(a.name), ...a.env } });
  const common = { version: 1, tmux: { socket_name: socket }, defaults: { working_directory: dir, runtime: 'sim', ready_timeout_seconds: 30 } };
  rosterA = join(dir, 'roster-a.yaml');
  writeFileSync(rosterA, stringify({ ...common, hosts: { b: { ssh: 'root@127.0.0.1', port: b.port, identity_file: b.clientKey, hostname: 'remote-b' } }, agents: AGENTS.map((a) => agent(a, 'b')) }));
  // B's own roster: the same agents, local to B, on the same socket name.
  rosterB = join(dir, 'roster-b.yaml');
  writeFileSync(rosterB, stringify({ ...common, agents: AGENTS.map((a) => agent(a, 'local')) }));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mft-rsvc-'));
  const bEnv = { XDG_RUNTIME_DIR: join(dir, 'b-run'), XDG_CACHE_HOME: join(dir, 'b-cache'), XDG_CONFIG_HOME: join(dir, 'b-config') };
  mkdirSync(bEnv.XDG_RUNTIME_DIR, { mode: 0o700 });
  b = await startSshd({ hostname: 'remote-b', env: bEnv });
  envB = { ...bEnv, TMUX_TMPDIR: b.tmuxTmpdir, XDG_STATE_HOME: join(b.dir, 'state') };
  const config = join(dir, 'ssh_config');
  writeFileSync(config, ['Host *', `  UserKnownHostsFile ${join(b.dir, 'known_hosts')}`, '  GlobalKnownHostsFile /dev/null', '  StrictHostKeyChecking yes', '  IdentitiesOnly yes', '  IdentityAgent none', `  IdentityFile ${b.clientKey}`, '  LogLevel ERROR', ''].join('\n'));
  envA = { HOME: dir, MOSAIC_SSH_CONFIG: config };
  writeRosters();
  const start = await cliA('fleet', ['start']);
  expect(start.code, start.stderr).toBe(0);
}, 120_000);

let serviceB: RemoteService | null = null;
afterEach(async () => {
  await serviceB?.stop();
  serviceB = null;
});

afterAll(async () => {
  await runCli('fleet', ['stop', '--all', '--roster', rosterA], { env: envA }).catch(() => undefined);
  await b?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface RemoteService {
  /** Its pid on B (as B's own processes see it). */
  pid: number;
  socket: string;
  stderr(): string;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** `mosaic-fleet serve --roster B` started over ssh: it runs on B, in a session with B's environment. */
async function startServiceOnB(): Promise<RemoteService> {
  const [ssh, ...args] = b.sshArgv();
  const child: ChildProcess = spawn(ssh!, [...args, '-T', 'root@127.0.0.1', '--', process.execPath, BIN.fleet, 'serve', '--roster', rosterB, '--interval', '60'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let done = false;
  void closed.then(() => (done = true));
  await waitFor(`B's service to listen (stderr: ${err})`, () => done || /listening on /.test(err), 30_000);
  if (done) throw new Error(`serve on B exited early: ${err}`);
  const pid = Number(/serve: pid (\d+)/.exec(err)![1]);
  const onB = async (signal: string) => {
    spawnSync(ssh!, [...args, '-T', 'root@127.0.0.1', '--', 'kill', `-${signal}`, String(pid)], { timeout: 15_000 });
    await closed;
  };
  return { pid, socket: /listening on (\S+)/.exec(err)![1]!, stderr: () => err, stop: () => onB('TERM'), kill: () => onB('KILL') };
}

/** The message's record in A's ledger. */
async function recordOf(body: string): Promise<{ id: string; status: string; crashed?: boolean }> {
  const r = await cliA('agent', ['log', '--last', '200']);
  return (r.doc.messages as Array<{ id: string; status: string; body: string; crashed?: boolean }>).find((m) => m.body === body)!;
}

describe('sends to a remote host with its fleet service', () => {
  it('without a service on B: the direct path, as before', async () => {
    expect(existsSync(alias())).toBe(false);
    const r = await cliA('agent', ['send', 'bravo', '-m', 'the direct way', '--from', `${local}:alpha`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc).toMatchObject({ status: 'submitted', to: { host: 'remote-b', session: 'bravo' } });
    expect(r.doc.servedBy).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(texts('bravo')).toEqual([`[${local}:alpha -> remote-b:bravo] the direct way`]);
  });

  it("with a service on B: B's service delivers it (its queue, its tmux connection), exactly once, and keeps no ledger record of it", async () => {
    serviceB = await startServiceOnB();
    // The well-known address: A's relay finds it from the tmux socket alone.
    expect(readlinkSync(alias())).toBe(serviceB.socket);
    const watch = await subscribe(serviceB.socket);
    const r = await cliA('agent', ['send', 'bravo', '-m', 'through the service on B', '--from', `${local}:alpha`]);
    watch.close();
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc).toMatchObject({ status: 'submitted', to: { host: 'remote-b', session: 'bravo' }, servedBy: { host: 'b', pid: serviceB.pid } });
    const text = `[${local}:alpha -> remote-b:bravo] through the service on B`;
    expect(texts('bravo').filter((t) => t === text)).toHaveLength(1);
    expect(pastes('bravo', text)).toBe(1);
    // B's service published the delivery's steps, flagged as a delivery for another host.
    const steps = watch.events.filter((e) => e.kind === 'message' && e.remote === true && e.to === 'bravo').map((e) => e.step);
    expect(steps).toEqual(expect.arrayContaining(['locked', 'pasted', 'verdict']));
    // A's ledger has the message; B's has nothing of its own.
    expect(await recordOf('through the service on B')).toMatchObject({ status: 'submitted' });
    const bLog = await runCliJson('agent', ['log', '--roster', rosterB], { env: envB });
    expect(bLog.doc.messages).toEqual([]);
    // A request naming a pane by anything but its exact id is refused, nothing pasted.
    const bad = await rawDeliver(serviceB.socket, { target: { pane: 'bravo', session: 'bravo' }, text: 'not pasted', options: {}, orphans: [] });
    expect(bad).toMatchObject({ type: 'error', error: { code: 'USAGE' } });
    expect(texts('bravo')).not.toContain('not pasted');
    // Stopped: the alias goes with it, and the next send takes the direct path again.
    await serviceB.stop();
    serviceB = null;
    expect(existsSync(alias())).toBe(false);
    const after = await cliA('agent', ['send', 'bravo', '-m', 'direct again', '--from', `${local}:alpha`]);
    expect([after.code, after.doc.status, after.doc.servedBy]).toEqual([0, 'submitted', undefined]);
  });

  it("B's service killed mid-delivery: A says SERVICE_LOST, and `deliver` finishes the message without pasting it twice", async () => {
    serviceB = await startServiceOnB();
    const watch = await subscribe(serviceB.socket);
    const sending = cliA('agent', ['send', 'slowpoke', '-m', 'survive the remote crash', '--from', `${local}:alpha`]);
    await waitFor('the paste on B', () => watch.events.some((e) => e.step === 'pasted' && e.to === 'slowpoke'), 30_000);
    watch.close();
    await serviceB.kill();
    serviceB = null;
    const r = await sending;
    expect(r.code).toBe(4);
    expect(r.doc.error.code).toBe('SERVICE_LOST');
    expect(r.doc.error.message).toMatch(/host b .*ended while it delivered to slowpoke/);
    // Not 'failed': whether it landed is unknown, so the record waits for `deliver`, which looks first.
    expect(await recordOf('survive the remote crash')).toMatchObject({ status: 'sending', crashed: true });
    const final = await waitFor(
      'deliver to finish the message',
      async () => {
        const d = await runCli('fleet', ['deliver', '--roster', rosterA], { env: envA });
        expect(d.code, d.stderr).not.toBe(70);
        const m = await recordOf('survive the remote crash');
        return m.status !== 'sending' ? m : null;
      },
      60_000,
      200,
    );
    const text = `[${local}:alpha -> remote-b:slowpoke] survive the remote crash`;
    expect(final.status, JSON.stringify(events('slowpoke'))).toBe('submitted');
    expect(pastes('slowpoke', text)).toBe(1);
    expect(texts('slowpoke').filter((t) => t === text)).toHaveLength(1);
  });

  it('an orphan left by a killed service is finished by the next send through the restarted one, and A settles it', async () => {
    serviceB = await startServiceOnB();
    let watch = await subscribe(serviceB.socket);
    const sending = cliA('agent', ['send', 'slowpoke', '-m', 'orphaned on B', '--from', `${local}:alpha`]);
    await waitFor('the paste on B', () => watch.events.some((e) => e.step === 'pasted' && e.to === 'slowpoke'), 30_000);
    watch.close();
    await serviceB.kill();
    expect((await sending).doc.error.code).toBe('SERVICE_LOST');
    serviceB = await startServiceOnB();
    watch = await subscribe(serviceB.socket);
    const next = await cliA('agent', ['send', 'slowpoke', '-m', 'after the orphan', '--from', `${local}:alpha`]);
    watch.close();
    expect([next.code, next.doc.status, next.doc.servedBy?.pid]).toEqual([0, 'submitted', serviceB.pid]);
    const orphan = `[${local}:alpha -> remote-b:slowpoke] orphaned on B`;
    const later = `[${local}:alpha -> remote-b:slowpoke] after the orphan`;
    // A's ledger took B's word for the orphan: settled, no longer 'sending'.
    expect((await recordOf('orphaned on B')).status, JSON.stringify(events('slowpoke'))).toBe('submitted');
    expect(pastes('slowpoke', orphan)).toBe(1);
    expect(pastes('slowpoke', later)).toBe(1);
    expect(texts('slowpoke').filter((t) => t === orphan || t === later)).toEqual([orphan, later]);
  });

  it("with a service on B: status, tail, reset and deliver's look before re-sending are B's service's answers, the same as tmux's", async () => {
    const view = (doc: { agents: Array<Record<string, unknown>> }) => doc.agents.map((a) => [a.name, a.host, a.state, a.paneId, a.pid, a.runtime, a.inRoster]);
    const direct = await cliA('fleet', ['status']);
    const tailDirect = await cliA('agent', ['tail', 'bravo', '-n', '30']);
    expect([direct.code, tailDirect.code]).toEqual([0, 0]);
    serviceB = await startServiceOnB();
    const watch = await subscribe(serviceB.socket);
    const calls = (op: string) => watch.events.filter((e) => e.kind === 'call' && e.op === op && e.remote === true);
    // status: the same rows as tmux gave over ssh, named by A's host label.
    const served = await cliA('fleet', ['status']);
    expect(served.code, served.stderr).toBe(0);
    expect(view(served.doc)).toEqual(view(direct.doc));
    expect(view(served.doc).map((row) => row[1])).toEqual(['b', 'b']);
    await waitFor('the overview call on B', () => calls('overview').length > 0, 10_000);
    // tail: the same text.
    const tailServed = await cliA('agent', ['tail', 'bravo', '-n', '30']);
    expect(tailServed.code, tailServed.stderr).toBe(0);
    expect(tailServed.doc.lines).toEqual(tailDirect.doc.lines);
    expect(tailServed.doc.lines.length).toBeGreaterThan(0);
    await waitFor('the tail call on B', () => calls('tail').length === 1, 10_000);
    // reset: B's service types the reset command and confirms the fresh conversation.
    const reset = await cliA('agent', ['reset', 'bravo', '--no-kickstart']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.doc).toMatchObject({ agent: 'bravo', command: '/new', confirmed: true });
    await waitFor('the reset call on B', () => calls('reset').length === 1, 10_000);
    expect(events('bravo').filter((e) => e.kind === 'command' && e.text === '/new').length).toBeGreaterThan(0);
    // A message A's ledger thinks was interrupted: deliver asks B's service to look before it pastes anything.
    const sending = cliA('agent', ['send', 'slowpoke', '-m', 'looked at by the service', '--from', `${local}:alpha`]);
    await waitFor('the paste on B', () => watch.events.some((e) => e.step === 'pasted' && e.to === 'slowpoke'), 30_000);
    await serviceB.kill();
    expect((await sending).doc.error.code).toBe('SERVICE_LOST');
    serviceB = await startServiceOnB();
    const watch2 = await subscribe(serviceB.socket);
    const d = await runCliJson('fleet', ['deliver', '--roster', rosterA], { env: envA });
    watch2.close();
    expect(d.code, d.stderr).toBe(0);
    expect(watch2.events.filter((e) => e.kind === 'call' && e.op === 'recover' && e.remote === true)).toHaveLength(1);
    const text = `[${local}:alpha -> remote-b:slowpoke] looked at by the service`;
    expect(pastes('slowpoke', text)).toBe(1);
    expect((await recordOf('looked at by the service')).status).not.toBe('sending');
    watch.close();
  });

  it('a service of another version on B: A warns once and delivers directly; nothing reaches that service but the hello', async () => {
    const received: Array<Record<string, unknown>> = [];
    const fake = await answerHelloAt(alias(), received, { type: 'refused', reason: 'version', message: 'the fleet service (pid 4242) runs mosaic-fleet 0.0.1 (protocol 1), this client is x (protocol 1)' });
    try {
      const r = await cliA('agent', ['send', 'bravo', '-m', 'despite the old service', '--from', `${local}:alpha`]);
      expect(r.code, r.stderr).toBe(0);
      expect([r.doc.status, r.doc.servedBy]).toEqual(['submitted', undefined]);
      const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning:'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^warning: on host b, the fleet service \(pid 4242\) runs mosaic-fleet 0\.0\.1 .*; going to tmux there directly over ssh/);
      expect(received.map((m) => m.type)).toEqual(['hello']);
    } finally {
      fake.close();
    }
    expect(texts('bravo').filter((t) => t === `[${local}:alpha -> remote-b:bravo] despite the old service`)).toHaveLength(1);
  });
});

/** hello then one deliver request on a service socket; the service's last answer. */
async function rawDeliver(path: string, request: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { connect } = await import('node:net');
  const { readFileSync } = await import('node:fs');
  const version = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')).version as string;
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let buf = '';
    let last: Record<string, unknown> = {};
    s.on('error', reject);
    s.on('connect', () => s.write(`${JSON.stringify({ type: 'hello', protocol: 1, version })}\n`));
    s.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        last = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
        buf = buf.slice(nl + 1);
        if (last.type === 'hello') s.write(`${JSON.stringify({ type: 'deliver', ...request })}\n`);
      }
    });
    s.on('close', () => resolve(last));
  });
}

/** A listener at B's alias (as a service of another version would answer): records what it is sent, answers a hello. */
function answerHelloAt(path: string, received: Array<Record<string, unknown>>, answer: Record<string, unknown>): Promise<{ close(): void }> {
  return fakeServiceAt(path, received, (m, s) => {
    if (m.type === 'hello') s.end(`${JSON.stringify(answer)}\n`);
  });
}

describe('the relay, run locally with a remote-like environment', () => {
  const relay = async (env: Record<string, string>, input: string) => {
    const { relayArgv } = await import('../../src/service/remote-client.js');
    const argv = relayArgv({ name: 'relay-sock' });
    return spawnSync(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH!, ...env }, input, encoding: 'utf8', timeout: 15_000 });
  };

  it('finds the alias in its own environment, as the service computes it, and copies bytes both ways', async () => {
    const run = mkdtempSync(join(tmpdir(), 'mft-relay-'));
    const env = { XDG_RUNTIME_DIR: run, TMUX_TMPDIR: join(run, 'tmux') };
    const received: Array<Record<string, unknown>> = [];
    const fake = await answerHelloAt(tmuxAliasPath(tmuxSocketFile({ name: 'relay-sock' }, env), env), received, { type: 'hello', protocol: 1, version: 'echo' });
    try {
      // spawnSync would block the listener in this process: run the relay asynchronously.
      const { runProcess } = await import('../helpers/cli.js');
      const { relayArgv } = await import('../../src/service/remote-client.js');
      const argv = relayArgv({ name: 'relay-sock' });
      const r = await runProcess(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH!, ...env }, input: '{"type":"hello","protocol":1,"version":"x"}\n' });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ type: 'hello', protocol: 1, version: 'echo' });
      expect(received).toEqual([{ type: 'hello', protocol: 1, version: 'x' }]);
    } finally {
      fake.close();
      rmSync(run, { recursive: true, force: true });
    }
  });

  it('exits 75 (no service) without an alias, and without node on the PATH even when an alias exists', async () => {
    const run = mkdtempSync(join(tmpdir(), 'mft-relay-'));
    try {
      expect((await relay({ XDG_RUNTIME_DIR: run }, '')).status).toBe(75);
      mkdirSync(join(run, 'mosaic-fleet'));
      writeFileSync(join(run, 'mosaic-fleet', 'tmux-0123456789abcdef.sock'), '');
      const bin = join(run, 'bin');
      mkdirSync(bin);
      for (const tool of ['id', 'sh']) spawnSync('ln', ['-s', spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), join(bin, tool)]);
      expect((await relay({ XDG_RUNTIME_DIR: run, PATH: bin }, '')).status).toBe(75);
      // With node, the alias file is tried for real: nobody listens there, so again no service.
      expect((await relay({ XDG_RUNTIME_DIR: run }, '')).status).toBe(75);
    } finally {
      rmSync(run, { recursive: true, force: true });
    }
  });
});
