import { describe, expect, it } from 'vitest';
import { applySnapshot, handleKey, initialView, visibleRows, type View } from '../../src/top/controller.js';
import type { Key } from '../../src/top/keys.js';
import { agent, snapshot } from './fixtures.js';

const ch = (c: string): Key => ({ name: 'char', ch: c });
const press = (view: View, ...keys: Key[]) => {
  let v = view;
  const effects = [];
  for (const k of keys) {
    const r = handleKey(v, k);
    v = r.view;
    if (r.effect) effects.push(r.effect);
  }
  return { view: v, effects };
};
const fleet = () => applySnapshot(initialView({ sort: 'name' }), snapshot(1000, [agent('alpha'), agent('bravo'), agent('coder', { host: 'build2' })]));

describe('keys on the view', () => {
  it('moves the selection and keeps it on the same agent when rows reorder', () => {
    let v = fleet();
    expect(v.selected).toBe('local:alpha');
    v = press(v, { name: 'down' }, ch('j'), ch('j'), ch('k')).view;
    expect(v.selected).toBe('local:bravo');
    v = applySnapshot({ ...v, sort: 'state' }, snapshot(2000, [agent('alpha'), agent('bravo', { state: 'dead' }), agent('coder', { host: 'build2' })]));
    expect(visibleRows(v)[0]!.name).toBe('bravo');
    expect(v.selected).toBe('local:bravo');
  });

  it('Enter attaches to the exact target: =name here, host:name elsewhere', () => {
    expect(press(fleet(), { name: 'enter' }).effects).toEqual([{ kind: 'attach', target: '=alpha' }]);
    expect(press(fleet(), { name: 'end' }, ch('a')).effects).toEqual([{ kind: 'attach', target: 'build2:coder' }]);
  });

  it('m opens a message prompt; Enter sends it once, Esc drops it', () => {
    const typed = press(fleet(), ch('m'), ...[...'hi there'].map(ch), { name: 'backspace' }, ch('E'));
    expect(typed.view.mode).toEqual({ kind: 'prompt', purpose: 'send', target: '=alpha', text: 'hi therE' });
    // Keys that act in the normal view are text in the prompt.
    expect(typed.effects).toEqual([]);
    const sent = press(typed.view, { name: 'enter' });
    expect(sent.effects).toEqual([{ kind: 'send', target: '=alpha', body: 'hi therE' }]);
    expect(sent.view.mode.kind).toBe('normal');
    expect(press(typed.view, { name: 'escape' }).effects).toEqual([]);
    expect(press(fleet(), ch('m'), { name: 'enter' }).effects).toEqual([]);
  });

  it('reset and restart ask first; only y goes ahead', () => {
    const asked = press(fleet(), ch('R'));
    expect(asked.view.mode).toEqual({ kind: 'confirm', action: 'restart', target: '=alpha' });
    expect(asked.effects).toEqual([]);
    expect(press(asked.view, ch('y')).effects).toEqual([{ kind: 'restart', target: '=alpha' }]);
    expect(press(asked.view, ch('n')).effects).toEqual([]);
    expect(press(asked.view, { name: 'enter' }).effects).toEqual([]);
    expect(press(fleet(), ch('r'), ch('y')).effects).toEqual([{ kind: 'reset', target: '=alpha' }]);
  });

  it('/ filters as you type; s cycles the sort; d delivers; q quits', () => {
    const f = press(fleet(), ch('/'), ...[...'host:build2'].map(ch));
    expect(visibleRows(f.view).map((r) => r.name)).toEqual(['coder']);
    expect(f.view.selected).toBe('build2:coder');
    const done = press(f.view, { name: 'enter' });
    expect(done.view.filter).toBe('host:build2');
    expect(press(fleet(), ch('s')).view.sort).toBe('host');
    expect(press(fleet(), ch('d')).effects).toEqual([{ kind: 'deliver' }]);
    expect(press(fleet(), ch('q')).effects).toEqual([{ kind: 'quit' }]);
    expect(press(fleet(), { name: 'ctrl-c' }).effects).toEqual([{ kind: 'quit' }]);
  });

  it('with no agents, actions say so instead of acting', () => {
    const empty = applySnapshot(initialView(), snapshot(1, []));
    const r = press(empty, { name: 'enter' }, ch('m'), ch('R'));
    expect(r.effects).toEqual([]);
    expect(r.view.notice?.text).toBe('no agent selected');
  });
});
