// Agent names become tmux session names and systemd instance names; this module says which ones are safe,
// and suggests close matches for misspelled keys and names.

// Characters tmux reads as target syntax at the start of a name: exact-match, pane id, session id, window id.
const LEADING_SIGILS = new Set(['=', '%', '$', '@']);

/** A JSON-Schema/ECMAScript pattern equivalent to `checkAgentName(name) === null` (kept in step by a test). */
export const AGENT_NAME_PATTERN = '^(?![=%$@])[^.:\\s\\u0000-\\u001f\\u007f]+$';

/** Why `name` cannot be an agent (tmux session) name, with a suggested fix; null when it is fine. */
export function checkAgentName(name: string): string | null {
  return checkSessionName(name, 'agent name');
}

/** Same rules as checkAgentName for any tmux session name; `label` names the thing in the message. */
export function checkSessionName(name: string, label: string): string | null {
  if (name.length === 0) return `${label} is empty; use a name such as coder0`;
  const problem = describeNameProblem(name);
  if (problem === null) return null;
  const suggestion = suggestAgentName(name);
  return suggestion === ''
    ? `${label} '${printable(name)}' ${problem}`
    : `${label} '${printable(name)}' ${problem}; use '${suggestion}' instead`;
}

function describeNameProblem(name: string): string | null {
  if (LEADING_SIGILS.has(name[0]!)) return `starts with '${name[0]}', which tmux reads as target syntax`;
  if (name.includes('.')) return "contains '.', which tmux reads as the window.pane separator";
  if (name.includes(':')) return "contains ':', which tmux reads as the session:window separator";
  if (/\s/u.test(name)) return 'contains whitespace';
  if (/[\u0000-\u001f\u007f]/u.test(name)) return 'contains a control character';
  return null;
}

/** The nearest safe name: sigils stripped, separators, whitespace and control characters turned into '-'. */
export function suggestAgentName(name: string): string {
  return name
    .replace(/^[=%$@]+/u, '')
    .replace(/[.:\s\u0000-\u001f\u007f]+/gu, '-')
    .replace(/^-+|-+$/gu, '');
}

// Control characters are shown escaped so the message itself stays on one line.
function printable(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f]/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Edit distance (insert, delete, substitute) between two strings. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The candidate closest to `input` when it is plausibly a typo or a shortening of it, else undefined. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const folded = candidates.find((c) => c.toLowerCase() === input.toLowerCase());
  if (folded !== undefined) return folded;
  const shortened = shortenedFrom(input, candidates);
  if (shortened !== undefined) return shortened;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = levenshtein(input.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance && distance <= typoBudget(candidate)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

// `working_dir` for `working_directory`: one candidate that the input begins (4+ characters, a word boundary after).
function shortenedFrom(input: string, candidates: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  if (lower.length < 4) return undefined;
  const found = candidates.filter((c) => c.toLowerCase().startsWith(lower) && c.length > lower.length);
  return found.length === 1 ? found[0] : undefined;
}

// Short words tolerate one edit, longer ones about a third of their length.
function typoBudget(candidate: string): number {
  return Math.max(1, Math.floor(candidate.length / 3));
}

/** " (did you mean 'x'?)" or ''. */
export function didYouMeanSuffix(input: string, candidates: readonly string[]): string {
  const guess = didYouMean(input, candidates);
  return guess === undefined ? '' : ` (did you mean '${guess}'?)`;
}
