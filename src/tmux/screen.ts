import type { Screen, ScreenLine } from '../runtimes/types.js';

// SGR parameters that switch dim on (2) and off (22, 0 / empty = reset).
const CSI = /\x1b\[([0-9;:?]*)([A-Za-z])/y;
const OSC = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/y;

/** Parse `capture-pane -e -p` output into rows with and without dim runs. */
export function parseCapture(raw: string, cursorY?: number): Screen {
  const rows = raw.replace(/\n$/, '').split('\n');
  const lines: ScreenLine[] = [];
  let dim = false; // tmux -e repeats attributes per row, but carry state across rows anyway
  let width = 0;
  for (const row of rows) {
    let text = '';
    let solid = '';
    let i = 0;
    while (i < row.length) {
      const ch = row[i]!;
      if (ch === '\x1b') {
        CSI.lastIndex = i;
        const m = CSI.exec(row);
        if (m) {
          if (m[2] === 'm') dim = applySgr(m[1] ?? '', dim);
          i = CSI.lastIndex;
          continue;
        }
        OSC.lastIndex = i;
        const o = OSC.exec(row);
        if (o) {
          i = OSC.lastIndex;
          continue;
        }
        i += 1;
        continue;
      }
      const cp = row.codePointAt(i)!;
      const s = String.fromCodePoint(cp);
      i += s.length;
      if (cp < 0x20 || cp === 0x7f) continue;
      text += s;
      solid += dim ? ' ' : s;
    }
    text = text.replace(/\s+$/u, '');
    solid = solid.replace(/\s+$/u, '');
    width = Math.max(width, [...text].length);
    lines.push({ text, solid });
  }
  const screen: Screen = { lines, width };
  if (cursorY !== undefined) screen.cursorY = cursorY;
  return screen;
}

function applySgr(params: string, dim: boolean): boolean {
  if (params === '') return false;
  let next = dim;
  const parts = params.split(';');
  for (let i = 0; i < parts.length; i += 1) {
    const p = parts[i]!;
    // Colour selectors carry their values as following parameters (38;5;n, 38;2;r;g;b): a 2 there is not dim.
    if ((p === '38' || p === '48' || p === '58') && !p.includes(':')) {
      i += parts[i + 1] === '5' ? 2 : parts[i + 1] === '2' ? 4 : 0;
      continue;
    }
    if (p.includes(':')) continue; // 38:2::r:g:b keeps its values inside one parameter
    if (p === '0' || p === '') next = false;
    else if (p === '2') next = true;
    else if (p === '22') next = false;
  }
  return next;
}

/** Build a Screen from plain rows (tests, fixtures). */
export function screenFromText(text: string): Screen {
  return parseCapture(text);
}
