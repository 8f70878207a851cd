import { describe, expect, it } from 'vitest';
import { parseCapture } from '../../src/tmux/screen.js';
import { readCursorArea, isBorderRow } from '../../src/evidence/area.js';

// Input areas of layouts no profile knows, found by the cursor alone.
function screen(rows: string[], cursorY: number, extra: { hidden?: boolean } = {}) {
  const s = parseCapture(rows.join('\n'), cursorY);
  if (extra.hidden) s.cursorHidden = true;
  return s;
}

describe('readCursorArea', () => {
  it('reads a rounded box with a prompt, and its empty state with a grey placeholder', () => {
    const typed = screen(['hello', '╭──────────────╮', '│ > fix the build │', '╰──────────────╯', ' ~/src  model'], 2);
    expect(readCursorArea(typed)).toMatchObject({ text: 'fix the build', marked: true, top: 2 });
    const empty = screen(['╭──────────────╮', '│ > \x1b[38;5;244mType your message\x1b[0m │', '╰──────────────╯'], 1);
    expect(readCursorArea(empty)).toMatchObject({ text: '', marked: true });
  });

  it('treats a placeholder in a non-grey colour as text (only a learned empty look can say otherwise)', () => {
    const cyan = screen(['║ > \x1b[36mask me anything\x1b[0m ║'], 0);
    expect(readCursorArea(cyan)!.text).toBe('ask me anything');
  });

  it('reads a multi-line draft in a box up to the row with the prompt', () => {
    const s = screen(['╔══════════╗', '║ > line one ║', '║   line two ║', '║   three    ║', '╚══════════╝'], 3);
    expect(readCursorArea(s)!.text.split('\n').map((l) => l.trim())).toEqual(['line one', 'line two', 'three']);
  });

  it('reads a bare prompt with no box, ignoring the transcript above it', () => {
    const s = screen(['>>> earlier question', 'an answer', '>>> ', ''], 2);
    expect(readCursorArea(s)).toMatchObject({ text: '', marked: true, top: 2 });
    const cont = screen(['>>> first line', '... second line'], 1);
    expect(readCursorArea(cont)!.text).toBe('first line\n... second line'.replace('... ', ''));
  });

  it('reads a word prompt and a shell prompt as prompts', () => {
    expect(readCursorArea(screen(['- - - - - - - -', 'you: ', '- - - - - - - -'], 1))).toMatchObject({ text: '', marked: true });
    expect(readCursorArea(screen(['root@box:~/src# '], 0))).toMatchObject({ text: '', marked: true });
    expect(readCursorArea(screen(['[me@box src]$ ls -l'], 0))!.text).toBe('ls -l');
  });

  it('follows the cell a REPL draws as its cursor when the terminal cursor is hidden', () => {
    const s = screen(['───────────', '❯ \x1b[7m \x1b[0m', '───────────', '  ? for shortcuts'], 3, { hidden: true });
    expect(readCursorArea(s)).toMatchObject({ row: 1, text: '', marked: true });
  });

  it('gives nothing when the cursor is unknown, and no text on a border row', () => {
    expect(readCursorArea(parseCapture('a\nb'))).toBeNull();
    expect(readCursorArea(screen(['──────────'], 0))).toMatchObject({ text: '', marked: false });
    expect(isBorderRow('- - - - - -')).toBe(true);
    expect(isBorderRow('      ')).toBe(false);
    expect(isBorderRow('hello world')).toBe(false);
  });
});
