// tmux (3.3) leaves its socket file behind when the server exits: whoever made a server removes the dead file.
import { connect } from 'node:net';
import { existsSync, lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/** The directory `tmux -L NAME` puts its sockets in: $TMUX_TMPDIR (default /tmp)/tmux-UID. */
export function tmuxSocketDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`);
}

/** Socket files in the tmux socket directory whose names start with `prefix`. */
export function socketFiles(prefix: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const dir = tmuxSocketDir(env);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith(prefix))
    .map((name) => join(dir, name))
    .filter((path) => {
      try {
        return lstatSync(path).isSocket();
      } catch {
        return false;
      }
    });
}

/** Remove the socket file at `path` when no server listens on it any more; a live server's socket stays. */
export async function removeDeadSocket(path: string): Promise<boolean> {
  if (!(await isDead(path))) return false;
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDead(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED' || error.code === 'ENOENT'));
  });
}
