// Response bodies and SSE event sequences for the three mocked APIs.
// Shapes follow the public API references closely enough that the real clients' SDKs accept them.
import { randomBytes } from 'node:crypto';

export interface SseEvent {
  /** SSE `event:` name; omitted for Chat Completions, which only uses `data:`. */
  event?: string;
  data: unknown;
}

function newId(prefix: string): string {
  return `${prefix}_mock${randomBytes(8).toString('hex')}`;
}

/** Split a reply into a few stream deltas, so clients exercise their incremental rendering. */
function chunksOf(text: string): string[] {
  const words = text.split(/(?<= )/);
  const out: string[] = [];
  for (let i = 0; i < words.length; i += 3) out.push(words.slice(i, i + 3).join(''));
  return out.length > 0 ? out : [''];
}

function roughTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

// ---------- Anthropic Messages ----------

function anthropicUsage(inputTokens: number, outputTokens: number) {
  return { input_tokens: inputTokens, output_tokens: outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

export function anthropicMessage(model: string, text: string, inputTokens: number) {
  return {
    id: newId('msg'),
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: anthropicUsage(inputTokens, roughTokens(text)),
  };
}

export function anthropicStream(model: string, text: string, inputTokens: number): SseEvent[] {
  const start = { ...anthropicMessage(model, '', inputTokens), content: [], stop_reason: null, usage: anthropicUsage(inputTokens, 1) };
  const events: SseEvent[] = [
    { event: 'message_start', data: { type: 'message_start', message: start } },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
    { event: 'ping', data: { type: 'ping' } },
  ];
  for (const piece of chunksOf(text)) {
    events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } } });
  }
  events.push(
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    {
      event: 'message_delta',
      data: { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: roughTokens(text) } },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  );
  return events;
}

export function anthropicError(status: number, message: string) {
  const type = status === 401 ? 'authentication_error' : status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
  return { type: 'error', error: { type, message } };
}

// ---------- OpenAI Responses ----------

function responsesUsage(inputTokens: number, outputTokens: number) {
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
}

function responsesItem(id: string, text: string, status: 'in_progress' | 'completed') {
  const content = status === 'completed' ? [{ type: 'output_text', text, annotations: [] }] : [];
  return { id, type: 'message', role: 'assistant', status, content };
}

function responseObject(id: string, model: string, status: string, output: unknown[], usage: unknown) {
  return { id, object: 'response', created_at: Math.floor(Date.now() / 1000), status, model, output, usage };
}

export function responsesBody(model: string, text: string, inputTokens: number) {
  const item = responsesItem(newId('msg'), text, 'completed');
  return { ...responseObject(newId('resp'), model, 'completed', [item], responsesUsage(inputTokens, roughTokens(text))), output_text: text };
}

export function responsesStream(model: string, text: string, inputTokens: number): SseEvent[] {
  const respId = newId('resp');
  const itemId = newId('msg');
  let seq = 0;
  const ev = (type: string, rest: Record<string, unknown>): SseEvent => ({ event: type, data: { type, sequence_number: seq++, ...rest } });
  const part = { type: 'output_text', text: '', annotations: [] };
  const events: SseEvent[] = [
    ev('response.created', { response: responseObject(respId, model, 'in_progress', [], null) }),
    ev('response.in_progress', { response: responseObject(respId, model, 'in_progress', [], null) }),
    ev('response.output_item.added', { output_index: 0, item: responsesItem(itemId, '', 'in_progress') }),
    ev('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part }),
  ];
  for (const piece of chunksOf(text)) {
    events.push(ev('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta: piece }));
  }
  const done = responsesItem(itemId, text, 'completed');
  events.push(
    ev('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text }),
    ev('response.content_part.done', { item_id: itemId, output_index: 0, content_index: 0, part: { ...part, text } }),
    ev('response.output_item.done', { output_index: 0, item: done }),
    ev('response.completed', { response: responseObject(respId, model, 'completed', [done], responsesUsage(inputTokens, roughTokens(text))) }),
  );
  return events;
}

// ---------- OpenAI Chat Completions ----------

export function chatBody(model: string, text: string, inputTokens: number) {
  const completion = roughTokens(text);
  return {
    id: newId('chatcmpl'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: inputTokens, completion_tokens: completion, total_tokens: inputTokens + completion },
  };
}

export function chatStream(model: string, text: string, inputTokens: number): SseEvent[] {
  const id = newId('chatcmpl');
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: unknown, finish: string | null, extra: Record<string, unknown> = {}): SseEvent => ({
    data: { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra },
  });
  const events: SseEvent[] = [chunk({ role: 'assistant', content: '' }, null)];
  for (const piece of chunksOf(text)) events.push(chunk({ content: piece }, null));
  const completion = roughTokens(text);
  events.push(chunk({}, 'stop', { usage: { prompt_tokens: inputTokens, completion_tokens: completion, total_tokens: inputTokens + completion } }));
  events.push({ data: '[DONE]' });
  return events;
}

export function openaiError(status: number, message: string) {
  const type = status === 401 ? 'invalid_request_error' : status === 429 ? 'rate_limit_exceeded' : 'server_error';
  return { error: { message, type, code: status === 401 ? 'invalid_api_key' : null, param: null } };
}

/** One SSE frame. */
export function sseFrame(e: SseEvent): string {
  const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
  return `${e.event !== undefined ? `event: ${e.event}\n` : ''}data: ${data}\n\n`;
}

// ---------- Gemini API (generateContent / streamGenerateContent) ----------

function geminiUsage(inputTokens: number, outputTokens: number) {
  return { promptTokenCount: inputTokens, candidatesTokenCount: outputTokens, totalTokenCount: inputTokens + outputTokens };
}

function geminiChunk(model: string, text: string, finish: string | null, usage: unknown) {
  const candidate: Record<string, unknown> = { content: { role: 'model', parts: [{ text }] }, index: 0 };
  if (finish) candidate.finishReason = finish;
  return { candidates: [candidate], usageMetadata: usage, modelVersion: model, responseId: newId('resp') };
}

export function geminiBody(model: string, text: string, inputTokens: number) {
  return geminiChunk(model, text, 'STOP', geminiUsage(inputTokens, roughTokens(text)));
}

/** `?alt=sse` stream: one `data:` frame per chunk, the last with finishReason and full usage. */
export function geminiStream(model: string, text: string, inputTokens: number): SseEvent[] {
  const pieces = chunksOf(text);
  return pieces.map((piece, i) => {
    const last = i === pieces.length - 1;
    return { data: geminiChunk(model, piece, last ? 'STOP' : null, geminiUsage(inputTokens, last ? roughTokens(text) : 0)) };
  });
}

export function geminiError(status: number, message: string) {
  const state = status === 401 || status === 403 ? 'PERMISSION_DENIED' : status === 429 ? 'RESOURCE_EXHAUSTED' : status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
  return { error: { code: status, message, status: state } };
}

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; items?: JsonSchema; enum?: unknown[]; required?: string[] };

/** A value that satisfies a side request's JSON schema (Gemini's router and next-speaker checks ask for JSON):
 *  enums prefer "user"/"flash" so the client hands the turn back and picks the cheap model. */
export function valueForSchema(schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return null;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return schema.enum.find((v) => v === 'user' || v === 'flash') ?? schema.enum[0];
  }
  const type = (Array.isArray(schema.type) ? schema.type[0] : schema.type)?.toLowerCase();
  if (type === 'object' || schema.properties) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema.properties ?? {})) out[k] = valueForSchema(v, depth + 1);
    return out;
  }
  if (type === 'array') return [];
  if (type === 'boolean') return false;
  if (type === 'number' || type === 'integer') return 0;
  return 'mock';
}
