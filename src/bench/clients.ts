// `node dist/bench/clients.js [claude,codex,pi,opencode]`: the real agent REPLs, offline against the mock LLM.
// Per client, in one run: time to ready (TmuxTransport.start -> waitReady), the verified send's time to a
// confirmed verdict (10 sends, mock answering at once), and beside it the fixed-sleep approach most tools ship
// (paste, sleep 0.5 s, Enter, sleep 1.2 s, look once). The mock's request log says what really got submitted.
// Bounded: about 30-60 s per client on a 2-core box. Needs the pinned CLIs (bash scripts/clients/install.sh).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { LocalHost } from '../host/local.js';
import { TmuxTransport } from '../transport/tmux/transport.js';
import { observePane, type Tmux } from '../tmux/client.js';
import { shippedTmuxConf } from '../paths.js';
import { profileFor } from '../runtimes/registry.js';
import { bringUp, clientsBinDir, CLIENT_NAMES, type ClientName } from '../runtimes/bringup.js';
import type { RuntimeProfile, ScreenState } from '../runtimes/types.js';
import { sleep } from '../delivery/deliver.js';
import { holdsBody } from '../evidence/text.js';
import { startMockLlm, type MockLlm } from '../testbed/mock-llm.js';
import { fmtMs, percentile, printTable } from './util.js';

export interface ClientBenchOptions {
  clients?: readonly ClientName[];
  /** Verified sends per client (default 10). */
  sends?: number;
  /** Fixed-sleep sends per client (default 5; each costs 1.7 s by construction). */
  fixedSends?: number;
}

interface ClientResult {
  client: ClientName;
  readyMs: number;
  ours: number[];
  oursSubmitted: number;
  oursOnce: number;
  fixed: number[];
  fixedOk: number;
  fixedOnce: number;
  /** Sends that did not end as "submitted and arrived once": which one, the verdict, what the mock saw. */
  misses: string[];
  error?: string;
}

const TURN_TIMEOUT_MS = 60_000;
/** A send whose request has not reached the mock after this long did not submit (clients send within ~1 s). */
const NO_REQUEST_MS = 10_000;

/** Run the section and print its tables; returns the per-client numbers. */
export async function benchClients(options: ClientBenchOptions = {}): Promise<ClientResult[]> {
  const clients = options.clients ?? CLIENT_NAMES;
  const binDir = clientsBinDir();
  const missing = clients.filter((c) => !existsSync(join(binDir, c)));
  if (missing.length > 0) {
    process.stdout.write(`\nReal clients: not installed: ${missing.join(', ')} (in ${binDir}); run \`bash scripts/clients/install.sh\`\n`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-bench-clients-'));
  const mock = await startMockLlm({ logFile: join(dir, 'mock.jsonl') });
  const results: ClientResult[] = [];
  try {
    for (const client of clients.filter((c) => !missing.includes(c))) {
      results.push(await benchOne(client, mock, dir, options.sends ?? 10, options.fixedSends ?? 5));
    }
  } finally {
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  }
  printTable('Real clients, mock LLM answering at once: time to a confirmed verdict per send (same run, same client)', [
    ['client', 'ready', 'verified p50', 'verified p95', 'verified: submitted / arrived once', 'fixed-sleep p50', 'fixed-sleep p95', 'fixed-sleep: looked ok / arrived once'],
    ...results.map((r) =>
      r.error
        ? [r.client, r.readyMs ? fmtMs(r.readyMs) : '-', '-', '-', `error: ${r.error}`, '-', '-', '-']
        : [
            r.client,
            fmtMs(r.readyMs),
            fmtMs(percentile(r.ours, 50)),
            fmtMs(percentile(r.ours, 95)),
            `${r.oursSubmitted}/${r.ours.length} / ${r.oursOnce}/${r.ours.length}`,
            fmtMs(percentile(r.fixed, 50)),
            fmtMs(percentile(r.fixed, 95)),
            `${r.fixedOk}/${r.fixed.length} / ${r.fixedOnce}/${r.fixed.length}`,
          ],
    ),
  ]);
  const misses = results.flatMap((r) => r.misses.map((m) => `${r.client} ${m}`));
  if (misses.length > 0) process.stdout.write(`\nMisses:\n${misses.map((m) => `- ${m}`).join('\n')}\n`);
  return results;
}

async function benchOne(client: ClientName, mock: MockLlm, dir: string, sends: number, fixedSends: number): Promise<ClientResult> {
  const result: ClientResult = { client, readyMs: 0, ours: [], oursSubmitted: 0, oursOnce: 0, fixed: [], fixedOk: 0, fixedOnce: 0, misses: [] };
  const home = join(dir, `${client}-home`);
  const workdir = join(dir, `${client}-work`);
  mkdirSync(workdir, { recursive: true });
  const socket = `bench-client-${client}-${randomBytes(3).toString('hex')}`;
  const transport = new TmuxTransport({ host: new LocalHost(), socket: { name: socket }, holderSession: '_holder', configFile: shippedTmuxConf() });
  const profile = profileFor(client);
  try {
    const spec = await bringUp(client, { home, workdir, baseUrl: mock.url });
    const launch = { name: client, host: 'local', runtime: client, profile: client, launcher: 'command', argv: spec.argv, env: spec.env, workingDirectory: workdir, readyTimeoutMs: 120_000 };
    const t0 = performance.now();
    await transport.start(launch, {});
    await transport.waitReady(launch);
    result.readyMs = performance.now() - t0;
    const pane = (await transport.tmux.resolve(`=${client}`)).paneId;
    const from = { host: 'bench', session: 'b' };

    for (let i = 0; i < sends; i += 1) {
      const token = `bv${randomBytes(4).toString('hex')}`;
      const t = performance.now();
      const r = await transport.send(`=${client}`, { from, toHost: 'bench', body: `${token} verified send ${i}`, preamble: true }, {});
      result.ours.push(performance.now() - t);
      if (r.status === 'submitted') result.oursSubmitted += 1;
      const once = await turnOnce(transport.tmux, pane, profile, mock, token);
      if (once) result.oursOnce += 1;
      if (!once || r.status !== 'submitted') {
        result.misses.push(`verified #${i}: ${r.status}${r.detail ? ` (${r.detail})` : ''}, ${r.enters} Enter(s), ${arrivals(mock, token)} request(s)`);
        if (!once) await clearDraft(transport.tmux, pane, profile);
      }
    }
    for (let i = 0; i < fixedSends; i += 1) {
      const token = `bf${randomBytes(4).toString('hex')}`;
      const text = `[bench:b -> bench:${client}] ${token} fixed-sleep send ${i}`;
      const t = performance.now();
      const ok = await fixedSleepSend(transport.tmux, pane, profile, text);
      result.fixed.push(performance.now() - t);
      if (ok) result.fixedOk += 1;
      const once = await turnOnce(transport.tmux, pane, profile, mock, token);
      if (once) result.fixedOnce += 1;
      if (!once || !ok) result.misses.push(`fixed-sleep #${i}: ${ok ? 'looked submitted' : 'looked like a draft'}, ${arrivals(mock, token)} request(s)`);
      if (!once) await clearDraft(transport.tmux, pane, profile);
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  } finally {
    await transport.stopServer().catch(() => undefined);
    await reapHome(home);
  }
  return result;
}

/** The approach most tools ship: paste, sleep 0.5 s, Enter, sleep 1.2 s, then look once. */
async function fixedSleepSend(tmux: Tmux, pane: string, profile: RuntimeProfile, text: string): Promise<boolean> {
  const buf = `fixed-${randomBytes(3).toString('hex')}`;
  await tmux.loadBuffer(buf, text);
  await tmux.run(['paste-buffer', '-p', '-r', '-d', '-b', buf, '-t', pane]);
  await sleep(500);
  await tmux.sendEnter(pane);
  await sleep(1200);
  const st = profile.parse((await observePane(tmux, pane)).screen);
  return !holdsBody(st.input, text, profile.pastePlaceholders);
}

function arrivals(mock: MockLlm, token: string): number {
  return mock.requests().filter((r) => r.kind === 'turn' && r.lastUserText.includes(token)).length;
}

function idle(s: ScreenState): boolean {
  return s.ready && !s.busy && !s.queued && s.input === '';
}

/** Wait for the turn carrying `token` to end; true when exactly one turn request carried it. */
async function turnOnce(tmux: Tmux, pane: string, profile: RuntimeProfile, mock: MockLlm, token: string): Promise<boolean> {
  const hits = () => mock.requests().filter((r) => r.kind === 'turn' && r.lastUserText.includes(token));
  const started = Date.now();
  while (Date.now() - started < TURN_TIMEOUT_MS) {
    const [rec] = hits();
    if (rec) {
      const s = profile.parse((await observePane(tmux, pane)).screen);
      if (idle(s) && new RegExp(`MOCK-REPLY-${rec.n}\\b`).test(s.transcript)) return hits().length === 1;
    } else if (Date.now() - started > NO_REQUEST_MS) {
      return false; // nothing reached the mock: it stayed a draft (or was lost)
    }
    await sleep(25);
  }
  return false;
}

/** A fixed-sleep send that stayed a draft must not leak into the next one: Enter it so the box is empty. */
async function clearDraft(tmux: Tmux, pane: string, profile: RuntimeProfile): Promise<void> {
  const s = profile.parse((await observePane(tmux, pane)).screen);
  if (s.input && s.input.trim() !== '') await tmux.sendEnter(pane);
  const deadline = Date.now() + TURN_TIMEOUT_MS;
  while (Date.now() < deadline && !idle(profile.parse((await observePane(tmux, pane)).screen))) await sleep(50);
}

/** Processes whose environment holds HOME=<home>: a client's daemons even after they were reparented. */
function processesWithHome(home: string): number[] {
  const needle = Buffer.from(`\0HOME=${home}\0`);
  const first = Buffer.from(`HOME=${home}\0`);
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`);
      if (env.indexOf(first) === 0 || env.indexOf(needle) >= 0) pids.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

async function reapHome(home: string): Promise<void> {
  for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline && processesWithHome(home).length > 0) await sleep(50);
    for (const pid of processesWithHome(home)) {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  }
}

async function main(): Promise<void> {
  // Never the user's servers: a private socket directory for the whole run.
  process.env.TMUX_TMPDIR = mkdtempSync(join(tmpdir(), 'mosaic-bench-tmux-'));
  const arg = process.argv[2];
  const clients = arg ? (arg.split(',').filter((c) => (CLIENT_NAMES as readonly string[]).includes(c)) as ClientName[]) : CLIENT_NAMES;
  const t0 = performance.now();
  await benchClients({ clients });
  process.stdout.write(`\n(clients section: ${Math.round((performance.now() - t0) / 1000)} s)\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench clients: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  });
}
