// The well-known address of a host's fleet service for senders on other hosts (docs/remote.md). Kept apart from
// paths.ts so the thin client never loads node:crypto.
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serviceDir } from './paths.cjs';

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
