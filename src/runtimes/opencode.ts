// OpenCode (1.18.x) screen profile. Layout (research §2, §4):
//   home view: logo, composer centred; session view: transcript left, sidebar right, composer at the bottom.
//   ┃                                 <- composer = the "┃" block right above the LAST "╹▀▀▀" row
//   ┃  input (or "Ask anything…")
//   ┃
//   ┃  Build · Claude Sonnet 4.6 Anthropic     <- last block row: agent/model line, not input
//   ╹▀▀▀▀▀▀▀▀
//   status row: "⬝⬝■■■■■■  esc interrupt" while busy
// Turns end with "▣  Build · <model> · 1.9s"; the duration is missing while the turn runs, and also after an API error.
import type { LaunchContext, LaunchSpec, ReceiptSetup, RuntimeProfile, Screen, ScreenLine, ScreenState } from './types.js';
import { APPEND_RECEIPT_JS, RECEIPTS_DIR_TOKEN } from './receipt-hook.js';

const BAR = '╹';
const EDGE = '┃';
const PLACEHOLDER = /^Ask anything…/;
// Long retry text pushes "esc interrupt" off the row, leaving "[retrying in 30s attempt …" (research §4).
const BUSY_STATUS = /[⬝■]{8}|esc interrupt|\[retrying/i;
const TURN_MARK = /^\s*▣ {2}/;
const QUEUED_BADGE = /^┃\s+QUEUED$/;
const AGENT_LINE = /\S · \S/;

interface Frame {
  /** Column of the ┃ / ╹ edge. */
  left: number;
  /** Column after the last ▀ of the bottom bar. */
  right: number;
  /** Row of the ╹▀ bar. */
  bar: number;
  /** First row of the composer's ┃ block. */
  top: number;
}

/** Cut a row to the composer's columns, so the session view's sidebar does not leak in. */
function columns(line: ScreenLine, left: number, right: number): ScreenLine {
  return { text: [...line.text].slice(left, right).join('').trimEnd(), solid: [...line.solid].slice(left, right).join('').trimEnd() };
}

function findFrame(lines: ScreenLine[]): Frame | null {
  for (let bar = lines.length - 1; bar >= 1; bar--) {
    const chars = [...lines[bar]!.text];
    const left = chars.indexOf(BAR);
    if (left < 0 || chars[left + 1] !== '▀') continue;
    const right = chars.lastIndexOf('▀') + 1;
    let top = bar;
    while (top > 0 && [...lines[top - 1]!.text][left] === EDGE) top--;
    if (top === bar) return null;
    return { left, right, bar, top };
  }
  return null;
}

function readInput(rows: ScreenLine[]): string {
  const out = rows.map((r) => r.solid.replace(/^┃ {0,2}/, '').trimEnd());
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  while (out.length > 0 && out[0] === '') out.shift();
  // The placeholder is drawn grey, not dim, and carries a random example after it.
  if (out.length === 1 && PLACEHOLDER.test(out[0]!)) return '';
  return out.join('\n');
}

export function parseOpencode(screen: Screen): ScreenState {
  try {
    const frame = findFrame(screen.lines);
    if (!frame) return { input: null, busy: false, queued: false, ready: false, transcript: screen.lines.map((l) => l.text).join('\n').trimEnd() };
    const cut = (l: ScreenLine) => columns(l, frame.left, frame.right);
    const block = screen.lines.slice(frame.top, frame.bar).map(cut);
    const agentLine = block[block.length - 1]!;
    const above = screen.lines.slice(0, frame.top).map(cut);
    const status = screen.lines.slice(frame.bar + 1).map((l) => l.text);
    // Only the status row: a turn that ended in an API error keeps its "▣  Build · model" line without a
    // duration forever, so a missing duration does not mean busy.
    const busy = status.some((t) => BUSY_STATUS.test(t));
    return {
      input: readInput(block.slice(0, -1)),
      busy,
      queued: above.some((r) => QUEUED_BADGE.test(r.text.trim())),
      ready: AGENT_LINE.test(agentLine.text),
      transcript: above.map((r) => r.text).join('\n').trimEnd(),
    };
  } catch {
    return { input: null, busy: false, queued: false, ready: false, transcript: '' };
  }
}

function launchOpencode(_ctx: LaunchContext): LaunchSpec {
  return { argv: ['opencode'] };
}

/** /new returns to the home view: no turn markers and no message blocks above the composer. */
function isFreshOpencode(_before: ScreenState, after: ScreenState): boolean {
  if (!after.ready || after.busy || after.input !== '') return false;
  const rows = after.transcript.split('\n');
  return !rows.some((r) => TURN_MARK.test(r) || r.trimStart().startsWith(EDGE));
}

export const opencodeProfile: RuntimeProfile = {
  receiptSetup: opencodeReceiptSetup,
  name: 'opencode',
  launch: launchOpencode,
  resetCommand: '/new',
  parse: parseOpencode,
  isFreshAfterReset: isFreshOpencode,
  enterDelayMs: 0,
  pastePlaceholders: [/\[Pasted ~\d+ lines\]/],
};

/** OpenCode's `chat.message` plugin hook fires when a user message is created in a session: a receipt line with its
 *  typed text parts. The plugin is added through an extra config file (OPENCODE_CONFIG, merged over the user's). */
export function opencodeReceiptSetup(receipt: string): ReceiptSetup {
  const plugin = `${receipt}.opencode-receipt.js`;
  const content = [
    APPEND_RECEIPT_JS,
    'export const MosaicReceipt = async () => ({',
    "  'chat.message': async (input, output) => {",
    "    const text = (output?.parts ?? []).filter((p) => p.type === 'text' && !p.synthetic).map((p) => p.text).join('\\n');",
    "    appendReceipt({ hook_event_name: 'chat.message', sessionID: input?.sessionID, prompt: text });",
    '  },',
    '});',
    '',
  ].join('\n');
  const config = { $schema: 'https://opencode.ai/config.json', plugin: [`file://${RECEIPTS_DIR_TOKEN}${plugin}`] };
  return {
    files: [
      { name: plugin, content },
      { name: `${receipt}.opencode.json`, content: JSON.stringify(config), env: 'OPENCODE_CONFIG' },
    ],
  };
}
