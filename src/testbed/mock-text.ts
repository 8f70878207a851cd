// Pull "what the user typed" out of an API request body, for all three wire formats.
// Clients wrap the real message with machine-written context parts (<system-reminder>, <environment_context>, ...);
// those are dropped so the log holds exactly the delivered text.

type Json = unknown;

function isRecord(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// A part that is one whole XML-ish element is client-injected context, not typed text.
const WRAPPED_CONTEXT = /^\s*<([A-Za-z][\w-]*)[^>]*>[\s\S]*<\/\1>\s*$/;
// Claude Code prefixes the first message after /clear with a caveat element (research §6).
const LEADING_CONTEXT = /^\s*(?:<([A-Za-z][\w-]*)[^>]*>[\s\S]*?<\/\1>\s*)+/;

// Claude Code 2.1.332 sends a long paste as its own part "\n\n<pasted_content id="64a0">\n…\n</pasted_content id="64a0">\n"
// (the closing tag repeats the id): that is typed text.
const PASTED_PART = /^\s*<pasted_content\b[^>]*>\n?([\s\S]*?)\n?<\/pasted_content\b[^>]*>\s*$/;
const PASTED_CONTENT = /<pasted_content\b[^>]*>\n?([\s\S]*?)\n?<\/pasted_content\b[^>]*>/g;

function unwrapPastes(text: string): string {
  const whole = PASTED_PART.exec(text);
  return whole ? whole[1]! : text.replace(PASTED_CONTENT, '$1');
}

function isContextPart(text: string): boolean {
  return WRAPPED_CONTEXT.test(text);
}

function stripLeadingContext(text: string): string {
  return text.replace(LEADING_CONTEXT, '');
}

/** Text parts of one message's content (string or array of typed parts). */
function textParts(content: Json): string[] {
  if (typeof content === 'string') return [unwrapPastes(content)];
  if (!Array.isArray(content)) return [];
  const parts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') parts.push(unwrapPastes(part));
    else if (isRecord(part) && typeof part.text === 'string' && /^(text|input_text)$/.test(String(part.type ?? 'text'))) {
      parts.push(unwrapPastes(part.text));
    }
  }
  return parts;
}

/** The user-typed text of the last user message in a list of {role, content} items ('' when none). */
function lastUserTextOf(items: Json): string {
  if (!Array.isArray(items)) return '';
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (!isRecord(item) || item.role !== 'user') continue;
    if (item.type !== undefined && item.type !== 'message') continue;
    const typed = textParts(item.content).filter((t) => !isContextPart(t));
    if (typed.length === 0) continue; // a context-only user item (Codex environment/instructions): look further back
    return stripLeadingContext(typed[typed.length - 1]!);
  }
  return '';
}

export type ApiKind = 'anthropic' | 'responses' | 'chat';

/** The conversation items of a request body: Responses `input` (when a list), else `messages`. */
function itemsOf(api: ApiKind, body: Json): Json[] {
  if (!isRecord(body)) return [];
  const items = api === 'responses' ? body.input : body.messages;
  if (typeof items === 'string') return [{ role: 'user', content: items }];
  return Array.isArray(items) ? items : [];
}

/** Shape of the conversation a request carries: how many user messages hold typed text (context-only items,
 *  such as Codex's environment block, do not count), the first of them, and how many assistant messages precede.
 *  A request that opens a fresh conversation has userMessages 1 and assistantMessages 0. */
export function historyOf(api: ApiKind, body: Json): { userMessages: number; assistantMessages: number; firstUserText: string } {
  let userMessages = 0;
  let assistantMessages = 0;
  let firstUserText = '';
  for (const item of itemsOf(api, body)) {
    if (!isRecord(item)) continue;
    if (item.type !== undefined && item.type !== 'message') continue;
    if (item.role === 'assistant') assistantMessages += 1;
    if (item.role !== 'user') continue;
    const typed = textParts(item.content).filter((t) => !isContextPart(t)).map(stripLeadingContext).filter((t) => t.trim() !== '');
    if (typed.length === 0) continue;
    if (userMessages === 0) firstUserText = typed[0]!;
    userMessages += 1;
  }
  return { userMessages, assistantMessages, firstUserText };
}

/** Last user text of a request body of the given API. */
export function extractLastUserText(api: ApiKind, body: Json): string {
  if (!isRecord(body)) return '';
  if (api === 'responses') {
    if (typeof body.input === 'string') return body.input;
    return lastUserTextOf(body.input);
  }
  return lastUserTextOf(body.messages);
}

/** Lines in a message: a trailing newline does not start another line. */
export function countLines(text: string): number {
  if (text === '') return 0;
  return text.replace(/\n$/, '').split('\n').length;
}

/** System prompt text (Anthropic `system`, Responses `instructions`, Chat system messages), for classifying requests. */
export function systemTextOf(api: ApiKind, body: Json): string {
  if (!isRecord(body)) return '';
  if (api === 'anthropic') return typeof body.system === 'string' ? body.system : textParts(body.system).join('\n');
  if (api === 'responses') return typeof body.instructions === 'string' ? body.instructions : '';
  if (!Array.isArray(body.messages)) return '';
  return body.messages
    .filter((m): m is Record<string, Json> => isRecord(m) && (m.role === 'system' || m.role === 'developer'))
    .flatMap((m) => textParts(m.content))
    .join('\n');
}

// ---------- Gemini API ----------

/** Typed text parts of one Gemini `contents` entry (functionCall/functionResponse and thought parts are not text). */
function geminiTextParts(entry: Json): string[] {
  if (!isRecord(entry) || !Array.isArray(entry.parts)) return [];
  return entry.parts
    .filter((p): p is Record<string, Json> => isRecord(p) && typeof p.text === 'string' && p.thought !== true)
    .map((p) => p.text as string)
    .filter((t) => !isContextPart(t));
}

function geminiContents(body: Json): Json[] {
  return isRecord(body) && Array.isArray(body.contents) ? body.contents : [];
}

/** Gemini CLI opens every conversation with a machine-written setup turn (date, OS, folder listing) and the model's
 *  canned answer; neither is typed text. */
const GEMINI_SETUP = /^\s*(This is the Gemini CLI\. We are setting up the context|<session_context>)/;

function geminiTyped(entry: Json): string {
  const parts = geminiTextParts(entry).map(stripLeadingContext).filter((t) => t.trim() !== '' && !GEMINI_SETUP.test(t));
  return parts.join('\n');
}

export function geminiLastUserText(body: Json): string {
  const contents = geminiContents(body);
  for (let i = contents.length - 1; i >= 0; i--) {
    const entry = contents[i];
    if (!isRecord(entry) || (entry.role !== 'user' && entry.role !== undefined)) continue;
    const typed = geminiTyped(entry);
    if (typed !== '') return typed;
  }
  return '';
}

export function geminiHistory(body: Json): { userMessages: number; assistantMessages: number; firstUserText: string } {
  let userMessages = 0;
  let assistantMessages = 0;
  let firstUserText = '';
  for (const entry of geminiContents(body)) {
    if (!isRecord(entry)) continue;
    if (entry.role === 'model') {
      // The canned answer to the setup turn is no reply to the user.
      if (userMessages > 0) assistantMessages += 1;
      continue;
    }
    const typed = geminiTyped(entry);
    if (typed === '') continue;
    if (userMessages === 0) firstUserText = typed;
    userMessages += 1;
  }
  return { userMessages, assistantMessages, firstUserText };
}

export function geminiSystemText(body: Json): string {
  if (!isRecord(body)) return '';
  const si = body.systemInstruction ?? (isRecord(body.config) ? body.config.systemInstruction : undefined);
  if (typeof si === 'string') return si;
  return geminiTextParts(si).join('\n');
}
