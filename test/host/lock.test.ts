// The remote send lock: flock held on the ssh host, exclusive across senders, released by the kernel when the
// holder goes away, shared with LocalHost locks on the same machine, and usable as a command channel.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetError } from '../../src/errors.js';
import { LocalHost } from '../../src/host/local.js';
import { SshHost } from '../../src/host/ssh.js';
import { startSshd, type TestSshd } from '../helpers/sshd.js';
import { waitFor } from '../helpers/tmux.js';
import { HOSTILE_ARGS, HOSTILE_BODY, PWNED_FILES } from './hostile.js';

let a: TestSshd;
let b: TestSshd;
let same: TestSshd;
const scratch = mkdtempSync(join(tmpdir(), 'mft-lock-test-'));
let keySeq = 0;

beforeAll(async () => {
  [a, b, same] = await Promise.all([
    startSshd({ hostname: 'remote-a' }),
    startSshd({ hostname: 'remote-b' }),
    // This "remote" is this machine with this process's TMUX_TMPDIR: its locks are LocalHost's locks.
    startSshd({ hostname: 'loop', tmuxTmpdir: process.env.TMUX_TMPDIR! }),
  ]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), same?.stop()]);
  rmSync(scratch, { recursive: true, force: true });
});

/** Two senders on one host: separate SshHost objects with separate connections. */
function sender(server: TestSshd, name = 'a'): SshHost {
  return new SshHost(server.hostOptions(name, { controlDir: server.controlDir() }));
}

function freshKey(): string {
  keySeq += 1;
  return `/tmp/tmux-0/sock-%${keySeq}`;
}

/** Track whether a lock promise has settled, without waiting for it. */
function track<T>(p: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  return { settled: () => done, promise: p };
}

/** How many flock processes on the host wait with `-w seconds` (each test uses its own wait time). */
async function flockWaiters(host: SshHost, seconds: number): Promise<number> {
  const r = await host.exec(['sh', '-c', 'ps -e -o args= | grep -c "^flock -x -w $1 9"', 'sh', String(seconds)]);
  return Number.parseInt(r.stdout.trim(), 10);
}

async function code(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (err: unknown) => err);
  return e instanceof FleetError ? e.code : `not a FleetError: ${String(e)}`;
}

describe('exclusion', () => {
  it('a second sender times out, then gets the lock once the first releases', async () => {
    const key = freshKey();
    const [one, two] = [sender(a), sender(a)];
    const held = await one.lock(key, 5_000);
    const started = Date.now();
    expect(await code(two.lock(key, 1_000))).toBe('LOCK_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    const waiting = track(two.lock(key, 20_000));
    // The waiter is parked in flock on the remote: prove it is there before releasing.
    await waitFor('the second flock to wait', () => flockWaiters(one, 20).then((n) => n === 1));
    expect(waiting.settled()).toBe(false);
    await held.release();
    const second = await waiting.promise;
    await second.release();
  });

  it('the kernel releases the lock when the holding ssh is killed', async () => {
    const key = freshKey();
    const [one, two] = [sender(a), sender(a)];
    const held = await one.lock(key, 5_000);
    const waiting = track(two.lock(key, 21_000));
    await waitFor('the second flock to wait', () => flockWaiters(one, 21).then((n) => n === 1));
    expect(waiting.settled()).toBe(false);
    expect(held.pid).toBeGreaterThan(0);
    process.kill(held.pid!, 'SIGKILL');
    const second = await waiting.promise;
    await second.release();
    await held.release(); // already gone: resolves
  });

  it('locks on different hosts are independent', async () => {
    const key = freshKey();
    const onA = await sender(a).lock(key, 2_000);
    const onB = await sender(b, 'b').lock(key, 2_000);
    await Promise.all([onA.release(), onB.release()]);
  });

  it('different keys on one host do not block each other, many at once over one connection', async () => {
    const host = sender(a);
    const locks = await Promise.all(Array.from({ length: 15 }, () => host.lock(freshKey(), 5_000)));
    await Promise.all(locks.map((l) => l.release()));
  });

  it('an SshHost lock and a LocalHost lock on the same machine and key exclude each other', async () => {
    const key = freshKey();
    const local = new LocalHost();
    const remote = sender(same, 'loop');
    const localHeld = await local.lock(key, 2_000);
    expect(await code(remote.lock(key, 1_000))).toBe('LOCK_TIMEOUT');
    await localHeld.release();
    const remoteHeld = await remote.lock(key, 2_000);
    expect(await code(local.lock(key, 1_000))).toBe('LOCK_TIMEOUT');
    await remoteHeld.release();
    await (await local.lock(key, 2_000)).release();
  });
});

describe('the lock as a command channel', () => {
  it('runs commands without new ssh processes, byte-identical, with stdin, exit codes and stderr', async () => {
    for (const f of PWNED_FILES) rmSync(f, { force: true });
    const host = sender(a);
    const held = await host.lock(freshKey(), 5_000);
    try {
      const spawnsBefore = host.spawns;
      const echo = await held.channel.exec(['printf', '%s\\0', ...HOSTILE_ARGS]);
      expect(echo.stdout.split('\0').slice(0, -1)).toEqual(HOSTILE_ARGS);
      const cat = await held.channel.exec(['cat'], { input: HOSTILE_BODY });
      expect(cat.stdout).toBe(HOSTILE_BODY);
      const cat2 = await held.channel.exec(['cat'], { input: Buffer.from('raw\\bytes\n\n') });
      expect(cat2.stdout).toBe('raw\\bytes\n\n');
      const fail = await held.channel.exec(['sh', '-c', 'echo out; echo err >&2; exit 7']);
      expect([fail.code, fail.stdout, fail.stderr]).toEqual([7, 'out\n', 'err\n']);
      expect((await held.channel.exec(['uname', '-n'])).stdout).toBe('remote-a\n');
      // Concurrent callers are queued, one request at a time.
      const many = await Promise.all(Array.from({ length: 10 }, (_, i) => held.channel.exec(['echo', String(i)])));
      expect(many.map((r) => r.stdout)).toEqual(Array.from({ length: 10 }, (_, i) => `${i}\n`));
      expect(await code(held.channel.exec(['no-such-program-xyz']))).toBe('TMUX_MISSING');
      expect(host.spawns).toBe(spawnsBefore);
      for (const f of PWNED_FILES) expect(existsSync(f)).toBe(false);
    } finally {
      await held.release();
    }
    // After release the channel still works, over plain ssh.
    expect((await held.channel.exec(['echo', 'after'])).stdout).toBe('after\n');
  });

  it('a daemon started through the channel does not keep the lock', async () => {
    const key = freshKey();
    const host = sender(a);
    const held = await host.lock(key, 5_000);
    const bg = await held.channel.exec(['sh', '-c', 'sleep 300 </dev/null >/dev/null 2>&1 & echo $!']);
    await held.release();
    try {
      await (await sender(a).lock(key, 2_000)).release();
    } finally {
      await host.exec(['kill', bg.stdout.trim()]);
    }
  });

  it('a command that overruns its timeout reports timedOut; later calls fall back to plain ssh', async () => {
    const host = sender(a);
    const held = await host.lock(freshKey(), 5_000);
    const slow = await held.channel.exec(['sleep', '2'], { timeoutMs: 200 });
    expect(slow.timedOut).toBe(true);
    const before = host.spawns;
    expect((await held.channel.exec(['echo', 'ok'])).stdout).toBe('ok\n');
    expect(host.spawns).toBe(before + 1);
    await held.release();
  });

  it('a remote host that drops mid-lock fails the channel with a typed error', async () => {
    const gone = await startSshd({ hostname: 'gone' });
    const host = new SshHost(gone.hostOptions('gone', { controlDir: gone.controlDir() }));
    const held = await host.lock(freshKey(), 5_000);
    const stuck = held.channel.exec(['sleep', '30']);
    await gone.stop();
    expect(await code(stuck)).toMatch(/HOST_UNREACHABLE|TMUX_FAILED/);
    await held.release();
  });
});
