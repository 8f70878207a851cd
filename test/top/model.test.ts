import { describe, expect, it } from 'vitest';
import { age, filterRows, sortRows, stateCounts, trackRows, viewStateOf, type Tracker } from '../../src/top/model.js';
import { agent, snapshot } from './fixtures.js';

const T0 = Date.parse('2026-12-02T10:00:00Z');

describe('view states', () => {
  it('labels deaths with their exit status or signal, and queued messages on a live agent', () => {
    expect(viewStateOf(agent('a', { state: 'dead', exitStatus: 3 }))).toEqual({ view: 'dead', label: 'dead (exit 3)' });
    expect(viewStateOf(agent('a', { state: 'dead', exitSignal: 9, exitStatus: null }))).toEqual({ view: 'dead', label: 'dead (signal 9)' });
    expect(viewStateOf(agent('a', { state: 'busy', pending: 2 }))).toEqual({ view: 'queued', label: 'busy +2q' });
    expect(viewStateOf(agent('a', { state: 'dead', pending: 2 })).view).toBe('dead');
    expect(viewStateOf(agent('a', { state: 'missing' }))).toEqual({ view: 'missing', label: 'stopped' });
    expect(viewStateOf(agent('a', { state: 'unreachable' })).label).toBe('unreachable');
  });
});

describe('trackRows', () => {
  it('keeps the time a state was first seen, marks states already there at start as inexact', () => {
    let tracker: Tracker = new Map();
    let r = trackRows(tracker, snapshot(T0, [agent('a')]));
    expect(r.rows[0]).toMatchObject({ view: 'idle', since: T0, sinceExact: false, restarts: 0 });
    tracker = r.tracker;
    r = trackRows(tracker, snapshot(T0 + 1000, [agent('a')]));
    expect(r.rows[0]).toMatchObject({ since: T0, sinceExact: false });
    r = trackRows(r.tracker, snapshot(T0 + 2000, [agent('a', { state: 'busy' })]));
    expect(r.rows[0]).toMatchObject({ view: 'busy', since: T0 + 2000, sinceExact: true });
    r = trackRows(r.tracker, snapshot(T0 + 3000, [agent('a', { state: 'busy' })]));
    expect(r.rows[0]!.since).toBe(T0 + 2000);
    // A message queued for it changes the label, not how long it has been busy.
    r = trackRows(r.tracker, snapshot(T0 + 4000, [agent('a', { state: 'busy', pending: 1 })]));
    expect(r.rows[0]).toMatchObject({ view: 'queued', label: 'busy +1q', since: T0 + 2000 });
  });

  it('counts restarts: a new pid in the pane, or a dead agent alive again', () => {
    let r = trackRows(new Map(), snapshot(T0, [agent('a', { pid: 1 })]));
    r = trackRows(r.tracker, snapshot(T0 + 1, [agent('a', { pid: 2 })]));
    expect(r.rows[0]!.restarts).toBe(1);
    r = trackRows(r.tracker, snapshot(T0 + 2, [agent('a', { state: 'dead', pid: null, exitStatus: 1 })]));
    expect(r.rows[0]!.restarts).toBe(1);
    r = trackRows(r.tracker, snapshot(T0 + 3, [agent('a', { pid: 3 })]));
    expect(r.rows[0]!.restarts).toBe(2);
    r = trackRows(r.tracker, snapshot(T0 + 4, [agent('a', { pid: 3, state: 'busy' })]));
    expect(r.rows[0]!.restarts).toBe(2);
    // Its host unreachable for a while and back, same program: not a restart.
    r = trackRows(r.tracker, snapshot(T0 + 5, [agent('a', { pid: null, state: 'unreachable' })]));
    r = trackRows(r.tracker, snapshot(T0 + 6, [agent('a', { pid: 3 })]));
    expect(r.rows[0]!.restarts).toBe(2);
    // ... but a new program found when it is back is.
    r = trackRows(r.tracker, snapshot(T0 + 7, [agent('a', { pid: null, state: 'unreachable' })]));
    r = trackRows(r.tracker, snapshot(T0 + 8, [agent('a', { pid: 4 })]));
    expect(r.rows[0]!.restarts).toBe(3);
  });

  it('tells agents with the same name on two hosts apart', () => {
    const r = trackRows(new Map(), snapshot(T0, [agent('a'), agent('a', { host: 'build2', state: 'unreachable', pid: null })]));
    expect(r.rows.map((x) => x.key)).toEqual(['local:a', 'build2:a']);
    expect(r.tracker.size).toBe(2);
  });
});

describe('filter and sort', () => {
  const rows = trackRows(new Map(), snapshot(T0, [
    agent('coder0', { class: 'implementer', state: 'busy' }),
    agent('rev0', { class: 'reviewer', host: 'build2', state: 'dead', exitStatus: 1 }),
    agent('coder1', { class: 'implementer', pending: 3 }),
    agent('lead', { class: 'orchestrator' }),
  ])).rows;

  it('filters by host, class, state and part of the name; every word must match', () => {
    expect(filterRows(rows, 'host:build2').map((r) => r.name)).toEqual(['rev0']);
    expect(filterRows(rows, 'class:implementer').map((r) => r.name)).toEqual(['coder0', 'coder1']);
    expect(filterRows(rows, 'state:dead').map((r) => r.name)).toEqual(['rev0']);
    expect(filterRows(rows, 'state:queued').map((r) => r.name)).toEqual(['coder1']);
    expect(filterRows(rows, 'coder class:implementer state:busy').map((r) => r.name)).toEqual(['coder0']);
    expect(filterRows(rows, 'nobody')).toEqual([]);
    expect(filterRows(rows, '  ')).toHaveLength(4);
  });

  it('sorts trouble first by state, or by name, host, class, pending', () => {
    expect(sortRows(rows, 'state').map((r) => r.name)).toEqual(['rev0', 'coder1', 'coder0', 'lead']);
    expect(sortRows(rows, 'name').map((r) => r.name)).toEqual(['coder0', 'coder1', 'lead', 'rev0']);
    expect(sortRows(rows, 'host').map((r) => r.name)).toEqual(['rev0', 'coder0', 'coder1', 'lead']);
    expect(sortRows(rows, 'class').map((r) => r.class)).toEqual(['implementer', 'implementer', 'orchestrator', 'reviewer']);
    expect(sortRows(rows, 'pending')[0]!.name).toBe('coder1');
    expect(stateCounts(rows)).toEqual([['dead', 1], ['queued', 1], ['busy', 1], ['idle', 1]]);
  });

  it('writes ages compactly', () => {
    expect([age(0), age(59_999), age(60_000), age(3_600_000 * 47), age(3_600_000 * 48)]).toEqual(['0s', '59s', '1m', '47h', '2d']);
  });
});
