// Issue 11, item 5: receipts from every client that can give one per session. Each agent runs its runtime's own
// launch with `delivery_receipt: hook`, so the profile's receiptSetup adds its hook (Pi: an `input` extension loaded
// with -e; OpenCode: a `chat.message` plugin added through OPENCODE_CONFIG). Ground truth twice over: the receipts
// file must hold exactly one line per prompt the REPL took, and the mock must have seen exactly one turn with it.
// Claude Code's hook has its own file (receipt.test.ts); Codex and Gemini CLI have none usable per session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { startMockLlm, type MockLlm } from '../../src/testbed/mock-llm.js';
import { bringUp } from '../../src/runtimes/bringup.js';
import { runCli, runCliJson } from '../helpers/cli.js';
import { waitFor } from '../helpers/tmux.js';
import { readJsonLines } from '../helpers/jsonl.js';
import { assertInstalled, newToken, processesWithHome, turnRequestsWith, type ClientName } from './harness.js';

const CLIENTS: ClientName[] = ['pi', 'opencode'];

describe('prompt-submit receipts from Pi and OpenCode', () => {
  let mock: MockLlm | undefined;
  let dir = '';
  let roster = '';
  let socket = '';
  const homes = new Map<ClientName, string>();
  const env = () => ({ HOME: join(dir, 'cli-home') });
  const cli = (bin: 'fleet' | 'agent', args: string[]) => runCliJson(bin, [...args, '--roster', roster], { env: env(), timeoutMs: 240_000 });
  const leftovers = () => [...homes.values()].flatMap((home) => processesWithHome(home));
  const receiptLines = (client: ClientName): Array<Record<string, unknown>> => {
    const file = join(process.env.TMUX_TMPDIR!, `mosaic-fleet-${process.getuid!()}`, 'receipts', `${socket}-rc-${client}.jsonl`);
    return readJsonLines<Record<string, unknown>>(file);
  };

  beforeAll(async () => {
    assertInstalled(CLIENTS);
    dir = mkdtempSync(join(tmpdir(), 'mfc-receipts-'));
    mkdirSync(join(dir, 'cli-home'));
    mock = await startMockLlm({ logFile: join(dir, 'mock.jsonl') });
    socket = `mfc-rc-${randomBytes(4).toString('hex')}`;
    const agents = [];
    for (const client of CLIENTS) {
      const home = join(dir, `${client}-home`);
      const workdir = join(dir, `${client}-work`);
      mkdirSync(workdir, { recursive: true });
      homes.set(client, home);
      const spec = await bringUp(client, { home, workdir, baseUrl: mock.url });
      // No `command:`: the runtime's own launch is what the receipt setup extends.
      agents.push({ name: `rc-${client}`, runtime: client, env: spec.env, working_directory: workdir, delivery_receipt: 'hook' });
    }
    roster = join(dir, 'roster.yaml');
    writeFileSync(roster, stringify({ version: 1, tmux: { socket_name: socket }, defaults: { working_directory: dir, ready_timeout_seconds: 120 }, agents }));
    const start = await cli('fleet', ['start']);
    if (start.code !== 0) {
      const screens = await Promise.all(CLIENTS.map((c) => runCli('agent', ['tail', `rc-${c}`, '-n', '30', '--roster', roster], { env: env() })));
      expect.fail(`start failed: ${JSON.stringify(start.doc)}\n${screens.map((r) => r.stdout + r.stderr).join('\n---\n')}`);
    }
  });

  afterAll(async () => {
    if (roster) await runCli('fleet', ['stop', '--all', '--roster', roster], { env: env() }).catch(() => undefined);
    for (const pid of leftovers()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await mock?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const client of CLIENTS) {
    it(`${client}: one receipt line per prompt taken, matching the one request the model got`, async () => {
      const token = newToken(client);
      const r = await cli('agent', ['send', `rc-${client}`, '-m', `${token} confirmed by the ${client} hook`, '--from', 'h:t']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.doc.status).toBe('submitted');
      await waitFor(`${client}: the turn reached the API`, () => turnRequestsWith(mock!, token).length === 1, 60_000);
      const lines = await waitFor(`${client}: the receipt line`, () => {
        const hits = receiptLines(client).filter((l) => typeof l.prompt === 'string' && l.prompt.includes(token));
        return hits.length > 0 ? hits : null;
      }, 30_000);
      expect(lines).toHaveLength(1);
      expect(String(lines[0]!.prompt).trim()).toMatch(new RegExp(`^\\[h:t -> [^\\]]+:rc-${client}\\] ${token} confirmed by the ${client} hook$`));
      // The send itself was confirmed by that receipt, not by the screen.
      expect(String(r.doc.detail ?? '')).toMatch(/hook/);
      expect(turnRequestsWith(mock!, token)).toHaveLength(1);
    });
  }

  it('stop reaps every client process, the receipt wrappers included', async () => {
    const stop = await cli('fleet', ['stop', '--all']);
    expect(stop.code, stop.stderr).toBe(0);
    const left = await waitFor('no client process left', () => (leftovers().length === 0 ? [] : null), 15_000).catch(() => leftovers());
    expect(left).toEqual([]);
  });
});
