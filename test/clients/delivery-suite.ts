// Issue 7, "must show": the product's own `mosaic-agent send` / `reset` CLI against a real client in a private
// tmux pane, with the mock LLM answering fast and holding its answer for seconds. The mock's request log is the
// ground truth: every verdict the CLI prints is checked against what actually reached the "model".
// One test file per client (delivery-<client>.test.ts) calls deliverySuite(client), so clients run one at a time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startMockLlm, type MockLlm, type MockRequestRecord } from '../../src/testbed/mock-llm.js';
import { shippedTmuxConf } from '../../src/paths.js';
import { clientsMode, installedClientVersion } from '../../src/runtimes/bringup.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { waitFor } from '../helpers/tmux.js';
import {
  assertInstalled,
  isIdle,
  newSocketName,
  newToken,
  screenText,
  startClientInTmux,
  turnRequestsWith,
  type ClientHandle,
  type ClientName,
} from './harness.js';

/** How long the slow mock holds every answer: long enough that a second send lands mid-turn. */
export const SLOW_MS = 6_000;
const FROM = 'testhost:tester';
const TO_HOST = 'fleethost';

export interface Fixture {
  client: ClientName;
  mock: MockLlm;
  h: ClientHandle;
  dir: string;
  /** HOME of the CLI runs (ledger state lives under it). */
  cliHome: string;
  roster: string;
}

export interface CliSend {
  code: number | null;
  status: string;
  json: Record<string, unknown>;
  raw: CliResult;
}

/** The exact text the CLI pastes for `body` (preamble + body), as the mock must log it. */
export function expectedText(client: ClientName, body: string): string {
  return `[${FROM} -> ${TO_HOST}:${client}] ${body}`;
}

/** `mosaic-agent send =<client> -L <socket> --runtime <client> -f <file> --json` (the body goes through a file). */
export async function cliSend(f: Fixture, body: string, extra: string[] = []): Promise<CliSend> {
  const file = join(f.dir, `body-${newToken('b')}.txt`);
  writeFileSync(file, body);
  const raw = await runCli(
    'agent',
    ['send', `=${f.client}`, '-L', f.h.socket, '--runtime', f.client, '--from', FROM, '--to-host', TO_HOST, '-f', file, '--json', ...extra],
    { env: { HOME: f.cliHome }, timeoutMs: 90_000 },
  );
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(raw.stdout) as Record<string, unknown>;
  } catch {
    // reported below with stderr
  }
  return { code: raw.code, status: String(json.status ?? `no JSON (exit ${raw.code}): ${raw.stderr.trim()}`), json, raw };
}

/** Turn requests carrying `token`, waited for until `count` have arrived. */
export async function waitTurns(mock: MockLlm, token: string, count = 1, timeoutMs = 30_000): Promise<MockRequestRecord[]> {
  try {
    return await waitFor(`${count} turn request(s) with ${token}`, () => {
      const hits = turnRequestsWith(mock, token);
      return hits.length >= count ? hits : null;
    }, timeoutMs, 50);
  } catch (err) {
    const seen = mock.requests().map((r) => `#${r.n} ${r.kind} ${JSON.stringify(r.lastUserText.slice(0, 70))}`);
    throw new Error(`${(err as Error).message}; the mock saw:\n${seen.join('\n')}`);
  }
}

/** The mock's log in short, for failure messages: which request, what kind, the history it carried. */
export function describeRequests(mock: MockLlm): string {
  return mock
    .requests()
    .map((r) => `#${r.n} ${r.ts.slice(11, 23)} ${r.kind} ${r.status} hist ${r.userMessages}u/${r.assistantMessages}a ${JSON.stringify(r.lastUserText.slice(0, 60))}`)
    .join('\n');
}

/** The turn that answered request `rec` is over: its reply is on screen and the client is idle again. */
export async function waitTurnDone(h: ClientHandle, rec: MockRequestRecord, timeoutMs = 60_000): Promise<void> {
  await h.waitForState(`idle with MOCK-REPLY-${rec.n} shown`, (s) => isIdle(s) && new RegExp(`MOCK-REPLY-${rec.n}\\b`).test(s.transcript), timeoutMs);
}

/** Send through the CLI, expect `submitted`, and prove it by the log: exactly one turn request with the exact text. */
async function submitOnce(f: Fixture, body: string, token: string): Promise<MockRequestRecord> {
  const r = await cliSend(f, body);
  expect(r.status, `${r.raw.stderr}${r.raw.stdout}\nscreen:\n${screenText(f.h.capture())}\nmock:\n${describeRequests(f.mock)}`).toBe('submitted');
  expect(r.code).toBe(0);
  const [rec] = await waitTurns(f.mock, token);
  await waitTurnDone(f.h, rec!);
  const hits = turnRequestsWith(f.mock, token);
  expect(hits, `turn requests carrying the token:\n${describeRequests(f.mock)}`).toHaveLength(1);
  const want = expectedText(f.client, body);
  expect(hits[0]!.lastUserText.trim()).toBe(want);
  expect(hits[0]!.lines).toBe(want.split('\n').length);
  expect(hits[0]!.status).toBe(200);
  return hits[0]!;
}

export function tenKilobytes(token: string): string {
  const lines: string[] = [];
  for (let i = 0; lines.join('\n').length < 10 * 1024; i += 1) {
    lines.push(`${token} line ${String(i).padStart(3, '0')}: ${'the quick brown fox jumps over the lazy dog '.repeat(2).trim()}`);
  }
  return lines.join('\n');
}

function writeRoster(f: Omit<Fixture, 'roster'>): string {
  const roster = {
    version: 1,
    tmux: { socket_name: f.h.socket, holder_session: '_holder' },
    defaults: { working_directory: f.h.workdir, runtime: f.client, ready_timeout_seconds: 60 },
    agents: [{ name: f.client, runtime: f.client, working_directory: f.h.workdir }],
  };
  const path = join(f.dir, 'roster.yaml');
  writeFileSync(path, stringify(roster));
  return path;
}

/** What each case observed, printed as one table at the end of the file. */
export const observed: Array<Record<string, string | number>> = [];

export function deliverySuite(client: ClientName): void {
  for (const mode of ['fast', 'slow'] as const) {
    describe(`${client}, ${mode} mock: verified delivery through mosaic-agent`, () => {
      let f: Fixture | undefined;
      const fx = (): Fixture => {
        if (!f) throw new Error('fixture not set up (see the beforeAll error)');
        return f;
      };
      const note = (what: string, value: string | number) => observed.push({ client, mock: mode, case: what, value });

      beforeAll(async () => {
        assertInstalled([client]);
        const dir = mkdtempSync(join(tmpdir(), `mfc-deliver-${client}-`));
        // MFC_BODY_LOG=<file>: keep every request body (debugging a client's wire changes).
        const mock = await startMockLlm({ logFile: join(dir, 'mock.jsonl'), delayMs: 0, ...(process.env.MFC_BODY_LOG ? { bodyLogFile: process.env.MFC_BODY_LOG } : {}) });
        const workdir = mkdtempSync(join(dir, 'work-'));
        const cliHome = mkdtempSync(join(dir, 'cli-home-'));
        let h: ClientHandle;
        try {
          h = await startClientInTmux(client, {
            socket: newSocketName(client),
            mockUrl: mock.url,
            workdir,
            tmuxConf: shippedTmuxConf(),
            tagProfile: true,
            readyTimeoutMs: 90_000,
          });
        } catch (err) {
          await mock.close();
          throw err;
        }
        const base = { client, mock, h, dir, cliHome };
        f = { ...base, roster: writeRoster(base) };
        // The delay applies from here on: start-up probes were answered fast.
        mock.setDelay(mode === 'slow' ? SLOW_MS : 0);
        note('time to ready (ms)', h.readyMs);
        note('version', `${installedClientVersion(client) ?? '?'} (${clientsMode()})`);
      });

      afterAll(async () => {
        if (!f) return;
        const { reaped, survivors } = await f.h.stop();
        await f.mock.close();
        rmSync(f.dir, { recursive: true, force: true });
        expect(survivors, 'client processes that survived SIGKILL').toEqual([]);
        expect(reaped, 'client processes still alive 10 s after kill-server').toEqual([]);
      });

      it('single-line message: submitted, exactly one request with the exact text', async () => {
        const token = newToken(client);
        await submitOnce(fx(), `${token} single line message`, token);
      });

      it('multi-line message: submitted as one request, lines intact', async () => {
        const token = newToken(client);
        await submitOnce(fx(), [`${token} alpha line one`, `${token} bravo line two`, `  ${token} charlie line three, indented`].join('\n'), token);
      });

      it('10 KB message: submitted whole, exactly once', async () => {
        const token = newToken(client);
        const body = tenKilobytes(token);
        expect(Buffer.byteLength(body)).toBeGreaterThanOrEqual(10 * 1024);
        const rec = await submitOnce(fx(), body, token);
        // OpenCode expands its "[Pasted ~N lines]" placeholder with a trailing newline; nothing else may differ.
        expect(rec.lastUserText.trimEnd()).toHaveLength(expectedText(client, body).length);
      });

      // Only a held answer gives a turn long enough to send into: with the fast mock a turn is over in ~100 ms.
      if (mode === 'slow') it('message during a running turn: queued (or steered) and delivered once, after the first', async () => {
        const f = fx();
        const first = newToken(client);
        const second = newToken(client);
        const a = await cliSend(f, `${first} first message, the mock holds its answer`);
        expect(a.status, a.raw.stderr).toBe('submitted');
        const [aRec] = await waitTurns(f.mock, first);
        await f.h.waitForState('busy with the first turn', (s) => s.busy, 10_000);
        const sentAt = Date.now();
        const b = await cliSend(f, `${second} sent while the first turn runs`);
        const cliMs = Date.now() - sentAt;
        note('busy verdict', b.status);
        expect(['queued', 'submitted'], b.raw.stderr + b.raw.stdout).toContain(b.status);
        expect(b.code).toBe(0);
        // Accepted mid-turn: the first answer is still held, so the second cannot have been a separate idle turn.
        expect(cliMs).toBeLessThan(SLOW_MS);
        expect(turnRequestsWith(f.mock, second)).toHaveLength(0);

        const [bRec] = await waitTurns(f.mock, second, 1, SLOW_MS * 4);
        await waitTurnDone(f.h, bRec!, SLOW_MS * 6);
        expect(turnRequestsWith(f.mock, first)).toHaveLength(1);
        expect(turnRequestsWith(f.mock, second)).toHaveLength(1);
        // Same conversation, after the first message: its history holds the first message too.
        expect(bRec!.n).toBeGreaterThan(aRec!.n);
        expect(bRec!.userMessages).toBeGreaterThanOrEqual(aRec!.userMessages + 1);
        const waitedMs = Date.parse(bRec!.ts) - Date.parse(aRec!.ts);
        note('2nd request after 1st (ms)', waitedMs);
        // Queued or steered at the next boundary: it reached the model only once the held answer came back.
        expect(waitedMs).toBeGreaterThanOrEqual(SLOW_MS - 500);
      });

      it('Enter never reaches the client: draft, nothing submitted; a later Enter submits it once', async () => {
        const f = fx();
        const token = newToken(client);
        const body = `${token} the Enter for this one is swallowed`;
        // tmux runs this hook right after the paste-buffer command, before any later command: the paste has
        // landed, and every Enter the engine sends after it is dropped by tmux (pane input off).
        const hook = f.h.tmux(['set-hook', '-t', f.client, 'after-paste-buffer', `select-pane -d -t ${f.h.pane}`]);
        expect(hook.code, hook.stderr).toBe(0);
        let r: CliSend;
        try {
          r = await cliSend(f, body, ['--timeout', '3']);
        } finally {
          f.h.tmux(['set-hook', '-u', '-t', f.client, 'after-paste-buffer']);
          f.h.tmux(['select-pane', '-e', '-t', f.h.pane]);
        }
        expect(r.status, r.raw.stderr + r.raw.stdout).toBe('draft');
        expect(r.code).toBe(2);
        expect(Number(r.json.attempts)).toBeGreaterThan(1); // it did retry Enter while the body sat in the box
        const s = f.h.state();
        expect(s.input ?? '', screenText(f.h.capture())).toContain(token);
        expect(turnRequestsWith(f.mock, token)).toHaveLength(0);

        // The draft was real: one Enter now submits it, once.
        f.h.pressEnter();
        const [rec] = await waitTurns(f.mock, token);
        await waitTurnDone(f.h, rec!);
        expect(turnRequestsWith(f.mock, token)).toHaveLength(1);
        expect(rec!.lastUserText.trim()).toBe(expectedText(client, body));
      });

      it('reset + kickstart: confirmed, and the kickstart opens a new conversation', async () => {
        const f = fx();
        const before = f.mock.requests().filter((r) => r.kind === 'turn');
        // The old conversation has history, so "userMessages 1" below means something.
        expect(before.length).toBeGreaterThanOrEqual(3);
        expect(before[before.length - 1]!.userMessages).toBeGreaterThanOrEqual(2);
        const token = newToken(client);
        const kick = `${token} kickstart: you are ${client}, start on the task`;
        const r = await runCli('agent', ['reset', f.client, '--roster', f.roster, '--kickstart', kick, '--from', FROM, '--json'], {
          env: { HOME: f.cliHome },
          timeoutMs: 120_000,
        });
        const json = JSON.parse(r.stdout || '{}') as { ok?: boolean; confirmed?: boolean; command?: string; kickstart?: { status?: string } };
        expect(json, r.stderr + r.stdout).toMatchObject({ ok: true, confirmed: true, command: f.h.profile.resetCommand });
        expect(json.kickstart?.status).toBe('submitted');
        expect(r.code).toBe(0);
        const [rec] = await waitTurns(f.mock, token);
        await waitTurnDone(f.h, rec!);
        const hits = turnRequestsWith(f.mock, token);
        expect(hits).toHaveLength(1);
        expect(hits[0]!.lastUserText).toContain(kick);
        note('kickstart request history (user/assistant)', `${hits[0]!.userMessages}/${hits[0]!.assistantMessages}`);
        expect(hits[0]!.userMessages).toBe(1);
        expect(hits[0]!.assistantMessages).toBe(0);
        expect(hits[0]!.firstUserText).toContain(token);
        // The reset command itself never reached the model as a message.
        expect(f.mock.requests().filter((q) => q.kind === 'turn' && /^\/(clear|new)\b/.test(q.lastUserText.trim()))).toEqual([]);
      });
    });
  }
}
