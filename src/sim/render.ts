// Pure screen renderer: one full frame for a given state, clock, pane size and layout.
import { type SimState } from './state.js';
import { bareLayout } from './layouts/bare.js';
import { claudeLayout } from './layouts/claude.js';
import { dashedLayout } from './layouts/dashed.js';
import { doubleLayout } from './layouts/double.js';
import { roundedLayout } from './layouts/rounded.js';
import type { Layout, LayoutName, View } from './layouts/types.js';

export { BUSY_FOOTER, IDLE_FOOTER, PROMPT, QUEUED_PLACEHOLDER, RULE_CHAR, headerFor } from './layouts/claude.js';
export { LAYOUT_NAMES, type LayoutName, type PlaceholderStyle, type View } from './layouts/types.js';
export { DIM, GREY, DEFAULT_FG, UNDIM, block, sanitize, wrap } from './text.js';
export { charWidth, textWidth } from './width.js';

export interface Size {
  columns: number;
  rows: number;
}

export interface Frame {
  /** Screen rows top to bottom; may contain SGR sequences (dim, grey); none is wider than the pane. */
  lines: string[];
  /** Zero-based cursor position (kept inside the input area). */
  cursor: { row: number; col: number };
}

export const DEFAULT_VIEW: View = { layout: 'claude', placeholder: null, placeholderStyle: 'color' };

const LAYOUTS: Record<LayoutName, Layout> = {
  claude: claudeLayout,
  rounded: roundedLayout,
  bare: bareLayout,
  double: doubleLayout,
  dashed: dashedLayout,
};

const MIN_COLUMNS = 10;

/** Lay out one full frame: header, transcript tail, activity, then the layout's input region and footer. */
export function renderFrame(state: SimState, now: number, size: Size, view: View = DEFAULT_VIEW): Frame {
  const width = Math.max(MIN_COLUMNS, Math.floor(size.columns) || 80);
  const height = Math.max(1, Math.floor(size.rows) || 24);
  const layout = LAYOUTS[view.layout];
  const parts = layout.parts(state, now, width, view);
  const bottom = [...parts.bottom];
  let cursorRow = parts.cursor.row;
  // When even the input region does not fit, keep the draft's last rows: that is where the cursor is.
  if (bottom.length > height) {
    const drop = Math.max(0, Math.min(bottom.length - height, parts.box.end - parts.box.start - 1));
    bottom.splice(parts.box.start, drop);
    cursorRow -= drop;
  }
  const room = height - bottom.length;
  const top = parts.header.slice(0, Math.max(0, room));
  const tail = transcriptTail(layout, state, parts.activity, width, room - top.length);
  let lines = [...top, ...tail, ...bottom];
  let row = top.length + tail.length + cursorRow;
  if (lines.length > height) {
    row -= lines.length - height;
    lines = lines.slice(-height);
  }
  return { lines, cursor: { row: Math.max(0, Math.min(lines.length - 1, row)), col: Math.min(width - 1, parts.cursor.col) } };
}

/** The header row a layout draws for an agent, e.g. to wait for a sim of that layout to be up. */
export function headerOf(layout: LayoutName, name: string, session = 1): string {
  return LAYOUTS[layout].header(name, session);
}

/** Turn a frame into terminal output: clear, home, rows, then park the cursor in the input area. */
export function frameToAnsi(frame: Frame): string {
  return `\x1b[H\x1b[2J${frame.lines.join('\r\n')}\x1b[${frame.cursor.row + 1};${frame.cursor.col + 1}H`;
}

/**
 * The frame as two writes: the top half (after clearing the screen), then the rest and the cursor. Between them the
 * pane shows a half-drawn frame with no input area, as a real REPL's screen sometimes is when it is read.
 */
export function splitFrameToAnsi(frame: Frame): [string, string] {
  const half = Math.ceil(frame.lines.length / 2);
  const first = `\x1b[H\x1b[2J${frame.lines.slice(0, half).join('\r\n')}`;
  const second = `\x1b[${half + 1};1H${frame.lines.slice(half).join('\r\n')}\x1b[${frame.cursor.row + 1};${frame.cursor.col + 1}H`;
  return [first, second];
}

/** The last `maxRows` transcript rows plus activity; walks entries from the newest so a long history costs nothing per frame. */
function transcriptTail(layout: Layout, state: SimState, activity: string[], width: number, maxRows: number): string[] {
  if (maxRows <= 0) return [];
  const rows = [...activity];
  for (let i = state.transcript.length - 1; i >= 0 && rows.length < maxRows; i--) rows.unshift(...layout.entryRows(state.transcript[i]!, width));
  return rows.slice(Math.max(0, rows.length - maxRows));
}
