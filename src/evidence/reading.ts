import type { Observation } from '../tmux/client.js';
import type { RuntimeProfile, Screen } from '../runtimes/types.js';
import { cursorRowOf, readCursorArea } from './area.js';
import { ANY_BUSY, ANY_QUEUED, matchesAny } from './markers.js';

// One reading of a pane: what its input area holds and whether a turn runs, from the runtime's profile when it
// recognises the screen, else from where the cursor is (see area.ts). Evidence is judged on readings (judge.ts).

export type Reader = 'profile' | 'cursor';

export interface Reading {
  screen: Screen;
  dead: boolean;
  pid: number | null;
  inMode: boolean;
  reader: Reader;
  /** The profile recognises this runtime but found no input box on this screen; the cursor was read instead. */
  profileMissed: boolean;
  /** Typed text in the input area; '' when empty; null when no input area can be found. */
  input: string | null;
  /** `input` is '' because the area was seen in its empty state (a prompt, a frame, a box, the learned look). */
  emptyShown: boolean;
  /** The cursor row is exactly one this pane was seen to draw for its empty input area (learned on a steady screen). */
  lookMatched: boolean;
  busy: boolean;
  queued: boolean;
  ready: boolean;
  dialog?: string;
  /** The rows above the input area. */
  transcript: string;
  /** The cursor row as drawn. */
  cursorRow: string | null;
  /** Anything at all is drawn (a blank pane may be a REPL that has not drawn yet). */
  drawn: boolean;
}

export interface ReadHints {
  /** Read this way (learned when the agent started); by default the profile first, then the cursor. */
  reader?: Reader;
  /** The cursor row as this pane draws its empty input area (learned when it was certainly empty: at start, after a
   *  reset). A REPL may rotate its placeholder, so a few are kept. */
  emptyLooks?: string[];
}

/** Profiles for these read nothing of their own: the cursor is the only way in. */
const UNKNOWN_PROFILES = new Set(['generic', 'shell']);

function withFaintBlanked(screen: Screen): Screen {
  return { ...screen, lines: screen.lines.map((l) => (l.plain === undefined || l.plain === l.solid ? l : { ...l, solid: l.plain })) };
}

/** Remember how an empty input area looks on this screen, keeping the newest few. */
export function withEmptyLook(hints: ReadHints, reading: Reading): ReadHints {
  if (reading.cursorRow === null) return hints;
  const looks = [reading.cursorRow, ...(hints.emptyLooks ?? []).filter((l) => l !== reading.cursorRow)].slice(0, 8);
  const out: ReadHints = { ...hints, emptyLooks: looks };
  if (reading.reader === 'cursor') out.reader = 'cursor';
  return out;
}

export function knowsScreen(profile: RuntimeProfile): boolean {
  return !UNKNOWN_PROFILES.has(profile.name);
}

export function readPane(obs: Observation, profile: RuntimeProfile, hints: ReadHints = {}): Reading {
  const screen = obs.screen;
  const base = { screen, dead: obs.dead, pid: obs.pid, inMode: obs.inMode };
  const y = cursorRowOf(screen);
  const cursorRow = y !== undefined ? (screen.lines[y]?.text ?? null) : null;
  let profileMissed = false;
  if (knowsScreen(profile) && hints.reader !== 'cursor') {
    let st = profile.parse(screen);
    // Profiles blank dim runs as placeholders; text that is only grey or italic (a placeholder in colour) is no
    // typing either. Asked only when the profile saw text, and taken only if that text was all such runs.
    if (st.input !== null && st.input !== '') {
      const faint = profile.parse(withFaintBlanked(screen));
      if (faint.input === '') st = faint;
    }
    if (st.input !== null || st.dialog !== undefined || hints.reader === 'profile') {
      const reading: Reading = {
        ...base,
        reader: 'profile',
        profileMissed: false,
        input: st.input,
        emptyShown: st.input === '',
        lookMatched: false,
        busy: st.busy,
        queued: st.queued,
        ready: st.ready && st.input !== null && !obs.dead,
        transcript: st.transcript,
        cursorRow,
        drawn: true,
      };
      if (st.dialog !== undefined) reading.dialog = st.dialog;
      return reading;
    }
    profileMissed = true;
  }
  const area = readCursorArea(screen);
  // A learned look counts only when something is drawn on the row: a cleared frame is blank too.
  const looksEmpty = area !== null && area.cursorRow.trim() !== '' && (hints.emptyLooks ?? []).includes(area.cursorRow);
  const input = area === null ? null : looksEmpty ? '' : area.text;
  const drawn = screen.lines.some((l) => l.text.trim() !== '');
  return {
    ...base,
    reader: 'cursor',
    profileMissed,
    input,
    emptyShown: input === '' && (looksEmpty || area!.marked),
    lookMatched: looksEmpty,
    busy: matchesAny(screen.lines, ANY_BUSY),
    queued: matchesAny(screen.lines, ANY_QUEUED),
    // A raw pane (a shell, a program reading stdin) may show nothing at all; a known REPL read by its cursor must
    // have drawn something first, or a half-started UI would take the paste.
    ready: area !== null && !obs.dead && (drawn || !profileMissed),
    transcript: screen.lines.slice(0, area ? area.top : screen.lines.length).map((l) => l.text).join('\n'),
    cursorRow,
    drawn,
  };
}
