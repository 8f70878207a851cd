import type { Screen, ScreenLine } from './types.js';

// Shared readers for the input-box layouts the known REPLs draw.

/** A full-width horizontal rule (Claude Code, Pi, sim draw the input box between two of them). */
export function isRule(line: ScreenLine): boolean {
  const t = line.text.trim();
  return t.length >= 10 && /^[─━]+$/u.test(t);
}

/** Indexes of the last two rules with at least one row between them, or null. */
export function lastRulePair(screen: Screen): [number, number] | null {
  let below = -1;
  for (let i = screen.lines.length - 1; i >= 0; i -= 1) {
    if (!isRule(screen.lines[i]!)) continue;
    if (below === -1) below = i;
    else if (below - i >= 2) return [i, below];
    else below = i;
  }
  return null;
}

/** Remove a prompt glyph and the space (often NBSP, as Claude draws it) after it. */
export function stripPrompt(row: string): string {
  return row.replace(/^\s*[❯>›»]\u00a0?\s?/u, '');
}

/** Join box rows into typed text: first row without its prompt, continuation rows without their indent. */
export function boxText(rows: ScreenLine[], field: 'text' | 'solid' = 'solid'): string {
  const out = rows.map((r, i) => (i === 0 ? stripPrompt(r[field]) : r[field].replace(/^ {1,2}/, '')));
  return out.join('\n').replace(/\s+$/u, '');
}

/** The rows above `end`, as transcript text. */
export function textAbove(screen: Screen, end: number): string {
  return screen.lines
    .slice(0, Math.max(0, end))
    .map((l) => l.text)
    .join('\n');
}

/** Busy markers the known REPLs show while a turn runs. */
export const BUSY_PATTERNS: RegExp[] = [
  /esc to interrupt/i,
  /esc interrupt/i,
  /^\s*[✻✶✳✢✽✦·*•◦]\s+\S[^\n]*…/u, // Claude/sim spinner line: glyph + gerund + U+2026
  /^\s*[•◦]\s+Working \(/u, // Codex
  /^\s*[⠁-⣿]\s+(Working|Retrying)/u, // Pi braille spinner
  /[⬝■]{8}/u, // OpenCode progress bar
  /\(esc to cancel, /, // Gemini CLI "⠴ Thinking... (esc to cancel, 2s)"
];

/** Queued/steering indicators for input accepted while busy. */
export const QUEUED_PATTERNS: RegExp[] = [
  /Press up to edit queued messages/i,
  /^\s*┃?\s*QUEUED\s*$/u,
  /Queued follow-up inputs/i,
  /Messages to be submitted after next tool call/i,
  /^\s*(Steering|Follow-up):/u,
  /^\s*Queued \(press ↑ to edit\):/u, // Gemini CLI
];

export function anyLineMatches(lines: ScreenLine[], patterns: RegExp[]): boolean {
  return lines.some((l) => patterns.some((p) => p.test(l.text)));
}

/** Paste placeholders the known REPLs show instead of a long paste. */
export const PASTE_PLACEHOLDERS: RegExp[] = [
  /\[Pasted text #\d+(?: \+\d+ lines)?\]/,
  /\[Pasted Content \d+ chars\]/,
  /\[paste #\d+ (?:\+\d+ lines|\d+ chars)\]/,
  /\[Pasted ~\d+ lines\]/,
  /\[Pasted Text: \d+ (?:lines|chars)(?: #\d+)?\]/, // Gemini CLI
];
