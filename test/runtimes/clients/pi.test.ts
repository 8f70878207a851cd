import { describe, expect, it } from 'vitest';
import { piProfile } from '../../../src/runtimes/pi.js';
import { screenFromText } from '../../../src/tmux/screen.js';
import { parseFixture, summary } from './fixture.js';

const parse = (name: string) => parseFixture(piProfile, name);

describe('pi profile on real screens (Pi 0.73.1)', () => {
  it('ready: empty editor between the last two rules, footer with model', () => {
    expect(summary(parse('pi-ready'))).toEqual({ input: '', busy: false, queued: false, ready: true, dialog: undefined });
  });

  it('draft: single line, no prompt glyph', () => {
    expect(summary(parse('pi-draft'))).toMatchObject({ input: 'hello from paste one', busy: false, ready: true });
  });

  it('draft: multi-line', () => {
    expect(parse('pi-draft-multiline').input).toBe('ml line one\nml line two\nml line three');
  });

  it('paste placeholder', () => {
    const s = parse('pi-paste-placeholder');
    expect(s.input).toBe('[paste #1 +12 lines]');
    expect(piProfile.pastePlaceholders.some((re) => re.test(s.input!))).toBe(true);
  });

  it('busy: braille spinner "Working..."', () => {
    expect(summary(parse('pi-busy'))).toMatchObject({ input: '', busy: true, queued: false, ready: true });
  });

  it('queued: "Steering:" / "Follow-up:" lines above the spinner', () => {
    expect(summary(parse('pi-queued'))).toMatchObject({ input: '', busy: true, queued: true, ready: true });
  });

  it('idle after turns', () => {
    const s = parse('pi-idle');
    expect(summary(s)).toMatchObject({ input: '', busy: false, queued: false, ready: true });
    expect(s.transcript).toContain('MOCK-REPLY-21 got 1 line(s): alt enter follow-up');
  });

  it('after /new: "✓ New session started"', () => {
    const before = parse('pi-idle');
    expect(piProfile.isFreshAfterReset(before, parse('pi-after-reset'))).toBe(true);
    expect(piProfile.isFreshAfterReset(before, before)).toBe(false);
  });

  it('a reply starting with "Steering:" is not a queue when idle', () => {
    const rule = '─'.repeat(100);
    const s = piProfile.parse(screenFromText([' Steering: the wheel', '', rule, '', rule, '/w', '0.0%/1.0M (auto)   claude-opus-4-7 • medium'].join('\n')));
    expect(s).toMatchObject({ queued: false, busy: false, ready: true, input: '' });
  });

  it('API error (401) with retries off: idle, error in the transcript', () => {
    const s = parse('pi-error');
    expect(summary(s)).toMatchObject({ input: '', busy: false, queued: false, ready: true });
    expect(s.transcript).toContain('Error: 401');
  });

  it('never throws', () => {
    expect(piProfile.parse(screenFromText('')).input).toBeNull();
    expect(piProfile.parse({ lines: [], width: 0 }).ready).toBe(false);
  });
});
