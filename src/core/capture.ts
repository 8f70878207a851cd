import { writeFileSync } from 'node:fs';
import type { Context, SocketSpec } from './context.js';

export interface CaptureResult {
  session: string;
  panes: number;
  lines: number;
  file: string | null;
  text: string;
}

/** Save a session's whole scrollback before it is retired. Read-only on any server, the default one included. */
export async function captureSession(ctx: Context, session: string, socket: SocketSpec, file?: string): Promise<CaptureResult> {
  const target = session.startsWith('=') || session.startsWith('%') || session.includes(':') ? session : `=${session}`;
  const { session: name, panes, text } = await ctx.foreignTransport(socket).capture(target);
  if (file) writeFileSync(file, text, { mode: 0o600 });
  return { session: name, panes, lines: text.split('\n').length - 1, file: file ?? null, text };
}
