// A local stand-in for the LLM APIs the real agent REPLs call (loopback only, node:http only).
// Every request is logged as one JSONL line: that log is the ground truth of what a client submitted.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { countLines, extractLastUserText, geminiHistory, geminiLastUserText, geminiSystemText, historyOf, systemTextOf, type ApiKind } from './mock-text.js';
import {
  anthropicError,
  anthropicMessage,
  anthropicStream,
  chatBody,
  chatStream,
  geminiBody,
  geminiError,
  geminiStream,
  openaiError,
  responsesBody,
  responsesStream,
  sseFrame,
  valueForSchema,
  type SseEvent,
} from './mock-wire.js';

export interface MockLlmOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** JSONL file that receives one record per API request. */
  logFile?: string;
  /** Milliseconds before the first byte of every API reply. */
  delayMs?: number;
  /** Reply to API requests with this HTTP status instead of a completion. */
  failStatus?: number;
  /** How many requests get `failStatus` (default: all until cleared). */
  failCount?: number;
  /** Debug aid: JSONL file that receives every API request's full body. */
  bodyLogFile?: string;
  /** JSONL file that receives every request the mock has no API route for (what a new client calls at start). */
  otherLogFile?: string;
}

export interface MockRequestRecord {
  ts: string;
  /** 1-based number of this API request; the reply text carries it. */
  n: number;
  api: ApiKind | 'gemini' | 'count_tokens';
  path: string;
  model: string;
  lastUserText: string;
  lines: number;
  stream: boolean;
  /** HTTP status the mock answered with. */
  status: number;
  /** Delay before the first byte of the answer (the mock's setting when the request arrived). */
  delayMs: number;
  /** First line of the system prompt (debug aid). */
  system: string;
  /** 'title' for a client's side request that names the session (Claude, Codex, OpenCode send one per turn or
   *  per session, often with the user's text in it); 'side' for another side request that asks for JSON (Gemini
   *  CLI's model router and next-speaker check, which carry the user's text too); 'turn' for the conversation
   *  request itself. */
  kind: 'turn' | 'title' | 'side';
  /** User messages with typed text in the request's history, this one included (1 = a fresh conversation). */
  userMessages: number;
  /** Assistant messages in the request's history (0 = nothing answered before in this conversation). */
  assistantMessages: number;
  /** The conversation's first user message, cut to 200 chars. */
  firstUserText: string;
}

export interface MockLlmConfig {
  delayMs?: number;
  failStatus?: number | null;
  failCount?: number | null;
}

export interface MockLlm {
  url: string;
  port: number;
  close(): Promise<void>;
  setDelay(ms: number): void;
  /** Inject HTTP errors: `status` for the next `count` requests (all when omitted); null clears. */
  setFailure(status: number | null, count?: number): void;
  requests(): MockRequestRecord[];
  /** "METHOD /path" of every request that was not an API call (model lists, probes, unknown paths). */
  otherRequests(): string[];
}

interface MockState {
  delayMs: number;
  failStatus: number | null;
  failLeft: number;
  counter: number;
  records: MockRequestRecord[];
  logFile: string | undefined;
  bodyLogFile: string | undefined;
  otherLogFile: string | undefined;
  other: string[];
  timers: Set<NodeJS.Timeout>;
}

const MAX_BODY = 64 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendSse(res: ServerResponse, events: SseEvent[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const e of events) res.write(sseFrame(e));
  res.end();
}

type Route = ApiKind | 'count_tokens' | GeminiRoute;
type GeminiRoute = 'gemini:stream' | 'gemini:generate' | 'gemini:count';

function apiOf(method: string, pathname: string): Route | null {
  if (method !== 'POST') return null;
  // Gemini API: /v1beta/models/<model>:<method>
  const gemini = /\/models\/[^/:]+:(streamGenerateContent|generateContent|countTokens)$/.exec(pathname);
  if (gemini) return gemini[1] === 'streamGenerateContent' ? 'gemini:stream' : gemini[1] === 'generateContent' ? 'gemini:generate' : 'gemini:count';
  if (/\/messages\/count_tokens$/.test(pathname)) return 'count_tokens';
  if (/\/messages$/.test(pathname)) return 'anthropic';
  if (/\/responses$/.test(pathname)) return 'responses';
  if (/\/chat\/completions$/.test(pathname)) return 'chat';
  return null;
}

function fieldOf(body: unknown, key: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
}

function replyText(n: number, lastUserText: string): string {
  const first = lastUserText.split('\n')[0] ?? '';
  return `MOCK-REPLY-${n} got ${countLines(lastUserText)} line(s): ${first}`;
}

// Side requests that name the session: Claude "Write the title in the language…", Codex "Generate a concise,
// single-line task title…", OpenCode system prompt "You are a title generator…".
const TITLE_REQUEST = /\b(write|generate)\b[^.\n]{0,60}\btitle\b|\btitle generator\b/i;

function kindOf(system: string, lastUserText: string): 'turn' | 'title' {
  return TITLE_REQUEST.test(system.slice(0, 2000)) || TITLE_REQUEST.test(lastUserText.slice(0, 200)) ? 'title' : 'turn';
}

function record(state: MockState, rec: MockRequestRecord): void {
  state.records.push(rec);
  // Synchronous append: the log must already hold the request when a test looks right after the reply.
  if (state.logFile) appendFileSync(state.logFile, JSON.stringify(rec) + '\n');
}

/** Pop one injected failure, if any is armed. */
function takeFailure(state: MockState): number | null {
  if (state.failStatus === null || state.failLeft <= 0) return null;
  state.failLeft -= 1;
  const status = state.failStatus;
  if (state.failLeft <= 0) state.failStatus = null;
  return status;
}

/** Run `fn` after the configured delay, unless the client hangs up first. */
function afterDelay(state: MockState, res: ServerResponse, fn: () => void): void {
  if (state.delayMs <= 0) return fn();
  const timer = setTimeout(() => {
    state.timers.delete(timer);
    if (!res.destroyed) fn();
  }, state.delayMs);
  state.timers.add(timer);
  res.on('close', () => {
    clearTimeout(timer);
    state.timers.delete(timer);
  });
}

function answerCompletion(api: ApiKind, res: ServerResponse, stream: boolean, model: string, text: string, inputTokens: number): void {
  if (api === 'anthropic') {
    if (stream) sendSse(res, anthropicStream(model, text, inputTokens));
    else sendJson(res, 200, anthropicMessage(model, text, inputTokens));
  } else if (api === 'responses') {
    if (stream) sendSse(res, responsesStream(model, text, inputTokens));
    else sendJson(res, 200, responsesBody(model, text, inputTokens));
  } else if (stream) sendSse(res, chatStream(model, text, inputTokens));
  else sendJson(res, 200, chatBody(model, text, inputTokens));
}

function errorBody(api: ApiKind, status: number) {
  const message = status === 401 ? 'invalid x-api-key (mock)' : `injected error ${status} (mock)`;
  return api === 'anthropic' ? anthropicError(status, message) : openaiError(status, message);
}

async function handleApi(state: MockState, api: ApiKind | 'count_tokens', req: IncomingMessage, res: ServerResponse, pathname: string) {
  const raw = await readBody(req);
  const body = parseJson(raw);
  if (state.bodyLogFile) appendFileSync(state.bodyLogFile, JSON.stringify({ path: pathname, body: body ?? raw }) + '\n');
  const inputTokens = Math.max(1, Math.ceil(raw.length / 4));
  if (api === 'count_tokens') return sendJson(res, 200, { input_tokens: inputTokens });
  const model = String(fieldOf(body, 'model') ?? '');
  const stream = fieldOf(body, 'stream') === true;
  const lastUserText = extractLastUserText(api, body);
  const system = systemTextOf(api, body);
  const history = historyOf(api, body);
  const failure = takeFailure(state);
  state.counter += 1;
  const n = state.counter;
  record(state, {
    ts: new Date().toISOString(),
    n,
    api,
    path: pathname,
    model,
    lastUserText,
    lines: countLines(lastUserText),
    stream,
    status: failure ?? 200,
    delayMs: state.delayMs,
    system: (system.split('\n').find((l) => l.trim() !== '') ?? '').slice(0, 120),
    kind: kindOf(system, lastUserText),
    userMessages: history.userMessages,
    assistantMessages: history.assistantMessages,
    firstUserText: history.firstUserText.slice(0, 200),
  });
  afterDelay(state, res, () => {
    if (failure !== null) return sendJson(res, failure, errorBody(api, failure));
    answerCompletion(api, res, stream, model, replyText(n, lastUserText), inputTokens);
  });
}

/** Gemini's generation settings: top-level `generationConfig` (REST) or `config` (some SDK builds). */
function geminiConfigOf(body: unknown): Record<string, unknown> {
  const cfg = fieldOf(body, 'generationConfig') ?? fieldOf(body, 'config');
  return typeof cfg === 'object' && cfg !== null ? (cfg as Record<string, unknown>) : {};
}

async function handleGemini(state: MockState, route: GeminiRoute, req: IncomingMessage, res: ServerResponse, pathname: string) {
  const raw = await readBody(req);
  const body = parseJson(raw);
  if (state.bodyLogFile) appendFileSync(state.bodyLogFile, JSON.stringify({ path: pathname, body: body ?? raw }) + '\n');
  const inputTokens = Math.max(1, Math.ceil(raw.length / 4));
  if (route === 'gemini:count') return sendJson(res, 200, { totalTokens: inputTokens });
  const model = decodeURIComponent(/\/models\/([^/:]+):/.exec(pathname)?.[1] ?? '');
  const stream = route === 'gemini:stream';
  const lastUserText = geminiLastUserText(body);
  const system = geminiSystemText(body);
  const history = geminiHistory(body);
  const cfg = geminiConfigOf(body);
  // JSON-mode requests are the client's own side checks (router, next speaker, loop detection), never the turn.
  const wantsJson = cfg.responseMimeType === 'application/json' || cfg.responseJsonSchema !== undefined || cfg.responseSchema !== undefined;
  const failure = takeFailure(state);
  state.counter += 1;
  const n = state.counter;
  record(state, {
    ts: new Date().toISOString(),
    n,
    api: 'gemini',
    path: pathname,
    model,
    lastUserText,
    lines: countLines(lastUserText),
    stream,
    status: failure ?? 200,
    delayMs: state.delayMs,
    system: (system.split('\n').find((l) => l.trim() !== '') ?? '').slice(0, 120),
    kind: wantsJson ? 'side' : kindOf(system, lastUserText),
    userMessages: history.userMessages,
    assistantMessages: history.assistantMessages,
    firstUserText: history.firstUserText.slice(0, 200),
  });
  // Side checks answer at once: the delay stands for the model thinking about the user's turn.
  const reply = () => {
    if (failure !== null) return sendJson(res, failure, geminiError(failure, `injected error ${failure} (mock)`));
    const text = wantsJson
      ? JSON.stringify(valueForSchema((cfg.responseJsonSchema ?? cfg.responseSchema) as Parameters<typeof valueForSchema>[0]))
      : replyText(n, lastUserText);
    if (stream) sendSse(res, geminiStream(model, text, inputTokens));
    else sendJson(res, 200, geminiBody(model, text, inputTokens));
  };
  if (wantsJson && failure === null) return reply();
  afterDelay(state, res, reply);
}

async function handleControl(state: MockState, req: IncomingMessage, res: ServerResponse, pathname: string) {
  if (pathname === '/_mock/requests') return sendJson(res, 200, state.records);
  if (pathname === '/_mock/config' && req.method === 'POST') {
    const cfg = (parseJson(await readBody(req)) ?? {}) as MockLlmConfig;
    applyConfig(state, cfg);
    return sendJson(res, 200, { delayMs: state.delayMs, failStatus: state.failStatus, failLeft: state.failLeft });
  }
  return sendJson(res, 404, { error: { message: `unknown control path ${pathname}` } });
}

function applyConfig(state: MockState, cfg: MockLlmConfig): void {
  if (typeof cfg.delayMs === 'number' && cfg.delayMs >= 0) state.delayMs = cfg.delayMs;
  if (cfg.failStatus === null || cfg.failStatus === 0) state.failStatus = null;
  else if (typeof cfg.failStatus === 'number') {
    state.failStatus = cfg.failStatus;
    state.failLeft = typeof cfg.failCount === 'number' && cfg.failCount > 0 ? cfg.failCount : Number.POSITIVE_INFINITY;
  }
}

// Clients probe model lists and misc endpoints; a well-formed answer keeps them from hanging or retrying.
function handleOther(state: MockState, req: IncomingMessage, res: ServerResponse, pathname: string): void {
  state.other.push(`${req.method ?? '?'} ${pathname}`);
  if (state.otherLogFile) appendFileSync(state.otherLogFile, JSON.stringify({ ts: new Date().toISOString(), method: req.method, path: pathname }) + '\n');
  if (req.method === 'GET' && /\/models$/.test(pathname)) {
    return sendJson(res, 200, { object: 'list', data: [], models: [], has_more: false, first_id: null, last_id: null });
  }
  req.resume();
  sendJson(res, 404, { error: { type: 'not_found_error', message: `mock: no route for ${req.method} ${pathname}` } });
}

export async function startMockLlm(options: MockLlmOptions = {}): Promise<MockLlm> {
  const state: MockState = {
    delayMs: options.delayMs ?? 0,
    failStatus: null,
    failLeft: 0,
    counter: 0,
    records: [],
    logFile: options.logFile,
    bodyLogFile: options.bodyLogFile,
    otherLogFile: options.otherLogFile,
    other: [],
    timers: new Set(),
  };
  if (options.failStatus) applyConfig(state, { failStatus: options.failStatus, failCount: options.failCount ?? null });
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://mock').pathname;
    const done = (p: Promise<void> | void) =>
      Promise.resolve(p).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: { message: String(err) } });
        else res.destroy();
      });
    if (pathname.startsWith('/_mock/')) return void done(handleControl(state, req, res, pathname));
    const api = apiOf(req.method ?? 'GET', pathname);
    if (api?.startsWith('gemini:')) return void done(handleGemini(state, api as GeminiRoute, req, res, pathname));
    if (api) return void done(handleApi(state, api as ApiKind | 'count_tokens', req, res, pathname));
    handleOther(state, req, res, pathname);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setDelay(ms) {
      applyConfig(state, { delayMs: ms });
    },
    setFailure(status, count) {
      applyConfig(state, { failStatus: status, failCount: count ?? null });
    },
    requests: () => state.records.slice(),
    otherRequests: () => state.other.slice(),
    close() {
      for (const t of state.timers) clearTimeout(t);
      state.timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
      });
    },
  };
}

function parseArgs(argv: string[]): MockLlmOptions {
  const opts: MockLlmOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value for ${flag}`);
    if (flag === '--port') opts.port = Number(value);
    else if (flag === '--log') opts.logFile = value;
    else if (flag === '--delay') opts.delayMs = Number(value);
    else if (flag === '--fail-status') opts.failStatus = Number(value);
    else if (flag === '--body-log') opts.bodyLogFile = value;
    else if (flag === '--other-log') opts.otherLogFile = value;
    else throw new Error(`unknown option ${flag} (use --port N --log FILE [--delay MS] [--fail-status CODE] [--body-log FILE] [--other-log FILE])`);
    i += 1;
  }
  return opts;
}

async function main(): Promise<void> {
  const mock = await startMockLlm(parseArgs(process.argv.slice(2)));
  process.stdout.write(`${mock.url}\n`);
  const stop = () => void mock.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`mock-llm: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  });
}
