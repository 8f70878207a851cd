// Issue 7: where a client offers a prompt-submit hook (Claude Code's UserPromptSubmit) and the roster enables it
// (`delivery_receipt: hook`), a send is confirmed by the hook's report, with the screen as the fallback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { startMockLlm, type MockLlm } from '../../src/testbed/mock-llm.js';
import { bringUp } from '../../src/runtimes/bringup.js';
import { runCli, runCliJson } from '../helpers/cli.js';
import { waitFor } from '../helpers/tmux.js';
import { assertInstalled, newToken, processesWithHome, turnRequestsWith } from './harness.js';

describe('Claude Code delivery receipts through its UserPromptSubmit hook', () => {
  let mock: MockLlm | undefined;
  let dir = '';
  let roster = '';
  let home = '';
  const env = () => ({ HOME: join(dir, 'cli-home') });
  // Longer than start can take (two Claude agents sharing one HOME start one after the other, each bounded by the ready
  // timeout below), so a slow start is reported by the CLI itself rather than killed silently.
  const cli = (bin: 'fleet' | 'agent', args: string[]) => runCliJson(bin, [...args, '--roster', roster], { env: env(), timeoutMs: 240_000 });

  beforeAll(async () => {
    assertInstalled(['claude']);
    dir = mkdtempSync(join(tmpdir(), 'mfc-receipt-'));
    mkdirSync(join(dir, 'cli-home'));
    mock = await startMockLlm({ logFile: join(dir, 'mock.jsonl') });
    home = join(dir, 'claude-home');
    const workdir = join(dir, 'work');
    mkdirSync(workdir, { recursive: true });
    const spec = await bringUp('claude', { home, workdir, baseUrl: mock.url });
    roster = join(dir, 'roster.yaml');
    // No `command:` here: the runtime's own launch (direct launcher) is what adds the hook through --settings.
    writeFileSync(
      roster,
      stringify({
        version: 1,
        tmux: { socket_name: `mfc-receipt-${randomBytes(4).toString('hex')}` },
        defaults: { working_directory: workdir, ready_timeout_seconds: 90 },
        agents: [
          { name: 'hooked', runtime: 'claude', env: spec.env, delivery_receipt: 'hook' },
          { name: 'plain', runtime: 'claude', env: spec.env },
        ],
      }),
    );
    const start = await cli('fleet', ['start']);
    if (start.code !== 0) {
      // Say what the REPLs showed: a start that fails here has nobody watching the panes.
      const screens = await Promise.all(['hooked', 'plain'].map((name) => runCli('agent', ['tail', name, '-n', '30', '--roster', roster], { env: env() })));
      expect.fail(`start failed: ${JSON.stringify(start.doc)}\n${screens.map((r) => r.stdout + r.stderr).join('\n---\n')}`);
    }
  });

  afterAll(async () => {
    if (roster) await runCli('fleet', ['stop', '--all', '--roster', roster], { env: env() }).catch(() => undefined);
    for (const pid of home ? processesWithHome(home) : []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await mock?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('confirms a send by the hook report when the agent enables it', async () => {
    const token = newToken();
    const r = await cli('agent', ['send', 'hooked', '-m', `${token} confirmed by the hook`, '--from', 'h:t']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.status).toBe('submitted');
    expect(r.doc.detail).toBe("confirmed by the REPL's prompt-submit hook");
    const receipts = join(process.env.TMUX_TMPDIR!, `mosaic-fleet-${process.getuid!()}`, 'receipts');
    const file = readdirSync(receipts).find((f) => f.endsWith('-hooked.jsonl'))!;
    const prompts = readFileSync(join(receipts, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l).prompt as string);
    expect(prompts.filter((p) => p.includes(token))).toHaveLength(1);
    await waitFor('the turn reached the API', () => turnRequestsWith(mock!, token).length === 1, 60_000);
  });

  it('falls back to the screen for an agent without the hook', async () => {
    const token = newToken();
    const r = await cli('agent', ['send', 'plain', '-m', `${token} confirmed by the screen`, '--from', 'h:t']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.status).toBe('submitted');
    // The screen's evidence is named in the detail; it is never the hook's.
    expect(String(r.doc.detail ?? '')).not.toMatch(/hook/);
    await waitFor('the turn reached the API', () => turnRequestsWith(mock!, token).length === 1, 60_000);
  });
});
