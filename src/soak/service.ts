// The fleet service for a soak run (--service): started after the fleet, killed and restarted as a fault, stopped
// before the ledger is read. Its clients are the soak's senders, unchanged: they find it by the roster path.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Bins, PrivateFleet } from './fleet.js';

export interface SoakService {
  readonly pid: number;
  /** SIGKILL it mid-load and start a new one (what systemd's Restart= does). */
  crashAndRestart(): Promise<void>;
  stop(): Promise<void>;
  kills: number;
}

export async function startSoakService(bins: Bins, fleet: PrivateFleet): Promise<SoakService> {
  let current = await spawnService(bins, fleet);
  const handle: SoakService = {
    get pid() {
      return current.child.pid ?? -1;
    },
    kills: 0,
    async crashAndRestart() {
      current.child.kill('SIGKILL');
      await current.exited;
      handle.kills += 1;
      current = await spawnService(bins, fleet);
    },
    async stop() {
      current.child.kill('SIGTERM');
      await current.exited;
    },
  };
  return handle;
}

async function spawnService(bins: Bins, fleet: PrivateFleet): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  const child = spawn(process.execPath, [bins.fleet, 'serve', '--interval', '2'], { env: fleet.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer) => {
      err += c.toString('utf8');
      if (/listening on /.test(err)) {
        child.stderr!.off('data', onData);
        child.stderr!.resume();
        resolve();
      }
    };
    child.stderr!.on('data', onData);
    void exited.then(() => reject(new Error(`mosaic-fleet serve exited before it listened: ${err.slice(0, 500)}`)));
  });
  return { child, exited };
}
