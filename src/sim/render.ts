// Pure screen renderer: a Claude Code look-alike frame for a given state, clock and pane size.
import { draftDisplay, type SimState, type TranscriptEntry } from './state.js';

export interface Size {
  columns: number;
  rows: number;
}

export interface Frame {
  /** Screen rows top to bottom; may contain SGR dim sequences. */
  lines: string[];
  /** Zero-based cursor position (kept inside the input box). */
  cursor: { row: number; col: number };
}

export const PROMPT = '❯\u00a0'; // Claude Code draws NBSP after the prompt glyph
export const RULE_CHAR = '─';
export const DIM = '\x1b[2m';
export const UNDIM = '\x1b[22m';
export const QUEUED_PLACEHOLDER = 'Press up to edit queued messages';
export const IDLE_FOOTER = '  ? for shortcuts';
export const BUSY_FOOTER = '  esc to interrupt';
const INDENT = '  ';
const MIN_COLUMNS = 10;

/** Lay out one full frame: header, blank, transcript tail, rule, input box, rule, footer. */
export function renderFrame(state: SimState, now: number, size: Size): Frame {
  const width = Math.max(MIN_COLUMNS, Math.floor(size.columns) || 80);
  const height = Math.max(1, Math.floor(size.rows) || 24);
  const rule = RULE_CHAR.repeat(width);
  const box = renderBox(state, width);
  const bottom = [rule, ...box.lines, rule, footerFor(state)];
  // When even the box does not fit, keep its last rows: that is where the cursor is.
  if (bottom.length > height) {
    const drop = Math.min(bottom.length - height, box.lines.length - 1);
    bottom.splice(1, drop);
  }
  const room = height - bottom.length;
  const top = [truncate(headerFor(state), width), ''].slice(0, Math.max(0, room));
  const tail = renderTranscriptTail(state, now, width, room - top.length);
  const lines = [...top, ...tail, ...bottom].slice(-height);
  // The box's last row sits above the closing rule and the footer.
  const cursorRow = Math.max(0, lines.length - 3);
  return { lines, cursor: { row: cursorRow, col: box.cursorCol } };
}

/** Turn a frame into terminal output: clear, home, rows, then park the cursor in the box. */
export function frameToAnsi(frame: Frame): string {
  return `\x1b[H\x1b[2J${frame.lines.join('\r\n')}\x1b[${frame.cursor.row + 1};${frame.cursor.col + 1}H`;
}

export function headerFor(state: SimState): string {
  return `sim · ${sanitize(state.config.name)} · session ${state.session}`;
}

function footerFor(state: SimState): string {
  if (state.draft.length > 0) return '';
  return state.turn ? BUSY_FOOTER : IDLE_FOOTER;
}

function renderBox(state: SimState, width: number): { lines: string[]; cursorCol: number } {
  const display = draftDisplay(state);
  if (display === '') {
    if (state.queue.length === 0) return { lines: [PROMPT], cursorCol: 2 };
    const hint = truncate(QUEUED_PLACEHOLDER, width - 2);
    return { lines: [`${PROMPT}${DIM}${hint}${UNDIM}`], cursorCol: 2 };
  }
  const lines = block(display, PROMPT, INDENT, width);
  const last = lines[lines.length - 1]!;
  return { lines, cursorCol: Math.min(width - 1, textWidth(last)) };
}

/** The last `maxRows` transcript rows; walks entries from the newest so a long history costs nothing per frame. */
function renderTranscriptTail(state: SimState, now: number, width: number, maxRows: number): string[] {
  if (maxRows <= 0) return [];
  const rows = state.turn ? renderActivity(state.turn.startedAt, state.queue, now, width) : [];
  for (let i = state.transcript.length - 1; i >= 0 && rows.length < maxRows; i--) rows.unshift(...renderEntry(state.transcript[i]!, width));
  return rows.slice(Math.max(0, rows.length - maxRows));
}

function renderActivity(startedAt: number, queue: readonly string[], now: number, width: number): string[] {
  const seconds = Math.max(0, Math.floor((now - startedAt) / 1000));
  const rows = [truncate(`✻ Working… (${seconds}s)`, width)];
  for (const queued of queue) rows.push(...block(firstLine(queued), `${INDENT}❯ `, INDENT + INDENT, width));
  return rows;
}

function renderEntry(entry: TranscriptEntry, width: number): string[] {
  if (entry.kind === 'user') return block(entry.text, '❯ ', INDENT, width);
  return block(entry.text, '', INDENT, width);
}

/** Rows for multi-line text: `first` before the very first row, `rest` before every other row, wrapped to width. */
export function block(text: string, first: string, rest: string, width: number): string[] {
  const rows: string[] = [];
  const restWidth = Math.max(1, width - textWidth(rest));
  for (const line of text.split('\n')) {
    const prefix = rows.length === 0 ? first : rest;
    const pieces = wrap(sanitize(line), Math.max(1, width - textWidth(prefix)), restWidth);
    pieces.forEach((piece, i) => rows.push((i === 0 ? prefix : rest) + piece));
  }
  return rows;
}

/** Split one line into pieces no wider than the given column counts (first piece, then the rest). */
export function wrap(line: string, firstWidth: number, restWidth: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let used = 0;
  let limit = firstWidth;
  for (const char of line) {
    const w = charWidth(char.codePointAt(0)!);
    if (used + w > limit && piece !== '') {
      pieces.push(piece);
      piece = '';
      used = 0;
      limit = restWidth;
    }
    piece += char;
    used += w;
  }
  pieces.push(piece);
  return pieces;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

function truncate(text: string, width: number): string {
  let out = '';
  let used = 0;
  for (const char of text) {
    const w = charWidth(char.codePointAt(0)!);
    if (used + w > width) break;
    out += char;
    used += w;
  }
  return out;
}

/** Control characters would drive the terminal instead of showing; draw them in caret notation. */
export function sanitize(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\t') return '    ';
    if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
    if (code === 0x7f) return '^?';
    return '?';
  });
}

export function textWidth(text: string): number {
  let width = 0;
  for (const char of text.replace(/\x1b\[[0-9;]*m/g, '')) width += charWidth(char.codePointAt(0)!);
  return width;
}

/** Terminal column width of a code point: 0 for combining marks, 2 for East Asian wide and emoji, else 1. */
export function charWidth(code: number): number {
  if (isZeroWidth(code)) return 0;
  return isWide(code) ? 2 : 1;
}

function isZeroWidth(code: number): boolean {
  return (
    (code >= 0x0300 && code <= 0x036f) ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x20d0 && code <= 0x20ff) ||
    (code >= 0xfe00 && code <= 0xfe0f) ||
    code === 0x200d
  );
}

const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

function isWide(code: number): boolean {
  return WIDE_RANGES.some(([lo, hi]) => code >= lo && code <= hi);
}
