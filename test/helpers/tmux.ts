// A private tmux server for one test: random socket name, private TMUX_TMPDIR (from setup.ts),
// a temp HOME with a hostile ~/.tmux.conf, and teardown that kills only that server.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const HOSTILE_TMUX_CONF = [
  'set -g base-index 1',
  'setw -g pane-base-index 1',
  'set -g prefix C-a',
  'bind -n Enter send-keys Escape',
  'set -g default-command "sh -c \\"echo hostile-conf-loaded; exec sh\\""',
  'set -s extended-keys always',
  'set -g status-position top',
  '',
].join('\n');

export interface PrivateTmux {
  socket: string;
  home: string;
  /** Run raw tmux on the private socket (test setup/inspection only). */
  tmux(...args: string[]): { code: number | null; stdout: string; stderr: string };
  cleanup(): void;
}

export function privateTmux(prefix = 'mft'): PrivateTmux {
  const socket = `${prefix}-${randomBytes(4).toString('hex')}`;
  const home = mkdtempSync(join(tmpdir(), `${prefix}-home-`));
  writeFileSync(join(home, '.tmux.conf'), HOSTILE_TMUX_CONF);
  const tmux = (...args: string[]) => {
    const r = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: { ...process.env, HOME: home } });
    return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  return {
    socket,
    home,
    tmux,
    cleanup() {
      tmux('kill-server');
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Poll `check` until it returns a truthy value or `timeoutMs` passes. Throws with `what` on timeout. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
