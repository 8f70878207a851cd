// A double-line box with a title in its top border and no prompt glyph inside, and a status footer under it.
import { draftDisplay, type SimState, type TranscriptEntry } from '../state.js';
import { block, padTo, safeName, styled, truncate, oneLine } from '../text.js';
import { textWidth } from '../width.js';
import { busySeconds, type Layout, type LayoutParts, type View } from './types.js';

export const DOUBLE_TITLE = ' compose ';

export const doubleLayout: Layout = {
  parts(state: SimState, now: number, width: number, view: View): LayoutParts {
    const inner = width - 4; // "║ " + content + " ║"
    const box = drawContent(state, inner, view);
    const rows = box.lines.map((line) => `║ ${padTo(line, inner)} ║`);
    return {
      header: [truncate(doubleLayout.header(state.config.name, state.session), width), ''],
      activity: [],
      bottom: [topBorder(width), ...rows, `╚${'═'.repeat(width - 2)}╝`, truncate(status(state, now), width)],
      box: { start: 1, end: 1 + rows.length },
      cursor: { row: rows.length, col: 2 + box.cursorCol },
    };
  },
  header(name: string, session: number): string {
    return `== ${safeName(name)} :: session ${session} ==`;
  },
  entryRows(entry: TranscriptEntry, width: number): string[] {
    if (entry.kind === 'user') return block(entry.text, '» ', '  ', width);
    if (entry.kind === 'reply') return block(entry.text, '◆ ', '  ', width);
    return block(entry.text, '', '  ', width);
  },
};

/** The footer under the box: `[idle]` or `[working Ns]`, the queue length when there is one. */
export function status(state: SimState, now: number): string {
  const mode = state.turn ? `[working ${busySeconds(state, now)}s]` : '[idle]';
  const queued = state.queue.length > 0 ? ` queued: ${state.queue.length}` : '';
  return ` ${mode}${queued} ctrl-d quit`;
}

function topBorder(width: number): string {
  const title = truncate(DOUBLE_TITLE, Math.max(0, width - 3));
  return `╔═${title}${'═'.repeat(Math.max(0, width - 3 - textWidth(title)))}╗`;
}

function drawContent(state: SimState, inner: number, view: View): { lines: string[]; cursorCol: number } {
  const display = draftDisplay(state);
  if (display === '') {
    const shown = view.placeholder === null ? '' : styled(oneLine(view.placeholder, inner), view.placeholderStyle);
    return { lines: [shown], cursorCol: 0 };
  }
  const lines = block(display, '', '', inner, 2);
  return { lines, cursorCol: Math.min(inner, textWidth(lines[lines.length - 1]!)) };
}
