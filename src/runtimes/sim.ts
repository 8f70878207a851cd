import type { RuntimeProfile, Screen, ScreenState } from './types.js';
import { anyLineMatches, boxText, lastRulePair, textAbove, PASTE_PLACEHOLDERS } from './layout.js';

/** The bundled demo REPL: Claude Code's layout (box between the last two rules, ❯ + NBSP prompt). */
export const simProfile: RuntimeProfile = {
  name: 'sim',
  launch: (ctx) => ({ argv: [process.execPath, `${ctx.packageRoot}/dist/sim/main.js`, '--name', ctx.agentName] }),
  resetCommand: '/new',
  parse: parseSimScreen,
  isFreshAfterReset: (before, after) => sessionNumber(after) > sessionNumber(before) && after.input === '',
  // The sim can be told to take an Enter within N ms of a paste as a newline, as Gemini CLI does.
  enterDelayMs: 50,
  pastePlaceholders: PASTE_PLACEHOLDERS,
};

export function parseSimScreen(screen: Screen): ScreenState {
  const header = screen.lines.findIndex((l) => l.text.startsWith('sim · '));
  const pair = lastRulePair(screen);
  if (header === -1 || !pair) return { input: null, busy: false, queued: false, ready: false, transcript: textAbove(screen, screen.lines.length) };
  const [top, bottom] = pair;
  const above = screen.lines.slice(0, top);
  return {
    input: boxText(screen.lines.slice(top + 1, bottom)),
    busy: anyLineMatches(above, [/^\s*✻ Working…/u]) || anyLineMatches(screen.lines.slice(bottom + 1), [/esc to interrupt/]),
    queued: anyLineMatches(screen.lines.slice(top + 1, bottom), [/Press up to edit queued messages/]),
    ready: true,
    transcript: textAbove(screen, top),
  };
}

/** The conversation counter in the sim's header; a reset increments it. */
function sessionNumber(state: ScreenState): number {
  const m = /sim · .* · session (\d+)/.exec(state.transcript);
  return m ? Number(m[1]) : -1;
}
