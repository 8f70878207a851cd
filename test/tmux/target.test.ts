import { describe, expect, it } from 'vitest';
import { parseTarget, resolvePane } from '../../src/tmux/target.js';
import type { PaneInfo } from '../../src/tmux/format.js';
import { parsePaneLine, paneFormat, PANE_FIELDS, SEP } from '../../src/tmux/format.js';

const pane = (sessionName: string, paneId: string, extra: Partial<PaneInfo> = {}): PaneInfo => ({
  sessionName, sessionId: '$1', sessionCreated: 0, windowIndex: 0, windowName: 'w', windowActive: true, paneIndex: 0, paneId,
  paneActive: true, panePid: 1, dead: false, deadStatus: null, deadSignal: null, currentCommand: 'node', width: 80,
  height: 24, cursorY: 0, inMode: false, agent: '', runtime: '', profile: '', started: null, launcher: '', receipt: '', socketPath: '/tmp/s', serverPid: 9, busy: false, ...extra,
});

const panes = [
  pane('agent0', '%1'),
  pane('agent', '%2'),
  pane('multi', '%3', { windowIndex: 0, paneIndex: 0, paneActive: false }),
  pane('multi', '%4', { windowIndex: 0, paneIndex: 1, paneActive: true }),
  pane('multi', '%5', { windowIndex: 2, windowName: 'logs', windowActive: false, paneIndex: 0 }),
  pane('a*b', '%6'),
];

describe('parseTarget', () => {
  it('splits the target forms users give', () => {
    expect(parseTarget('%12')).toEqual({ kind: 'pane-id', paneId: '%12' });
    expect(parseTarget('=agent')).toEqual({ kind: 'session', session: 'agent' });
    expect(parseTarget('agent')).toEqual({ kind: 'session', session: 'agent' });
    expect(parseTarget('multi:2.0')).toEqual({ kind: 'session', session: 'multi', window: '2', pane: '0' });
    expect(parseTarget('=multi:logs')).toEqual({ kind: 'session', session: 'multi', window: 'logs' });
    expect(parseTarget('multi:.%4')).toEqual({ kind: 'session', session: 'multi', pane: '%4' });
  });
});

describe('resolvePane', () => {
  const where = 'socket test';
  it('matches session names by equality only, never by prefix or glob', () => {
    expect(resolvePane(panes, 'agent', where).paneId).toBe('%2');
    expect(resolvePane(panes, '=agent0', where).paneId).toBe('%1');
    expect(() => resolvePane(panes, 'agen', where)).toThrow(/no session 'agen'/);
    expect(() => resolvePane(panes, 'a*', where)).toThrow(/no session/);
    expect(resolvePane(panes, 'a*b', where).paneId).toBe('%6');
  });
  it('picks the active pane of the active window for a bare session, and honours window.pane', () => {
    expect(resolvePane(panes, 'multi', where).paneId).toBe('%4');
    expect(resolvePane(panes, 'multi:0.0', where).paneId).toBe('%3');
    expect(resolvePane(panes, 'multi:logs', where).paneId).toBe('%5');
    expect(resolvePane(panes, 'multi:2', where).paneId).toBe('%5');
    expect(() => resolvePane(panes, 'multi:1.0', where)).toThrow(/no session 'multi:1.0'/);
    expect(resolvePane(panes, '%5', where).sessionName).toBe('multi');
    expect(() => resolvePane(panes, '%50', where)).toThrow(/no pane '%50'/);
  });
  it('suggests near names in the hint', () => {
    try {
      resolvePane(panes, 'agen', where);
      expect.unreachable();
    } catch (error) {
      expect((error as { hint: string }).hint).toMatch(/'agent'.*'agent0'|'agent0'.*'agent'/);
    }
  });
});

describe('pane format', () => {
  it('round-trips a row and rejects rows with the wrong field count', () => {
    expect(paneFormat().split(SEP)).toHaveLength(PANE_FIELDS.length);
    const values = PANE_FIELDS.map((f) => (f === 'pane_id' ? '%7' : f === 'session_name' ? 'name with spaces' : f === 'pane_dead' ? '1' : '0'));
    const parsed = parsePaneLine(values.join(SEP));
    expect(parsed).toMatchObject({ paneId: '%7', sessionName: 'name with spaces', dead: true, busy: false });
    expect(parsePaneLine(values.slice(1).join(SEP))).toBeNull();
  });
});
