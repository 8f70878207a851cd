// Start the bundled sim REPL in a private tmux pane and read its ground-truth JSONL log.
import { readJsonLines } from './jsonl.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cli.js';
import { waitFor, type PrivateTmux } from './tmux.js';

export const SIM = join(ROOT, 'dist', 'sim', 'main.js');

export interface SimOptions {
  swallowMs?: number;
  busyMs?: number;
  ignoreEnter?: boolean;
  startupMs?: number;
}

export interface SimEvent {
  ts: number;
  name: string;
  session: number;
  kind: string;
  text?: string;
  queued?: boolean;
}

export interface RunningSim {
  name: string;
  paneId: string;
  log: string;
  events(): SimEvent[];
  submits(): SimEvent[];
}

export function simArgs(name: string, log: string, o: SimOptions = {}): string[] {
  return [
    process.execPath, SIM, '--name', name, '--log', log,
    '--swallow-ms', String(o.swallowMs ?? 0), '--busy-ms', String(o.busyMs ?? 0),
    ...(o.startupMs ? ['--startup-ms', String(o.startupMs)] : []),
    ...(o.ignoreEnter ? ['--ignore-enter'] : []),
  ];
}

/** Create session `name` running the sim on the private server (server created with the hostile HOME config). */
export async function startSim(t: PrivateTmux, name: string, o: SimOptions = {}, confFile?: string): Promise<RunningSim> {
  const log = join(mkdtempSync(join(tmpdir(), 'mft-sim-')), `${name.replace(/[^\w-]/g, '_')}.jsonl`);
  const conf = confFile ? ['-f', confFile] : [];
  const r = t.tmux(...conf, 'new-session', '-d', '-P', '-F', '#{pane_id}', '-s', name, '-x', '120', '-y', '40', '--', ...simArgs(name, log, o));
  if (r.code !== 0) throw new Error(`cannot start sim ${name}: ${r.stderr}`);
  const paneId = r.stdout.trim();
  await waitFor(`sim ${name} ready`, () => t.tmux('capture-pane', '-p', '-t', paneId).stdout.includes('? for shortcuts'));
  return { name, paneId, log, events: () => readEvents(log), submits: () => readEvents(log).filter((e) => e.kind === 'submit') };
}

export function readEvents(log: string): SimEvent[] {
  return readJsonLines<SimEvent>(log);
}
