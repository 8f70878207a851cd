import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { geminiProfile, GEMINI_ENTER_DELAY_MS } from '../../../src/runtimes/gemini.js';
import { profileFor } from '../../../src/runtimes/registry.js';
import { parseCapture } from '../../../src/tmux/screen.js';
import { BUSY_SEARCH } from '../../../src/tmux/format.js';
import { BUSY_PATTERNS, QUEUED_PATTERNS, PASTE_PLACEHOLDERS } from '../../../src/runtimes/layout.js';
import { parseFixture, summary } from './fixture.js';

const parse = (name: string) => parseFixture(geminiProfile, name);
const raw = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/screens/${name}.ansi`, import.meta.url)), 'utf8');

describe('gemini profile on real screens (Gemini CLI 0.61.0, 160x48, tmux)', () => {
  it('is registered as the runtime "gemini", resets with /clear, waits before Enter, has no receipt hook', () => {
    expect(profileFor('gemini')).toBe(geminiProfile);
    expect(geminiProfile.receiptSetup).toBeUndefined();
    expect(geminiProfile.resetCommand).toBe('/clear');
    // An Enter within 30 ms of the paste becomes a newline; 50 ms was the least that always submitted.
    expect(geminiProfile.enterDelayMs).toBe(GEMINI_ENTER_DELAY_MS);
    expect(GEMINI_ENTER_DELAY_MS).toBeGreaterThanOrEqual(100);
  });

  it('ready: the grey placeholder behind the cursor counts as an empty box', () => {
    const s = parse('gemini-ready');
    expect(summary(s)).toEqual({ input: '', busy: false, queued: false, ready: true, dialog: undefined });
    expect(s.transcript).toContain('Gemini CLI v0.61.0');
    expect(s.transcript).not.toContain('Shift+Tab');
  });

  it('draft: single line, prompt removed', () => {
    expect(summary(parse('gemini-draft'))).toMatchObject({ input: 'hello from paste one', busy: false, ready: true });
  });

  it('draft: multi-line rows keep their order, lose the 3-column indent, keep their own indent', () => {
    expect(parse('gemini-draft-multiline').input).toBe('ml line one\nml line two\n  ml line three');
  });

  it('paste of more than 5 lines: the placeholder is the input and matches pastePlaceholders', () => {
    const s = parse('gemini-paste-placeholder');
    expect(s.input).toBe('[Pasted Text: 7 lines]');
    expect(geminiProfile.pastePlaceholders.some((re) => re.test(s.input!))).toBe(true);
    expect(s.busy).toBe(false);
  });

  it('busy: "Thinking... (esc to cancel, 1s)" above the rule; the user entry is in the transcript', () => {
    const s = parse('gemini-busy');
    expect(summary(s)).toEqual({ input: '', busy: true, queued: false, ready: true, dialog: undefined });
    expect(s.transcript).toContain(' > slow first message');
  });

  it('queued: "Queued (press ↑ to edit):" with the message under it', () => {
    const s = parse('gemini-queued');
    expect(summary(s)).toMatchObject({ input: '', busy: true, queued: true, ready: true });
    expect(s.transcript).toContain('queued second message');
  });

  it('a draft typed while busy is the input, the turn still busy', () => {
    expect(summary(parse('gemini-busy-draft'))).toMatchObject({ input: 'draft while busy', busy: true, queued: true });
  });

  it('idle after turns: answers "✦ …" in the transcript, nothing busy', () => {
    const s = parse('gemini-idle');
    expect(summary(s)).toEqual({ input: '', busy: false, queued: false, ready: true, dialog: undefined });
    expect(s.transcript).toContain('✦ MOCK-REPLY-86 got 1 line(s): queued second message');
  });

  it('a slash command with its suggestion list below the box reads as the typed command', () => {
    expect(summary(parse('gemini-slash-draft'))).toMatchObject({ input: '/clear', ready: true, busy: false });
  });

  it('after /clear: fresh; a screen with a conversation is not', () => {
    const before = parse('gemini-idle');
    expect(geminiProfile.isFreshAfterReset(before, parse('gemini-after-reset'))).toBe(true);
    expect(geminiProfile.isFreshAfterReset(before, before)).toBe(false);
    expect(geminiProfile.isFreshAfterReset(before, parse('gemini-busy'))).toBe(false);
  });

  it('NO_COLOR: the box is drawn with rules instead of a grey block, and reads the same', () => {
    const ready = parse('gemini-nocolor-ready');
    expect(summary(ready)).toEqual({ input: '', busy: false, queued: false, ready: true, dialog: undefined });
    expect(ready.transcript).not.toMatch(/Shift\+Tab|─{20}/);
    expect(parse('gemini-nocolor-draft').input).toBe('hello from paste one');
  });

  it('an Enter sent with the paste became a newline: the text stays, the cursor on the empty row below it', () => {
    // capture-pane does not record the cursor; cursor_y was 19 when this screen was captured.
    const s = geminiProfile.parse(parseCapture(raw('gemini-newline'), 19));
    expect(s.input).toBe('took a newline\n');
    expect(geminiProfile.parse(parseCapture(raw('gemini-newline'), 18)).input).toBe('took a newline');
    expect(geminiProfile.parse(parseCapture(raw('gemini-newline'))).input).toBe('took a newline');
  });

  it('never throws and reads no box on screens that are not Gemini CLI', () => {
    for (const name of ['claude-ready', 'codex-ready', 'pi-ready', 'opencode-ready']) {
      const s = parse(name);
      expect(s.input, name).toBeNull();
      expect(s.ready, name).toBe(false);
    }
    expect(geminiProfile.parse({ lines: [], width: 80 }).ready).toBe(false);
  });

  it("status's tmux-side busy search and the generic reader know Gemini's markers", () => {
    const busyRow = ' ⠦ Thinking... (esc to cancel, 1s)                                                 ? for shortcuts';
    expect(new RegExp(BUSY_SEARCH).test(busyRow)).toBe(true);
    expect(new RegExp(BUSY_SEARCH).test('✦ MOCK-REPLY-86 got 1 line(s): queued second message')).toBe(false);
    expect(BUSY_PATTERNS.some((p) => p.test(busyRow))).toBe(true);
    expect(QUEUED_PATTERNS.some((p) => p.test('  Queued (press ↑ to edit):'))).toBe(true);
    expect(PASTE_PLACEHOLDERS.some((p) => p.test('[Pasted Text: 7 lines]'))).toBe(true);
  });

  it('reads the same when the grey placeholder is blanked (the evidence layer hands profiles `plain` rows)', () => {
    for (const [name, input] of [['gemini-ready', ''], ['gemini-idle', ''], ['gemini-draft', 'hello from paste one'], ['gemini-busy', '']] as const) {
      const screen = parseCapture(raw(name));
      const faint = { ...screen, lines: screen.lines.map((l) => (l.plain === undefined ? l : { ...l, solid: l.plain })) };
      expect(geminiProfile.parse(faint).input, name).toBe(input);
    }
  });
});
