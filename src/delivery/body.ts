import { UsageError } from '../errors.js';

/** Largest body delivered; larger ones are refused, never truncated. */
export const MAX_BODY_BYTES = 1024 * 1024;

// ESC-introduced sequences (CSI, OSC, DCS/SOS/PM/APC strings, two-byte escapes) and lone C0/C1 controls.
const ESC_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[@-Z\\-_]|.)?/gs;
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** Make a body safe to paste: CR/CRLF -> LF, escape sequences and control characters removed (so a body
 *  holding the bracketed-paste end marker cannot break out of the paste and type keys). Tabs stay tabs: inside a
 *  bracketed paste a tab is text, not a completion key. */
export function sanitizeBody(raw: string): string {
  return raw
    .replace(/\r\n?/g, '\n')
    .replace(ESC_SEQUENCE, '')
    .replace(CONTROL, '')
    .replace(/\n+$/, '');
}

export interface BodyPolicy {
  preamble: boolean;
  raw: boolean;
}

/** Refuse what must not be pasted: empty bodies, oversize bodies, and (without a preamble) REPL commands. */
export function checkBody(body: string, policy: BodyPolicy): void {
  if (body.trim() === '') throw new UsageError('the message is empty', 'give a body with -m, -f FILE, or on stdin');
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_BODY_BYTES) {
    throw new UsageError(
      `the message is ${bytes} bytes; the limit is ${MAX_BODY_BYTES} bytes (1 MiB) and nothing was sent`,
      'write the content to a file the agent can read and send its path instead',
    );
  }
  const first = body.trimStart()[0];
  // Real REPLs run a leading `!` as a local shell command and a leading `/` as a slash command.
  if (!policy.preamble && !policy.raw && (first === '/' || first === '!')) {
    throw new UsageError(
      `a body starting with '${first}' would run as a REPL ${first === '/' ? 'slash' : 'shell'} command`,
      'keep the preamble, or pass --raw if you mean it as a command',
    );
  }
}

export interface Endpoint {
  host: string;
  session: string;
}

export function formatEndpoint(e: Endpoint): string {
  return `${e.host}:${e.session}`;
}

/** `[src_host:src_session -> dst_host:dst_session] ` — the Mosaic addressing standard. */
export function preambleFor(from: Endpoint, to: Endpoint): string {
  return `[${formatEndpoint(from)} -> ${formatEndpoint(to)}]`;
}

/** Parse a preamble at the start of a message; null when absent. */
export function parsePreamble(text: string): { from: Endpoint; to: Endpoint; body: string } | null {
  const m = /^\[([^\s:\]]+):([^\s\]]+) -> ([^\s:\]]+):([^\s\]]+)\] ?/.exec(text);
  if (!m) return null;
  return { from: { host: m[1]!, session: m[2]! }, to: { host: m[3]!, session: m[4]! }, body: text.slice(m[0].length) };
}

/** Parse `host:session` (for --from); a bare value is a session on '?' host. */
export function parseEndpoint(value: string): Endpoint {
  const i = value.indexOf(':');
  if (i <= 0 || i === value.length - 1) throw new UsageError(`'${value}' is not host:session`, 'write it as --from myhost:mysession');
  return { host: value.slice(0, i), session: value.slice(i + 1) };
}

/** The exact text pasted for a message: sanitized body, checked, with the preamble unless told otherwise. */
export function buildText(body: string, from: Endpoint, to: Endpoint, policy: BodyPolicy): string {
  const clean = sanitizeBody(body);
  checkBody(clean, policy);
  return policy.preamble ? `${preambleFor(from, to)} ${clean}` : clean;
}
