// Snapshots for the pure view tests.
import type { AgentSample, TopSnapshot } from '../../src/top/types.js';

export function agent(name: string, over: Partial<AgentSample> = {}): AgentSample {
  return {
    name,
    host: 'local',
    runtime: 'sim',
    class: 'implementer',
    state: 'idle',
    inRoster: true,
    pid: 100,
    paneId: '%1',
    exitStatus: null,
    exitSignal: null,
    startedAt: 0,
    lastIn: null,
    lastOut: null,
    pending: 0,
    ...over,
  };
}

export function snapshot(at: number, agents: AgentSample[], over: Partial<TopSnapshot> = {}): TopSnapshot {
  return { at, socket: 'fleet', source: 'poll', hosts: [{ host: 'local', reachable: true }], agents, screen: null, cost: { ms: 1 }, ...over };
}
