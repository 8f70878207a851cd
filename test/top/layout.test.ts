import { describe, expect, it } from 'vitest';
import { applySnapshot, initialView, type View } from '../../src/top/controller.js';
import { fit, layoutFrame, renderLines, textWidth, type Paint } from '../../src/top/layout.js';
import { agent, snapshot } from './fixtures.js';

const AT = Date.parse('2026-12-02T10:00:00Z');
const msg = (from: string, to: string, verdict: string, agoMs: number) => ({ id: 'x', from, to, at: new Date(AT - agoMs).toISOString(), verdict, kind: 'send' });

function fleetOf(n: number): View {
  const agents = Array.from({ length: n }, (_, i) =>
    agent(`agent${String(i).padStart(3, '0')}`, {
      state: i % 10 === 3 ? 'dead' : i % 4 === 1 ? 'busy' : 'idle',
      exitStatus: i % 10 === 3 ? 137 : null,
      host: i % 7 === 0 ? 'build2' : 'local',
      lastIn: msg('web1:lead', `web1:agent${i}`, i % 5 === 0 ? 'unconfirmed' : 'submitted', 65_000),
      lastOut: msg(`web1:agent${i}`, 'web1:lead', 'draft', 3_600_000),
      pending: i % 9 === 0 ? 2 : 0,
    }),
  );
  return applySnapshot(initialView(), snapshot(AT, agents, { screen: null }));
}

const frame = (view: View, width: number, height: number, paint: Paint = 'plain') => renderLines(layoutFrame(view, { width, height }, AT + 5000).lines, paint);

describe('layout', () => {
  it('fills exactly width x height cells at 80x24 and at 200x60', () => {
    for (const [w, h] of [[80, 24], [200, 60], [40, 10]] as const) {
      for (const detail of [false, true]) {
        const lines = frame({ ...fleetOf(100), detail }, w, h);
        expect(lines).toHaveLength(h);
        for (const l of lines) expect(textWidth(l)).toBe(w);
      }
    }
  });

  it('drops less useful columns on a narrow terminal, keeps name, state, time and the last message in', () => {
    const narrow = frame(fleetOf(5), 80, 24);
    expect(narrow[1]).toMatch(/^AGENT +HOST +.*STATE▾ +TIME PEND .*LAST IN/);
    expect(narrow[1]).not.toContain('LAST OUT');
    const wide = frame(fleetOf(5), 200, 24);
    for (const col of ['RUNTIME', 'CLASS', 'RST', 'LAST IN', 'LAST OUT']) expect(wide[1]).toContain(col);
    const tiny = frame(fleetOf(5), 30, 10);
    expect(tiny[1]).toMatch(/^AGENT +STATE/);
  });

  it('shows states with exit status, queued counts, verdicts as they come, and scrolls to keep the selection', () => {
    const view = fleetOf(100);
    const lines = frame(view, 120, 24);
    expect(lines[0]).toMatch(/100 agents 10 dead/);
    expect(lines.join('\n')).toContain('dead (exit 137)');
    expect(lines.join('\n')).toMatch(/←lead 1m unconfirmed/);
    expect(lines[lines.length - 2]).toMatch(/1-21 of 100 *$/);
    const last = layoutFrame({ ...view, selected: 'local:agent096' }, { width: 120, height: 24 }, AT);
    expect(renderLines(last.lines, 'plain').join('\n')).toContain('agent096');
    expect(last.scroll).toBeGreaterThan(0);
  });

  it('the detail pane shows both preamble endpoints and the bottom of the recent screen', () => {
    const base = fleetOf(3);
    const screen = { agent: 'agent000', host: 'build2', lines: ['old line', ...Array.from({ length: 30 }, (_, i) => `row ${i}`), '❯ input box'] };
    const view = applySnapshot({ ...base, detail: true }, { ...base.snapshot!, screen });
    const lines = frame(view, 100, 24).join('\n');
    expect(lines).toContain('agent000 on build2');
    expect(lines).toContain('[web1:lead -> web1:agent0] 1m ago unconfirmed');
    expect(lines).toContain('│❯ input box');
    expect(lines).not.toContain('old line');
  });

  it('colour, NO_COLOR (attributes only) and plain text', () => {
    const view = fleetOf(4);
    const colour = frame(view, 100, 10, 'color').join('\n');
    expect(colour).toMatch(/\x1b\[31(;7)?mdead \(exit 137\)/);
    const mono = frame(view, 100, 10, 'mono').join('\n');
    expect(mono).not.toMatch(/\x1b\[[0-9;]*3[0-9]m/);
    expect(mono).toMatch(/\x1b\[7m/); // the selected row stays visible
    expect(frame(view, 100, 10, 'plain').join('\n')).not.toContain('\x1b');
  });

  it('fit cuts by display cells, wide characters included', () => {
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('日本語テキスト', 5)).toBe('日本…');
    expect(textWidth(fit('日本語', 4))).toBe(4);
    expect(fit('ab', 4)).toBe('ab  ');
  });
});
