// Issue 7: `mosaic-fleet start` of a roster with one agent of each real runtime (command + env from bringUp,
// one shared mock LLM). All five reach ready, `status --json` shows them idle; a send with the mock holding its
// answer shows the target busy, and idle again once the answer is back; `stop` leaves no client process behind.
// The fleet is started as from a CI job (CI=true, GITHUB_ACTIONS=true), on every machine: panes inherit the tmux
// server's environment, and Gemini CLI with CI=true runs headless and exits 42 a second after start (a CI failure).
// When an agent is not in the expected state, the assertion carries its status row and the last lines of its pane.
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

  // What a CI job's environment carries; set here so this machine runs the fleet the way CI does.
  const cliEnv = () => ({ HOME: cliHome, CI: 'true', GITHUB_ACTIONS: 'true' });
  const cli = async (bin: 'fleet' | 'agent', args: string[], timeoutMs = 60_000) => {
    const r = await runCli(bin, [...args, '--roster', roster, '--json'], { env: cliEnv(), timeoutMs });
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
  /** An agent's status row (exit status included once dead) and the last 40 lines of its pane: what a failure needs. */
  const explain = async (name: string): Promise<string> => {
    const row = await status().then((rows) => rows.get(name)).catch((e: Error) => `status failed: ${e.message}`);
    // A dead pane keeps its output at the top and tmux's "Pane is dead" at the bottom of a mostly blank screen:
    // take plenty and keep the last 40 rows with something on them.
    const tail = await runCli('agent', ['tail', name, '--last', '400', '--roster', roster], { env: cliEnv() });
    const rows = tail.stdout.split('\n').filter((l) => l.trim() !== '').slice(-40);
    const screen = tail.code === 0 ? rows.join('\n') : `(tail failed, exit ${tail.code}) ${tail.stderr.trim()}`;
    return `${name}: ${JSON.stringify(row)}\n--- last 40 non-blank lines of ${name}'s pane ---\n${screen}\n---`;
  };
  /** Assert `name` is in `state` in `rows`; otherwise fail with its status and pane. */
  const expectState = async (rows: Map<string, StatusRow>, name: string, state: string, runtime?: string) => {
    const row = rows.get(name);
    const expected = runtime ? { state, runtime } : { state };
    expect(row, row?.state === state ? name : await explain(name)).toMatchObject(expected);
  };
  /** waitFor whose timeout also shows the agent's status and pane. */
  const waitForAgent = async <T>(name: string, what: string, probe: () => Promise<T | null> | T | null, timeoutMs: number, everyMs: number): Promise<T> => {
    try {
      return await waitFor(what, probe, timeoutMs, everyMs);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${await explain(name)}`, { cause: error });
    }
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
    if (roster) await runCli('fleet', ['stop', '--all', '--roster', roster], { env: cliEnv() }).catch(() => undefined);
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
    const reports = (r.doc.agents ?? []) as Array<{ name: string; outcome: string; ready: boolean; error?: string }>;
    const notReady = reports.filter((a) => a.outcome !== 'started' || !a.ready);
    const why = notReady.length > 0 ? `\n${(await Promise.all(notReady.map((a) => explain(a.name)))).join('\n')}` : '';
    expect(r.code, r.stderr + JSON.stringify(r.doc) + why).toBe(0);
    expect(reports.map((a) => [a.name, a.outcome, a.ready]), why).toEqual(CLIENT_NAMES.map((c) => [`fl-${c}`, 'started', true]));
    console.log(`fleet start of ${CLIENT_NAMES.length} real clients: ${Date.now() - started} ms`);
    const rows = await status();
    for (const client of CLIENT_NAMES) await expectState(rows, `fl-${client}`, 'idle', client);
  });

  for (const client of CLIENT_NAMES) {
    it(`${client}: busy while the mock holds the answer, idle once it is back`, async () => {
      mock!.setDelay(SLOW_MS);
      try {
        const token = newToken(client);
        const name = `fl-${client}`;
        const sent = await cli('agent', ['send', name, '-m', `${token} a message for the status test`, '--from', 'testhost:tester']);
        expect(sent.doc.status, sent.doc.status === 'submitted' ? name : `${JSON.stringify(sent.doc)} ${sent.stderr}\n${await explain(name)}`).toBe('submitted');
        const [rec] = await waitForAgent(name, `${client}: request with ${token}`, () => {
          const hits = turnRequestsWith(mock!, token);
          return hits.length > 0 ? hits : null;
        }, 60_000, 50);
        const answeredAt = Date.parse(rec!.ts) + SLOW_MS;
        const busy = await waitForAgent(name, `${name} busy in status`, async () => {
          const rows = await status();
          return rows.get(name)?.state === 'busy' ? rows : null;
        }, SLOW_MS, 100);
        // Busy was seen while the answer was still held, and only on the target.
        expect(Date.now()).toBeLessThan(answeredAt);
        for (const other of CLIENT_NAMES.filter((c) => c !== client)) await expectState(busy, `fl-${other}`, 'idle');
        await waitForAgent(name, `${name} idle again in status`, async () => ((await status()).get(name)?.state === 'idle' ? true : null), 60_000, 200);
        // Idle only after the mock answered: the busy marker did not vanish early.
        expect(Date.now()).toBeGreaterThanOrEqual(answeredAt - 200);
        expect(turnRequestsWith(mock!, token)).toHaveLength(1);
      } finally {
        mock!.setDelay(0);
        // After a failure midway, let the target finish its turn so the next test does not fail on it too.
        await waitFor(`fl-${client} not busy`, async () => ((await status()).get(`fl-${client}`)?.state !== 'busy' ? true : null), 30_000, 200).catch(() => undefined);
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
    for (const client of CLIENT_NAMES) await expectState(rows, `fl-${client}`, 'missing');
  });
});
