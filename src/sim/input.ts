// Turns raw terminal input into key events. Chunks may split anywhere: inside a UTF-8 character,
// inside an escape sequence, inside a paste marker, so everything incomplete is carried to the next chunk.
import { StringDecoder } from 'node:string_decoder';

export type InputEvent =
  | { kind: 'text'; text: string }
  | { kind: 'paste'; text: string }
  | { kind: 'enter' }
  | { kind: 'backspace' }
  | { kind: 'clear' }
  | { kind: 'interrupt' };

const ESC = '\x1b';
export const PASTE_START = '\x1b[200~';
export const PASTE_END = '\x1b[201~';

type EscapeScan = { length: number } | 'incomplete';

export class InputParser {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private inPaste = false;
  private pasteText = '';
  private events: InputEvent[] = [];
  private typed = '';

  /** Feed one chunk from stdin; returns the events it completed, in order. */
  feed(chunk: Buffer | string): InputEvent[] {
    const decoded = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const data = this.pending + decoded;
    this.pending = '';
    let i = 0;
    while (i < data.length) {
      i = this.inPaste ? this.readPaste(data, i) : this.readKey(data, i);
    }
    return this.takeEvents();
  }

  /** True when an escape sequence or paste is waiting for more bytes. */
  hasPending(): boolean {
    return this.pending !== '' || this.inPaste;
  }

  /** A lone ESC that never got a follow-up was the Escape key; drop it so the next key is not read as Meta+key. */
  flushLoneEscape(): void {
    if (!this.inPaste && this.pending === ESC) this.pending = '';
  }

  private readPaste(data: string, start: number): number {
    const end = data.indexOf(PASTE_END, start);
    if (end < 0) {
      const keep = partialSuffix(data, start, PASTE_END);
      this.pasteText += data.slice(start, data.length - keep);
      this.pending = data.slice(data.length - keep);
      return data.length;
    }
    this.pasteText += data.slice(start, end);
    this.events.push({ kind: 'paste', text: normalizeNewlines(this.pasteText) });
    this.inPaste = false;
    this.pasteText = '';
    return end + PASTE_END.length;
  }

  private readKey(data: string, i: number): number {
    const code = data.codePointAt(i)!;
    const char = String.fromCodePoint(code);
    if (char === ESC) return this.readEscape(data, i);
    if (char === '\r') return this.emit({ kind: 'enter' }, i + 1);
    if (char === '\x7f' || char === '\b') return this.emit({ kind: 'backspace' }, i + 1);
    if (char === '\x15') return this.emit({ kind: 'clear' }, i + 1);
    if (char === '\x03') return this.emit({ kind: 'interrupt' }, i + 1);
    if (char === '\n' || char === '\t' || !isControl(code)) this.typed += char;
    return i + char.length;
  }

  private readEscape(data: string, i: number): number {
    const scan = scanEscape(data, i);
    if (scan === 'incomplete') {
      this.pending = data.slice(i);
      return data.length;
    }
    const sequence = data.slice(i, i + scan.length);
    if (sequence === PASTE_START) {
      this.flushTyped();
      this.inPaste = true;
      this.pasteText = '';
    }
    return i + scan.length;
  }

  private emit(event: InputEvent, next: number): number {
    this.flushTyped();
    this.events.push(event);
    return next;
  }

  private flushTyped(): void {
    if (this.typed === '') return;
    this.events.push({ kind: 'text', text: this.typed });
    this.typed = '';
  }

  private takeEvents(): InputEvent[] {
    this.flushTyped();
    const events = this.events;
    this.events = [];
    return events;
  }
}

/** Length of the escape sequence at `i` (CSI, SS3, OSC/DCS strings, Meta+key), or 'incomplete'. */
export function scanEscape(data: string, i: number): EscapeScan {
  if (i + 1 >= data.length) return 'incomplete';
  const intro = data[i + 1]!;
  if (intro === '[') return scanCsi(data, i);
  if (intro === 'O') return i + 2 < data.length ? { length: 3 } : 'incomplete';
  if (intro === ']' || intro === 'P' || intro === '_' || intro === '^') return scanString(data, i);
  if (intro === ESC) return { length: 1 };
  return { length: 1 + String.fromCodePoint(data.codePointAt(i + 1)!).length };
}

function scanCsi(data: string, i: number): EscapeScan {
  let j = i + 2;
  while (j < data.length) {
    const c = data.charCodeAt(j);
    if (c >= 0x40 && c <= 0x7e) return { length: j - i + 1 };
    // A malformed CSI ends at the first byte that cannot belong to it; that byte is read as input again.
    if (c < 0x20 || c > 0x3f) return { length: j - i };
    j++;
  }
  return 'incomplete';
}

function scanString(data: string, i: number): EscapeScan {
  for (let j = i + 2; j < data.length; j++) {
    if (data[j] === '\x07') return { length: j - i + 1 };
    if (data[j] === ESC) {
      if (j + 1 >= data.length) return 'incomplete';
      if (data[j + 1] === '\\') return { length: j - i + 2 };
    }
  }
  return 'incomplete';
}

/** How many trailing characters of data[start..] could be the beginning of `marker`. */
function partialSuffix(data: string, start: number, marker: string): number {
  const max = Math.min(marker.length - 1, data.length - start);
  for (let n = max; n > 0; n--) {
    if (marker.startsWith(data.slice(data.length - n))) return n;
  }
  return 0;
}

function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function isControl(code: number): boolean {
  return code < 0x20 || code === 0x7f || (code >= 0x80 && code <= 0x9f);
}
