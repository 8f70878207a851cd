import { pc } from './colors.js';

/** A plain padded table (no dependency): first row is the header. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => visibleLength(r[c] ?? ''))));
  return rows
    .map((r, i) => {
      const line = r.map((cell, c) => (c === r.length - 1 ? cell : pad(cell, widths[c]!))).join('  ');
      return i === 0 ? pc.bold(line) : line;
    })
    .join('\n');
}

function visibleLength(s: string): number {
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - visibleLength(s)));
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  const h = Math.floor(seconds / 3600);
  if (h < 48) return `${h}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

export function colorState(state: string): string {
  switch (state) {
    case 'idle':
      return pc.green(state);
    case 'busy':
      return pc.yellow(state);
    case 'dead':
    case 'missing':
    case 'unreachable':
      return pc.red(state);
    default:
      return state;
  }
}
