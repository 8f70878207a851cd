import { describe, expect, it } from 'vitest';
import { parseKeys } from '../../src/top/keys.js';

describe('parseKeys', () => {
  it('reads arrows, paging, Enter, Backspace, Ctrl-C and text from one chunk', () => {
    expect(parseKeys('\x1b[A\x1bOB\x1b[5~\x1b[6~\r\x7f\x03ab')).toEqual([
      { name: 'up' }, { name: 'down' }, { name: 'pageup' }, { name: 'pagedown' }, { name: 'enter' }, { name: 'backspace' }, { name: 'ctrl-c' },
      { name: 'char', ch: 'a' }, { name: 'char', ch: 'b' },
    ]);
  });

  it('a lone Esc is escape; an unknown sequence is dropped whole, never typed', () => {
    expect(parseKeys('\x1b')).toEqual([{ name: 'escape' }]);
    expect(parseKeys('\x1b[1;5Cx')).toEqual([{ name: 'char', ch: 'x' }]);
  });

  it('keeps characters outside the BMP together', () => {
    expect(parseKeys('é😀')).toEqual([{ name: 'char', ch: 'é' }, { name: 'char', ch: '😀' }]);
  });
});
