// Input between two dashed lines with a `you: ` prompt, queued messages in their own area, a two-line footer.
import { draftDisplay, type SimState, type TranscriptEntry } from '../state.js';
import { block, firstLine, oneLine, safeName, styled, truncate } from '../text.js';
import { textWidth } from '../width.js';
import type { Layout, LayoutParts, View } from './types.js';

export const DASHED_PROMPT = 'you: ';
export const DASHED_BUSY = '(thinking…)';
export const DASHED_KEYS = 'enter send · ctrl-u clear · /exit quit';
const INDENT = '     ';
const PENDING = 'pending> ';

export const dashedLayout: Layout = {
  parts(state: SimState, _now: number, width: number, view: View): LayoutParts {
    const dashes = '- '.repeat(Math.ceil(width / 2)).slice(0, width).trimEnd();
    const lines = inputRows(state, width, view);
    const cursorCol = draftDisplay(state) === '' ? DASHED_PROMPT.length : textWidth(lines[lines.length - 1]!);
    const activity = state.turn ? [DASHED_BUSY] : [];
    for (const queued of state.queue) activity.push(`${PENDING}${oneLine(firstLine(queued), width - PENDING.length, PENDING.length)}`);
    const mode = `state: ${state.turn ? 'busy' : 'idle'} · queued ${state.queue.length}`;
    return {
      header: [truncate(dashedLayout.header(state.config.name, state.session), width), ''],
      activity: activity.map((row) => truncate(row, width)),
      bottom: [dashes, ...lines, dashes, truncate(DASHED_KEYS, width), truncate(mode, width)],
      box: { start: 1, end: 1 + lines.length },
      cursor: { row: lines.length, col: Math.min(width - 1, cursorCol) },
    };
  },
  header(name: string, session: number): string {
    return `[dashed] ${safeName(name)} / session ${session}`;
  },
  entryRows(entry: TranscriptEntry, width: number): string[] {
    if (entry.kind === 'user') return block(entry.text, DASHED_PROMPT, INDENT, width);
    if (entry.kind === 'reply') return block(entry.text, 'bot: ', INDENT, width);
    return block(entry.text, '', INDENT, width);
  },
};

function inputRows(state: SimState, width: number, view: View): string[] {
  const display = draftDisplay(state);
  if (display !== '') return block(display, DASHED_PROMPT, INDENT, width);
  if (view.placeholder === null) return [DASHED_PROMPT];
  return [`${DASHED_PROMPT}${styled(oneLine(view.placeholder, width - DASHED_PROMPT.length), view.placeholderStyle)}`];
}
