// recover() after a sender died: what it may call landed, and what it must not call absent (which would paste again).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalHost } from '../../src/host/local.js';
import { TmuxTransport } from '../../src/transport/tmux/transport.js';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';
import { startSim } from '../helpers/sim.js';

let t: PrivateTmux;
beforeEach(() => {
  t = privateTmux('mft-recover');
});
afterEach(() => t.cleanup());

describe('recover', () => {
  it('a multi-line message the REPL queued (drawn by its first line only) is unconfirmed, never absent; one never sent is absent', async () => {
    const sim = await startSim(t, 'worker', { busyMs: 20_000 });
    const transport = new TmuxTransport({ host: new LocalHost(), socket: { name: t.socket }, holderSession: '_holder' });
    const first = '[h:a -> h:worker] a long turn to keep the REPL busy';
    const queued = '[h:a -> h:worker] a queued message whose first line is all the REPL draws\nsecond line of it\nthird line, the end';
    for (const text of [first, queued]) {
      t.tmux('set-buffer', '-b', 'b', text);
      t.tmux('paste-buffer', '-p', '-r', '-d', '-b', 'b', '-t', sim.paneId);
      await waitFor('the paste drawn', () => t.tmux('capture-pane', '-p', '-t', sim.paneId).stdout.includes(text.split('\n')[0]!.slice(-20)));
      t.tmux('send-keys', '-t', sim.paneId, 'Enter');
      await waitFor('the submit', () => sim.submits().some((e) => e.text === text));
    }
    // The second one sits in the REPL's queue, shown by its first line.
    expect(sim.submits().find((e) => e.text === queued)?.queued).toBe(true);
    expect(await transport.recover(sim.paneId, queued), t.tmux('capture-pane', '-p', '-S', '-100', '-t', sim.paneId).stdout).toBe('unconfirmed');
    expect(await transport.recover(sim.paneId, first)).toBe('landed');
    expect(await transport.recover(sim.paneId, '[h:a -> h:worker] never sent, nowhere on the screen\nat all')).toBe('absent');
  });
});
