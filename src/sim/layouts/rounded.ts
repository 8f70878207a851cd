// A Gemini-CLI-like look: a hint line, the input in a rounded box (`╭─╮ │ > text │ ╰─╯`), a footer with a path and a model.
import { draftDisplay, type SimState, type TranscriptEntry } from '../state.js';
import { block, firstLine, oneLine, padTo, safeName, styled, truncate } from '../text.js';
import { textWidth } from '../width.js';
import { busySeconds, type Layout, type LayoutParts, type View } from './types.js';

export const ROUNDED_HINT = 'Using: 1 context file';
export const ROUNDED_PATH = '~/work/sim-project (main*)';
export const ROUNDED_MODEL = 'sim-model-2 (99% context left)';
const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
const PROMPT = '> ';
const INDENT = '  ';

export const roundedLayout: Layout = {
  parts(state: SimState, now: number, width: number, view: View): LayoutParts {
    const inner = width - 4; // "│ " + content + " │"
    const box = drawContent(state, inner, view);
    const rows = box.lines.map((line) => `│ ${padTo(line, inner)} │`);
    return {
      header: [truncate(roundedLayout.header(state.config.name, state.session), width), ''],
      activity: activity(state, now, width),
      bottom: [truncate(ROUNDED_HINT, width), `╭${'─'.repeat(width - 2)}╮`, ...rows, `╰${'─'.repeat(width - 2)}╯`, footer(width)],
      box: { start: 2, end: 2 + rows.length },
      cursor: { row: 1 + rows.length, col: 2 + box.cursorCol },
    };
  },
  header(name: string, session: number): string {
    return `✦ Sim CLI · ${safeName(name)} · session ${session}`;
  },
  entryRows(entry: TranscriptEntry, width: number): string[] {
    if (entry.kind === 'user') return block(entry.text, PROMPT, INDENT, width);
    if (entry.kind === 'reply') return block(entry.text, '✦ ', INDENT, width);
    return block(entry.text, '', INDENT, width);
  },
};

function drawContent(state: SimState, inner: number, view: View): { lines: string[]; cursorCol: number } {
  const display = draftDisplay(state);
  if (display === '') {
    const shown = view.placeholder === null ? '' : styled(oneLine(view.placeholder, inner - PROMPT.length), view.placeholderStyle);
    return { lines: [`${PROMPT}${shown}`], cursorCol: PROMPT.length };
  }
  const lines = block(display, PROMPT, INDENT, inner, 2);
  return { lines, cursorCol: Math.min(inner, textWidth(lines[lines.length - 1]!)) };
}

function activity(state: SimState, now: number, width: number): string[] {
  if (!state.turn) return [];
  const seconds = busySeconds(state, now);
  const rows = [truncate(`${SPINNER[seconds % SPINNER.length]} Thinking… (esc to cancel, ${seconds}s)`, width)];
  for (const queued of state.queue) rows.push(`${INDENT}${oneLine(`Queued: ${firstLine(queued)}`, width - INDENT.length, INDENT.length)}`);
  return rows;
}

function footer(width: number): string {
  const gap = width - textWidth(ROUNDED_PATH) - textWidth(ROUNDED_MODEL);
  if (gap < 1) return truncate(ROUNDED_PATH, width);
  return `${ROUNDED_PATH}${' '.repeat(gap)}${ROUNDED_MODEL}`;
}
