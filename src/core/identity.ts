import { hostname } from 'node:os';
import { run } from '../exec/run.js';
import { shortName } from '../host/local.js';
import type { Endpoint } from '../delivery/body.js';

/** This machine's `hostname -s`. */
export function localShortHostname(): string {
  return shortName(hostname());
}

/** Who is sending: this host, and the tmux session we run inside ('?' outside tmux). Read-only: asks only the
 *  server named by $TMUX (the sender's own), which is what the addressing standard means by src_session. */
export async function detectSelf(env: NodeJS.ProcessEnv = process.env): Promise<Endpoint> {
  const host = localShortHostname();
  const tmuxVar = env.TMUX;
  if (!tmuxVar) return { host, session: '?' };
  const socketPath = tmuxVar.split(',')[0];
  if (!socketPath) return { host, session: '?' };
  const args = ['tmux', '-S', socketPath, 'display-message', '-p'];
  if (env.TMUX_PANE) args.push('-t', env.TMUX_PANE);
  args.push('#{session_name}');
  const r = await run(args, { timeoutMs: 3_000 });
  const session = r.code === 0 ? r.stdout.trim() : '';
  return { host, session: session || '?' };
}

/** The socket path and pane of the tmux client we run inside, if any. */
export function enclosingTmux(env: NodeJS.ProcessEnv = process.env): { socketPath: string; pane: string | undefined } | null {
  const socketPath = env.TMUX?.split(',')[0];
  return socketPath ? { socketPath, pane: env.TMUX_PANE } : null;
}
