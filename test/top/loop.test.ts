// The terminal loop with a terminal of our own and a feed that pushes: what a service feed would do. No tmux here:
// this is the seam a future event service plugs into, exercised with a stand-in feed.
import { describe, expect, it } from 'vitest';
import { runTop, type Terminal } from '../../src/top/run.js';
import type { TopActions } from '../../src/top/actions.js';
import type { TopFeed, TopSnapshot } from '../../src/top/types.js';
import { waitFor } from '../helpers/tmux.js';
import { agent, snapshot } from './fixtures.js';

class PushFeed implements TopFeed {
  readonly name = 'events';
  state: TopSnapshot = snapshot(Date.now(), [agent('alpha'), agent('bravo')], { source: 'events' });
  requests: (string | null)[] = [];
  private wake: (() => void) | null = null;
  async snapshot(request: { detail: string | null }) {
    this.requests.push(request.detail);
    return { ...this.state, at: Date.now() };
  }
  onChange(wake: () => void) {
    this.wake = wake;
    return () => (this.wake = null);
  }
  push(next: TopSnapshot) {
    this.state = next;
    this.wake?.();
  }
  async close() {}
}

function fakeTerminal(size = { width: 80, height: 24 }) {
  let input: ((data: string) => void) | null = null;
  const frames: string[] = [];
  const events: string[] = [];
  const term: Terminal = {
    size: () => size,
    write: (t) => frames.push(t),
    enter: () => events.push('enter'),
    leave: () => events.push('leave'),
    onInput: (h) => ((input = h), () => (input = null)),
    onResize: () => () => {},
  };
  return { term, frames, events, type: (s: string) => input?.(s), last: () => frames[frames.length - 1] ?? '' };
}

const noActions: TopActions = {
  attachArgv: async () => ['true'],
  send: async (target, body) => ({ text: `sent ${body} to ${target}`, tone: 'good' }),
  reset: async () => ({ text: 'reset', tone: 'good' }),
  restart: async () => ({ text: 'restart', tone: 'good' }),
  deliver: async () => ({ text: 'delivered', tone: 'good' }),
};

describe('the view loop', () => {
  it('a feed that pushes wakes the view at once (no poll: the interval is an hour)', async () => {
    const feed = new PushFeed();
    const t = fakeTerminal();
    const done = runTop(feed, noActions, t.term, { intervalMs: 3_600_000 }, 'plain', {});
    await waitFor('first frame', () => /bravo +local/.test(t.last()));
    feed.push(snapshot(Date.now(), [agent('alpha'), agent('bravo', { state: 'busy' })], { source: 'events' }));
    await waitFor('busy frame', () => /bravo +local .* busy /.test(t.last()));
    expect(t.last()).toContain(' events ');
    t.type('q');
    await done;
    expect(t.events).toEqual(['enter', 'leave']);
  });

  it('asks the feed for the selected agent\'s screen only while the detail pane is open, and sends once', async () => {
    const feed = new PushFeed();
    const sent: string[] = [];
    const t = fakeTerminal();
    const done = runTop(feed, { ...noActions, send: async (target, body) => (sent.push(`${target} ${body}`), { text: 'submitted', tone: 'good' }) }, t.term, { intervalMs: 3_600_000, sort: 'name' }, 'plain', {});
    await waitFor('first frame', () => t.last().includes('alpha'));
    expect(feed.requests).toEqual([null]);
    t.type('v');
    await waitFor('detail requested', () => feed.requests.includes('local:alpha'));
    t.type('mhi\r');
    await waitFor('verdict', () => t.last().includes('submitted'));
    expect(sent).toEqual(['=alpha hi']);
    t.type('q');
    await done;
  });
});
