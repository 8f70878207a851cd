// The live view's feed wakes on the fleet service's events when one runs for the roster; without one it has
// nothing to subscribe to and the view's own timer keeps it current.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Context } from '../../src/core/context.js';
import { PollFeed } from '../../src/top/feed.js';
import { subscribeToService } from '../../src/service/subscribe.js';
import { runCliJson } from '../helpers/cli.js';
import { simFleet, type SimFleet } from '../helpers/fleet.js';
import { startService, type RunningService } from '../helpers/service.js';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';

let t: PrivateTmux;
let f: SimFleet;
let service: RunningService | null = null;
const env = () => ({ ...process.env, HOME: t.home });

beforeEach(() => {
  t = privateTmux('mft-topev');
});
afterEach(async () => {
  await service?.stop();
  service = null;
  t.cleanup();
});

describe('the live view with the fleet service', () => {
  it('wakes on the service events of a send and of an agent dying', async () => {
    f = simFleet(t, [{ name: 'alpha' }]);
    expect((await runCliJson('fleet', ['start', '--roster', f.roster], { env: env() })).code).toBe(0);
    const ctx = new Context({ roster: f.roster }, env());
    await ctx.prepare();
    expect(subscribeToService(f.roster, ctx.env, () => undefined)).toBeNull();
    service = await startService(f.roster, env());
    const feed = new PollFeed(ctx);
    let wakes = 0;
    const off = feed.onChange(() => (wakes += 1));
    // The replayed history (the service's start) wakes it once.
    await waitFor('the first wake', () => wakes >= 1, 10_000);
    const before = wakes;
    const sent = await runCliJson('agent', ['send', 'alpha', '-m', 'wake the view', '--from', 'h:o', '--roster', f.roster], { env: env() });
    expect(sent.doc.status).toBe('submitted');
    await waitFor('a wake for the send', () => wakes > before, 10_000);
    const status = await runCliJson('fleet', ['status', '--roster', f.roster], { env: env() });
    const afterSend = wakes;
    process.kill(status.doc.agents[0].pid, 'SIGKILL');
    await waitFor('a wake for the death', () => wakes > afterSend, 15_000);
    off();
  });
});
