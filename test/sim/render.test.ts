import { describe, expect, it } from 'vitest';
import type { InputEvent } from '../../src/sim/input.js';
import { BUSY_FOOTER, DIM, IDLE_FOOTER, PROMPT, QUEUED_PLACEHOLDER, UNDIM, frameToAnsi, renderFrame, splitFrameToAnsi, wrap } from '../../src/sim/render.js';
import { applyInput, createState, type SimConfig, type SimState } from '../../src/sim/state.js';

const config: SimConfig = { name: 'r1', swallowMs: 0, busyMs: 0, ignoreEnter: false, placeholderLines: 2, enterNewlineMs: 0, ignoreEnters: 0 };
const size = { columns: 40, rows: 20 };

function stateAfter(events: InputEvent[], overrides: Partial<SimConfig> = {}, now = 0): SimState {
  return events.reduce((s, e) => applyInput(s, e, now).state, createState({ ...config, ...overrides }));
}

/** The rows strictly between the last two rules, as product code would find the input box. */
function boxRows(lines: string[]): string[] {
  const rules = lines.flatMap((l, i) => (/^─+$/.test(l) ? [i] : []));
  const [a, b] = rules.slice(-2) as [number, number];
  return lines.slice(a + 1, b);
}

const type = (text: string): InputEvent => ({ kind: 'text', text });
const enter: InputEvent = { kind: 'enter' };

describe('sim renderer', () => {
  it('draws header, blank, rule, NBSP prompt, rule, footer on an idle screen', () => {
    const frame = renderFrame(createState(config), 0, size);
    expect(frame.lines).toEqual(['sim · r1 · session 1', '', '─'.repeat(40), '❯\u00a0', '─'.repeat(40), IDLE_FOOTER]);
    expect(frame.cursor).toEqual({ row: 3, col: 2 });
  });

  it('puts the draft between the last two rules with two-space continuation rows', () => {
    const frame = renderFrame(stateAfter([type('first\nsecond')]), 0, size);
    expect(boxRows(frame.lines)).toEqual([`${PROMPT}first`, '  second']);
    expect(frame.lines.at(-1)).toBe('');
    expect(frame.cursor).toEqual({ row: 4, col: 8 });
  });

  it('wraps long draft lines to the width with a two-space indent', () => {
    const frame = renderFrame(stateAfter([type('x'.repeat(60))]), 0, size);
    expect(boxRows(frame.lines)).toEqual([`${PROMPT}${'x'.repeat(38)}`, `  ${'x'.repeat(22)}`]);
  });

  it('wraps wide characters by column, not by code unit', () => {
    expect(wrap('日本語日本語', 5, 5)).toEqual(['日本', '語日', '本語']);
  });

  it('shows paste placeholders in the box', () => {
    const frame = renderFrame(stateAfter([{ kind: 'paste', text: 'a\nb\nc\nd' }]), 0, size);
    expect(boxRows(frame.lines)).toEqual([`${PROMPT}[Pasted text #1 +3 lines]`]);
  });

  it('shows transcript, spinner, queued messages and the dim queue placeholder while busy', () => {
    const busy = stateAfter([type('one\ntwo'), enter, type('queued msg\nmore'), enter], { busyMs: 10_000 });
    const frame = renderFrame(busy, 3_500, size);
    expect(frame.lines.slice(0, 6)).toEqual(['sim · r1 · session 1', '', '❯ one', '  two', '✻ Working… (3s)', '  ❯ queued msg']);
    expect(boxRows(frame.lines)).toEqual([`${PROMPT}${DIM}${QUEUED_PLACEHOLDER}${UNDIM}`]);
    expect(frame.lines.at(-1)).toBe(BUSY_FOOTER);
  });

  it('shows the reply row after a processed message', () => {
    const frame = renderFrame(stateAfter([type('hello'), enter]), 0, size);
    expect(frame.lines.slice(2, 4)).toEqual(['❯ hello', '● ok r1 received 5 chars']);
  });

  it('keeps the frame within the pane height by dropping the oldest transcript rows', () => {
    const many = Array.from({ length: 30 }, (_, i) => [type(`m${i}`), enter]).flat();
    const frame = renderFrame(stateAfter(many), 0, { columns: 40, rows: 12 });
    expect(frame.lines).toHaveLength(12);
    expect(frame.lines[0]).toBe('sim · r1 · session 1');
    expect(frame.lines.slice(-5, -4)).toEqual(['● ok r1 received 3 chars']);
    expect(frame.lines).toContain('❯ m29');
    expect(frame.lines).not.toContain('❯ m0');
  });

  it('keeps the end of a draft taller than the pane', () => {
    const tall = Array.from({ length: 30 }, (_, i) => `line${i}`).join('\n');
    const frame = renderFrame(stateAfter([type(tall)]), 0, { columns: 40, rows: 10 });
    expect(frame.lines).toHaveLength(10);
    expect(boxRows(frame.lines).at(-1)).toBe('  line29');
    expect(frame.cursor.row).toBe(7);
  });

  it('draws control characters in caret notation', () => {
    const frame = renderFrame(stateAfter([{ kind: 'paste', text: 'a\x1b[31mb' }]), 0, size);
    expect(boxRows(frame.lines)).toEqual([`${PROMPT}a^[[31mb`]);
  });

  it('renders to a full-redraw escape string with the cursor parked in the box', () => {
    const ansi = frameToAnsi(renderFrame(createState(config), 0, size));
    expect(ansi.startsWith('\x1b[H\x1b[2Jsim · r1 · session 1\r\n')).toBe(true);
    expect(ansi.endsWith('\x1b[4;3H')).toBe(true);
  });

  it('splits a frame into a top half without the input box and the rest with the cursor', () => {
    const frame = renderFrame(createState(config), 0, size);
    const [top, rest] = splitFrameToAnsi(frame);
    expect(top).toBe('\x1b[H\x1b[2Jsim · r1 · session 1\r\n\r\n' + '─'.repeat(40));
    expect(top).not.toContain(PROMPT);
    expect(rest).toBe(`\x1b[4;1H${PROMPT}\r\n${'─'.repeat(40)}\r\n${IDLE_FOOTER}\x1b[4;3H`);
  });
});
