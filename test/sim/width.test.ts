import { describe, expect, it } from 'vitest';
import { charWidth, expandTabs, textWidth } from '../../src/sim/width.js';

describe('terminal cell width (as tmux measures it)', () => {
  it('counts ASCII, CJK, emoji and fullwidth forms', () => {
    expect(textWidth('abc')).toBe(3);
    expect(textWidth('漢字')).toBe(4);
    expect(textWidth('🚀')).toBe(2);
    expect(textWidth('🎉🫠')).toBe(4);
    expect(textWidth('！')).toBe(2);
    expect(textWidth('한국어')).toBe(6);
  });

  it('counts combining marks, joiners and variation selectors as zero', () => {
    expect(textWidth('e\u0301')).toBe(1);
    expect(textWidth('a\u200bb')).toBe(2);
    expect(textWidth('❤\ufe0f')).toBe(1); // tmux 3.3 keeps the text-width base of an emoji presentation sequence
    expect(charWidth(0x200d)).toBe(0);
    expect(charWidth(0xfe0f)).toBe(0);
  });

  it('joins a wide character that follows a zero-width joiner into one cell pair, as tmux does', () => {
    expect(textWidth('👨\u200d👩\u200d👧')).toBe(2);
    expect(textWidth('a\u200d漢')).toBe(1);
    expect(textWidth('a\u200dbc')).toBe(3);
  });

  it('keeps single-width symbols the REPLs draw at one column', () => {
    for (const glyph of ['❯', '✻', '●', '╭', '═', '✦', '…', '⠋', '»', '◆']) expect(textWidth(glyph)).toBe(1);
  });

  it('ignores SGR sequences', () => {
    expect(textWidth('\x1b[38;5;244mgrey\x1b[39m')).toBe(4);
  });

  it('expands tabs to the next 8-column stop from a start column', () => {
    expect(expandTabs('a\tb')).toBe(`a${' '.repeat(7)}b`);
    expect(expandTabs('\t', 2)).toBe(' '.repeat(6));
    expect(expandTabs('漢\tx')).toBe(`漢${' '.repeat(6)}x`);
    expect(expandTabs('no tabs')).toBe('no tabs');
  });
});
