// Pi coding agent (0.73.x) screen profile. Layout (research §2, §4):
//   transcript (user blocks on a dark background, replies without a glyph)
//   [Steering: msg] [Follow-up: msg] [↳ Alt+Up to edit all queued messages]
//   [⠙ Working...]
//   ──────── (rule; colour = thinking level)
//   editor rows, flush-left, no prompt glyph
//   ────────
//   <cwd>
//   [↑1.4k ↓10 $0.007] 0.1%/1.0M (auto)        [(provider)] model • thinking   <- ready marker
import type { LaunchContext, LaunchSpec, ReceiptSetup, RuntimeProfile, Screen, ScreenLine, ScreenState } from './types.js';
import { APPEND_RECEIPT_JS, RECEIPTS_DIR_TOKEN } from './receipt-hook.js';

const SPINNER = /^\s*[\u2800-\u28ff] (Working|Retrying)\b/;
const QUEUE_LINE = /^\s*(Steering|Follow-up): /;
const QUEUE_HINT = /Alt\+Up to edit all queued messages/;
const FOOTER_MODEL = /\S+ • (off|minimal|low|medium|high|xhigh)$|\([\w.-]+\) \S+|\d+(\.\d+)?%\/\d/;
const NEW_SESSION = /✓ New session started/;

/** A rule row: mostly "─" and at least as wide as most of the screen (Pi may embed a label in it). */
function isRule(line: ScreenLine | undefined, width: number): boolean {
  if (!line || !line.text.startsWith('─')) return false;
  const dashes = [...line.text].filter((c) => c === '─').length;
  return dashes >= 20 && dashes >= line.text.length * 0.8 && line.text.length >= Math.min(width, 80) * 0.9;
}

function findRules(screen: Screen): [number, number] | null {
  const rules: number[] = [];
  for (let i = screen.lines.length - 1; i >= 0 && rules.length < 2; i--) {
    if (isRule(screen.lines[i], screen.width)) rules.unshift(i);
  }
  return rules.length === 2 ? (rules as [number, number]) : null;
}

// Read `text`, not `solid`: Pi's editor has no dim placeholder to blank out.
function readInput(rows: ScreenLine[]): string {
  const out = rows.map((r) => r.text.trimEnd());
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  while (out.length > 0 && out[0] === '') out.shift();
  return out.join('\n');
}

/** Status rows right above the editor (spinner, queued messages): the last few rows of the transcript. */
function statusZone(above: ScreenLine[]): ScreenLine[] {
  return above.slice(Math.max(0, above.length - 10));
}

export function parsePi(screen: Screen): ScreenState {
  try {
    const rules = findRules(screen);
    if (!rules) return { input: null, busy: false, queued: false, ready: false, transcript: screen.lines.map((l) => l.text).join('\n').trimEnd() };
    const [top, bottom] = rules;
    const above = screen.lines.slice(0, top);
    const footer = screen.lines.slice(bottom + 1);
    const zone = statusZone(above);
    const busy = zone.some((r) => SPINNER.test(r.text));
    // A reply that merely starts with "Steering:" must not count: queue lines come with the spinner or the Alt+Up hint.
    const queued = zone.some((r) => QUEUE_LINE.test(r.text)) && (busy || zone.some((r) => QUEUE_HINT.test(r.text)));
    return {
      input: readInput(screen.lines.slice(top + 1, bottom)),
      busy,
      queued,
      ready: footer.some((r) => FOOTER_MODEL.test(r.text)),
      transcript: above.map((r) => r.text).join('\n').trimEnd(),
    };
  } catch {
    return { input: null, busy: false, queued: false, ready: false, transcript: '' };
  }
}

function launchPi(_ctx: LaunchContext): LaunchSpec {
  return { argv: ['pi'] };
}

/** After /new Pi prints "✓ New session started" as the last transcript line. */
function isFreshPi(_before: ScreenState, after: ScreenState): boolean {
  if (!after.ready || after.busy || after.input !== '') return false;
  const rows = after.transcript.split('\n').filter((r) => r.trim() !== '');
  return rows.length > 0 && NEW_SESSION.test(rows[rows.length - 1]!);
}

export const piProfile: RuntimeProfile = {
  receiptSetup: piReceiptSetup,
  name: 'pi',
  launch: launchPi,
  resetCommand: '/new',
  parse: parsePi,
  isFreshAfterReset: isFreshPi,
  enterDelayMs: 0,
  pastePlaceholders: [/\[paste #\d+ \+\d+ lines\]/, /\[paste #\d+ \d+ chars\]/],
};

/** Pi's `input` extension event fires when Pi takes typed input (before skill/template expansion): a receipt line with
 *  its raw text. The extension is loaded for this session only with `-e <file>`. */
export function piReceiptSetup(receipt: string): ReceiptSetup {
  const file = `${receipt}.pi-receipt.ts`;
  const content = [
    APPEND_RECEIPT_JS,
    'export default function mosaicReceipt(pi) {',
    "  pi.on('input', (event) => {",
    "    if (event.source !== 'extension') appendReceipt({ hook_event_name: 'input', source: event.source, prompt: event.text });",
    "    return { action: 'continue' };",
    '  });',
    '}',
    '',
  ].join('\n');
  return { args: ['-e', `${RECEIPTS_DIR_TOKEN}${file}`], files: [{ name: file, content }] };
}
