// One roster, agents on two ssh hosts with their own hostnames (UTS namespaces, see helpers/sshd.ts) plus this
// machine: started, sent to in both directions with the right preambles, restarted, stopped — all from the CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { startSshd, type TestSshd } from '../helpers/sshd.js';
import { runCli, runCliJson } from '../helpers/cli.js';
import { readEvents } from '../helpers/sim.js';

let a: TestSshd;
let b: TestSshd;
let dir: string;
let roster: string;
let env: NodeJS.ProcessEnv;
const socket = `mft-remote-${randomBytes(3).toString('hex')}`;
const local = hostname().split('.')[0]!;
const log = (name: string) => join(dir, `${name}.jsonl`);
const texts = (name: string) => readEvents(log(name)).filter((e) => e.kind === 'submit').map((e) => e.text);
const cli = (bin: 'fleet' | 'agent', args: string[], rosterPath = roster) => runCliJson(bin, [...args, '--roster', rosterPath], { env });

function writeRoster(extraHosts: Record<string, unknown> = {}, extraAgents: unknown[] = []): string {
  const host = (s: TestSshd) => ({ ssh: 'root@127.0.0.1', port: s.port, identity_file: s.clientKey });
  const agent = (name: string, h: string) => ({ name, runtime: 'sim', host: h, working_directory: dir, env: { MOSAIC_SIM_LOG: log(name) } });
  const path = join(dir, `roster-${randomBytes(2).toString('hex')}.yaml`);
  writeFileSync(
    path,
    stringify({
      version: 1,
      tmux: { socket_name: socket },
      defaults: { working_directory: dir, runtime: 'sim', ready_timeout_seconds: 30 },
      hosts: { a: host(a), b: host(b), ...extraHosts },
      agents: [agent('alpha', 'a'), agent('bravo', 'b'), agent('charlie', 'local'), ...extraAgents],
    }),
  );
  return path;
}

beforeAll(async () => {
  [a, b] = await Promise.all([startSshd({ hostname: 'remote-a' }), startSshd({ hostname: 'remote-b' })]);
  dir = mkdtempSync(join(tmpdir(), 'mft-remote-fleet-'));
  // The fleet's ssh connections use the test's known_hosts and keys ($MOSAIC_SSH_CONFIG = ssh -F), both servers'.
  const config = join(dir, 'ssh_config');
  writeFileSync(
    config,
    ['Host *', `  UserKnownHostsFile ${join(a.dir, 'known_hosts')} ${join(b.dir, 'known_hosts')}`, '  GlobalKnownHostsFile /dev/null', '  StrictHostKeyChecking yes', '  IdentitiesOnly yes', '  IdentityAgent none', `  IdentityFile ${a.clientKey}`, `  IdentityFile ${b.clientKey}`, '  LogLevel ERROR', ''].join('\n'),
  );
  env = { HOME: dir, MOSAIC_SSH_CONFIG: config };
  roster = writeRoster();
}, 120_000);

afterAll(async () => {
  await runCli('fleet', ['stop', '--all', '--roster', roster], { env }).catch(() => undefined);
  await Promise.all([a?.stop(), b?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe(`a fleet across hosts (${'remote-a, remote-b and this machine'})`, () => {
  it('starts every agent on its own host from one roster and reports them all', async () => {
    const start = await cli('fleet', ['start']);
    expect(start.code, start.stderr).toBe(0);
    expect(start.doc.agents.map((x: { name: string; host: string; ready: boolean }) => [x.name, x.host, x.ready])).toEqual([
      ['alpha', 'a', true],
      ['bravo', 'b', true],
      ['charlie', 'local', true],
    ]);
    const status = await cli('fleet', ['status']);
    expect(status.doc.hosts.map((h: { host: string; reachable: boolean; holder: string }) => [h.host, h.reachable, h.holder])).toEqual([
      ['local', true, 'running'],
      ['a', true, 'running'],
      ['b', true, 'running'],
    ]);
    expect(status.doc.agents.map((x: { name: string; host: string; state: string }) => [x.name, x.host, x.state])).toEqual([
      ['charlie', 'local', 'idle'],
      ['alpha', 'a', 'idle'],
      ['bravo', 'b', 'idle'],
    ]);
  });

  it('sends in both directions with preambles naming the real hosts', async () => {
    const toAlpha = await cli('agent', ['send', 'alpha', '-m', 'from here to remote-a', '--from', `${local}:charlie`]);
    expect(toAlpha.code, toAlpha.stderr).toBe(0);
    expect(toAlpha.doc.to).toEqual({ host: 'remote-a', session: 'alpha' });
    const aToB = await cli('agent', ['send', 'b:bravo', '-m', 'a to b', '--from', 'remote-a:alpha']);
    expect(aToB.code, aToB.stderr).toBe(0);
    const bToA = await cli('agent', ['send', 'a:alpha', '-m', 'b to a', '--from', 'remote-b:bravo']);
    expect(bToA.code, bToA.stderr).toBe(0);
    const toLocal = await cli('agent', ['send', 'charlie', '-m', 'back home', '--from', 'remote-b:bravo']);
    expect(toLocal.code, toLocal.stderr).toBe(0);
    expect(texts('alpha')).toEqual([`[${local}:charlie -> remote-a:alpha] from here to remote-a`, '[remote-b:bravo -> remote-a:alpha] b to a']);
    expect(texts('bravo')).toEqual(['[remote-a:alpha -> remote-b:bravo] a to b']);
    expect(texts('charlie')).toEqual([`[remote-b:bravo -> ${local}:charlie] back home`]);
  });

  it('leaves an inbox copy on the target host, so an agent there can read who asked what', async () => {
    // As if run on remote-a: its state directory (the sshd test bed points the remote sessions' XDG_STATE_HOME there).
    const r = await runCli('agent', ['inbox', '--agent', 'alpha', '--json', '--roster', roster], { env: { ...env, XDG_STATE_HOME: join(a.dir, 'state') } });
    expect(r.code, r.stderr).toBe(0);
    const texts = JSON.parse(r.stdout).messages.map((m: { text: string }) => m.text);
    expect(texts).toEqual([`[${local}:charlie -> remote-a:alpha] from here to remote-a`, '[remote-b:bravo -> remote-a:alpha] b to a']);
  });

  it('verify checks every host: holder ownership and agents alive there too', async () => {
    const v = await cli('fleet', ['verify']);
    const byName = Object.fromEntries(v.doc.checks.map((c: { name: string; status: string }) => [c.name, c.status]));
    expect(byName).toMatchObject({
      'fleet socket on a': 'pass',
      'holder session on a': 'pass',
      'roster agents on a': 'pass',
      'fleet socket on b': 'pass',
      'holder session on b': 'pass',
      'roster agents on b': 'pass',
      'roster agents': 'pass',
      'exact targets': 'pass',
    });
    expect(Object.keys(byName).some((n) => n.startsWith('exact targets on'))).toBe(false);
  });

  it('restarts a remote agent without touching its server or siblings, and tails it', async () => {
    const before = await cli('fleet', ['status']);
    const pidA = before.doc.hosts.find((h: { host: string }) => h.host === 'a').serverPid;
    const bravoPid = before.doc.agents.find((x: { name: string }) => x.name === 'bravo').pid;
    const alphaPid = before.doc.agents.find((x: { name: string }) => x.name === 'alpha').pid;
    const r = await cli('fleet', ['restart', 'alpha']);
    expect(r.code, r.stderr).toBe(0);
    const after = await cli('fleet', ['status']);
    expect(after.doc.hosts.find((h: { host: string }) => h.host === 'a').serverPid).toBe(pidA);
    expect(after.doc.agents.find((x: { name: string }) => x.name === 'bravo').pid).toBe(bravoPid);
    expect(after.doc.agents.find((x: { name: string }) => x.name === 'alpha').pid).not.toBe(alphaPid);
    const tail = await runCli('agent', ['tail', 'alpha', '--roster', roster], { env });
    expect(tail.code).toBe(0);
    expect(tail.stdout).toContain('sim · alpha');
  });

  it('reports an unreachable host in status, still shows the others, and fails a send to it with exit 4', async () => {
    const withDown = writeRoster({ c: { ssh: 'root@127.0.0.1', port: 1, identity_file: a.clientKey } }, [{ name: 'delta', runtime: 'sim', host: 'c', working_directory: dir }]);
    const status = await cli('fleet', ['status'], withDown);
    expect(status.code, status.stderr).toBe(0);
    const c = status.doc.hosts.find((h: { host: string }) => h.host === 'c');
    expect(c.reachable).toBe(false);
    expect(status.doc.agents.find((x: { name: string }) => x.name === 'delta').state).toBe('unreachable');
    expect(status.doc.agents.find((x: { name: string }) => x.name === 'alpha').state).toBe('idle');
    const send = await runCli('agent', ['send', 'delta', '-m', 'hello?', '--roster', withDown], { env });
    expect(send.code).toBe(4);
    expect(send.stderr.trim().split('\n')[0]).toMatch(/^error: .*(unreachable|refused|connect)/i);
    expect(send.stderr).toMatch(/hint:/);
    const queued = await cli('agent', ['send', 'delta', '-m', 'when it is back', '--queue', '--from', 'x:y'], withDown);
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.doc.status).toBe('pending');
  });

  it('sends ad hoc with --ssh, no roster entry needed, bodies inert', async () => {
    const hostile = `q'uote "dq" $(touch /tmp/mft-pwned-$$) \`id\`; echo x\nsecond line`;
    const r = await runCli('agent', ['send', '--ssh', `root@127.0.0.1:${b.port}`, '-L', socket, 'bravo', '-m', hostile, '--from', 'adhoc:me', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(texts('bravo').at(-1)).toBe(`[adhoc:me -> remote-b:bravo] ${hostile}`);
  });

  it('the compat agent-send.sh -H reaches a remote pane', async () => {
    const tools = join(dir, 'tools');
    const install = await runCli('fleet', ['install-tools', '--dir', tools], { env });
    expect(install.code, install.stderr).toBe(0);
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(join(tools, 'agent-send.sh'), ['-H', `root@127.0.0.1:${b.port}`, '-L', socket, '-s', 'bravo', '-S', 'legacy:script', '-m', 'via the old helper'], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(texts('bravo').at(-1)).toBe('[legacy:script -> remote-b:bravo] via the old helper');
  });

  it('stops every host from one roster', async () => {
    const r = await cli('fleet', ['stop', '--all']);
    expect(r.code, r.stderr).toBe(0);
    const status = await cli('fleet', ['status']);
    expect(status.doc.hosts.map((h: { host: string; holder: string }) => [h.host, h.holder])).toEqual([
      ['local', 'no-server'],
      ['a', 'no-server'],
      ['b', 'no-server'],
    ]);
  });
});
