// Where a fleet's service listens: one socket per roster file, in the user's runtime dir (0700), so a client finds
// it from its command line and environment alone, without reading the roster.
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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

/** The file of a tmux server's socket as tmux finds it: -S as given, -L under $TMUX_TMPDIR (else /tmp)/tmux-<uid>.
 *  The relay on a remote host (remote-client.ts, RELAY_SCRIPT) computes the same, in its own environment. */
export function tmuxSocketFile(socket: { name?: string; path?: string }, env: NodeJS.ProcessEnv): string {
  if (socket.path) return resolve(socket.path);
  let dir = join(env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`);
  try {
    dir = realpathSync(dir);
  } catch {
    // not there yet: the name as written
  }
  return join(dir, socket.name || 'default');
}

/** The well-known address of the service that serves a tmux server: a sender on another host finds it from the socket
 *  alone, without knowing this host's roster. Keyed by the socket's file, not its name: two servers of one name under
 *  different TMUX_TMPDIRs never share it, and an ssh session that would reach another server finds no service. */
export function tmuxAliasPath(socketFile: string, env: NodeJS.ProcessEnv): string {
  return join(serviceDir(env), `tmux-${createHash('sha256').update(socketFile).digest('hex').slice(0, 16)}.sock`);
}
