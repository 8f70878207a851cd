#!/usr/bin/env node
// Render a tmux pane capture with colours (`tmux capture-pane -p -e`) to a PNG with ImageMagick: one cell per
// character, DejaVu Sans Mono. Used to make the README picture of `mosaic-fleet top` from a real run.
// usage: node scripts/pane-to-png.mjs capture.txt out.png [columns]   ($CONVERT names the ImageMagick convert binary)
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const [input, output, colsArg] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: node scripts/pane-to-png.mjs capture.txt out.png [columns]\n');
  process.exit(2);
}
const PALETTE = ['#1e1e1e', '#e06c75', '#98c379', '#e5c07b', '#61afef', '#c678dd', '#56b6c2', '#dcdfe4'];
const BRIGHT = ['#5c6370', '#ff7b86', '#b5e890', '#ffd68a', '#82c4ff', '#de9bff', '#7fd4df', '#ffffff'];
const FG = '#dcdfe4';
const BG = '#1e1e1e';
const CW = 9;
const CH = 19;
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf';
const BOLD = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf';

function xterm256(n) {
  if (n < 8) return PALETTE[n];
  if (n < 16) return BRIGHT[n - 8];
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const c = (x) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
}

/** Rows of cells {ch, fg, bg, bold, dim} from SGR-coloured text. */
function parse(text) {
  const rows = [];
  let st = { fg: null, bg: null, bold: false, dim: false, inverse: false };
  for (const line of text.replace(/\n$/, '').split('\n')) {
    const cells = [];
    let i = 0;
    while (i < line.length) {
      if (line[i] === '\x1b') {
        const m = /^\x1b\[([0-9;:]*)m/.exec(line.slice(i));
        if (m) {
          const p = m[1] === '' ? [0] : m[1].split(/[;:]/).map(Number);
          for (let k = 0; k < p.length; k++) {
            const v = p[k];
            if (v === 0) st = { fg: null, bg: null, bold: false, dim: false, inverse: false };
            else if (v === 1) st.bold = true;
            else if (v === 2) st.dim = true;
            else if (v === 22) st.bold = st.dim = false;
            else if (v === 7) st.inverse = true;
            else if (v === 27) st.inverse = false;
            else if (v >= 30 && v <= 37) st.fg = PALETTE[v - 30];
            else if (v >= 90 && v <= 97) st.fg = BRIGHT[v - 90];
            else if (v === 39) st.fg = null;
            else if (v >= 40 && v <= 47) st.bg = PALETTE[v - 40];
            else if (v >= 100 && v <= 107) st.bg = BRIGHT[v - 100];
            else if (v === 49) st.bg = null;
            else if ((v === 38 || v === 48) && p[k + 1] === 5) {
              st[v === 38 ? 'fg' : 'bg'] = xterm256(p[k + 2]);
              k += 2;
            } else if ((v === 38 || v === 48) && p[k + 1] === 2) {
              st[v === 38 ? 'fg' : 'bg'] = `rgb(${p[k + 2]},${p[k + 3]},${p[k + 4]})`;
              k += 4;
            }
          }
          i += m[0].length;
          continue;
        }
        i += 1;
        continue;
      }
      const ch = String.fromCodePoint(line.codePointAt(i));
      i += ch.length;
      let fg = st.fg ?? FG;
      let bg = st.bg ?? BG;
      if (st.inverse) [fg, bg] = [st.bg ?? BG, st.fg ?? FG];
      cells.push({ ch, fg, bg, bold: st.bold, dim: st.dim });
    }
    rows.push(cells);
  }
  return rows;
}

const rows = parse(readFileSync(input, 'utf8'));
const cols = Number(colsArg) || Math.max(...rows.map((r) => r.length));
const esc = (s) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
const draw = [];
rows.forEach((cells, y) => {
  for (let x = 0; x < cols; x++) {
    const c = cells[x];
    if (c && c.bg !== BG) draw.push(`fill '${c.bg}' rectangle ${x * CW},${y * CH} ${(x + 1) * CW - 1},${(y + 1) * CH - 1}`);
  }
  cells.forEach((c, x) => {
    if (c.ch === ' ' || x >= cols) return;
    draw.push(`font '${c.bold ? BOLD : FONT}' fill '${c.fg}' fill-opacity ${c.dim ? 0.55 : 1} text ${x * CW},${y * CH + 14} '${esc(c.ch)}'`);
  });
});
const mvg = `${output}.mvg`;
const [w, h] = [cols * CW, rows.length * CH];
writeFileSync(mvg, `viewbox 0 0 ${w} ${h}\nfill '${BG}' rectangle 0,0 ${w},${h}\nfont-size 15\n${draw.join('\n')}\n`);
const pad = 12;
const r = spawnSync(process.env.CONVERT || 'convert', [`mvg:${mvg}`, '-bordercolor', BG, '-border', String(pad), output], { stdio: 'inherit' });
spawnSync('rm', ['-f', mvg]);
process.exit(r.status ?? 1);
