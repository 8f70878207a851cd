// Where a fleet's service listens: one socket per roster file, in the user's runtime dir (0700), so a client finds
// it from its command line and environment alone, without reading the roster.
import { join } from 'node:path';

export function serviceDir(env: NodeJS.ProcessEnv): string {
  const runtime = env.XDG_RUNTIME_DIR;
  // node:os only without a runtime dir: loading it costs every thin-client start 0.4 ms.
  return runtime ? join(runtime, 'mosaic-fleet') : join((require('node:os') as typeof import('node:os')).tmpdir(), `mosaic-fleet-${process.getuid?.() ?? 'user'}`);
}

/** 64-bit FNV-1a of the path's UTF-8 bytes, 16 hex digits: node:crypto alone would cost a thin client 4 ms to load,
 *  and a collision is harmless (the service's hello names its roster; a client of another roster runs directly). */
export function rosterKey(rosterPath: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(rosterPath, 'utf8')) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash.toString(16).padStart(16, '0');
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
