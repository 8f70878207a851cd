import { describe, expect, it } from 'vitest';
import { InputParser, PASTE_END, PASTE_START, type InputEvent } from '../../src/sim/input.js';

function feedAll(chunks: Array<string | Buffer>): InputEvent[] {
  const parser = new InputParser();
  return chunks.flatMap((chunk) => parser.feed(chunk));
}

describe('InputParser', () => {
  it('reads typed text, Enter, C-j, backspace, C-u and C-c', () => {
    expect(feedAll(['hi\nthere\x7f\b\x15\x03\r'])).toEqual([
      { kind: 'text', text: 'hi\nthere' },
      { kind: 'backspace' },
      { kind: 'backspace' },
      { kind: 'clear' },
      { kind: 'interrupt' },
      { kind: 'enter' },
    ]);
  });

  it('emits a bracketed paste whole, with CR, LF and CRLF all turned into newlines', () => {
    expect(feedAll([`${PASTE_START}a\r\nb\rc\nd${PASTE_END}\r`])).toEqual([{ kind: 'paste', text: 'a\nb\nc\nd' }, { kind: 'enter' }]);
  });

  it('handles paste markers split at every position', () => {
    const stream = `x${PASTE_START}one\r\ntwo${PASTE_END}y\r`;
    for (let cut = 1; cut < stream.length; cut++) {
      for (let cut2 = cut + 1; cut2 <= stream.length; cut2++) {
        const events = feedAll([stream.slice(0, cut), stream.slice(cut, cut2), stream.slice(cut2)]);
        const merged = mergeText(events);
        expect(merged, `cuts ${cut},${cut2}`).toEqual([
          { kind: 'text', text: 'x' },
          { kind: 'paste', text: 'one\ntwo' },
          { kind: 'text', text: 'y' },
          { kind: 'enter' },
        ]);
      }
    }
  });

  it('keeps a CRLF split across chunks inside a paste as one newline', () => {
    expect(feedAll([`${PASTE_START}a\r`, `\nb${PASTE_END}`])).toEqual([{ kind: 'paste', text: 'a\nb' }]);
  });

  it('decodes unicode, including UTF-8 split inside a character', () => {
    const bytes = Buffer.from('héllo ❯ 日本 🎉\r', 'utf8');
    const events = mergeText(Array.from(bytes).map((_, i) => bytes.subarray(i, i + 1)).flatMap(feedInto(new InputParser())));
    expect(events).toEqual([{ kind: 'text', text: 'héllo ❯ 日本 🎉' }, { kind: 'enter' }]);
  });

  it('consumes CSI, SS3, OSC and Meta sequences without typing them', () => {
    expect(mergeText(feedAll(['a\x1b[A\x1b[1;5C\x1bOP\x1b]0;title\x07\x1bxb\x1b[201~c']))).toEqual([{ kind: 'text', text: 'abc' }]);
  });

  it('waits for the rest of an escape sequence split across chunks', () => {
    expect(mergeText(feedAll(['a\x1b', '[', '1;5', 'Cb']))).toEqual([{ kind: 'text', text: 'ab' }]);
  });

  it('drops a lone Escape only when asked, so the next key is not read as Meta', () => {
    const parser = new InputParser();
    expect(parser.feed('\x1b')).toEqual([]);
    expect(parser.hasPending()).toBe(true);
    parser.flushLoneEscape();
    expect(parser.feed('q')).toEqual([{ kind: 'text', text: 'q' }]);
  });

  it('ignores stray control characters but keeps tabs', () => {
    expect(feedAll(['a\x01\x02\tb'])).toEqual([{ kind: 'text', text: 'a\tb' }]);
  });
});

function feedInto(parser: InputParser) {
  return (chunk: Buffer) => parser.feed(chunk);
}

/** Adjacent text events are an artefact of chunking; merge them for comparison. */
function mergeText(events: InputEvent[]): InputEvent[] {
  const out: InputEvent[] = [];
  for (const event of events) {
    const last = out[out.length - 1];
    if (event.kind === 'text' && last?.kind === 'text') out[out.length - 1] = { kind: 'text', text: last.text + event.text };
    else out.push(event);
  }
  return out;
}
