import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { profileRoster } from '../roster/profiles.js';
import { run } from '../exec/run.js';
import { packageRoot } from '../paths.js';
import { Context } from './context.js';
import { startFleet, stopFleet } from './fleet.js';
import { localShortHostname } from './identity.js';
import { removeDeadSocket, tmuxSocketDir } from './socket-files.js';

export interface DemoStep {
  from: string;
  to: string;
  body: string;
  status: string;
  latencyMs: number | null;
  error?: string;
}

export interface DemoRun {
  socket: string;
  dir: string;
  rosterPath: string;
  steps: DemoStep[];
  received: Record<string, string[]>;
  teardown(): Promise<void>;
}

const EXCHANGES: [string, string, string][] = [
  ['alpha', 'bravo', 'Please add input validation to the signup form and report back.'],
  ['bravo', 'charlie', 'Validation is in (3 files changed). Could you review it?\nFocus on the email rules.'],
  ['charlie', 'alpha', 'Review done: one finding (the error text is not localised), otherwise good to merge.'],
  ['alpha', 'bravo', 'Thanks both. bravo: fix the finding, then you are done for today.'],
];

/** The demo's own environment: its ledger, inboxes and roster cache live in its temp dir, so demo messages never show
 *  up in the real fleet's log or inbox (the demo agents share the demo profile's names) and nothing is left behind. */
export function demoEnv(dir: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, XDG_STATE_HOME: join(dir, 'state'), XDG_CACHE_HOME: join(dir, 'cache') };
  for (const key of ['MOSAIC_LEDGER_DIR', 'MOSAIC_FLEET_ROSTER', 'MOSAIC_TMUX_SOCKET']) delete env[key];
  return env;
}

/** Start three sim agents on a private socket, have them exchange addressed messages with the real
 *  `mosaic-agent send`, and collect what each one received (from the sims' own logs). */
export async function runDemo(options: { socket?: string; busyMs?: number; env?: NodeJS.ProcessEnv }): Promise<DemoRun> {
  const socket = options.socket ?? `mosaic-demo-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-demo-'));
  const env = demoEnv(dir, options.env);
  const roster = profileRoster('demo');
  roster.tmux = { ...roster.tmux, socket_name: socket };
  for (const agent of roster.agents) {
    agent.env = {
      ...agent.env,
      MOSAIC_SIM_LOG: join(dir, `${agent.name}.jsonl`),
      MOSAIC_SIM_BUSY_MS: String(options.busyMs ?? 400),
      XDG_STATE_HOME: env.XDG_STATE_HOME!,
    };
  }
  const rosterPath = join(dir, 'roster.yaml');
  writeFileSync(rosterPath, stringify(roster));
  const ctx = await new Context({ roster: rosterPath, socket }, env).prepare();
  const teardown = async () => {
    try {
      await stopFleet(ctx, [], { all: true, supervisor: 'direct' });
      await removeDeadSocket(join(tmuxSocketDir(env), socket));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    await startFleet(ctx, [], { wait: true, supervisor: 'direct' });
    const host = localShortHostname();
    const steps: DemoStep[] = [];
    for (const [from, to, body] of EXCHANGES) steps.push(await sendStep(socket, rosterPath, env, host, from, to, body));
    const received: Record<string, string[]> = {};
    for (const agent of roster.agents) received[agent.name] = readSubmissions(join(dir, `${agent.name}.jsonl`));
    return { socket, dir, rosterPath, steps, received, teardown };
  } catch (error) {
    await teardown();
    throw error;
  }
}

async function sendStep(socket: string, rosterPath: string, env: NodeJS.ProcessEnv, host: string, from: string, to: string, body: string): Promise<DemoStep> {
  const bin = join(packageRoot(), 'dist', 'cli', 'agent-bin.js');
  const r = await run([process.execPath, bin, 'send', '-L', socket, '--roster', rosterPath, to, '--from', `${host}:${from}`, '--json', '-m', body], { timeoutMs: 60_000, env });
  try {
    const doc = JSON.parse(r.stdout) as { status?: string; latencyMs?: number; error?: { message: string } };
    return { from, to, body, status: doc.status ?? 'failed', latencyMs: doc.latencyMs ?? null, ...(doc.error ? { error: doc.error.message } : {}) };
  } catch {
    return { from, to, body, status: 'failed', latencyMs: null, error: r.stderr.trim() || `exit ${r.code}` };
  }
}

function readSubmissions(log: string): string[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { kind: string; text?: string })
    .filter((e) => e.kind === 'submit')
    .map((e) => e.text ?? '');
}
