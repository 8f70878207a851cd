// Every input-area layout draws the same REPL states: idle, placeholder, draft, busy, queued, transcript.
import { describe, expect, it } from 'vitest';
import type { InputEvent } from '../../src/sim/input.js';
import { DIM, GREY, LAYOUT_NAMES, renderFrame, type LayoutName, type View } from '../../src/sim/render.js';
import { applyInput, createState, type SimConfig, type SimState } from '../../src/sim/state.js';
import { textWidth } from '../../src/sim/width.js';

const config: SimConfig = { name: 'l1', swallowMs: 0, busyMs: 0, ignoreEnter: false, placeholderLines: 2, enterNewlineMs: 0, ignoreEnters: 0 };
const size = { columns: 40, rows: 20 };
const view = (layout: LayoutName, placeholder: string | null = null): View => ({ layout, placeholder, placeholderStyle: 'color' });

function stateAfter(events: InputEvent[], overrides: Partial<SimConfig> = {}, now = 0): SimState {
  return events.reduce((s, e) => applyInput(s, e, now).state, createState({ ...config, ...overrides }));
}

const type = (text: string): InputEvent => ({ kind: 'text', text });
const paste = (text: string): InputEvent => ({ kind: 'paste', text });
const enter: InputEvent = { kind: 'enter' };
const plain = (line: string) => line.replace(/\x1b\[[0-9;]*m/g, '');

/** Per layout: the rows of the idle empty input area, the row a one-line draft is drawn on, the busy marker and queue indicator. */
const EXPECT: Record<LayoutName, { empty: string[]; draftRow: (t: string) => string; busy: RegExp; queued: RegExp; user: (t: string) => string }> = {
  claude: { empty: ['─'.repeat(40), '❯\u00a0', '─'.repeat(40), '  ? for shortcuts'], draftRow: (t) => `❯\u00a0${t}`, busy: /^✻ Working… \(2s\)$/, queued: /Press up to edit queued messages/, user: (t) => `❯ ${t}` },
  rounded: {
    empty: ['Using: 1 context file', `╭${'─'.repeat(38)}╮`, `│ > ${' '.repeat(34)} │`, `╰${'─'.repeat(38)}╯`, '~/work/sim-project (main*)'],
    draftRow: (t) => `│ > ${t.padEnd(34)} │`,
    busy: /^⠹ Thinking… \(esc to cancel, 2s\)$/,
    queued: /^ {2}Queued: later$/,
    user: (t) => `> ${t}`,
  },
  bare: { empty: ['>>> '], draftRow: (t) => `>>> ${t}`, busy: /^\[busy 2s\]$/, queued: /^queued: 1$/, user: (t) => `>>> ${t}` },
  double: {
    empty: [`╔═ compose ${'═'.repeat(28)}╗`, `║ ${' '.repeat(36)} ║`, `╚${'═'.repeat(38)}╝`, ' [idle] ctrl-d quit'],
    draftRow: (t) => `║ ${t.padEnd(36)} ║`,
    busy: /^ \[working 2s\]/,
    queued: /^ \[working 2s\] queued: 1 ctrl-d quit$/,
    user: (t) => `» ${t}`,
  },
  dashed: {
    empty: ['- '.repeat(20).trimEnd(), 'you: ', '- '.repeat(20).trimEnd(), 'enter send · ctrl-u clear · /exit quit', 'state: idle · queued 0'],
    draftRow: (t) => `you: ${t}`,
    busy: /^\(thinking…\)$/,
    queued: /^pending> later$/,
    user: (t) => `you: ${t}`,
  },
};

describe.each(LAYOUT_NAMES)('layout %s', (layout) => {
  const want = EXPECT[layout];

  it('draws the idle empty input area at the bottom of the frame', () => {
    const frame = renderFrame(createState(config), 0, size, view(layout));
    expect(frame.lines.slice(-want.empty.length)).toEqual(want.empty);
    expect(frame.lines.some((l) => l.includes('l1') && l.includes('session 1'))).toBe(true);
  });

  it('draws a placeholder in grey (not dim) in the empty input area, with the cursor before it', () => {
    const frame = renderFrame(createState(config), 0, size, view(layout, 'Ask me anything'));
    const row = frame.lines.findIndex((l) => l.includes('Ask me anything'));
    expect(row).toBeGreaterThanOrEqual(0);
    expect(frame.lines[row]).toContain(`${GREY}Ask me anything`);
    expect(frame.lines.join('\n')).not.toContain(DIM);
    expect(frame.cursor.row).toBe(row);
    expect(frame.cursor.col).toBe(plain(frame.lines[row]!).indexOf('Ask'));
    const dim = renderFrame(createState(config), 0, size, { ...view(layout, 'Ask me anything'), placeholderStyle: 'dim' });
    expect(dim.lines.join('\n')).toContain(`${DIM}Ask me anything`);
  });

  it('draws a draft in the input area with the cursor right after the text', () => {
    const frame = renderFrame(stateAfter([paste('hello there')]), 0, size, view(layout));
    const row = frame.lines.lastIndexOf(want.draftRow('hello there'));
    expect(row).toBeGreaterThanOrEqual(0);
    expect(frame.cursor).toEqual({ row, col: frame.lines[row]!.indexOf('hello there') + 'hello there'.length });
  });

  it('wraps a long draft to the width and keeps every row inside the frame', () => {
    const frame = renderFrame(stateAfter([paste(`${'word '.repeat(20)}end`)]), 0, size, view(layout));
    expect(frame.lines.filter((l) => l.includes('word')).length).toBeGreaterThan(1);
    for (const line of frame.lines) expect(textWidth(line)).toBeLessThanOrEqual(40);
  });

  it('moves a submitted message from the input area to the transcript, with the reply after it', () => {
    const frame = renderFrame(stateAfter([paste('move me'), enter]), 0, size, view(layout));
    const row = frame.lines.indexOf(want.user('move me'));
    expect(row).toBeGreaterThanOrEqual(0);
    expect(frame.lines[row + 1]).toContain('ok l1 received 7 chars');
    expect(frame.lines.slice(-want.empty.length)).toEqual(want.empty);
  });

  it('shows its busy marker while a turn runs and its queue indicator for a message sent meanwhile', () => {
    const busy = stateAfter([paste('first'), enter], { busyMs: 10_000 });
    expect(renderFrame(busy, 2_500, size, view(layout)).lines.some((l) => want.busy.test(l))).toBe(true);
    expect(renderFrame(busy, 2_500, size, view(layout)).lines.some((l) => want.queued.test(plain(l)))).toBe(false);
    const queued = applyInput(applyInput(busy, paste('later'), 100).state, enter, 100).state;
    const frame = renderFrame(queued, 2_500, size, view(layout));
    expect(frame.lines.some((l) => want.queued.test(plain(l)))).toBe(true);
    expect(frame.lines.some((l) => want.busy.test(l))).toBe(true);
    const idle = renderFrame(createState(config), 2_500, size, view(layout));
    expect(idle.lines.some((l) => want.busy.test(l))).toBe(false);
  });

  it('never submits with ignoreEnter: the draft stays in the input area', () => {
    const frame = renderFrame(stateAfter([paste('stuck'), enter, enter], { ignoreEnter: true }), 0, size, view(layout));
    expect(frame.lines.filter((l) => l.includes('stuck'))).toEqual([want.draftRow('stuck')]);
    expect(frame.lines[frame.cursor.row]).toBe(want.draftRow('stuck'));
    expect(frame.lines.join('\n')).not.toContain('received');
  });

  it('draws tabs as spaces to the next 8-column stop', () => {
    const frame = renderFrame(stateAfter([paste('a\tb')]), 0, size, view(layout));
    const row = frame.lines[frame.cursor.row]!;
    const start = row.indexOf('a');
    expect(row).not.toContain('\t');
    expect((start + row.slice(start).indexOf('b')) % 8).toBe(0);
  });

  it('keeps every frame inside the pane for wide, combining and joined characters', () => {
    const nasty = ['🚀'.repeat(30), '漢字'.repeat(15), 'e\u0301'.repeat(50), '👨\u200d👩\u200d👧 '.repeat(12), 'x🚀'.repeat(20), '\t🚀\t漢\te\u0301'];
    for (const columns of [10, 11, 23, 40]) {
      for (const body of nasty) {
        for (const s of [stateAfter([paste(body)]), stateAfter([paste(body), enter]), stateAfter([paste(body), enter, paste(body)], { busyMs: 5000 })]) {
          const frame = renderFrame(s, 0, { columns, rows: 12 }, view(layout, '漢字 placeholder 🚀'));
          expect(frame.lines.length).toBeLessThanOrEqual(12);
          for (const line of frame.lines) expect(textWidth(line), `${layout} ${columns}: ${line}`).toBeLessThanOrEqual(columns);
          expect(frame.cursor.col).toBeLessThan(columns);
          expect(frame.cursor.row).toBeLessThan(frame.lines.length);
        }
      }
    }
  });

  it('keeps the end of a draft taller than the pane, and the cursor on it', () => {
    const tall = Array.from({ length: 30 }, (_, i) => `line${i}`).join('\n');
    const frame = renderFrame(stateAfter([type(tall)]), 0, { columns: 40, rows: 10 }, view(layout));
    expect(frame.lines).toHaveLength(10);
    expect(plain(frame.lines[frame.cursor.row]!)).toContain('line29');
  });
});
