// Claude Code (2.1.x) screen profile. Layout (research §2, §4):
//   transcript ... [spinner "✻ Word…"] [queued "  ❯ msg"]
//   ──────── (full-width rule)
//   ❯\u00a0input line 1          <- prompt is ❯ + NBSP; continuation rows indented 2
//     input line 2
//   ────────
//   footer (not a reliable state marker)
import type { LaunchContext, LaunchSpec, RuntimeProfile, Screen, ScreenLine, ScreenState } from './types.js';
import { RECEIPT_APPEND } from './receipt-hook.js';

const RULE = /^─{20,}$/;
const PROMPT = /^❯[\u00a0 ]?/;
// A body starting with "!" switches the box to shell mode: the prompt becomes "!" + NBSP (the "!" is consumed).
const SHELL_PROMPT = /^![\u00a0 ]/;
// Spinner: a glyph at column 0, a gerund, then an ellipsis (U+2026); past tense ("✻ Churned for 8s") has none.
const SPINNER = /^[^\w\s❯●⎿│├└─]\s+\S[^\n]*…/u;
const RETRYING = /Retrying in \d+s · attempt \d+/;
const QUEUED_HINT = /Press up to edit queued messages/;
const QUEUED_ENTRY = /^ {2}❯[\u00a0 ]\S/; // queued messages sit above the box, indented
const USER_ENTRY = /^❯[\u00a0 ]/;

const DIALOGS: Array<[string, RegExp]> = [
  ['api-key', /Do you want to use this API key\?|Detected a custom API key/],
  ['trust-folder', /Yes, I trust this folder|Is this a project you created or one you trust/],
  ['bypass-permissions', /Bypass Permissions mode|Yes, I accept/],
  ['onboarding', /Choose the text style|Select login method|Unable to connect to Anthropic services/],
  ['confirm', /Enter to confirm · Esc to cancel/],
];

interface Box {
  top: number;
  bottom: number;
}

function isRule(line: ScreenLine | undefined, width: number): boolean {
  return line !== undefined && RULE.test(line.text) && line.text.length >= Math.min(width, 80) * 0.9;
}

/** The input box: between the LAST two full-width rules, first row starting with the ❯ prompt. */
function findBox(screen: Screen): Box | null {
  const rules: number[] = [];
  for (let i = screen.lines.length - 1; i >= 0 && rules.length < 2; i--) {
    if (isRule(screen.lines[i], screen.width)) rules.unshift(i);
  }
  if (rules.length < 2) return null;
  const [top, bottom] = rules as [number, number];
  const first = screen.lines[top + 1]!.text;
  if (bottom - top < 2 || !(PROMPT.test(first) || SHELL_PROMPT.test(first))) return null;
  return { top, bottom };
}

/** Typed text of the box. A dim placeholder counts as empty; the reverse-video cursor cell un-dims its first char. */
function readInput(rows: ScreenLine[]): string {
  if (rows[0] && SHELL_PROMPT.test(rows[0].text)) return '!' + readInput([{ text: rows[0].text.slice(2), solid: rows[0].solid.slice(2) }, ...rows.slice(1)]);
  const out: string[] = [];
  rows.forEach((row, i) => {
    const strip = (s: string) => (i === 0 ? s.replace(PROMPT, '') : s.replace(/^ {2}/, ''));
    const solid = strip(row.solid);
    const text = strip(row.text);
    const cursorOnDimPlaceholder = i === 0 && solid.trimEnd().length === 1 && text.length > 1 && text.startsWith(solid.trimEnd());
    out.push(cursorOnDimPlaceholder ? '' : solid.trimEnd());
  });
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}

/** Transcript rows of the current turn: after the last user entry at column 0, or everything. */
function currentTurn(rows: ScreenLine[]): ScreenLine[] {
  for (let i = rows.length - 1; i >= 0; i--) if (USER_ENTRY.test(rows[i]!.text)) return rows.slice(i + 1);
  return rows;
}

function findDialog(lines: ScreenLine[]): string | undefined {
  const text = lines.map((l) => l.text).join('\n');
  return DIALOGS.find(([, re]) => re.test(text))?.[0];
}

function notReady(screen: Screen, dialog?: string): ScreenState {
  const state: ScreenState = { input: null, busy: false, queued: false, ready: false, transcript: screen.lines.map((l) => l.text).join('\n').trimEnd() };
  if (dialog) state.dialog = dialog;
  return state;
}

export function parseClaude(screen: Screen): ScreenState {
  try {
    const box = findBox(screen);
    if (!box) return notReady(screen, findDialog(screen.lines));
    const above = screen.lines.slice(0, box.top);
    const boxRows = screen.lines.slice(box.top + 1, box.bottom);
    const footer = screen.lines.slice(box.bottom + 1);
    const turn = currentTurn(above);
    const boxText = boxRows.map((r) => r.text).join('\n');
    // "esc to interrupt" leaves the footer while a draft is in the box; the spinner line is the robust marker.
    const busy =
      turn.some((r) => SPINNER.test(r.text) || RETRYING.test(r.text)) || footer.some((r) => /esc to interrupt/.test(r.text));
    const queued = QUEUED_HINT.test(boxText) || (busy && turn.some((r) => QUEUED_ENTRY.test(r.text)));
    return {
      input: QUEUED_HINT.test(boxText) ? '' : readInput(boxRows),
      busy,
      queued,
      ready: true,
      transcript: above.map((r) => r.text).join('\n').trimEnd(),
    };
  } catch {
    return { input: null, busy: false, queued: false, ready: false, transcript: '' };
  }
}

function launchClaude(ctx: LaunchContext): LaunchSpec {
  const env: Record<string, string> = {};
  // Claude refuses --dangerously-skip-permissions as root unless IS_SANDBOX=1 (research §1).
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && ctx.env.IS_SANDBOX === undefined) env.IS_SANDBOX = '1';
  return { argv: ['claude', '--dangerously-skip-permissions'], env };
}

/** After /clear the screen holds only the header and the `❯ /clear` echo: no assistant entries, no other user entries. */
function isFreshClaude(_before: ScreenState, after: ScreenState): boolean {
  if (!after.ready || after.busy || after.input !== '') return false;
  const rows = after.transcript.split('\n');
  const users = rows.filter((r) => USER_ENTRY.test(r)).map((r) => r.replace(PROMPT, '').trim());
  return !rows.some((r) => r.startsWith('●')) && users.every((u) => u === '/clear');
}

export const claudeProfile: RuntimeProfile = {
  name: 'claude',
  launch: launchClaude,
  receiptSetup: () => ({ args: claudeReceiptArgs() }),
  // Parallel launches truncate ~/.claude.json (anthropics/claude-code #29143); Claude then shows onboarding again.
  startupStateFile: (env) => `${env.CLAUDE_CONFIG_DIR ?? env.HOME ?? '~'}/.claude.json`,
  resetCommand: '/clear',
  parse: parseClaude,
  isFreshAfterReset: isFreshClaude,
  enterDelayMs: 0,
  pastePlaceholders: [/\[Pasted text #\d+ \+\d+ lines\]/, /\[Pasted text #\d+\]/],
};

// UserPromptSubmit fires when Claude Code takes a prompt; its JSON input (with `prompt`) is appended as one line.

/** `--settings` adds the hook for this session only; the user's own settings stay untouched. */
function claudeReceiptArgs(): string[] {
  return ['--settings', JSON.stringify({ hooks: { UserPromptSubmit: [{ hooks: [{ type: 'command', command: RECEIPT_APPEND }] }] } })];
}
