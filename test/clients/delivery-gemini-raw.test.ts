// Issue 11: Gemini CLI as a raw pane, with no runtime named and no profile tag, the way a new user first tries it.
// The verdict must rest on evidence whatever the layout: every `submitted` is checked against the mock's request log
// (exactly one turn with the exact text), a person's draft must be held and left alone, and a send into a running
// turn must not be called submitted before it reached the model. Run alone:
//   npx vitest run --config vitest.clients.config.ts test/clients/delivery-gemini-raw.test.ts
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockLlm, type MockLlm } from '../../src/testbed/mock-llm.js';
import { shippedTmuxConf } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';
import { assertInstalled, isIdle, newSocketName, newToken, screenText, startClientInTmux, turnRequestsWith, type ClientHandle } from './harness.js';
import { SLOW_MS, waitTurnDone, waitTurns } from './delivery-suite.js';

const FROM = 'testhost:tester';

describe('gemini as a raw pane (no --runtime): verdicts against the request log', () => {
  let mock: MockLlm | undefined;
  let h: ClientHandle | undefined;
  let dir = '';
  let cliHome = '';

  /** `mosaic-agent send =gemini` with no --runtime: the CLI reads the pane generically. */
  const send = async (body: string, extra: string[] = []) => {
    const file = join(dir, `body-${newToken('b')}.txt`);
    writeFileSync(file, body);
    const raw = await runCli('agent', ['send', '=gemini', '-L', h!.socket, '--from', FROM, '--to-host', 'fleethost', '-f', file, '--json', ...extra], {
      env: { HOME: cliHome },
      timeoutMs: 90_000,
    });
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(raw.stdout) as Record<string, unknown>;
    } catch {
      // reported by the assertions with stderr
    }
    return { code: raw.code, status: String(json.status ?? `no JSON (exit ${raw.code}): ${raw.stderr.trim()}`), json };
  };
  const text = (body: string) => `[${FROM} -> fleethost:gemini] ${body}`;

  beforeAll(async () => {
    assertInstalled(['gemini']);
    dir = mkdtempSync(join(tmpdir(), 'mfc-gemini-raw-'));
    cliHome = mkdtempSync(join(dir, 'cli-home-'));
    mock = await startMockLlm({ logFile: join(dir, 'mock.jsonl') });
    h = await startClientInTmux('gemini', { socket: newSocketName('gemini'), mockUrl: mock.url, workdir: mkdtempSync(join(dir, 'work-')), tmuxConf: shippedTmuxConf(), readyTimeoutMs: 90_000 });
  });

  // Each case starts from an idle, empty box, so one case's leftover draft cannot decide the next (Ctrl-U clears one
  // line of Gemini's input per press; a multi-line leftover needs several).
  beforeEach(async () => {
    if (!h) return;
    for (let i = 0; i < 12 && (h.state().input ?? '') !== ''; i += 1) {
      const before = h.state().input;
      h.tmux(['send-keys', '-t', h.pane, 'C-u', 'BSpace']);
      await h.waitForState('the box changed', (s) => s.input !== before, 2_000).catch(() => undefined);
    }
    await h.waitForState('idle before the case', (s) => isIdle(s), 60_000);
  });

  afterAll(async () => {
    const stopped = await h?.stop();
    await mock?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    expect(stopped?.survivors ?? []).toEqual([]);
  });

  for (const [name, body] of [
    ['single line', (t: string) => `${t} raw pane single line`],
    ['three lines', (t: string) => `${t} raw line one\n${t} raw line two\n${t} raw line three`],
  ] as const) {
    it(`idle, ${name}: submitted only with the request in the log, exactly once`, async () => {
      const token = newToken('gr');
      const r = await send(body(token));
      // Whatever the verdict, the log decides: a message reported submitted must have reached the model once.
      const arrived = await waitTurns(mock!, token, 1, 15_000).catch(() => []);
      expect(arrived.length, `verdict ${r.status}; screen:\n${screenText(h!.capture())}`).toBe(1);
      expect(r.status).toBe('submitted');
      expect(arrived[0]!.lastUserText.trim()).toBe(text(body(token)));
      await waitTurnDone(h!, arrived[0]!);
      expect(turnRequestsWith(mock!, token)).toHaveLength(1);
    });
  }

  it("a person's half-typed draft is held and left as it was; nothing reaches the model", async () => {
    const draft = `person typing ${newToken('d')}`;
    h!.tmux(['send-keys', '-t', h!.pane, '-l', draft]);
    await h!.waitForState('the draft in the box', (s) => (s.input ?? '').includes(draft), 10_000);
    const token = newToken('gh');
    const r = await send(`${token} must not join the draft`, ['--timeout', '5']);
    expect(r.status).toBe('held');
    expect(r.code).not.toBe(0);
    expect(turnRequestsWith(mock!, token)).toHaveLength(0);
    expect(mock!.requests().filter((q) => q.lastUserText.includes(draft))).toHaveLength(0);
    expect(h!.state().input).toBe(draft);
    // Clean up the person's draft for the next case (Ctrl-U clears Gemini's input line).
    h!.tmux(['send-keys', '-t', h!.pane, 'C-u']);
    await h!.waitForState('empty box', (s) => isIdle(s), 10_000);
  });

  it('a send into a running turn is not called submitted before the model got it', async () => {
    mock!.setDelay(SLOW_MS);
    try {
      const first = newToken('g1');
      const a = await send(`${first} first, the mock holds its answer`);
      expect(a.status).toBe('submitted');
      const [aRec] = await waitTurns(mock!, first);
      await h!.waitForState('busy with the first turn', (s) => s.busy, 10_000);
      const second = newToken('g2');
      const b = await send(`${second} sent while the first turn runs`);
      // Taken into Gemini's queue: only "queued" is true here; "submitted" would claim a request that does not exist yet.
      const beforeAnswer = turnRequestsWith(mock!, second).length;
      expect(b.status === 'submitted' ? beforeAnswer : 1, `verdict ${b.status} with ${beforeAnswer} request(s) at that time`).toBe(1);
      expect(['queued', 'submitted']).toContain(b.status);
      const [bRec] = await waitTurns(mock!, second, 1, SLOW_MS * 4);
      await waitTurnDone(h!, bRec!, SLOW_MS * 6);
      expect(turnRequestsWith(mock!, second)).toHaveLength(1);
      expect(bRec!.n).toBeGreaterThan(aRec!.n);
    } finally {
      mock!.setDelay(0);
    }
  });
});
