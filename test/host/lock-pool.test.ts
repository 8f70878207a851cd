// The fleet service's long-lived flock holders on real flock: exclusive against any other process's flock on the same
// file, a timeout typed like the per-lock holder's, holders reused across locks, and a lock that goes with its
// process when that process is killed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FleetError } from '../../src/errors.js';
import { LockPool } from '../../src/host/lock-pool.js';
import { waitFor } from '../helpers/tmux.js';

const dir = mkdtempSync(join(tmpdir(), 'mft-lockpool-'));
const file = (name: string) => join(dir, `${name}.lock`);
/** What another process finds: can it take the file's lock right now? */
const freeForOthers = (path: string) => spawnSync('flock', ['-n', path, 'true']).status === 0;

let pool: LockPool;
afterEach(() => pool?.close());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LockPool', () => {
  it('holds a lock against other processes until released, and reuses its holder for the next lock', async () => {
    pool = new LockPool();
    const held = await pool.lock(file('a'), 5_000, 'a');
    expect(freeForOthers(file('a'))).toBe(false);
    await held.release();
    expect(freeForOthers(file('a'))).toBe(true);
    for (let i = 0; i < 5; i += 1) await (await pool.lock(file(i % 2 ? 'a' : 'b'), 5_000, 'x')).release();
    expect(pool.started).toBe(1);
  });

  it('holds several locks at once, one holder each', async () => {
    pool = new LockPool();
    const [x, y] = await Promise.all([pool.lock(file('x'), 5_000, 'x'), pool.lock(file('y'), 5_000, 'y')]);
    expect([freeForOthers(file('x')), freeForOthers(file('y'))]).toEqual([false, false]);
    expect(pool.started).toBe(2);
    await Promise.all([x.release(), y.release()]);
    expect([freeForOthers(file('x')), freeForOthers(file('y'))]).toEqual([true, true]);
  });

  it("waits for another process's lock, and times out with LOCK_TIMEOUT when it is not let go", async () => {
    pool = new LockPool();
    const other = spawn('flock', [file('busy'), 'sh', '-c', 'echo in; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => other.stdout.once('data', () => resolve()));
    const error = await pool.lock(file('busy'), 1_000, 'busy pane').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetError);
    expect((error as FleetError).code).toBe('LOCK_TIMEOUT');
    // The holder that timed out is still good; when the other process lets go, the lock is ours.
    const waiting = pool.lock(file('busy'), 10_000, 'busy pane');
    other.stdin.end();
    const held = await waiting;
    expect(freeForOthers(file('busy'))).toBe(false);
    await held.release();
    expect(pool.started).toBe(1);
  });

  it('a lock file that cannot be opened fails that lock, not the holder', async () => {
    pool = new LockPool();
    const error = await pool.lock(join(dir, 'no-such-dir', 'x.lock'), 1_000, 'nowhere').catch((e: unknown) => e);
    expect((error as FleetError).code).toBe('TMUX_FAILED');
    await (await pool.lock(file('after'), 1_000, 'after')).release();
    expect(pool.started).toBe(1);
  });

  it('a process killed while holding a lock loses it at once (its holder sees its stdin close and exits)', async () => {
    const module = pathToFileURL(join(process.cwd(), 'dist', 'host', 'lock-pool.js')).href;
    const script = `const { LockPool } = await import(${JSON.stringify(module)}); await new LockPool().lock(${JSON.stringify(file('dies'))}, 5000, 'x'); console.log('held'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    expect(freeForOthers(file('dies'))).toBe(false);
    child.kill('SIGKILL');
    await waitFor('the lock let go after its process died', () => freeForOthers(file('dies')));
  });
});
