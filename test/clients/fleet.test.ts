// Issue 7: `mosaic-fleet start` of a roster with one agent of each real runtime (command + env from bringUp,
// one shared mock LLM). All five reach ready, `status --json` shows them idle; a send with the mock holding its
// answer shows the target busy, and idle again once the answer is back; `stop` leaves no client process behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { startMockLlm, type MockLlm } from '../../src/testbed/mock-llm.js';
import { bringUp } from '../../src/runtimes/bringup.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/tmux.js';
import { assertInstalled, CLIENT_NAMES, newToken, processesWithHome, turnRequestsWith, type ClientName } from './harness.js';

const SLOW_MS = 6_000;

interface StatusRow {
  name: string;
  state: string;
  runtime: string;
  pid: number | null;
}

describe('mosaic-fleet with one agent of each real runtime', () => {
  let mock: MockLlm | undefined;
  let dir = '';
  let roster = '';
  let cliHome = '';
  const homes = new Map<ClientName, string>();

  const cli = async (bin: 'fleet' | 'agent', args: string[], timeoutMs = 60_000) => {
    const r = await runCli(bin, [...args, '--roster', roster, '--json'], { env: { HOME: cliHome }, timeoutMs });
    let doc: any;
    try {
      doc = JSON.parse(r.stdout);
    } catch {
      throw new Error(`mosaic-${bin} ${args.join(' ')}: not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
    return { code: r.code, doc, stderr: r.stderr };
  };
  const status = async (): Promise<Map<string, StatusRow>> => {
    const { code, doc, stderr } = await cli('fleet', ['status']);
    if (!Array.isArray(doc.agents)) throw new Error(`status failed (exit ${code}): ${JSON.stringify(doc)} ${stderr}`);
    return new Map((doc.agents as StatusRow[]).map((a) => [a.name, a]));
  };
  const leftovers = () => [...homes.values()].flatMap((home) => processesWithHome(home));

  beforeAll(async () => {
    assertInstalled(CLIENT_NAMES);
    dir = mkdtempSync(join(tmpdir(), 'mfc-fleet-'));
    cliHome = mkdtempSync(join(dir, 'cli-home-'));
    mock = await startMockLlm({ logFile: join(dir, 'mock.jsonl') });
    const agents = [];
    for (const client of CLIENT_NAMES) {
      const home = join(dir, `${client}-home`);
      const workdir = join(dir, `${client}-work`);
      mkdirSync(workdir, { recursive: true });
      homes.set(client, home);
      const spec = await bringUp(client, { home, workdir, baseUrl: mock.url });
      agents.push({ name: `fl-${client}`, runtime: client, command: spec.argv, env: spec.env, working_directory: workdir });
    }
    roster = join(dir, 'roster.yaml');
    writeFileSync(
      roster,
      stringify({
        version: 1,
        tmux: { socket_name: `mfc-fleet-${randomBytes(4).toString('hex')}` },
        defaults: { working_directory: dir, ready_timeout_seconds: 120 },
        agents,
      }),
    );
  });

  afterAll(async () => {
    if (roster) await runCli('fleet', ['stop', '--all', '--roster', roster], { env: { HOME: cliHome } }).catch(() => undefined);
    // Nothing may survive; reap (and report) whatever did, so no client keeps running after the suite.
    const left = leftovers();
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await mock?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    expect(left, 'client processes left after the suite').toEqual([]);
  });

  it('start brings every client to ready; status shows them idle', async () => {
    const started = Date.now();
    const r = await cli('fleet', ['start'], 300_000);
    expect(r.code, r.stderr + JSON.stringify(r.doc)).toBe(0);
    const reports = r.doc.agents as Array<{ name: string; outcome: string; ready: boolean; error?: string }>;
    expect(reports.map((a) => [a.name, a.outcome, a.ready])).toEqual(CLIENT_NAMES.map((c) => [`fl-${c}`, 'started', true]));
    console.log(`fleet start of ${CLIENT_NAMES.length} real clients: ${Date.now() - started} ms`);
    const rows = await status();
    for (const client of CLIENT_NAMES) expect(rows.get(`fl-${client}`), client).toMatchObject({ state: 'idle', runtime: client });
  });

  for (const client of CLIENT_NAMES) {
    it(`${client}: busy while the mock holds the answer, idle once it is back`, async () => {
      mock!.setDelay(SLOW_MS);
      try {
        const token = newToken(client);
        const name = `fl-${client}`;
        const sent = await cli('agent', ['send', name, '-m', `${token} a message for the status test`, '--from', 'testhost:tester']);
        expect(sent.doc.status, sent.stderr).toBe('submitted');
        const [rec] = await waitFor(`${client}: request with ${token}`, () => {
          const hits = turnRequestsWith(mock!, token);
          return hits.length > 0 ? hits : null;
        }, 60_000, 50);
        const answeredAt = Date.parse(rec!.ts) + SLOW_MS;
        const busy = await waitFor(`${name} busy in status`, async () => {
          const rows = await status();
          return rows.get(name)?.state === 'busy' ? rows : null;
        }, SLOW_MS, 100);
        // Busy was seen while the answer was still held, and only on the target.
        expect(Date.now()).toBeLessThan(answeredAt);
        for (const other of CLIENT_NAMES.filter((c) => c !== client)) expect(busy.get(`fl-${other}`)?.state, other).toBe('idle');
        await waitFor(`${name} idle again in status`, async () => ((await status()).get(name)?.state === 'idle' ? true : null), 60_000, 200);
        // Idle only after the mock answered: the busy marker did not vanish early.
        expect(Date.now()).toBeGreaterThanOrEqual(answeredAt - 200);
        expect(turnRequestsWith(mock!, token)).toHaveLength(1);
      } finally {
        mock!.setDelay(0);
      }
    });
  }

  it('stop leaves no client process behind', async () => {
    const before = leftovers();
    expect(before.length, 'client processes running before stop').toBeGreaterThanOrEqual(4);
    const r = await cli('fleet', ['stop'], 120_000);
    expect(r.code, r.stderr).toBe(0);
    expect((r.doc.agents as Array<{ name: string; result: string }>).map((a) => a.result)).toEqual(CLIENT_NAMES.map(() => 'stopped'));
    // `stop` reaps the pane trees before it returns; give exiting processes a moment to be gone from /proc.
    await waitFor('every client process gone', () => (leftovers().length === 0 ? true : null), 10_000, 100).catch(() => undefined);
    expect(leftovers(), 'client processes alive after `mosaic-fleet stop`').toEqual([]);
    const rows = await status();
    for (const client of CLIENT_NAMES) expect(rows.get(`fl-${client}`)?.state, client).toBe('missing');
  });
});
