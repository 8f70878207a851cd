// SshHost against a real sshd on loopback: stdin, quoting, failure mapping, hostname caching, connection reuse.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode, FleetError } from '../../src/errors.js';
import { SshHost } from '../../src/host/ssh.js';
import { Tmux } from '../../src/tmux/client.js';
import { namespacesAvailable, startSshd, type TestSshd } from '../helpers/sshd.js';
import { HOSTILE_ARGS, HOSTILE_BODY, PWNED_FILES } from './hostile.js';

let a: TestSshd;
let b: TestSshd;
const scratch = mkdtempSync(join(tmpdir(), 'mft-ssh-test-'));

beforeAll(async () => {
  [a, b] = await Promise.all([startSshd({ hostname: 'remote-a' }), startSshd({ hostname: 'remote-b' })]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  rmSync(scratch, { recursive: true, force: true });
});
beforeEach(() => {
  for (const f of PWNED_FILES) rmSync(f, { force: true });
});

/** Expect `promise` to reject with a FleetError of `code`; returns it for further checks. */
async function rejection(promise: Promise<unknown>, code: string): Promise<FleetError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FleetError);
  expect((error as FleetError).code).toBe(code);
  return error as FleetError;
}

// How the two hosts differ: with namespaces each sshd has its own UTS name and PID table; without, a wrapper
// `uname`/`hostname` on the sessions' PATH (see test/helpers/sshd.ts).
describe(`test bed (${namespacesAvailable() ? 'UTS+PID+mount namespaces' : 'hostname wrappers, no namespaces'})`, () => {
  it('gives each loopback host its own hostname, neither of them ours', async () => {
    const names = await Promise.all([a, b].map(async (s) => (await new SshHost(s.hostOptions('x')).exec(['uname', '-n'])).stdout.trim()));
    expect(names).toEqual(['remote-a', 'remote-b']);
    expect(names).not.toContain(hostname());
    if (a.isolation === 'namespaces') {
      // Its own process table: sshd is PID 1 there.
      const ps = await new SshHost(a.hostOptions('x')).exec(['ps', '-o', 'args=', '-p', '1']);
      expect(ps.stdout).toMatch(/sshd/);
    }
  });
});

describe('exec', () => {
  it('runs argv remotely with stdin', async () => {
    const host = new SshHost(a.hostOptions('a'));
    const r = await host.exec(['sh', '-c', 'uname -n; wc -c; exit 3'], { input: 'héllo\nworld\n' });
    expect(r.code).toBe(3);
    expect(r.stdout.split('\n').map((s) => s.trim())).toEqual(['remote-a', '13', '']);
    expect(r.argv).toEqual(['sh', '-c', 'uname -n; wc -c; exit 3']);
  });

  it('delivers every argv element byte-identical and inert', async () => {
    const host = new SshHost(a.hostOptions('a'));
    const r = await host.exec(['printf', '%s\\0', ...HOSTILE_ARGS]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(HOSTILE_ARGS);
    for (const f of PWNED_FILES) expect(existsSync(f)).toBe(false);
  });

  it('carries bodies on stdin into tmux byte-identical (private remote socket)', async () => {
    const host = new SshHost(a.hostOptions('a'));
    const tmux = new Tmux(host, { name: `mft-q-${randomBytes(3).toString('hex')}` }, '/dev/null');
    await tmux.run(['new-session', '-d', '-s', 'keep', 'sleep 600']);
    try {
      // Bodies cross on stdin (load-buffer -) ...
      for (const body of [HOSTILE_BODY, HOSTILE_ARGS.join('\n--\n')]) {
        await tmux.loadBuffer('q', body);
        expect(await tmux.run(['save-buffer', '-b', 'q', '-'])).toBe(body);
      }
      // ... and the same texts survive as argv elements of a tmux command.
      for (const text of [HOSTILE_BODY, ...HOSTILE_ARGS.filter((s) => s !== '')]) {
        await tmux.run(['set-buffer', '-b', 'q', '--', text]);
        expect(await tmux.run(['show-buffer', '-b', 'q'])).toBe(text);
      }
      for (const f of PWNED_FILES) expect(existsSync(f)).toBe(false);
    } finally {
      await tmux.run(['kill-server']).catch(() => {});
    }
  });

  it('honours cwd through a positional parameter', async () => {
    const host = new SshHost(a.hostOptions('a'));
    const dir = join(scratch, "dir with 'quote' $(x)");
    spawnSync('mkdir', ['-p', dir]);
    expect((await host.exec(['pwd'], { cwd: dir })).stdout).toBe(`${dir}\n`);
  });
});

describe('failures', () => {
  it('maps a closed port to HOST_UNREACHABLE (exit 4), naming the host, the refusal and ssh -v', async () => {
    const closed = await closedPort();
    const host = new SshHost(a.hostOptions('gone', { port: closed }));
    const error = await rejection(host.exec(['true']), 'HOST_UNREACHABLE');
    expect(error.exitCode).toBe(ExitCode.transport);
    expect(error.message).toMatch(/host gone .*Connection refused/);
    expect(error.hint).toContain('ssh -v');
    // The lock path reports the same way.
    await rejection(host.lock('k', 5_000), 'HOST_UNREACHABLE');
  });

  it('maps a key the server does not accept to SSH_AUTH', async () => {
    const wrong = join(scratch, 'wrong_key');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrong]);
    // A fresh control directory: an existing master would carry the command whatever key we name now.
    const host = new SshHost(a.hostOptions('a', { identityFile: wrong, controlDir: a.controlDir() }));
    const error = await rejection(host.exec(['true']), 'SSH_AUTH');
    expect(error.message).toMatch(/Permission denied/);
    expect(error.exitCode).toBe(ExitCode.transport);
    await rejection(host.lock('k', 5_000), 'SSH_AUTH');
  });

  it('maps an unknown host key to SSH_AUTH with a hint to accept it', async () => {
    const config = join(scratch, 'empty_known_hosts_config');
    writeFileSync(config, readFileSync(a.sshConfig, 'utf8').replace(/UserKnownHostsFile .*/, `UserKnownHostsFile ${join(scratch, 'empty_known_hosts')}`));
    const host = new SshHost(a.hostOptions('a', { extraOptions: ['-F', config], controlDir: a.controlDir() }));
    const error = await rejection(host.exec(['true']), 'SSH_AUTH');
    expect(error.message).toMatch(/host key/);
  });

  it('maps tmux missing on the remote to TMUX_MISSING "on host X", also through Tmux', async () => {
    const bare = await startSshd({ hostname: 'bare', hideTools: ['tmux', 'flock'] });
    try {
      const host = new SshHost(bare.hostOptions('bare'));
      const error = await rejection(host.exec(['tmux', '-V']), 'TMUX_MISSING');
      expect(error.message).toBe('tmux is not installed on host bare');
      expect(error.exitCode).toBe(ExitCode.transport);
      await rejection(new Tmux(host, { name: 'x' }).run(['list-sessions']), 'TMUX_MISSING');
      const lockError = await rejection(host.lock('k', 5_000), 'TMUX_MISSING');
      expect(lockError.message).toBe('flock is not installed on host bare');
      // A command that merely exits 127 itself is not a missing program.
      expect((await host.exec(['sh', '-c', 'exit 127'])).code).toBe(127);
    } finally {
      await bare.stop();
    }
  });
});

describe('hostname', () => {
  it('learns each host’s own hostname once, then serves it from memory and the cache file', async () => {
    const counter = join(scratch, 'ssh-count');
    const wrapper = join(scratch, 'counting-ssh');
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${counter}'\nexec ssh "$@"\n`, { mode: 0o755 });
    const cacheFile = join(scratch, 'cache', 'hostnames.json');
    // Remote commands that ask for the name (connection checks and warm-ups are not counted).
    const spawned = () => (existsSync(counter) ? readFileSync(counter, 'utf8').split('\n').filter((l) => l.includes("'uname' '-n'")).length : 0);

    const first = new SshHost(a.hostOptions('a', { sshProgram: wrapper, hostnameCacheFile: cacheFile }));
    expect(await Promise.all([first.shortHostname(), first.shortHostname()])).toEqual(['remote-a', 'remote-a']);
    expect(await first.shortHostname()).toBe('remote-a');
    expect(spawned()).toBe(1);

    const again = new SshHost(a.hostOptions('a', { sshProgram: wrapper, hostnameCacheFile: cacheFile }));
    expect(await again.shortHostname()).toBe('remote-a');
    expect(spawned()).toBe(1);
    expect(JSON.parse(readFileSync(cacheFile, 'utf8'))[`root@127.0.0.1:${a.port}`].hostname).toBe('remote-a');

    const other = new SshHost(b.hostOptions('b', { sshProgram: wrapper, hostnameCacheFile: cacheFile }));
    expect(await other.shortHostname()).toBe('remote-b');
    expect(spawned()).toBe(2);

    const pinned = new SshHost(b.hostOptions('b', { sshProgram: wrapper, hostnameOverride: 'pinned' }));
    expect(await pinned.shortHostname()).toBe('pinned');
    expect(spawned()).toBe(2);
  });
});

describe('connection reuse', () => {
  it('keeps one master per host: ssh -O check succeeds and warm commands are faster than the first', async () => {
    const host = new SshHost(b.hostOptions('b', { controlDir: b.controlDir() }));
    expect(await host.masterRunning()).toBe(false);
    const cold = await timed(() => host.exec(['true']));
    expect(await host.masterRunning()).toBe(true);
    const warm: number[] = [];
    for (let i = 0; i < 5; i += 1) warm.push(await timed(() => host.exec(['true'])));
    warm.sort((x, y) => x - y);
    expect(warm[2]!).toBeLessThan(cold);
    await host.closeMaster();
    expect(await host.masterRunning()).toBe(false);
  });

  it('shares the master across SshHost objects for the same destination', async () => {
    const one = new SshHost(a.hostOptions('a'));
    await one.exec(['true']);
    const check = spawnSync(a.sshArgv()[0]!, [...a.sshArgv().slice(1), '-O', 'check', 'root@127.0.0.1'], { encoding: 'utf8' });
    expect(check.status).toBe(0);
    expect(check.stderr).toMatch(/Master running/);
    expect(await new SshHost(a.hostOptions('a')).masterRunning()).toBe(true);
  });
});

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** A loopback port nobody listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 1));
    });
  });
}
