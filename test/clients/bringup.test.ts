// Real clients, offline, against the mock LLM: bring-up reaches a ready input box, one pasted message becomes
// exactly one API request, the client returns to idle, and no process outlives the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockLlm, type MockLlm } from '../../src/testbed/mock-llm.js';
import {
  assertInstalled,
  CLIENT_NAMES,
  isIdle,
  newSocketName,
  newToken,
  startClientInTmux,
  turnRequestsWith,
  type ClientHandle,
} from './harness.js';

interface Measurement {
  client: string;
  readyMs: number;
  rssMb: number;
  procs: number;
  turnMs: number;
}

// A missing client fails the suite (with the install hint) instead of skipping it: CI installs them.
describe('real clients: bring-up and one delivery', () => {
  let mock: MockLlm;
  let scratch: string;
  const measurements: Measurement[] = [];

  beforeAll(async () => {
    assertInstalled(CLIENT_NAMES);
    scratch = mkdtempSync(join(tmpdir(), 'mfc-bringup-'));
    mock = await startMockLlm({ logFile: join(scratch, 'mock.jsonl') });
  });

  afterAll(async () => {
    await mock?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    if (measurements.length > 0) console.table(measurements);
  });

  for (const client of CLIENT_NAMES) {
    it(`${client}: ready, paste + Enter -> exactly one request, idle again, no survivors`, async () => {
      const workdir = mkdtempSync(join(scratch, `${client}-work-`));
      let h: ClientHandle | undefined;
      try {
        h = await startClientInTmux(client, { socket: newSocketName(client), mockUrl: mock.url, workdir });
        const ready = h.state();
        expect(ready).toMatchObject({ ready: true, busy: false, input: '' });
        expect(ready.dialog).toBeUndefined();

        const token = newToken(client);
        h.paste(`${token} hello from the bring-up test`);
        await h.waitForState('pasted draft visible', (s) => (s.input ?? '').includes(token), 10_000);
        // The REPL's own Enter policy, as the delivery engine applies it: Gemini CLI turns an Enter within 30 ms of
        // the paste into a newline.
        await new Promise((r) => setTimeout(r, h!.profile.enterDelayMs));
        const sentAt = Date.now();
        h.pressEnter();

        await waitForRequest(mock, token);
        const idle = await h.waitForState('idle after the turn', (s) => isIdle(s) && /MOCK-REPLY-\d+/.test(s.transcript), 60_000);
        const turnMs = Date.now() - sentAt;
        expect(idle.transcript).toContain(token);
        const hits = turnRequestsWith(mock, token);
        expect(hits).toHaveLength(1);
        expect(hits[0]).toMatchObject({ lines: 1, status: 200 });

        // Every process of this client lives in the pane's tree: no daemon escaped (Codex runs --no-daemon).
        const tree = new Set(h.paneTree());
        expect(h.processes().filter((p) => !tree.has(p))).toEqual([]);
        measurements.push({ client, readyMs: h.readyMs, rssMb: Math.round(h.rssKb() / 1024), procs: tree.size, turnMs });
      } finally {
        if (h) {
          const { reaped, survivors } = await h.stop();
          expect(survivors).toEqual([]);
          expect(reaped, 'processes still alive 10 s after kill-server').toEqual([]);
        }
      }
    });
  }
});

async function waitForRequest(mock: MockLlm, token: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (turnRequestsWith(mock, token).length === 0) {
    if (Date.now() > deadline) {
      const seen = mock.requests().map((r) => `${r.kind} ${JSON.stringify(r.lastUserText.slice(0, 60))}`);
      throw new Error(`no request with ${token} reached the mock; saw:\n${seen.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
