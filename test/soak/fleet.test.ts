import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { enterPolicyEnv, privateEnv, rosterFor } from '../../src/soak/fleet.js';
import { buildPlan } from '../../src/soak/plan.js';
import { parseRoster } from '../../src/roster/index.js';

const dirs = { home: '/t/home', state: '/t/state', cache: '/t/cache', config: '/t/config', tmux: '/t/tmux', roster: '/t/roster.yaml', socket: 'soak-1234' };

describe('soak private world', () => {
  it('drops every variable that could reach another tmux server, fleet or ledger, and points the rest at the temp dir', () => {
    const env = privateEnv({ PATH: '/bin', TMUX: '/tmp/tmux-0/default,1,0', TMUX_PANE: '%1', MOSAIC_HOME: '/home/me/m', MOSAIC_TMUX_SOCKET: 'prod', XDG_STATE_HOME: '/home/me/.state', LANG: 'C.UTF-8' }, dirs);
    expect(env).toEqual({
      PATH: '/bin',
      LANG: 'C.UTF-8',
      HOME: '/t/home',
      XDG_STATE_HOME: '/t/state',
      XDG_CACHE_HOME: '/t/cache',
      XDG_CONFIG_HOME: '/t/config',
      TMUX_TMPDIR: '/t/tmux',
      MOSAIC_FLEET_ROSTER: '/t/roster.yaml',
      MOSAIC_TMUX_SOCKET: 'soak-1234',
      NO_COLOR: '1',
    });
  });

  it('writes a roster the product accepts, each agent running the sim with its log, busy time, layout and Enter policy from env:', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soak-roster-'));
    try {
      const plan = buildPlan({ seed: 3, messages: 100, agents: 8, layouts: ['claude', 'bare'], faults: true, mixed: true });
      const doc = rosterFor('soak-1234', dir, plan.agents, (a) => `/t/logs/${a}.jsonl`);
      const roster = parseRoster(stringify(doc), join(dir, 'roster.yaml'));
      expect(roster.tmux.socket_name).toBe('soak-1234');
      expect(roster.agents.map((a) => a.name)).toEqual(plan.agents.map((a) => a.name));
      const env = (i: number) => roster.agents[i]!.env!;
      expect(env(0)).toMatchObject({ MOSAIC_SIM_LOG: '/t/logs/sk00.jsonl', MOSAIC_SIM_LAYOUT: 'claude', MOSAIC_SIM_SWALLOW_MS: '150', MOSAIC_SIM_BUSY_MS: '0' });
      expect(env(1)).toMatchObject({ MOSAIC_SIM_LAYOUT: 'bare', MOSAIC_SIM_PLACEHOLDER: 'Try "review the patch"' });
      expect(roster.agents.every((a) => a.runtime === 'sim')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('turns each Enter policy into the sim variables that make it', () => {
    const agent = { name: 'a', layout: 'claude' as const, busyMs: 0, swallowMs: 150, placeholder: null };
    expect(enterPolicyEnv({ ...agent, enterPolicy: 'swallow' })).toEqual({ MOSAIC_SIM_SWALLOW_MS: '150' });
    expect(enterPolicyEnv({ ...agent, enterPolicy: 'ignore-first' })).toEqual({ MOSAIC_SIM_SWALLOW_MS: '0', MOSAIC_SIM_IGNORE_ENTERS: '1' });
    expect(enterPolicyEnv({ ...agent, enterPolicy: 'newline' })).toEqual({ MOSAIC_SIM_SWALLOW_MS: '0', MOSAIC_SIM_ENTER_NEWLINE_MS: '40' });
  });
});
