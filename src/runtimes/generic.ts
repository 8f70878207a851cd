import type { RuntimeProfile, Screen, ScreenLine, ScreenState } from './types.js';
import { anyLineMatches, boxText, lastRulePair, textAbove, BUSY_PATTERNS, QUEUED_PATTERNS, PASTE_PLACEHOLDERS } from './layout.js';

// For raw tmux targets whose runtime is unknown: read whatever all known REPLs show
// (an input box, a busy spinner, a queued notice). A screen with no box (a shell) gives input=null.

export const genericProfile: RuntimeProfile = {
  name: 'generic',
  launch: () => ({ argv: [process.env.SHELL || '/bin/sh'] }),
  resetCommand: null,
  parse: parseGenericScreen,
  isFreshAfterReset: (_b, after) => after.input === '',
  enterDelayMs: 0,
  pastePlaceholders: PASTE_PLACEHOLDERS,
};

export function parseGenericScreen(screen: Screen): ScreenState {
  const lines = screen.lines;
  const busy = anyLineMatches(lines, BUSY_PATTERNS);
  const queued = anyLineMatches(lines, QUEUED_PATTERNS);
  const box = findBox(lines, screen);
  if (!box) return { input: null, busy, queued, ready: true, transcript: textAbove(screen, lines.length) };
  return { input: box.input, busy, queued, ready: true, transcript: textAbove(screen, box.top) };
}

interface Box {
  top: number;
  input: string;
}

function findBox(lines: ScreenLine[], screen: Screen): Box | null {
  const pair = lastRulePair(screen);
  if (pair) return { top: pair[0], input: boxText(lines.slice(pair[0] + 1, pair[1])) };
  // Codex: the composer is the last block starting with `›`, down to the next blank row.
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    if (/^\s*[›»]\s/u.test(lines[i]!.text)) {
      const rows: ScreenLine[] = [];
      for (let j = i; j < lines.length && lines[j]!.text.trim() !== ''; j += 1) rows.push(lines[j]!);
      // The dim placeholder reads as empty; a model/status line under the text is not input.
      const typed = rows.filter((r, k) => k === 0 || !/ default · | · /.test(r.text));
      return { top: i, input: boxText(typed) };
    }
  }
  // OpenCode: the ┃ block directly above the last ╹▀ line; its last row is the agent/model line.
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    if (/^\s*╹▀/u.test(lines[i]!.text)) {
      let j = i - 1;
      while (j >= 0 && /^\s*┃/u.test(lines[j]!.text)) j -= 1;
      const block = lines.slice(j + 1, i - 1);
      const input = block
        .map((r) => r.solid.replace(/^\s*┃\s?\s?/u, ''))
        .join('\n')
        .trim();
      return { top: j + 1, input };
    }
  }
  return null;
}
