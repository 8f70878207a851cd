import { writeFileSync } from 'node:fs';
import { Tmux, type SocketSpec } from '../tmux/client.js';
import { resolvePane } from '../tmux/target.js';
import type { Context } from './context.js';

export interface CaptureResult {
  session: string;
  panes: number;
  lines: number;
  file: string | null;
  text: string;
}

/** Save a session's whole scrollback before it is retired. Read-only on any server, the default one included:
 *  only list-panes and capture-pane run, and no config is passed, so it can never start or change a server. */
export async function captureSession(ctx: Context, session: string, socket: SocketSpec, file?: string): Promise<CaptureResult> {
  const tmux = new Tmux(ctx.localHost, socket);
  const panes = await tmux.listPanes();
  const first = resolvePane(panes, session.startsWith('=') || session.startsWith('%') || session.includes(':') ? session : `=${session}`, tmux.where());
  const mine = first.paneId === session ? [first] : panes.filter((p) => p.sessionName === first.sessionName);
  const parts: string[] = [];
  for (const p of mine) {
    const text = (await tmux.captureHistory(p.paneId, 'all')).replace(/\n+$/, '');
    parts.push(mine.length > 1 ? `### ${p.sessionName}:${p.windowIndex}.${p.paneIndex} (${p.paneId})\n${text}` : text);
  }
  const text = `${parts.join('\n\n')}\n`;
  if (file) writeFileSync(file, text, { mode: 0o600 });
  return { session: first.sessionName, panes: mine.length, lines: text.split('\n').length - 1, file: file ?? null, text };
}
