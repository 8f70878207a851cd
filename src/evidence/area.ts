import type { Screen, ScreenLine } from '../runtimes/types.js';

// Where the input area is on a screen no profile knows. A REPL keeps its cursor where typing goes, so the input
// area is the block of rows that ends at the cursor row: up to the row that starts the entry (a prompt), a frame
// border, or a blank row. Nothing here knows any particular REPL.

export interface CursorArea {
  /** First row of the block. */
  top: number;
  /** The cursor row. */
  row: number;
  /** What is typed there: frame glyphs, the prompt and placeholder-styled runs removed; rows joined with \n. */
  text: string;
  /** The cursor row shows a prompt or a frame, so an empty `text` is positively an empty input area. */
  marked: boolean;
  /** The cursor row as drawn (trailing blanks removed): compared with a learned empty look. */
  cursorRow: string;
}

/** Rows above the cursor that can belong to one entry (a long paste wraps over many rows). */
const MAX_BLOCK_ROWS = 80;
const FRAME_LEFT = /^\s*[│║┃|▌▐▏]\u00a0?\s?/u;
const FRAME_RIGHT = /\s?[│║┃|▌▐▕]\s*$/u;
// A prompt that starts an entry: glyphs REPLs use, `>>>`, a short word ending in `>` or `:` ("you: "), or a shell
// prompt (one token, or a bracketed one, ending in $ # %).
const START_PROMPT = /^\s*(?:>>>|[❯>›»$%#❮▶➜→λ]|[A-Za-z][\w-]{0,15}[>:]|\S{1,80}?[$#%]|\[[^\]]{1,80}\][$#%])(?=[\u00a0 ]|$)[\u00a0 ]?/u;
// Continuation rows of a multi-line entry in prompt-style REPLs.
const CONTINUATION = /^\s*(?:\.\.\.|…)(?=[\u00a0 ]|$)[\u00a0 ]?/u;
const BORDER_GLYPHS = /^[─━═╌┄┈╍┅\-=~_▀▄╭╮╰╯╔╗╚╝┌┐└┘┏┓┗┛+├┤╠╣╹╻┬┴╦╩ ]+$/u;

/** A horizontal frame or rule row: only line-drawing glyphs (at least four of them) and spaces. */
export function isBorderRow(text: string): boolean {
  const t = text.trim();
  return t.length >= 4 && BORDER_GLYPHS.test(t) && t.replace(/ /g, '').length >= 4;
}

/** The input area around the cursor, or null when the cursor is unknown or off the screen. */
export function readCursorArea(screen: Screen): CursorArea | null {
  const y = cursorRowOf(screen);
  if (y === undefined || !Number.isInteger(y) || y < 0 || y >= screen.lines.length) return null;
  const lines = screen.lines;
  const cursorLine = lines[y]!;
  if (isBorderRow(cursorLine.text)) return { top: y, row: y, text: '', marked: false, cursorRow: cursorLine.text };
  const first = unframe(cursorLine.text);
  let top = y;
  if (!START_PROMPT.test(first.inner)) {
    // Walk up through continuation rows to the row that starts the entry.
    while (top > 0 && y - top < MAX_BLOCK_ROWS) {
      const prev = lines[top - 1]!;
      if (isBorderRow(prev.text) || prev.text.trim() === '') break;
      const above = unframe(prev.text);
      // Leaving the frame the cursor is in (or entering one from a frameless row) ends the block.
      if (above.framed !== first.framed) break;
      top -= 1;
      if (START_PROMPT.test(above.inner)) break;
    }
  }
  const rows = lines.slice(top, y + 1);
  const startsWithPrompt = START_PROMPT.test(unframe(lines[top]!.text).inner);
  return {
    top,
    row: y,
    text: typedText(rows, startsWithPrompt),
    marked: first.framed || START_PROMPT.test(first.inner) || CONTINUATION.test(first.inner),
    cursorRow: cursorLine.text,
  };
}

/** Where typing goes: the terminal cursor, or the cell a REPL draws as its cursor when it hides the terminal's. */
export function cursorRowOf(screen: Screen): number | undefined {
  if (screen.cursorHidden) return screen.drawnCursor?.row;
  return screen.cursorY;
}

/** The row without a left/right frame glyph, and whether it had one. */
function unframe(text: string): { inner: string; framed: boolean } {
  const inner = text.replace(FRAME_LEFT, '').replace(FRAME_RIGHT, '');
  return { inner, framed: inner !== text };
}

/** Typed text of the block: placeholder-styled runs (dim, grey, italic) blanked, frames and prompts removed. */
function typedText(rows: ScreenLine[], startsWithPrompt: boolean): string {
  const out = rows.map((row, i) => {
    const seen = row.plain ?? row.solid;
    let inner = seen.replace(FRAME_LEFT, '').replace(FRAME_RIGHT, '');
    const drawn = row.text.replace(FRAME_LEFT, '').replace(FRAME_RIGHT, '');
    if (i === 0 && startsWithPrompt) inner = stripLeading(inner, drawn);
    else inner = inner.replace(CONTINUATION, '');
    return inner.trimEnd();
  });
  // The cursor cell is drawn in reverse video, un-styling the first character of a placeholder it sits on.
  if (out.length === 1 && [...out[0]!.trim()].length === 1) {
    const drawn = unframed(rows[0]!.text, startsWithPrompt).trim();
    if ([...drawn].length > 1 && drawn.startsWith(out[0]!.trim())) out[0] = '';
  }
  while (out.length > 0 && out[out.length - 1]!.trim() === '') out.pop();
  return out.join('\n').trim();
}

function unframed(text: string, startsWithPrompt: boolean): string {
  const inner = text.replace(FRAME_LEFT, '').replace(FRAME_RIGHT, '');
  return startsWithPrompt ? inner.replace(START_PROMPT, '') : inner;
}

/** Remove the prompt from the styled row, using the drawn row to find it (a dim prompt is blank in `plain`). */
function stripLeading(styled: string, drawn: string): string {
  const m = START_PROMPT.exec(drawn);
  if (!m) return styled;
  return [...styled].slice([...m[0]].length).join('');
}
