// Framing of tmux control-mode output: %begin/%end|%error blocks and notifications, bytes in, events out.

export interface ControlBlock {
  kind: 'block';
  /** 1 for a command this client sent on its stdin, 0 for others run on its behalf (the attach command, hooks). */
  flags: number;
  ok: boolean;
  /** The block's lines, each with its newline: exactly what a forked tmux prints for them. */
  text: string;
}

export interface ControlNotification {
  kind: 'notification';
  /** The whole line without its newline, e.g. `%sessions-changed`. */
  line: string;
}

export interface ControlExit {
  kind: 'exit';
  reason: string;
}

export type ControlEvent = ControlBlock | ControlNotification | ControlExit;

/** Feeds stdout chunks of `tmux -C`, calls `emit` per complete event. Block text is decoded once whole (UTF-8 safe). */
export class ControlParser {
  private pending: Buffer[] = [];
  private block: { guard: string; flags: number; lines: Buffer[] } | null = null;

  constructor(private readonly emit: (event: ControlEvent) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      const line = this.pending.length > 0 ? Buffer.concat([...this.pending, piece]) : piece;
      this.pending = [];
      this.line(line);
      start = nl + 1;
    }
    if (start < chunk.length) this.pending.push(Buffer.from(chunk.subarray(start)));
  }

  private line(line: Buffer): void {
    if (this.block) {
      // Only the guard that matches this block's %begin ends it: a pane showing "%end ..." is just content.
      if (line[0] === 0x25 /* % */) {
        const text = line.toString('latin1');
        const ended = text === `%end ${this.block.guard}` ? true : text === `%error ${this.block.guard}` ? false : null;
        if (ended !== null) {
          const { flags, lines } = this.block;
          this.block = null;
          const body = lines.length === 0 ? '' : Buffer.concat(lines.flatMap((l) => [l, NEWLINE])).toString('utf8');
          this.emit({ kind: 'block', flags, ok: ended, text: body });
          return;
        }
      }
      this.block.lines.push(Buffer.from(line));
      return;
    }
    const text = line.toString('utf8');
    if (text.startsWith('%begin ')) {
      const guard = text.slice('%begin '.length);
      this.block = { guard, flags: Number.parseInt(guard.split(' ')[2] ?? '0', 10) || 0, lines: [] };
      return;
    }
    if (text === '%exit' || text.startsWith('%exit ')) {
      this.emit({ kind: 'exit', reason: text.slice('%exit'.length).trim() });
      return;
    }
    if (text.startsWith('%')) this.emit({ kind: 'notification', line: text });
  }
}

const NEWLINE = Buffer.from('\n');
