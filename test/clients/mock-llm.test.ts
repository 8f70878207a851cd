// The mock LLM on its own: wire shapes the real clients rely on, delay, error injection, the JSONL log.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockLlm, type MockLlm } from '../../src/testbed/mock-llm.js';

let mock: MockLlm | undefined;
const scratch: string[] = [];
afterEach(async () => {
  await mock?.close();
  mock = undefined;
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

function post(path: string, body: unknown) {
  return fetch(`${mock!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** SSE frames as {event, data} with data JSON-parsed when possible. */
function sseEvents(text: string): Array<{ event?: string; data: any }> {
  return text
    .split('\n\n')
    .filter((f) => f.trim() !== '')
    .map((frame) => {
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const raw = /^data: (.*)$/m.exec(frame)?.[1] ?? '';
      let data: unknown = raw;
      try {
        data = JSON.parse(raw);
      } catch {
        // "[DONE]"
      }
      return { event, data };
    });
}

const anthropicBody = (text: unknown, stream: boolean) => ({ model: 'claude-x', stream, max_tokens: 10, messages: [{ role: 'user', content: text }] });

describe('mock LLM', () => {
  it('Anthropic Messages, streaming: full event sequence, reply names the request and the first line', async () => {
    mock = await startMockLlm();
    const res = await post('/v1/messages?beta=true', anthropicBody([{ type: 'text', text: '<system-reminder>ctx</system-reminder>' }, { type: 'text', text: 'alpha\nbeta' }], true));
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = sseEvents(await res.text());
    expect(events.map((e) => e.event)).toEqual([
      'message_start', 'content_block_start', 'ping', ...events.filter((e) => e.event === 'content_block_delta').map(() => 'content_block_delta'),
      'content_block_stop', 'message_delta', 'message_stop',
    ]);
    expect(events.every((e) => e.data.type === e.event)).toBe(true);
    const text = events.filter((e) => e.event === 'content_block_delta').map((e) => e.data.delta.text).join('');
    expect(text).toBe('MOCK-REPLY-1 got 2 line(s): alpha');
    expect(mock.requests()[0]).toMatchObject({ n: 1, api: 'anthropic', path: '/v1/messages', model: 'claude-x', lastUserText: 'alpha\nbeta', lines: 2, stream: true, status: 200, kind: 'turn' });
  });

  it('Anthropic Messages, non-streaming; count_tokens is answered but not logged', async () => {
    mock = await startMockLlm();
    const body = await (await post('/v1/messages', anthropicBody('hi', false))).json();
    expect(body).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn', content: [{ type: 'text', text: 'MOCK-REPLY-1 got 1 line(s): hi' }] });
    expect(await (await post('/v1/messages/count_tokens', anthropicBody('hi', false))).json()).toHaveProperty('input_tokens');
    expect(mock.requests()).toHaveLength(1);
  });

  it('OpenAI Responses, streaming: deltas then response.completed; context-only user items are skipped', async () => {
    mock = await startMockLlm();
    const input = [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'do the thing' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<environment_context>x</environment_context>' }] },
    ];
    const events = sseEvents(await (await post('/v1/responses', { model: 'gpt-x', stream: true, input })).text());
    expect(events[0]!.event).toBe('response.created');
    expect(events.at(-1)!.event).toBe('response.completed');
    expect(events.at(-1)!.data.response.status).toBe('completed');
    const text = events.filter((e) => e.event === 'response.output_text.delta').map((e) => e.data.delta).join('');
    expect(text).toBe('MOCK-REPLY-1 got 1 line(s): do the thing');
  });

  it('Chat Completions, streaming and not', async () => {
    mock = await startMockLlm();
    const events = sseEvents(await (await post('/v1/chat/completions', { model: 'm', stream: true, messages: [{ role: 'user', content: 'yo' }] })).text());
    expect(events.at(-1)!.data).toBe('[DONE]');
    expect(events.slice(0, -1).map((e) => e.data.choices[0].delta.content ?? '').join('')).toBe('MOCK-REPLY-1 got 1 line(s): yo');
    const body = (await (await post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'two' }] }] })).json()) as any;
    expect(body.choices[0].message.content).toBe('MOCK-REPLY-2 got 1 line(s): two');
  });

  it('logs the conversation shape: user messages with typed text, assistant messages, the first user text', async () => {
    mock = await startMockLlm();
    const claudeAfterClear = [
      { role: 'user', content: [{ type: 'text', text: '<local-command-caveat>caveat</local-command-caveat>' }, { type: 'text', text: '<command-name>/clear</command-name>' }] },
      { role: 'user', content: [{ type: 'text', text: '<system-reminder>ctx</system-reminder>' }, { type: 'text', text: 'kick off' }] },
    ];
    await post('/v1/messages', { model: 'm', max_tokens: 5, messages: claudeAfterClear });
    const ongoing = [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'MOCK-REPLY-1' },
      { role: 'user', content: [{ type: 'text', text: 'second' }] },
    ];
    await post('/v1/messages', { model: 'm', max_tokens: 5, messages: ongoing });
    const responses = [
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'rules' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<environment_context>x</environment_context>' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'one' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'r' }] },
      { type: 'function_call', name: 'shell', arguments: '{}' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'two' }] },
    ];
    await post('/v1/responses', { model: 'g', input: responses });
    await post('/v1/responses', { model: 'g', input: 'plain string input' });
    expect(mock.requests().map((r) => [r.userMessages, r.assistantMessages, r.firstUserText])).toEqual([
      [1, 0, 'kick off'],
      [2, 1, 'first'],
      [2, 1, 'one'],
      [1, 0, 'plain string input'],
    ]);
  });

  it('title side requests are tagged so they do not count as deliveries', async () => {
    mock = await startMockLlm();
    await post('/v1/messages', { ...anthropicBody('<session>\ntk1\n</session>\n\nWrite the title in the language the user wrote in.', false) });
    await post('/v1/messages', { ...anthropicBody('tk1', false), system: 'You are a title generator. You output ONLY a thread title.' });
    expect(mock.requests().map((r) => r.kind)).toEqual(['title', 'title']);
  });

  it('delay before the first byte: option, setDelay and POST /_mock/config', async () => {
    mock = await startMockLlm({ delayMs: 200 });
    let t = Date.now();
    await (await post('/v1/messages', anthropicBody('a', false))).json();
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
    mock.setDelay(0);
    await (await post('/v1/messages', anthropicBody('b', false))).json();
    expect(await (await post('/_mock/config', { delayMs: 250 })).json()).toMatchObject({ delayMs: 250 });
    t = Date.now();
    await (await post('/v1/messages', anthropicBody('c', false))).json();
    expect(Date.now() - t).toBeGreaterThanOrEqual(240);
    expect(mock.requests().map((r) => r.delayMs)).toEqual([200, 0, 250]);
  });

  it('HTTP error injection for N requests, in the API-specific error shape', async () => {
    mock = await startMockLlm();
    mock.setFailure(401, 1);
    const bad = await post('/v1/messages', anthropicBody('x', false));
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect((await post('/v1/messages', anthropicBody('y', false))).status).toBe(200);
    await post('/_mock/config', { failStatus: 500 });
    const oa = await post('/v1/responses', { model: 'm', input: 'z' });
    expect(oa.status).toBe(500);
    expect(await oa.json()).toHaveProperty('error.message');
    expect(mock.requests().map((r) => r.status)).toEqual([401, 200, 500]);
  });

  it('other paths get a JSON answer, never a hang', async () => {
    mock = await startMockLlm();
    expect((await fetch(`${mock.url}/v1/models`)).status).toBe(200);
    const res = await fetch(`${mock.url}/api/hello`);
    expect(res.status).toBe(404);
    expect(await res.json()).toHaveProperty('error');
  });

  it('JSONL log mirrors requests(); close() does not wait for a delayed reply', async () => {
    const dir = tempDir('mock-llm-');
    const logFile = join(dir, 'log.jsonl');
    mock = await startMockLlm({ logFile });
    await (await post('/v1/messages', anthropicBody('one\ntwo\n', false))).json();
    const logged = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(logged).toEqual(mock.requests());
    expect(logged[0]).toMatchObject({ lastUserText: 'one\ntwo\n', lines: 2 });
    expect(Object.keys(logged[0]!)).toEqual(expect.arrayContaining(['ts', 'api', 'path', 'model', 'lastUserText', 'lines', 'stream']));
    mock.setDelay(60_000);
    const pending = post('/v1/messages', anthropicBody('slow', false)).catch(() => 'aborted');
    await expect.poll(() => mock!.requests().length).toBe(2);
    const t = Date.now();
    await mock.close();
    mock = undefined;
    expect(Date.now() - t).toBeLessThan(30_000); // far below the 60 s the reply would have waited
    await pending;
  });

  it('a long paste wrapped in <pasted_content> (Claude Code 2.1.332) is logged as the typed text', async () => {
    mock = await startMockLlm();
    const typed = '[h:a -> h:b] line one\nline two';
    await post('/v1/messages', anthropicBody([{ type: 'text', text: `\n\n<pasted_content id="e579">\n${typed}\n</pasted_content id="e579">\n` }], false));
    await post('/v1/messages', anthropicBody(`before <pasted_content id="x1">${typed}</pasted_content> after`, false));
    expect(mock.requests().map((r) => r.lastUserText)).toEqual([typed, `before ${typed} after`]);
  });

  it('Gemini API: streamGenerateContent (SSE), generateContent, countTokens; the setup turn is not typed text', async () => {
    mock = await startMockLlm();
    const setup = { role: 'user', parts: [{ text: '<session_context>\nThis is the Gemini CLI. We are setting up the context for our chat.\n</session_context>' }] };
    const contents = [
      { ...setup, parts: [...setup.parts, { text: 'first ask' }] },
      { role: 'model', parts: [{ text: 'first answer' }] },
      { role: 'user', parts: [{ text: 'second\nask' }] },
    ];
    const res = await post('/v1beta/models/gemini-x:streamGenerateContent?alt=sse', { contents, systemInstruction: { parts: [{ text: 'You are Gemini CLI' }] } });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const chunks = sseEvents(await res.text()).map((e) => e.data);
    expect(chunks.map((c) => c.candidates[0].content.parts[0].text).join('')).toBe('MOCK-REPLY-1 got 2 line(s): second');
    expect(chunks.at(-1).candidates[0].finishReason).toBe('STOP');
    expect(chunks.at(-1).usageMetadata.totalTokenCount).toBeGreaterThan(0);
    expect(mock.requests()[0]).toMatchObject({
      api: 'gemini', model: 'gemini-x', stream: true, kind: 'turn', lastUserText: 'second\nask', lines: 2,
      userMessages: 2, assistantMessages: 1, firstUserText: 'first ask', system: 'You are Gemini CLI',
    });

    const fresh: any = await (await post('/v1beta/models/gemini-x:generateContent', { contents: [setup, { role: 'user', parts: [{ text: 'kick' }] }] })).json();
    expect(fresh.candidates[0].content.parts[0].text).toBe('MOCK-REPLY-2 got 1 line(s): kick');
    expect(mock.requests()[1]).toMatchObject({ stream: false, userMessages: 1, assistantMessages: 0, firstUserText: 'kick' });

    expect(await (await post('/v1beta/models/gemini-x:countTokens', { contents })).json()).toHaveProperty('totalTokens');
    expect(mock.requests()).toHaveLength(2);
  });

  it('Gemini JSON side checks (router, next speaker) get schema-shaped JSON at once and are tagged side', async () => {
    mock = await startMockLlm({ delayMs: 60_000 });
    const schema = { type: 'OBJECT', properties: { reasoning: { type: 'STRING' }, next_speaker: { type: 'STRING', enum: ['model', 'user'] }, score: { type: 'INTEGER' } } };
    const body: any = await (
      await post('/v1beta/models/flash:generateContent', {
        contents: [{ role: 'user', parts: [{ text: 'route this ask' }] }],
        generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema },
      })
    ).json();
    expect(JSON.parse(body.candidates[0].content.parts[0].text)).toEqual({ reasoning: 'mock', next_speaker: 'user', score: 0 });
    expect(mock.requests()[0]).toMatchObject({ kind: 'side', lastUserText: 'route this ask' });
  });

  it('Gemini errors come in its own shape; unknown paths are listed', async () => {
    mock = await startMockLlm({ failStatus: 429, failCount: 1 });
    const res = await post('/v1beta/models/g:generateContent', { contents: [{ role: 'user', parts: [{ text: 'x' }] }] });
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ error: { code: 429, message: 'injected error 429 (mock)', status: 'RESOURCE_EXHAUSTED' } });
    await fetch(`${mock.url}/v1beta/whatever`);
    expect(mock.otherRequests()).toEqual(['GET /v1beta/whatever']);
  });

  const cli = fileURLToPath(new URL('../../dist/testbed/mock-llm.js', import.meta.url));
  it('CLI: node dist/testbed/mock-llm.js --port 0 --log F prints its URL and serves', async () => {
    expect(existsSync(cli), 'dist/testbed/mock-llm.js is missing: run npm run build').toBe(true);
    const dir = tempDir('mock-llm-cli-');
    const child = spawn(process.execPath, [cli, '--port', '0', '--log', join(dir, 'log.jsonl')], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => resolve(d.toString().trim()));
        child.once('exit', (code) => reject(new Error(`mock CLI exited ${code}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${url}/v1/messages`, { method: 'POST', body: JSON.stringify(anthropicBody('cli', false)) });
      expect(((await res.json()) as any).content[0].text).toBe('MOCK-REPLY-1 got 1 line(s): cli');
      expect(readFileSync(join(dir, 'log.jsonl'), 'utf8')).toContain('"lastUserText":"cli"');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
