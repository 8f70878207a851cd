// Codex CLI (0.169.x) screen profile. Layout (research §2, §4):
//   transcript ("› user", "• answer", "Worked for 3s • 14:17", "• Working (2s • esc to interrupt)")
//   › composer line 1       <- the LAST "›" row, down to the model line; continuation rows indented 2; dim placeholder when empty
//     composer line 2
//   (blank)
//     <model> default · <cwd>       <- drawn once the app server is connected: the ready marker
//     ← for agents · ? for shortcuts | tab to queue message
import type { LaunchContext, LaunchSpec, RuntimeProfile, Screen, ScreenLine, ScreenState } from './types.js';

const COMPOSER = /^› ?/;
const MODEL_LINE = /^ {2}\S.* · [~/]/;
const FOOTER_HINT = /\? for shortcuts|tab to queue message|esc to interrupt|← for agents|f2 to view|ctrl\+[a-z] /;
const WORKING = /^[•◦] (Working|Reconnecting)\b.*\(.*esc to interrupt\)/;
const TURN_DONE = /^ {2}Worked for .+ • \d{1,2}:\d{2}|^■ /;
const QUEUED = /^• (Messages to be submitted after next tool call|Queued follow-up inputs)/;
const PLACEHOLDER = 'Ask Codex to do anything';

const DIALOGS: Array<[string, RegExp]> = [
  ['login', /Sign in with ChatGPT|Choose how you want to use Codex/],
  ['trust-folder', /Do you trust the contents of this directory|allow Codex to work in this folder|trust this folder/i],
  ['update', /Update available!|Update now/],
  ['continue', /Press enter to continue/],
];

interface Composer {
  start: number;
  /** Exclusive end row. */
  end: number;
}

/** The composer: the last row starting with "›", down to the first blank row or the model line. */
function findComposer(lines: ScreenLine[]): Composer | null {
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (COMPOSER.test(lines[i]!.text) && lines[i]!.text.startsWith('›')) {
      start = i;
      break;
    }
  }
  if (start < 0) return null;
  // The model line closes the composer (a draft may hold blank rows); before it is drawn, the first blank row does.
  const model = lines.findIndex((l, i) => i > start && MODEL_LINE.test(l.text));
  let end = start + 1;
  if (model > 0) end = model;
  else while (end < lines.length && lines[end]!.text !== '') end++;
  // A transcript "›" entry is followed by answers, not by the footer: require footer-ish rows below.
  const below = lines.slice(end, end + 4);
  if (end < lines.length && !below.some((r) => MODEL_LINE.test(r.text) || FOOTER_HINT.test(r.text))) return null;
  return { start, end };
}

function readInput(rows: ScreenLine[]): string {
  const out = rows.map((row, i) => (i === 0 ? row.solid.replace(COMPOSER, '') : row.solid.replace(/^ {2}/, '')).trimEnd());
  // The placeholder is dim (blank in `solid`); match its text too, in case the dim attribute is lost.
  if (out.length === 1 && rows[0]!.text.replace(COMPOSER, '').trimEnd() === PLACEHOLDER) return '';
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}

/** Rows after the last transcript user entry ("› ..."), i.e. the current turn. */
function currentTurn(rows: ScreenLine[]): ScreenLine[] | null {
  for (let i = rows.length - 1; i >= 0; i--) if (rows[i]!.text.startsWith('› ')) return rows.slice(i + 1);
  return null;
}

/** While the answer streams the Working line vanishes; the turn is over only once "Worked for" (or "■ ...") shows. */
function isStreaming(above: ScreenLine[]): boolean {
  const turn = currentTurn(above);
  if (!turn) return false;
  return turn.some((r) => r.text.startsWith('• ')) && !turn.some((r) => TURN_DONE.test(r.text));
}

function findDialog(lines: ScreenLine[]): string | undefined {
  const text = lines.map((l) => l.text).join('\n');
  return DIALOGS.find(([, re]) => re.test(text))?.[0];
}

export function parseCodex(screen: Screen): ScreenState {
  try {
    const lines = screen.lines;
    const composer = findComposer(lines);
    if (!composer) {
      const state: ScreenState = { input: null, busy: false, queued: false, ready: false, transcript: lines.map((l) => l.text).join('\n').trimEnd() };
      const dialog = findDialog(lines);
      if (dialog) state.dialog = dialog;
      return state;
    }
    const above = lines.slice(0, composer.start);
    const below = lines.slice(composer.end);
    const busy =
      above.some((r) => WORKING.test(r.text)) || below.some((r) => /tab to queue message|esc to interrupt/.test(r.text)) || isStreaming(above);
    return {
      input: readInput(lines.slice(composer.start, composer.end)),
      busy,
      queued: above.some((r) => QUEUED.test(r.text)),
      // Right after launch only "? for shortcuts" shows; the model line means the app server is up.
      ready: below.some((r) => MODEL_LINE.test(r.text)) || lines.slice(composer.start, composer.end).some((r) => MODEL_LINE.test(r.text)),
      transcript: above.map((r) => r.text).join('\n').trimEnd(),
    };
  } catch {
    return { input: null, busy: false, queued: false, ready: false, transcript: '' };
  }
}

function launchCodex(_ctx: LaunchContext): LaunchSpec {
  // --no-daemon: the shared app-server daemon would outlive the pane (research §0, §9).
  return { argv: ['codex', '--no-daemon'] };
}

/** After /new Codex returns to the welcome screen: no user entries, no answers. */
function isFreshCodex(_before: ScreenState, after: ScreenState): boolean {
  if (!after.ready || after.busy || after.input !== '') return false;
  const rows = after.transcript.split('\n');
  return !rows.some((r) => r.startsWith('› ') || r.startsWith('• '));
}

export const codexProfile: RuntimeProfile = {
  name: 'codex',
  launch: launchCodex,
  resetCommand: '/new',
  parse: parseCodex,
  isFreshAfterReset: isFreshCodex,
  enterDelayMs: 0,
  pastePlaceholders: [/\[Pasted Content \d+ chars\]/],
};
