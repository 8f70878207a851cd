import { describe, expect, it } from 'vitest';
import { codexProfile } from '../../../src/runtimes/codex.js';
import { screenFromText } from '../../../src/tmux/screen.js';
import { parseFixture, summary } from './fixture.js';

const parse = (name: string) => parseFixture(codexProfile, name);

describe('codex profile on real screens (Codex CLI 0.169.0)', () => {
  it('ready: dim placeholder "Ask Codex to do anything" is empty; model line present', () => {
    expect(summary(parse('codex-ready'))).toEqual({ input: '', busy: false, queued: false, ready: true, dialog: undefined });
  });

  it('draft: single line', () => {
    expect(summary(parse('codex-draft'))).toMatchObject({ input: 'hello from paste one', busy: false, ready: true });
  });

  it('draft: multi-line', () => {
    expect(parse('codex-draft-multiline').input).toBe('ml line one\nml line two\nml line three');
  });

  it('paste placeholder', () => {
    const s = parse('codex-paste-placeholder');
    expect(s.input).toBe('[Pasted Content 1104 chars]');
    expect(codexProfile.pastePlaceholders.some((re) => re.test(s.input!))).toBe(true);
  });

  it('busy: "Working (1s • esc to interrupt)"; transcript holds the earlier turn', () => {
    const s = parse('codex-busy');
    expect(summary(s)).toMatchObject({ input: '', busy: true, queued: false, ready: true });
    expect(s.transcript).toContain('› slow first message');
  });

  it('queued (Enter while busy = steer): "Messages to be submitted after next tool call"', () => {
    expect(summary(parse('codex-queued'))).toMatchObject({ input: '', busy: true, queued: true, ready: true });
  });

  it('queued (Tab while busy): "Queued follow-up inputs"', () => {
    expect(summary(parse('codex-queued-tab'))).toMatchObject({ input: '', busy: true, queued: true, ready: true });
  });

  it('idle after turns: every turn closed by "Worked for"', () => {
    expect(summary(parse('codex-idle'))).toMatchObject({ input: '', busy: false, queued: false, ready: true });
  });

  it('after /new: back to the welcome screen', () => {
    const before = parse('codex-idle');
    expect(codexProfile.isFreshAfterReset(before, parse('codex-after-reset'))).toBe(true);
    expect(codexProfile.isFreshAfterReset(before, before)).toBe(false);
  });

  it('a draft with a blank line keeps both paragraphs (the model line closes the composer)', () => {
    const s = codexProfile.parse(screenFromText(['› para one', '', '  para two', '', '  gpt-5 default · /w', ''].join('\n')));
    expect(s.input).toBe('para one\n\npara two');
  });

  it('slash popup rows above the composer also start with "›": the last one is the composer', () => {
    const s = codexProfile.parse(screenFromText(['› /new  start a new chat during a conversation', '', '› /ne', '', '  gpt-5 default · /w'].join('\n')));
    expect(s.input).toBe('/ne');
  });

  it('streaming answer without "Worked for" yet counts as busy', () => {
    const s = codexProfile.parse(
      screenFromText(['› question', '', '• MOCK-REPLY-1 partial', '', '› Ask Codex to do anything', '', '  gpt-5 default · /w', ''].join('\n')),
    );
    expect(s).toMatchObject({ busy: true, ready: true });
  });

  it('login chooser (default provider, no stored login) is a dialog', () => {
    expect(summary(parse('codex-dialog-login'))).toEqual({ input: null, busy: false, queued: false, ready: false, dialog: 'login' });
  });

  it('composer before the app server connects is not ready yet', () => {
    const s = codexProfile.parse(screenFromText(['  >_ OpenAI Codex (v0.169.0)', '', '› Ask Codex to do anything', '', '  ? for shortcuts'].join('\n')));
    expect(s).toMatchObject({ input: '', ready: false });
  });

  it('API error (401) with retries off: idle, error in the transcript', () => {
    const s = parse('codex-error');
    expect(summary(s)).toMatchObject({ input: '', busy: false, queued: false, ready: true });
    expect(s.transcript).toContain('■ unexpected status 401 Unauthorized');
  });

  it('never throws', () => {
    expect(codexProfile.parse(screenFromText('')).input).toBeNull();
    expect(codexProfile.parse({ lines: [], width: 0 }).ready).toBe(false);
  });
});
