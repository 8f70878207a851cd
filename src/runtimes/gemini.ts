// Gemini CLI (0.61.x, `@google/gemini-cli`) screen profile. Layout, observed in tmux (200x50, 256 colours):
//   transcript: header, user entries " > text" on a grey block, replies "✦ text"
//   [  Queued (press ↑ to edit):            <- messages accepted while a turn runs
//        queued text ]
//   [ ⠴ Thinking... (esc to cancel, 2s) ]   ? for shortcuts     <- the busy row, right above the rule
//   ──────── (full-width rule, dim)
//    Shift+Tab to accept edits              <- approval-mode hint (absent in some modes)
//   (grey block row; a "────" rule instead when no background colour is used, e.g. NO_COLOR)
//    > input line 1                         <- prompt ">" ("!" shell mode, "*" yolo, "(r:)" search); continuation rows indented 3
//      input line 2
//   (grey block row / "────")
//    workspace (/directory)   sandbox   /model      <- footer
// The empty box shows a grey (not dim) placeholder behind the cursor cell: "  Type your message or @path/to/file".
// Everything here is data an evidence layer can reuse: the markers are exported.
import type { LaunchContext, LaunchSpec, RuntimeProfile, Screen, ScreenLine, ScreenState } from './types.js';

/** A full-width horizontal rule (the separator above the input area, and the box edges without background colour). */
export const GEMINI_RULE = /^[─━]{20,}$/u;
/** First row of the input box: one space, the prompt glyph, one space (or the row's end, when the placeholder after it
 *  was blanked and the row trimmed). */
export const GEMINI_PROMPT = /^ ?(?:>|!|\*|\(r:\))(?: |$)/;
/** Continuation rows of a multi-line draft are indented three columns. */
export const GEMINI_CONTINUATION = /^ {3}/;
/** The loading row while a turn runs: "⠴ Thinking... (esc to cancel, 2s)". */
export const GEMINI_BUSY = /\(esc to cancel\b[^)]*\)/;
/** Messages taken while busy are listed above the busy row until the turn ends. */
export const GEMINI_QUEUED = /^\s*Queued \(press ↑ to edit\):/;
/** A user entry in the transcript (same glyph as the box, above the rule). */
export const GEMINI_USER_ENTRY = /^ (?:>|!|\*) \S/;
/** An answer in the transcript. */
export const GEMINI_ANSWER = /^✦ /;
/** Placeholders of the empty box (normal, shell, vim modes); grey, so they survive in `solid`. */
export const GEMINI_PLACEHOLDERS: RegExp[] = [
  /^Type your message or @path\/to\/file$/,
  /^Type your shell command$/,
  /^Press '(?:Esc|i)' for (?:NORMAL|INSERT) mode\.$/,
  /^Type your message or .+ \(Esc to exit\)$/,
];
/** A paste of more than 5 lines or 500 chars is shown as this placeholder (expanded on submit). */
export const GEMINI_PASTE_PLACEHOLDERS: RegExp[] = [/\[Pasted Text: \d+ (?:lines|chars)(?: #\d+)?\]/];

const DIALOGS: Array<[string, RegExp]> = [
  ['trust-folder', /Do you trust the files in this folder\?/],
  ['auth', /How would you like to authenticate|Get started\b.*\bLogin with Google|Enter Gemini API Key/],
  ['confirm', /Allow execution of|Apply this change\?|Waiting for user confirmation/],
  ['exit', /Press Ctrl\+C again to exit/],
];

/** Measured on 0.61.0 under tmux: an Enter within 30 ms (FAST_RETURN_TIMEOUT) of the last key, the paste included,
 *  becomes a newline. Paste end to Enter: 0-40 ms 0/16 submitted, 45 ms 2/4, 50-150 ms 16/16. */
export const GEMINI_ENTER_DELAY_MS = 120;

/** A second Enter while Gemini CLI has not yet processed the first submit submits the same text again (its box is
 *  cleared asynchronously): measured on 0.61.0, Enter twice 20 ms apart after a paste sent it twice in 2 of 3 trials,
 *  60 ms apart once in 3 at load ~20 and twice in the delivery suite (attempts 2-4) at load ~15-22. An Enter retry must
 *  wait at least this long and see no sign of a submission (busy row, the text as a transcript entry) first. */
export const GEMINI_ENTER_RETRY_MIN_MS = 1_000;

interface InputArea {
  /** Row of the rule that closes the transcript. */
  rule: number;
  /** Row of the prompt. */
  prompt: number;
  /** Exclusive end of the box rows. */
  end: number;
}

function isRule(line: ScreenLine | undefined, width: number): boolean {
  if (!line) return false;
  const t = line.text.trimEnd();
  return GEMINI_RULE.test(t) && t.length >= Math.min(width, 80) * 0.9;
}

/** The prompt row is the last " > " row with a rule at most four rows above it (a transcript entry has none). */
export function findGeminiInput(screen: Screen): InputArea | null {
  const lines = screen.lines;
  for (let p = lines.length - 1; p >= 1; p--) {
    if (!GEMINI_PROMPT.test(lines[p]!.text)) continue;
    let rule = -1;
    for (let r = p - 1; r >= Math.max(0, p - 4); r--) {
      if (isRule(lines[r], screen.width)) {
        rule = r;
        // Without background colour the box has its own top edge: the transcript ends at the rule above it.
        for (let u = r - 1; u >= Math.max(0, r - 3); u--) if (isRule(lines[u], screen.width)) rule = u;
        break;
      }
    }
    if (rule < 0) return null;
    let end = p + 1;
    while (end < lines.length && (lines[end]!.text === '' || GEMINI_CONTINUATION.test(lines[end]!.text)) && !isRule(lines[end], screen.width)) end++;
    return { rule, prompt: p, end };
  }
  return null;
}

/** Typed text of the box: prompt and indent removed, trailing blank rows dropped, placeholder = ''. When the cursor
 *  (row index within `rows`) sits on an empty row below the text, the text ends with "\n": an Enter that arrived too
 *  soon after a paste was taken as a newline (the text is still in the box, one empty line more). */
export function readGeminiInput(rows: ScreenLine[], cursorRow?: number): string {
  const out = rows.map((row, i) => (i === 0 ? row.solid.replace(GEMINI_PROMPT, '') : row.solid.replace(GEMINI_CONTINUATION, '')).trimEnd());
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  if (out.length === 1 && GEMINI_PLACEHOLDERS.some((p) => p.test(out[0]!.trim()))) return '';
  const text = out.join('\n');
  return text !== '' && cursorRow !== undefined && cursorRow === out.length && cursorRow < rows.length ? `${text}\n` : text;
}

function findDialog(lines: ScreenLine[]): string | undefined {
  const text = lines.map((l) => l.text).join('\n');
  return DIALOGS.find(([, re]) => re.test(text))?.[0];
}

export function parseGemini(screen: Screen): ScreenState {
  try {
    const area = findGeminiInput(screen);
    if (!area) {
      const state: ScreenState = { input: null, busy: false, queued: false, ready: false, transcript: screen.lines.map((l) => l.text).join('\n').trimEnd() };
      const dialog = findDialog(screen.lines);
      if (dialog) state.dialog = dialog;
      return state;
    }
    const above = screen.lines.slice(0, area.rule);
    const dialog = findDialog(above.slice(-12));
    const state: ScreenState = {
      input: readGeminiInput(screen.lines.slice(area.prompt, area.end), screen.cursorY === undefined ? undefined : screen.cursorY - area.prompt),
      busy: above.slice(-4).some((r) => GEMINI_BUSY.test(r.text)),
      queued: above.some((r) => GEMINI_QUEUED.test(r.text)),
      ready: dialog === undefined,
      transcript: above.map((r) => r.text).join('\n').trimEnd(),
    };
    if (dialog) state.dialog = dialog;
    return state;
  } catch {
    return { input: null, busy: false, queued: false, ready: false, transcript: '' };
  }
}

function launchGemini(_ctx: LaunchContext): LaunchSpec {
  return { argv: ['gemini'] };
}

/** After /clear the screen holds only the header: no user entries but "/clear", no answers. */
export function isFreshGemini(_before: ScreenState, after: ScreenState): boolean {
  if (!after.ready || after.busy || after.input !== '') return false;
  const rows = after.transcript.split('\n');
  const users = rows.filter((r) => GEMINI_USER_ENTRY.test(r)).map((r) => r.replace(GEMINI_PROMPT, '').trim());
  return !rows.some((r) => GEMINI_ANSWER.test(r)) && users.every((u) => u === '/clear');
}

// No receiptSetup: Gemini CLI's BeforeAgent hook does report each prompt it takes (stdin JSON with `prompt`; tested on
// 0.61.0 from ~/.gemini/settings.json), but there is no per-session way to add it: no settings flag, and the
// system settings/defaults files it names by env var are skipped unless root owns them and every parent directory.
// Adding it would mean editing the user's own (or the project's) settings, so the screen stays the evidence.

/** Gemini CLI 0.61.0 runs headless, not as a REPL, when CI=true or GITHUB_ACTIONS=true (isHeadlessMode in its core
 *  bundle): in a pane it prints its startup warnings, then "No input provided via stdin" and exits with status 42.
 *  A fleet started from a CI job passes CI=true to every pane through the tmux server's environment, so the agent
 *  died about a second after start. It compares with "true", so an empty value is enough (tmux -e cannot unset). */
export const GEMINI_PANE_ENV: Record<string, string> = { CI: '', GITHUB_ACTIONS: '' };

export const geminiProfile: RuntimeProfile = {
  name: 'gemini',
  launch: launchGemini,
  paneEnv: GEMINI_PANE_ENV,
  resetCommand: '/clear',
  parse: parseGemini,
  isFreshAfterReset: isFreshGemini,
  enterDelayMs: GEMINI_ENTER_DELAY_MS,
  enterRetryMinMs: GEMINI_ENTER_RETRY_MIN_MS,
  pastePlaceholders: GEMINI_PASTE_PLACEHOLDERS,
};
