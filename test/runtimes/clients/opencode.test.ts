import { describe, expect, it } from 'vitest';
import { opencodeProfile } from '../../../src/runtimes/opencode.js';
import { screenFromText } from '../../../src/tmux/screen.js';
import { parseFixture, summary } from './fixture.js';

const parse = (name: string) => parseFixture(opencodeProfile, name);

describe('opencode profile on real screens (OpenCode 1.18.33)', () => {
  it('ready (home view): grey "Ask anything…" placeholder is empty; agent line is not input', () => {
    expect(summary(parse('opencode-ready'))).toEqual({ input: '', busy: false, queued: false, ready: true, dialog: undefined });
  });

  it('draft: single line', () => {
    expect(summary(parse('opencode-draft'))).toMatchObject({ input: 'hello from paste one', busy: false, ready: true });
  });

  it('draft: multi-line', () => {
    expect(parse('opencode-draft-multiline').input).toBe('ml line one\nml line two');
  });

  it('draft in the session view: the sidebar does not leak into the input', () => {
    expect(summary(parse('opencode-draft-session'))).toMatchObject({ input: 'session draft one\nsession draft two', busy: false, ready: true });
  });

  it('paste placeholder', () => {
    const s = parse('opencode-paste-placeholder');
    expect(s.input).toBe('[Pasted ~4 lines]');
    expect(opencodeProfile.pastePlaceholders.some((re) => re.test(s.input!))).toBe(true);
  });

  it('busy: status bar "⬝■" + "esc interrupt", turn marker without duration', () => {
    const s = parse('opencode-busy');
    expect(summary(s)).toMatchObject({ input: '', busy: true, queued: false, ready: true });
    expect(s.transcript).toContain('slow first message');
    expect(s.transcript).not.toContain('LSPs are disabled'); // sidebar cut off
  });

  it('queued: QUEUED badge under the message', () => {
    expect(summary(parse('opencode-queued'))).toMatchObject({ input: '', busy: true, queued: true, ready: true });
  });

  it('idle after turns: every turn marker has its duration', () => {
    expect(summary(parse('opencode-idle'))).toMatchObject({ input: '', busy: false, queued: false, ready: true });
  });

  it('after /new: back to the home view', () => {
    const before = parse('opencode-idle');
    expect(opencodeProfile.isFreshAfterReset(before, parse('opencode-after-reset'))).toBe(true);
    expect(opencodeProfile.isFreshAfterReset(before, before)).toBe(false);
  });

  it('API error (401): idle although the turn marker never gets a duration', () => {
    const s = parse('opencode-error');
    expect(summary(s)).toMatchObject({ input: '', busy: false, queued: false, ready: true });
    expect(s.transcript).toContain('invalid x-api-key (mock)');
  });

  it('retrying: busy even when the long retry text pushes "esc interrupt" off the status row', () => {
    const s = opencodeProfile.parse(
      screenFromText(['  ┃  hi', '', '     ▣  Build · Claude Sonnet 4.6', '', '  ┃', '  ┃', '  ┃', '  ┃  Build · Claude Sonnet 4.6 Anthropic', '  ╹▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀', '   Cannot connect to API: Was there a typo in the url or port? [retrying in 30s attempt  • OpenCode'].join('\n')),
    );
    expect(s).toMatchObject({ busy: true, ready: true, input: '' });
  });

  it('never throws', () => {
    expect(opencodeProfile.parse(screenFromText('')).input).toBeNull();
    expect(opencodeProfile.parse(screenFromText('╹▀▀▀\n')).input).toBeNull();
    expect(opencodeProfile.parse({ lines: [], width: 0 }).ready).toBe(false);
  });
});
