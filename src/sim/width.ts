// Terminal cell width of text, measured the way tmux measures it on Linux (glibc wcwidth), so a frame
// the sim lays out is exactly as wide on screen as it thinks.
import { DOUBLE_WIDTH, ZERO_WIDTH } from './width-table.js';

const ZWJ = 0x200d;
export const TAB_STOP = 8;

/** Column width of one code point on its own: 0, 1 or 2. Control characters count 0 (callers sanitize them first). */
export function charWidth(code: number): number {
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return 0;
  if (code < 0x300) return 1;
  if (inRanges(ZERO_WIDTH, code)) return 0;
  return inRanges(DOUBLE_WIDTH, code) ? 2 : 1;
}

/**
 * Width of `code` when it follows `previous`: tmux joins a wide character that comes right after a
 * zero-width joiner into the joiner's cell (👨‍👩‍👧 is two columns), otherwise widths simply add up.
 */
export function widthAfter(previous: number | undefined, code: number): number {
  const width = charWidth(code);
  return previous === ZWJ && width === 2 ? 0 : width;
}

/** Columns the text takes on screen; SGR sequences count 0, tabs are not expected (expand them first). */
export function textWidth(text: string): number {
  let width = 0;
  let previous: number | undefined;
  for (const char of text.replace(/\x1b\[[0-9;]*m/g, '')) {
    const code = char.codePointAt(0)!;
    width += widthAfter(previous, code);
    previous = code;
  }
  return width;
}

/** Replace each tab with spaces up to the next 8-column stop, counting from column `startColumn`. */
export function expandTabs(text: string, startColumn = 0): string {
  if (!text.includes('\t')) return text;
  let out = '';
  let column = startColumn;
  let previous: number | undefined;
  for (const char of text) {
    if (char === '\t') {
      const spaces = TAB_STOP - (column % TAB_STOP);
      out += ' '.repeat(spaces);
      column += spaces;
      previous = undefined;
      continue;
    }
    const code = char.codePointAt(0)!;
    column += widthAfter(previous, code);
    previous = code;
    out += char;
  }
  return out;
}

// Binary search over flattened [first, last] pairs.
function inRanges(ranges: readonly number[], code: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (code < ranges[mid * 2]!) hi = mid - 1;
    else if (code > ranges[mid * 2 + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}
