// A roster of sim agents on a test's private socket, plus readers for their ground-truth logs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { readEvents, type SimEvent } from './sim.js';
import type { PrivateTmux } from './tmux.js';

export interface SimFleet {
  dir: string;
  roster: string;
  log(name: string): string;
  events(name: string): SimEvent[];
  submits(name: string): SimEvent[];
}

export function simFleet(t: PrivateTmux, agents: { name: string; busyMs?: number; swallowMs?: number; class?: string; extra?: Record<string, unknown> }[]): SimFleet {
  const dir = mkdtempSync(join(tmpdir(), 'mft-fleet-'));
  const log = (name: string) => join(dir, `${name}.jsonl`);
  const roster = {
    version: 1,
    transport: 'tmux',
    tmux: { socket_name: t.socket, holder_session: '_holder' },
    defaults: { working_directory: dir, runtime: 'sim', ready_timeout_seconds: 20 },
    agents: agents.map((a) => ({
      name: a.name,
      runtime: 'sim',
      class: a.class ?? 'implementer',
      ...a.extra,
      // extra.env adds to the ground-truth log and timing variables, never replaces them.
      env: { MOSAIC_SIM_LOG: log(a.name), MOSAIC_SIM_BUSY_MS: String(a.busyMs ?? 0), MOSAIC_SIM_SWALLOW_MS: String(a.swallowMs ?? 0), ...(a.extra?.env as Record<string, string> | undefined) },
    })),
  };
  const path = join(dir, 'roster.yaml');
  writeFileSync(path, stringify(roster));
  return {
    dir,
    roster: path,
    log,
    events: (name) => readEvents(log(name)),
    submits: (name) => readEvents(log(name)).filter((e) => e.kind === 'submit'),
  };
}
