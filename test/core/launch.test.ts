// What a pane is launched with: the runtime's pane environment reaches it whatever the launcher, under the agent's env.
import { describe, expect, it } from 'vitest';
import { launchFor } from '../../src/core/launch.js';
import type { ResolvedAgent } from '../../src/roster/resolve.js';

const agent = (runtime: string, extra: Partial<ResolvedAgent> = {}) =>
  ({ name: 'a1', runtime, baseRuntime: runtime, host: 'local', env: {}, workingDirectory: '/tmp', readyTimeoutMs: 1000, launcher: 'direct', deliveryReceipt: 'screen', ...extra }) as unknown as ResolvedAgent;
// The fleet was started from a CI job: the tmux server, and so every pane, has CI=true unless the launch says otherwise.
const where = { socket: 'sock', rosterPath: '/tmp/r.yaml', env: { HOME: '/tmp/h', PATH: '/usr/bin', CI: 'true', GITHUB_ACTIONS: 'true' } };

describe('launchFor: the pane environment', () => {
  it('blanks CI and GITHUB_ACTIONS for Gemini CLI with every launcher (with them it runs headless and exits 42)', () => {
    for (const extra of [{}, { launcher: 'mosaic' }, { command: ['/opt/gemini/bin/gemini', '--debug'] }] as Array<Partial<ResolvedAgent>>) {
      const launch = launchFor(agent('gemini', extra), where);
      expect(launch.env, JSON.stringify(extra)).toMatchObject({ CI: '', GITHUB_ACTIONS: '' });
    }
    expect(launchFor(agent('gemini', { command: ['gemini'] }), where).launcher).toBe('command');
  });

  it("lets the agent's own env win, and leaves other runtimes' environment alone", () => {
    expect(launchFor(agent('gemini', { env: { CI: 'true' } }), where).env.CI).toBe('true');
    for (const runtime of ['claude', 'codex', 'pi', 'opencode', 'sim', 'shell']) {
      const env = launchFor(agent(runtime), where).env;
      expect(Object.keys(env).filter((k) => k === 'CI' || k === 'GITHUB_ACTIONS'), runtime).toEqual([]);
    }
  });
});
