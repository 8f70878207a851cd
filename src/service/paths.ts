// Where a fleet's service listens: one socket per roster file, in the user's runtime dir (0700), so a client finds
// it from its command line and environment alone, without reading the roster.
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function serviceDir(env: NodeJS.ProcessEnv): string {
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime ? join(runtime, 'mosaic-fleet') : join(tmpdir(), `mosaic-fleet-${process.getuid?.() ?? 'user'}`);
}

function rosterKey(rosterPath: string): string {
  return createHash('sha256').update(rosterPath).digest('hex').slice(0, 16);
}

export function serviceSocketPath(rosterPath: string, env: NodeJS.ProcessEnv): string {
  return join(serviceDir(env), `serve-${rosterKey(rosterPath)}.sock`);
}

/** Holds the pid of the service that owns the socket (for messages; the lock decides who owns it). */
export function servicePidPath(rosterPath: string, env: NodeJS.ProcessEnv): string {
  return join(serviceDir(env), `serve-${rosterKey(rosterPath)}.pid`);
}

/** The single-instance lock's key (a flock file in the lock dir). */
export function serviceLockKey(rosterPath: string): string {
  return `serve-${rosterKey(rosterPath)}`;
}
