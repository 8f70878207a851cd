// Raw terminal input to keys. Pure: a chunk of bytes in, a list of keys out.

export type Key =
  | { name: 'up' | 'down' | 'left' | 'right' | 'pageup' | 'pagedown' | 'home' | 'end' | 'enter' | 'escape' | 'backspace' | 'tab' | 'ctrl-c' | 'ctrl-u' | 'ctrl-l' }
  | { name: 'char'; ch: string };

const SEQUENCES: [string, Key['name']][] = [
  ['\x1b[A', 'up'],
  ['\x1bOA', 'up'],
  ['\x1b[B', 'down'],
  ['\x1bOB', 'down'],
  ['\x1b[C', 'right'],
  ['\x1bOC', 'right'],
  ['\x1b[D', 'left'],
  ['\x1bOD', 'left'],
  ['\x1b[5~', 'pageup'],
  ['\x1b[6~', 'pagedown'],
  ['\x1b[H', 'home'],
  ['\x1b[1~', 'home'],
  ['\x1bOH', 'home'],
  ['\x1b[F', 'end'],
  ['\x1b[4~', 'end'],
  ['\x1bOF', 'end'],
];

/** Split a chunk read from a raw-mode terminal into keys; unknown escape sequences are dropped whole. */
export function parseKeys(data: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < data.length) {
    const rest = data.slice(i);
    const seq = SEQUENCES.find(([s]) => rest.startsWith(s));
    if (seq) {
      keys.push({ name: seq[1] } as Key);
      i += seq[0].length;
      continue;
    }
    const c = data[i]!;
    if (c === '\x1b') {
      // A lone Esc, or a sequence we do not know (CSI ... final byte): skip the sequence, never type it.
      const csi = /^\x1b\[[0-9;?]*[ -/]*[@-~]/.exec(rest) ?? /^\x1bO./.exec(rest);
      if (csi) i += csi[0].length;
      else {
        keys.push({ name: 'escape' });
        i += 1;
      }
      continue;
    }
    i += 1;
    if (c === '\r' || c === '\n') keys.push({ name: 'enter' });
    else if (c === '\x7f' || c === '\b') keys.push({ name: 'backspace' });
    else if (c === '\t') keys.push({ name: 'tab' });
    else if (c === '\x03') keys.push({ name: 'ctrl-c' });
    else if (c === '\x15') keys.push({ name: 'ctrl-u' });
    else if (c === '\x0c') keys.push({ name: 'ctrl-l' });
    else if (c >= ' ') {
      // Keep surrogate pairs together (emoji typed into a message).
      const code = c.charCodeAt(0);
      if (code >= 0xd800 && code <= 0xdbff && i < data.length) {
        keys.push({ name: 'char', ch: c + data[i]! });
        i += 1;
      } else keys.push({ name: 'char', ch: c });
    }
  }
  return keys;
}
