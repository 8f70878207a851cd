// What a layout draws; render.ts fits the pieces into the pane and places the cursor.
import type { SimState, TranscriptEntry } from '../state.js';

export type PlaceholderStyle = 'color' | 'dim';

/** How the screen looks, independent of what the REPL does. */
export interface View {
  layout: LayoutName;
  /** Text shown in an empty input area (never typed text); null for none. */
  placeholder: string | null;
  placeholderStyle: PlaceholderStyle;
}

export const LAYOUT_NAMES = ['claude', 'rounded', 'bare', 'double', 'dashed'] as const;
export type LayoutName = (typeof LAYOUT_NAMES)[number];

export interface LayoutParts {
  /** Rows at the very top (dropped first when the pane is too short). */
  header: string[];
  /** Rows between the transcript and the input region: busy line, queued messages. */
  activity: string[];
  /** The input region and everything below it. */
  bottom: string[];
  /** Rows of `bottom` that hold the draft, [start, end): the oldest are dropped when the draft is taller than the pane. */
  box: { start: number; end: number };
  /** Cursor inside `bottom` (row index into bottom, zero-based column). */
  cursor: { row: number; col: number };
}

export interface Layout {
  /** The top row that names the agent and its conversation (a reset increments `session`). */
  header(name: string, session: number): string;
  parts(state: SimState, now: number, width: number, view: View): LayoutParts;
  /** Transcript rows of one entry. */
  entryRows(entry: TranscriptEntry, width: number): string[];
}

/** Whole seconds the current turn has run. */
export function busySeconds(state: SimState, now: number): number {
  return state.turn ? Math.max(0, Math.floor((now - state.turn.startedAt) / 1000)) : 0;
}
