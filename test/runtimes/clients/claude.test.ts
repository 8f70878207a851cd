import { describe, expect, it } from 'vitest';
import { claudeProfile } from '../../../src/runtimes/claude.js';
import { screenFromText } from '../../../src/tmux/screen.js';
import { parseFixture, summary } from './fixture.js';

const parse = (name: string) => parseFixture(claudeProfile, name);

describe('claude profile on real screens (Claude Code 2.1.197)', () => {
  it('ready: empty box between the last two rules, prompt ❯ + NBSP', () => {
    expect(summary(parse('claude-ready'))).toEqual({ input: '', busy: false, queued: false, ready: true, dialog: undefined });
  });

  it('draft: single line', () => {
    expect(summary(parse('claude-draft'))).toMatchObject({ input: 'hello from paste one', busy: false, ready: true });
  });

  it('draft: multi-line rows keep their order and lose the 2-space indent', () => {
    expect(parse('claude-draft-multiline').input).toBe('ml line one\nml line two\nml line three');
  });

  it('shell-mode draft ("!" consumed into the prompt) reads back as the typed "!..." body', () => {
    expect(summary(parse('claude-draft-bang'))).toMatchObject({ input: '!echo hi', busy: false, ready: true });
  });

  it('paste placeholder is the input and matches pastePlaceholders', () => {
    const s = parse('claude-paste-placeholder');
    expect(s.input).toBe('[Pasted text #1 +4 lines]');
    expect(claudeProfile.pastePlaceholders.some((re) => re.test(s.input!))).toBe(true);
  });

  it('busy: spinner "· Creating…" above the box even though the footer shows no "esc to interrupt"', () => {
    const s = parse('claude-busy');
    expect(summary(s)).toMatchObject({ input: '', busy: true, queued: false, ready: true });
    expect(s.transcript).toContain('❯ slow first message');
  });

  it('queued: dim "Press up to edit queued messages" counts as empty, queued entry above the box', () => {
    expect(summary(parse('claude-queued'))).toMatchObject({ input: '', busy: true, queued: true, ready: true });
  });

  it('idle after a turn: past-tense "Sautéed for 0s" is not busy', () => {
    const s = parse('claude-idle');
    expect(summary(s)).toMatchObject({ input: '', busy: false, queued: false, ready: true });
    expect(s.transcript).toContain('● MOCK-REPLY-10 got 1 line(s): after reset hello');
  });

  it('after /clear: fresh; a screen with a conversation is not', () => {
    const before = parse('claude-idle');
    expect(claudeProfile.isFreshAfterReset(before, parse('claude-after-reset'))).toBe(true);
    expect(claudeProfile.isFreshAfterReset(before, before)).toBe(false);
    expect(claudeProfile.resetCommand).toBe('/clear');
  });

  it('trust dialog: its ❯ is not the prompt', () => {
    expect(summary(parse('claude-dialog-trust'))).toEqual({ input: null, busy: false, queued: false, ready: false, dialog: 'trust-folder' });
  });

  it('API-key dialog', () => {
    expect(summary(parse('claude-dialog-apikey'))).toMatchObject({ input: null, ready: false, dialog: 'api-key' });
  });

  it('API error (401) with retries off: idle, error in the transcript', () => {
    const s = parse('claude-error');
    expect(summary(s)).toMatchObject({ input: '', busy: false, queued: false, ready: true });
    expect(s.transcript).toContain('Invalid API key · Fix external API key');
  });

  it('never throws on garbage or an empty screen', () => {
    expect(claudeProfile.parse(screenFromText('')).ready).toBe(false);
    expect(claudeProfile.parse(screenFromText('$ ls\nfoo\n')).input).toBeNull();
    expect(claudeProfile.parse({ lines: [], width: 0 }).input).toBeNull();
  });

  it('a one-character draft is not mistaken for the cursor-on-placeholder artifact', () => {
    const rule = '─'.repeat(100);
    expect(claudeProfile.parse(screenFromText(`${rule}\n❯\u00a0x\n${rule}\n`)).input).toBe('x');
  });

  it('launch: claude --dangerously-skip-permissions', () => {
    const spec = claudeProfile.launch({ agentName: 'a', workingDirectory: '/w', packageRoot: '/p', env: {} });
    expect(spec.argv).toEqual(['claude', '--dangerously-skip-permissions']);
  });
});
