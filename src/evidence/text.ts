// Finding our text on a screen: REPLs wrap it, indent continuation rows, pad with NBSP and turn tabs into spaces,
// so text is compared with all whitespace removed.

const PROBE = 24;

export function squash(s: string): string {
  return s.replace(/[\s\u00a0]+/gu, '');
}

/** Is `text` (its opening or its end, or a placeholder standing for a long paste) in `area`? */
export function holdsBody(area: string | null, text: string, placeholders: readonly RegExp[]): boolean {
  if (area === null || area.trim() === '') return false;
  if (placeholders.some((p) => p.test(area))) return true;
  const have = squash(area);
  const want = squash(text);
  if (want === '') return false;
  const probe = Math.min(PROBE, want.length);
  return have.includes(want.slice(0, probe)) || have.includes(want.slice(want.length - probe));
}

/** Does `area` hold exactly `text` and nothing else (a draft we can name as one of our messages)? */
export function isWholly(area: string | null, text: string): boolean {
  if (area === null) return false;
  const have = squash(area);
  return have !== '' && have === squash(text);
}

/** How often the end of `text` shows in `haystack`: a count that grows means one more copy was drawn. */
export function countCopies(haystack: string, text: string): number {
  const want = squash(text);
  if (want === '') return 0;
  const probe = want.slice(Math.max(0, want.length - PROBE));
  const have = squash(haystack);
  let n = 0;
  for (let i = have.indexOf(probe); i !== -1; i = have.indexOf(probe, i + probe.length)) n += 1;
  return n;
}

/** Does the opening of `text`'s first line show in `haystack`? REPLs draw a queued message by its first line only
 *  (Claude Code, the sim), so a whole-text search misses a message that did land in the REPL's queue. */
export function showsOpening(haystack: string, text: string): boolean {
  const head = squash(text.split('\n')[0] ?? '').slice(0, 2 * PROBE);
  return head.length >= PROBE && squash(haystack).includes(head);
}

/** Text shaped like a paste placeholder of a REPL we do not know ("[Pasted 3 lines]", "[paste #2 …]"). */
export const UNKNOWN_PLACEHOLDER = /\[[^\]\n]{0,40}\bpaste[^\]\n]{0,40}\]/i;
