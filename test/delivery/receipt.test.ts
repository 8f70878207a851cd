// The hook path of `deliver`: a REPL that clears its box before its prompt-submit hook has written the receipt
// (Claude Code does, and the hook is a shell that is slow on a loaded host) is still confirmed by the hook.
// The sim stands in for the REPL; the receipt file is written the way the hook writes it, after the sim's submit.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalHost, lockDir } from '../../src/host/local.js';
import { Tmux } from '../../src/tmux/client.js';
import { deliver } from '../../src/delivery/deliver.js';
import { simProfile } from '../../src/runtimes/sim.js';
import { ReceiptReader } from '../../src/transport/tmux/receipts.js';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';
import { startSim, type RunningSim } from '../helpers/sim.js';

describe('deliver with a prompt-submit receipt', () => {
  let t: PrivateTmux;
  let sim: RunningSim;
  let tmux: Tmux;
  let file = '';
  let receiptName = '';

  beforeEach(async () => {
    t = privateTmux('mft-rcpt');
    sim = await startSim(t, 'hooked');
    tmux = new Tmux(new LocalHost(), { name: t.socket });
    receiptName = `${t.socket}-hooked`;
    const dir = join(lockDir(), '..', 'receipts');
    mkdirSync(dir, { recursive: true });
    file = join(dir, `${receiptName}.jsonl`);
  });
  afterEach(() => t.cleanup());

  const pane = async () => (await tmux.listPanes()).find((p) => p.paneId === sim.paneId)!;

  it('waits for a hook that reports after the box cleared', async () => {
    const text = '[h:a -> h:hooked] late hook report';
    // Write the receipt 700 ms after the sim took the prompt, as a slow hook would.
    const hook = waitFor('sim submit', () => sim.submits().length === 1, 10_000).then(async () => {
      await new Promise((r) => setTimeout(r, 700));
      appendFileSync(file, `${JSON.stringify({ hook_event_name: 'UserPromptSubmit', prompt: text })}\n`);
    });
    const outcome = await deliver(tmux, await pane(), text, simProfile, { receipt: new ReceiptReader(new LocalHost(), receiptName) });
    await hook;
    expect(outcome.status).toBe('submitted');
    expect(outcome.detail).toBe("confirmed by the REPL's prompt-submit hook");
    expect(sim.submits().map((e) => e.text)).toEqual([text]);
  });

  it('does not wait for the hook on a slash command, which the REPL runs itself', async () => {
    const outcome = await deliver(tmux, await pane(), '/clear', simProfile, { receipt: new ReceiptReader(new LocalHost(), receiptName) });
    expect(outcome.status).toBe('submitted');
    expect(outcome.detail).not.toMatch(/hook/);
    expect(sim.events().filter((e) => e.kind === 'command').map((e) => e.text)).toEqual(['/clear']);
  });

  it('falls back to the screen, and says so, when the hook stays silent', async () => {
    const text = '[h:a -> h:hooked] the hook never reports';
    const outcome = await deliver(tmux, await pane(), text, simProfile, { receipt: new ReceiptReader(new LocalHost(), receiptName) });
    expect(outcome.status).toBe('submitted');
    expect(outcome.detail).toMatch(/hook did not report it within 5 s/);
    expect(sim.submits().map((e) => e.text)).toEqual([text]);
  });
});
