// Text shaping shared by every layout: wrap by terminal cell width, expand tabs, make control characters visible.
import { expandTabs, textWidth, widthAfter } from './width.js';

export const DIM = '\x1b[2m';
export const UNDIM = '\x1b[22m';
/** A grey foreground, as REPLs draw placeholder text (not SGR 2 dim). */
export const GREY = '\x1b[38;5;244m';
export const DEFAULT_FG = '\x1b[39m';

/**
 * Rows for multi-line text: `first` before the very first row, `rest` before every other row, wrapped to width.
 * `column` is the screen column the rows start at (inside a box border), so tabs stop at multiples of 8 on screen.
 */
export function block(text: string, first: string, rest: string, width: number, column = 0): string[] {
  const rows: string[] = [];
  const restWidth = Math.max(1, width - textWidth(rest));
  for (const line of text.split('\n')) {
    const prefix = rows.length === 0 ? first : rest;
    const shown = expandTabs(sanitize(line), column + textWidth(prefix));
    const pieces = wrap(shown, Math.max(1, width - textWidth(prefix)), restWidth);
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
  let previous: number | undefined;
  for (const char of line) {
    const code = char.codePointAt(0)!;
    const w = widthAfter(previous, code);
    previous = code;
    // Zero-width characters stay with the character they modify, never start a row.
    if (w > 0 && used + w > limit && piece !== '') {
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

/** The longest prefix of `text` (no SGR) that fits in `width` columns. */
export function truncate(text: string, width: number): string {
  let out = '';
  let used = 0;
  let previous: number | undefined;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const w = widthAfter(previous, code);
    previous = code;
    if (used + w > width) break;
    out += char;
    used += w;
  }
  return out;
}

/** Text (may hold SGR) followed by spaces up to `width` columns. */
export function padTo(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - textWidth(text)));
}

/** One display line of user text: controls made visible, tabs expanded from `column`, cut to `width`. */
export function oneLine(text: string, width: number, column = 0): string {
  return truncate(expandTabs(sanitize(firstLine(text)), column), width);
}

/** A name for a header: no control characters, no tabs. */
export function safeName(text: string): string {
  return sanitize(text).replace(/\t/g, ' ');
}

export function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

/** Control characters would drive the terminal instead of showing; draw them in caret notation. Tabs are kept. */
export function sanitize(text: string): string {
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
    if (code === 0x7f) return '^?';
    return '?';
  });
}

/** Placeholder text as the layout draws it in an empty input area: grey by default, dim when asked. */
export function styled(text: string, style: 'color' | 'dim'): string {
  return style === 'dim' ? `${DIM}${text}${UNDIM}` : `${GREY}${text}${DEFAULT_FG}`;
}
