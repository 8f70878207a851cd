// A bare prompt with no box at all, like a language REPL: `>>> text`, continuation rows `... `, right after the output.
import { draftDisplay, type SimState, type TranscriptEntry } from '../state.js';
import { block, safeName, styled, truncate, oneLine } from '../text.js';
import { textWidth } from '../width.js';
import { busySeconds, type Layout, type LayoutParts, type View } from './types.js';

export const BARE_PROMPT = '>>> ';
export const BARE_MORE = '... ';

export const bareLayout: Layout = {
  parts(state: SimState, now: number, width: number, view: View): LayoutParts {
    const lines = promptRows(state, width, view);
    const activity: string[] = [];
    if (state.turn) activity.push(truncate(`[busy ${busySeconds(state, now)}s]`, width));
    if (state.queue.length > 0) activity.push(truncate(`queued: ${state.queue.length}`, width));
    const last = lines[lines.length - 1]!;
    const cursorCol = draftDisplay(state) === '' ? BARE_PROMPT.length : textWidth(last);
    return {
      header: [truncate(bareLayout.header(state.config.name, state.session), width)],
      activity,
      bottom: lines,
      box: { start: 0, end: lines.length },
      cursor: { row: lines.length - 1, col: Math.min(width - 1, cursorCol) },
    };
  },
  header(name: string, session: number): string {
    return `simrepl · ${safeName(name)} · session ${session}`;
  },
  entryRows(entry: TranscriptEntry, width: number): string[] {
    if (entry.kind === 'user') return block(entry.text, BARE_PROMPT, BARE_MORE, width);
    return block(entry.text, '', '', width);
  },
};

function promptRows(state: SimState, width: number, view: View): string[] {
  const display = draftDisplay(state);
  if (display !== '') return block(display, BARE_PROMPT, BARE_MORE, width);
  if (view.placeholder === null) return [BARE_PROMPT];
  return [`${BARE_PROMPT}${styled(oneLine(view.placeholder, width - BARE_PROMPT.length), view.placeholderStyle)}`];
}
