import { describe, expect, it } from 'vitest';
import { checkBody, parsePreamble, preambleFor, sanitizeBody, MAX_BODY_BYTES } from '../../src/delivery/body.js';
import { holdsBody } from '../../src/evidence/text.js';
import { PASTE_PLACEHOLDERS } from '../../src/runtimes/layout.js';

describe('sanitizeBody', () => {
  it('normalises CR and CRLF to LF and drops trailing newlines', () => {
    expect(sanitizeBody('a\r\nb\rc\n\n')).toBe('a\nb\nc');
  });
  it('removes escape sequences, including the bracketed-paste end marker, and control characters', () => {
    expect(sanitizeBody('x\x1b[201~y\x1b[200~z')).toBe('xyz');
    expect(sanitizeBody('t\x1b]0;title\x07u\x1b]8;;http://x\x1b\\v')).toBe('tuv');
    // ESC + a character is a Meta keystroke to a REPL (Alt-d deletes a word): both go.
    expect(sanitizeBody('a\x00b\x03c\x1bd\x7fe\u009bf')).toBe('abcef');
    expect(sanitizeBody('tab\there')).toBe('tab\there');
  });
  it('keeps unicode', () => {
    expect(sanitizeBody('漢字 🚀 é')).toBe('漢字 🚀 é');
  });
});

describe('checkBody', () => {
  it('refuses empty and oversize bodies', () => {
    expect(() => checkBody(' \n ', { preamble: true, raw: false })).toThrow(/empty/);
    expect(() => checkBody('x'.repeat(MAX_BODY_BYTES + 1), { preamble: true, raw: false })).toThrow(/limit is 1048576/);
    expect(() => checkBody('x'.repeat(MAX_BODY_BYTES), { preamble: true, raw: false })).not.toThrow();
  });
  it('refuses a leading / or ! without a preamble unless raw', () => {
    expect(() => checkBody('/clear', { preamble: false, raw: false })).toThrow(/slash command/);
    expect(() => checkBody('  !ls', { preamble: false, raw: false })).toThrow(/shell command/);
    expect(() => checkBody('/clear', { preamble: false, raw: true })).not.toThrow();
    expect(() => checkBody('/clear', { preamble: true, raw: false })).not.toThrow();
  });
});

describe('preamble', () => {
  it('formats and parses the addressing standard', () => {
    const p = preambleFor({ host: 'web1', session: 'mos-claude' }, { host: 'sb', session: 'installer-1' });
    expect(p).toBe('[web1:mos-claude -> sb:installer-1]');
    expect(parsePreamble(`${p} status on #29?`)).toEqual({
      from: { host: 'web1', session: 'mos-claude' },
      to: { host: 'sb', session: 'installer-1' },
      body: 'status on #29?',
    });
    expect(parsePreamble('no preamble')).toBeNull();
  });
});

describe('holdsBody', () => {
  const body = '[h:a -> h:b] please review the change to the parser module';
  it('sees the body through wrapping, indentation and NBSP', () => {
    expect(holdsBody('[h:a -> h:b] please review the change to\n  the parser\u00a0module', body, PASTE_PLACEHOLDERS)).toBe(true);
  });
  it('sees a paste placeholder as the body', () => {
    expect(holdsBody('[Pasted text #2 +12 lines]', body, PASTE_PLACEHOLDERS)).toBe(true);
    expect(holdsBody('[Pasted Content 5000 chars]', body, PASTE_PLACEHOLDERS)).toBe(true);
    expect(holdsBody('[paste #1 +40 lines]', body, PASTE_PLACEHOLDERS)).toBe(true);
    expect(holdsBody('[Pasted ~3 lines]', body, PASTE_PLACEHOLDERS)).toBe(true);
  });
  it('an empty box or foreign text is not our body', () => {
    expect(holdsBody('', body, PASTE_PLACEHOLDERS)).toBe(false);
    expect(holdsBody(null, body, PASTE_PLACEHOLDERS)).toBe(false);
    expect(holdsBody('something else entirely', body, PASTE_PLACEHOLDERS)).toBe(false);
  });
});
