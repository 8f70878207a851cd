import type { Screen, ScreenLine } from '../runtimes/types.js';

// SGR parameters that switch dim on (2) and off (22, 0 / empty = reset).
const CSI = /\x1b\[([0-9;:?]*)([A-Za-z])/y;
const OSC = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/y;

/** Parse `capture-pane -e -p` output into rows: as seen, without dim runs, and without any placeholder-styled run. */
export function parseCapture(raw: string, cursorY?: number): Screen {
  const rows = raw.replace(/\n$/, '').split('\n');
  const lines: ScreenLine[] = [];
  let dim = false; // tmux -e repeats attributes per row, but carry state across rows anyway
  let faint = false;
  let reverse = false;
  let width = 0;
  let drawnCursor: { row: number; col: number } | undefined;
  for (const [y, row] of rows.entries()) {
    let text = '';
    let solid = '';
    let plain = '';
    let col = 0;
    let run: { col: number; cells: number } | null = null;
    let i = 0;
    while (i < row.length) {
      const ch = row[i]!;
      if (ch === '\x1b') {
        CSI.lastIndex = i;
        const m = CSI.exec(row);
        if (m) {
          if (m[2] === 'm') {
            dim = applySgr(m[1] ?? '', dim);
            faint = applyFaint(m[1] ?? '', faint);
            reverse = applyReverse(m[1] ?? '', reverse);
          }
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
      plain += dim || faint ? ' ' : s;
      // A REPL that hides the terminal cursor draws its own: one reverse-video cell. The last one on screen wins.
      if (reverse) run = run && run.col + run.cells === col ? { col: run.col, cells: run.cells + 1 } : { col, cells: 1 };
      else if (run) {
        if (run.cells === 1) drawnCursor = { row: y, col: run.col };
        run = null;
      }
      col += 1;
    }
    if (run && run.cells === 1) drawnCursor = { row: y, col: run.col };
    text = text.replace(/\s+$/u, '');
    solid = solid.replace(/\s+$/u, '');
    plain = plain.replace(/\s+$/u, '');
    width = Math.max(width, [...text].length);
    lines.push({ text, solid, plain });
  }
  const screen: Screen = { lines, width };
  if (cursorY !== undefined) screen.cursorY = cursorY;
  if (drawnCursor) screen.drawnCursor = drawnCursor;
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

function applyReverse(params: string, reverse: boolean): boolean {
  if (params === '') return false;
  let next = reverse;
  const parts = params.split(';');
  for (let i = 0; i < parts.length; i += 1) {
    const p = parts[i]!;
    if ((p === '38' || p === '48' || p === '58') && (parts[i + 1] === '5' || parts[i + 1] === '2')) {
      i += parts[i + 1] === '5' ? 2 : 4;
      continue;
    }
    if (p === '0') next = false;
    else if (p === '7') next = true;
    else if (p === '27') next = false;
  }
  return next;
}

/** Whether text drawn after these SGR parameters is styled the way REPLs draw placeholders and hints: a grey
 *  foreground (bright black, the 256-colour grey ramp, an unsaturated mid RGB) or italic. Any reset ends it. */
export function applyFaint(params: string, faint: boolean): boolean {
  if (params === '') return false;
  let next = faint;
  const parts = params.split(/[;:]/);
  for (let i = 0; i < parts.length; i += 1) {
    const p = parts[i]!;
    if (p === '0') next = false;
    else if (p === '3' || p === '90') next = true;
    else if (p === '23' || p === '39' || (/^3[0-7]$/.test(p)) || /^9[1-7]$/.test(p)) next = false;
    else if (p === '38' && parts[i + 1] === '5') {
      const n = Number(parts[i + 2]);
      next = n === 8 || (n >= 236 && n <= 250);
      i += 2;
    } else if (p === '38' && parts[i + 1] === '2') {
      const [r, g, b] = [Number(parts[i + 2]), Number(parts[i + 3]), Number(parts[i + 4])];
      next = isGrey(r, g, b);
      i += 4;
    } else if ((p === '48' || p === '58') && (parts[i + 1] === '5' || parts[i + 1] === '2')) {
      i += parts[i + 1] === '5' ? 2 : 4;
    }
  }
  return next;
}

function isGrey(r: number, g: number, b: number): boolean {
  if (![r, g, b].every(Number.isFinite)) return false;
  const hi = Math.max(r, g, b);
  return hi - Math.min(r, g, b) <= 24 && hi >= 70 && hi <= 180;
}

/** Build a Screen from plain rows (tests, fixtures). */
export function screenFromText(text: string): Screen {
  return parseCapture(text);
}
