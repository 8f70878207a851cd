import { spawn } from 'node:child_process';
import { FleetError } from '../errors.js';

/** Static script run under flock: announce the lock, then hold it until our stdin closes (we release, or we die). */
export const HOLD_SCRIPT = 'printf "locked\\n"; exec cat >/dev/null';

/** Spawn a flock holder (argv is already complete, possibly wrapped in ssh) and resolve once it holds the lock. */
export function holdLock(argv: string[], what: string, timeoutMs: number): Promise<{ release(): Promise<void> }> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('holdLock: empty argv');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let held = false;
    const exited = new Promise<void>((done) => child.on('close', () => done()));
    // The guard timer covers a wedged ssh as well as flock's own -w.
    const guard = setTimeout(() => {
      if (!held) child.kill('SIGKILL');
    }, timeoutMs + 5_000);
    child.stdin.on('error', () => {});
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (!held && out.includes('locked\n')) {
        held = true;
        clearTimeout(guard);
        resolve({
          release: async () => {
            child.stdin.end();
            await exited;
          },
        });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(guard);
      reject(
        e.code === 'ENOENT'
          ? new FleetError('TMUX_MISSING', `${file} is not installed`, { hint: 'install util-linux (flock) and openssh-client' })
          : new FleetError('TMUX_FAILED', `cannot start lock holder: ${e.message}`),
      );
    });
    child.on('close', (code) => {
      clearTimeout(guard);
      if (held) return;
      if (code === 1 && err.trim() === '') {
        reject(lockTimeout(what, timeoutMs));
      } else {
        reject(lockFailed(what, err.trim() || `exit ${code}`));
      }
    });
  });
}

/** flock gave up waiting (its -w): another holder kept the lock. */
export function lockTimeout(what: string, timeoutMs: number): FleetError {
  return new FleetError('LOCK_TIMEOUT', `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the send lock on ${what}`, { hint: 'another sender is still delivering to this pane (a send waits up to 60 s for its turn); retry' });
}

/** The lock could not be taken for another reason than a holder keeping it. */
export function lockFailed(what: string, why: string): FleetError {
  return new FleetError('TMUX_FAILED', `lock on ${what} failed: ${why}`, { hint: 'flock (util-linux) must be installed on the tmux host' });
}
