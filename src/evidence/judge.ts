import type { Reading } from './reading.js';
import { ANY_QUEUED } from './markers.js';
import { countCopies, holdsBody, UNKNOWN_PLACEHOLDER } from './text.js';

// What a sequence of readings proves about one message. Pure: every function takes readings and returns a finding,
// so adversarial screens can be fed to it (test/evidence). The rule: `submitted` and `queued` need positive evidence;
// anything short of it is not a success.

export interface Taken {
  status: 'submitted' | 'queued';
  /** What the screen showed, in words, for the verdict's detail. */
  evidence: string;
  /** 'row': the input area looks exactly as it did empty (or as the profile reads it); 'prompt': only a prompt with
   *  nothing typed is seen at the cursor, which a half-drawn frame can fake, so it must hold for a while. */
  strength: 'row' | 'prompt';
}

/** Our text is in the input area (or a placeholder that stands for it appeared there after our paste). */
export function pasteShown(baseline: Reading, now: Reading, text: string, placeholders: readonly RegExp[]): boolean {
  if (now.dead || now.input === null) return false;
  if (holdsBody(now.input, text, placeholders)) return true;
  return baseline.input === '' && UNKNOWN_PLACEHOLDER.test(now.input) && !UNKNOWN_PLACEHOLDER.test(baseline.transcript + now.transcript);
}

/** The input area is seen in its empty state, and how surely: 'row' when it is drawn exactly as it was seen empty
 *  (the row before our paste, a learnt look) or a profile reads it empty; 'prompt' when the cursor row only shows a
 *  prompt or frame with nothing typed (a new placeholder, a queued hint); null when not empty or not seen. */
export function areaShownEmpty(baseline: Reading, now: Reading): 'row' | 'prompt' | null {
  if (now.input !== '' || !now.ready) return null;
  if (now.reader === 'profile') return now.emptyShown ? 'row' : null;
  // A blank row proves nothing: a cleared frame is blank too.
  if (now.cursorRow === null || now.cursorRow.trim() === '') return null;
  if (now.lookMatched || (baseline.input === '' && now.cursorRow === baseline.cursorRow)) return 'row';
  return now.emptyShown ? 'prompt' : null;
}

/** Evidence that the REPL took `text`: the area that showed it (in `pasted`) is empty again in `now`, and the
 *  transcript or a busy/queued marker moved. Null when `now` proves nothing (which is never a success). */
export function judgeTaken(baseline: Reading, pasted: Reading, now: Reading, text: string, placeholders: readonly RegExp[]): Taken | null {
  if (now.dead || now.inMode || now.input === null) return null;
  // A different process drew this screen: whatever it shows says nothing about our message.
  if (pasted.pid !== null && now.pid !== null && now.pid !== pasted.pid) return null;
  if (holdsBody(now.input, text, placeholders)) return null;
  const empty = areaShownEmpty(baseline, now);
  if (empty === null) return null;
  const moved = movement(pasted, now, text);
  if (moved === null) return null;
  return { status: queuedSign(baseline, pasted, now) ? 'queued' : 'submitted', evidence: moved, strength: empty };
}

/** The REPL's own sign that it took the message for later: its profile's queued marker while busy, or on a screen no
 *  profile reads, a queued/pending line that appeared or changed as our text left the box. */
export function queuedSign(baseline: Reading, pasted: Reading, now: Reading): boolean {
  if (now.reader === 'profile') return now.queued && (baseline.busy || pasted.busy || now.busy);
  const before = new Set(pasted.screen.lines.map((l) => l.text));
  return now.screen.lines.some((l) => !before.has(l.text) && ANY_QUEUED.some((p) => p.test(l.text)) && !NOTHING_QUEUED.test(l.text));
}

// A status line that counts nothing ("queued 0", "0 pending") is not a sign.
const NOTHING_QUEUED = /\b(queued|pending):?\s*0\b|\b0\s+(queued|pending)\b/i;

/** What changed outside the input area between `before` and `now`, strongest first; null when nothing did. */
export function movement(before: Reading, now: Reading, text: string): string | null {
  if (countCopies(now.transcript, text) > countCopies(before.transcript, text)) return 'the message moved from the input box to the transcript';
  if (now.queued && !before.queued) return 'a queued-message sign appeared';
  if (now.busy && !before.busy) return 'the REPL started a turn';
  if (now.transcript !== before.transcript) return 'the input box emptied and the transcript changed';
  return null;
}

// A known REPL whose profile finds no box is read by its cursor once its screen stands still this long (a new
// version, a new layout); a pane with nothing drawn is taken as it is only after longer (a slow start under load).
const PROFILE_FALLBACK_MS = 1_500;
const BLANK_FALLBACK_MS = 3_000;

/** A screen the profile cannot read, or a blank pane, is ready to be taken as it is: it has stood still (two identical
 *  readings) for long enough since the wait began that it is no REPL still drawing its first frame. A known REPL read
 *  by its cursor must show something on the cursor row: below lines a CLI printed before its UI (startup warnings) the
 *  cursor sits on a blank row, which is no input area, and the cursor reader could never prove it empty after a send. */
export function steadyEnough(prev: Reading | null, last: Reading, waitedMs: number): boolean {
  if (last.profileMissed && (last.cursorRow ?? '').trim() === '') return false;
  return last.ready && waitedMs >= (last.drawn ? PROFILE_FALLBACK_MS : BLANK_FALLBACK_MS) && prev !== null && unchanged(prev, last);
}

/** The screen is exactly as it was: the REPL did not redraw (frozen, or ignoring input). */
export function unchanged(a: Reading, b: Reading): boolean {
  if (a.screen.cursorY !== b.screen.cursorY || a.screen.cursorX !== b.screen.cursorX) return false;
  if (a.screen.lines.length !== b.screen.lines.length) return false;
  return a.screen.lines.every((l, i) => l.text === b.screen.lines[i]!.text);
}
