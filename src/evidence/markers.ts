import type { ScreenLine } from '../runtimes/types.js';
import { BUSY_PATTERNS, QUEUED_PATTERNS } from '../runtimes/layout.js';

// Signs any REPL may show, for screens no profile reads: the known REPLs' markers plus the common wordings.

/** A turn is running. */
export const ANY_BUSY: RegExp[] = [
  ...BUSY_PATTERNS,
  /esc to cancel/i,
  /^\s*[⠁-⣿◐◓◑◒|/\\-]?\s*\(?(thinking|working|generating|running)(…|\.\.\.)/iu,
];

/** The REPL took input for later. */
export const ANY_QUEUED: RegExp[] = [...QUEUED_PATTERNS, /\bqueued\b/i];

export function matchesAny(lines: readonly ScreenLine[], patterns: readonly RegExp[]): boolean {
  return lines.some((l) => patterns.some((p) => p.test(l.text)));
}
