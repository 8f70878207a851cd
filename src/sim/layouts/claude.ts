// Claude Code's look: input box between two full-width rules, ❯ + NBSP prompt, footer under the box.
import { draftDisplay, type SimState, type TranscriptEntry } from '../state.js';
import { DIM, UNDIM, block, firstLine, safeName, styled, truncate, oneLine } from '../text.js';
import { textWidth } from '../width.js';
import { busySeconds, type Layout, type LayoutParts, type View } from './types.js';

export const PROMPT = '❯\u00a0'; // Claude Code draws NBSP after the prompt glyph
export const RULE_CHAR = '─';
export const QUEUED_PLACEHOLDER = 'Press up to edit queued messages';
export const IDLE_FOOTER = '  ? for shortcuts';
export const BUSY_FOOTER = '  esc to interrupt';
const INDENT = '  ';

export function headerFor(state: SimState): string {
  return claudeLayout.header(state.config.name, state.session);
}

export const claudeLayout: Layout = {
  parts(state: SimState, now: number, width: number, view: View): LayoutParts {
    const rule = RULE_CHAR.repeat(width);
    const box = drawBox(state, width, view);
    return {
      header: [truncate(headerFor(state), width), ''],
      activity: state.turn ? activity(state, now, width) : [],
      bottom: [rule, ...box.lines, rule, truncate(footerFor(state), width)],
      box: { start: 1, end: 1 + box.lines.length },
      cursor: { row: box.lines.length, col: box.cursorCol },
    };
  },
  header(name: string, session: number): string {
    return `sim · ${safeName(name)} · session ${session}`;
  },
  entryRows(entry: TranscriptEntry, width: number): string[] {
    if (entry.kind === 'user') return block(entry.text, '❯ ', INDENT, width);
    if (entry.kind === 'reply') return block(`● ${entry.text}`, '', INDENT, width);
    return block(entry.text, '', INDENT, width);
  },
};

function footerFor(state: SimState): string {
  if (state.draft.length > 0) return '';
  return state.turn ? BUSY_FOOTER : IDLE_FOOTER;
}

function drawBox(state: SimState, width: number, view: View): { lines: string[]; cursorCol: number } {
  const display = draftDisplay(state);
  if (display === '') {
    if (state.queue.length > 0) return { lines: [`${PROMPT}${DIM}${truncate(QUEUED_PLACEHOLDER, width - 2)}${UNDIM}`], cursorCol: 2 };
    if (view.placeholder !== null) return { lines: [`${PROMPT}${styled(oneLine(view.placeholder, width - 2), view.placeholderStyle)}`], cursorCol: 2 };
    return { lines: [PROMPT], cursorCol: 2 };
  }
  const lines = block(display, PROMPT, INDENT, width);
  return { lines, cursorCol: Math.min(width - 1, textWidth(lines[lines.length - 1]!)) };
}

function activity(state: SimState, now: number, width: number): string[] {
  const rows = [truncate(`✻ Working… (${busySeconds(state, now)}s)`, width)];
  for (const queued of state.queue) rows.push(...block(firstLine(queued), `${INDENT}❯ `, INDENT + INDENT, width));
  return rows;
}
