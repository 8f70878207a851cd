// Lay the view out into a frame of exactly width x height cells, then turn the frame into text (ANSI colour, or
// plain for NO_COLOR). Pure: the same view, size and time give the same frame.
import { age, stateCounts } from './model.js';
import { selectedRow, visibleRows, type View } from './controller.js';
import type { MessageSummary, TopRow } from './types.js';

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan' | 'magenta' | 'inverse' | 'title';
export interface Segment {
  text: string;
  style?: Style[];
}
export type Line = Segment[];
export interface Size {
  width: number;
  height: number;
}

const seg = (text: string, ...style: Style[]): Segment => (style.length ? { text, style } : { text });

/** Display width of one code point: wide East Asian and emoji take two cells, combining marks none. */
export function charWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if ((cp >= 0x300 && cp <= 0x36f) || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/** Cut `s` to at most `width` cells (an ellipsis marks the cut) and pad it to exactly `width`. */
export function fit(s: string, width: number, ellipsis = true): string {
  if (width <= 0) return '';
  if (textWidth(s) <= width) return s + ' '.repeat(width - textWidth(s));
  let out = '';
  let w = 0;
  const room = ellipsis ? width - 1 : width;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > room) break;
    out += ch;
    w += cw;
  }
  if (ellipsis) {
    out += '…';
    w += 1;
  }
  return out + ' '.repeat(Math.max(0, width - w));
}

/** A line cut and padded to exactly `width` cells, styles kept. */
export function fitLine(line: Line, width: number): Line {
  const out: Line = [];
  let left = width;
  for (const s of line) {
    if (left <= 0) break;
    const w = textWidth(s.text);
    if (w <= left) {
      out.push(s);
      left -= w;
    } else {
      out.push({ ...s, text: fit(s.text, left) });
      left = 0;
    }
  }
  if (left > 0) {
    const last = out[out.length - 1];
    // Padding keeps a bar's background (inverse) running to the edge.
    out.push(last?.style?.includes('inverse') ? { text: ' '.repeat(left), style: last.style } : { text: ' '.repeat(left) });
  }
  return out;
}

export function stateStyle(view: string): Style[] {
  switch (view) {
    case 'idle':
      return ['green'];
    case 'busy':
    case 'running':
      return ['yellow'];
    case 'queued':
      return ['magenta'];
    case 'starting':
      return ['cyan'];
    case 'dead':
    case 'unreachable':
    case 'missing':
      return ['red'];
    default:
      return [];
  }
}

/** Verdict colour, generic: known good and bad words get colours; any other verdict is shown plain. */
export function verdictStyle(verdict: string): Style[] {
  if (verdict === 'submitted' || verdict === 'queued') return ['green'];
  if (verdict === 'pending' || verdict === 'sending') return ['cyan'];
  if (verdict === 'failed' || verdict === 'expired') return ['red'];
  return ['yellow'];
}

function peer(m: MessageSummary, self: TopRow, dir: 'in' | 'out'): string {
  const other = dir === 'in' ? m.from : m.to;
  const session = other.slice(other.indexOf(':') + 1);
  return other.startsWith(`${self.host}:`) || self.host === 'local' ? session : other;
}

function messageCell(m: MessageSummary | null, self: TopRow, dir: 'in' | 'out', now: number): Segment[] {
  if (!m) return [seg('-', 'dim')];
  return [seg(`${dir === 'in' ? '←' : '→'}${peer(m, self, dir)} `), seg(age(now - Date.parse(m.at)), 'dim'), seg(' '), seg(m.verdict, ...verdictStyle(m.verdict))];
}

interface Column {
  title: string;
  /** The sort key this column shows (its title is marked when the view is sorted by it). */
  sort?: string;
  /** Columns are dropped highest priority number first when the width runs out. */
  priority: number;
  min: number;
  max: number;
  align?: 'right';
  cell(r: TopRow, now: number): Segment[];
}

const COLUMNS: Column[] = [
  { title: 'AGENT', sort: 'name', priority: 0, min: 6, max: 24, cell: (r) => [seg(r.inRoster ? r.name : `${r.name}?`)] },
  { title: 'HOST', sort: 'host', priority: 3, min: 4, max: 12, cell: (r) => [seg(r.host)] },
  { title: 'RUNTIME', priority: 6, min: 4, max: 10, cell: (r) => [seg(r.runtime)] },
  { title: 'CLASS', sort: 'class', priority: 5, min: 4, max: 12, cell: (r) => [seg(r.class ?? '-')] },
  { title: 'STATE', sort: 'state', priority: 0, min: 8, max: 16, cell: (r) => [seg(r.label, ...stateStyle(r.view))] },
  { title: 'TIME', sort: 'time', priority: 1, min: 5, max: 6, align: 'right', cell: (r, now) => [seg(`${r.sinceExact ? '' : '≥'}${age(now - r.since)}`)] },
  { title: 'PEND', sort: 'pending', priority: 2, min: 4, max: 4, align: 'right', cell: (r) => [r.pending > 0 ? seg(String(r.pending), 'magenta', 'bold') : seg('0', 'dim')] },
  { title: 'RST', priority: 7, min: 3, max: 3, align: 'right', cell: (r) => [r.restarts > 0 ? seg(String(r.restarts), 'yellow') : seg('0', 'dim')] },
  { title: 'LAST IN', priority: 4, min: 14, max: 28, cell: (r, now) => messageCell(r.lastIn, r, 'in', now) },
  { title: 'LAST OUT', priority: 8, min: 14, max: 28, cell: (r, now) => messageCell(r.lastOut, r, 'out', now) },
];

const LAST_IN_PRIORITY = 4;
const segWidth = (s: Segment[]) => s.reduce((n, x) => n + textWidth(x.text), 0);

/** Which columns fit in `width`, and how wide each is: natural widths first, then the wide message columns shrink,
 *  then columns drop by priority. */
export function planColumns(rows: TopRow[], width: number, now: number): { column: Column; width: number }[] {
  let plan = COLUMNS.map((column) => ({
    column,
    width: Math.min(column.max, Math.max(column.min, textWidth(column.title) + (column.sort ? 1 : 0), ...rows.map((r) => segWidth(column.cell(r, now))))),
  }));
  const total = () => plan.reduce((n, p) => n + p.width, 0) + plan.length - 1;
  const dropWorst = (above: number) => {
    const worst = plan.reduce((a, b) => (b.column.priority > a.column.priority ? b : a));
    if (worst.column.priority <= above) return false;
    plan = plan.filter((p) => p !== worst);
    return true;
  };
  // Less useful than the last message in: dropped before the message columns are cut.
  while (total() > width && dropWorst(LAST_IN_PRIORITY)) {}
  for (const p of plan) {
    if (total() <= width) break;
    if (p.column.title.startsWith('LAST')) p.width = Math.max(p.column.min, p.width - (total() - width));
  }
  while (total() > width && plan.length > 2 && dropWorst(-1)) {}
  if (total() > width) plan[0]!.width = Math.max(1, plan[0]!.width - (total() - width));
  return plan;
}

function cellSegments(segments: Segment[], width: number, align?: 'right'): Segment[] {
  const w = segWidth(segments);
  if (w > width) return fitLine(segments, width);
  const pad = { text: ' '.repeat(width - w) };
  return align === 'right' ? [pad, ...segments] : [...segments, pad];
}

function titleLine(view: View, now: number): Line {
  const snap = view.snapshot;
  const out: Line = [seg(' mosaic-fleet top ', 'title')];
  if (!snap) return [...out, seg(' reading the fleet...')];
  out.push(seg(` ${snap.socket} `, 'bold'));
  // A host that cannot be reached comes first: it hides every agent on it.
  const down = snap.hosts.filter((h) => !h.reachable);
  if (down.length > 0) out.push(seg(`host down: ${down.map((h) => h.host).join(', ')}`, 'red', 'bold'), seg('  '));
  out.push(seg(`${view.rows.length} agents`));
  for (const [state, n] of stateCounts(view.rows)) out.push(seg(' '), seg(`${n} ${state === 'missing' ? 'stopped' : state}`, ...stateStyle(state)));
  out.push(seg(`  ${snap.source} ${new Date(snap.at).toISOString().slice(11, 19)}`, 'dim'));
  if (now - snap.at > 10_000) out.push(seg(` (stale ${age(now - snap.at)})`, 'yellow'));
  return out;
}

function footerLine(view: View): Line {
  const mode = view.mode;
  if (mode.kind === 'prompt') {
    const label = mode.purpose === 'filter' ? 'filter (host:x class:x state:x name)' : `message to ${mode.target}`;
    return [seg(` ${label}> `, 'bold'), seg(mode.text), seg('█', 'dim'), seg('  ⏎ ok  esc cancel', 'dim')];
  }
  if (mode.kind === 'confirm') {
    const what = mode.action === 'reset' ? `reset ${mode.target} (fresh conversation, then its kickstart)?` : `restart ${mode.target} (its REPL is killed and started again)?`;
    return [seg(` ${what} `, 'bold', 'yellow'), seg('y', 'bold'), seg('/N')];
  }
  if (view.notice) return [seg(` ${view.notice.text}`, ...(view.notice.tone === 'good' ? ['green' as const] : view.notice.tone === 'bad' ? ['red' as const] : []))];
  const keys: [string, string][] = [['⏎', 'attach'], ['m', 'send'], ['r', 'reset'], ['R', 'restart'], ['d', 'deliver'], ['s', 'sort'], ['/', 'filter'], ['v', 'detail'], ['q', 'quit']];
  return keys.flatMap(([k, what]) => [seg(` ${k}`, 'bold'), seg(`:${what}`)]);
}

function messageLine(label: string, m: MessageSummary | null, now: number): Line {
  if (!m) return [seg(` ${label} `, 'dim'), seg('none', 'dim')];
  return [seg(` ${label} `, 'dim'), seg(`[${m.from} -> ${m.to}] `), seg(`${age(now - Date.parse(m.at))} ago `, 'dim'), seg(m.verdict, ...verdictStyle(m.verdict)), seg(`  ${m.kind} ${m.id}`, 'dim')];
}

function detailLines(view: View, height: number, width: number, now: number): Line[] {
  const row = selectedRow(view);
  const title = row ? `${row.name} on ${row.host}: ${row.label}${row.pid ? `, pid ${row.pid}` : ''}${row.paneId ? `, pane ${row.paneId}` : ''}` : 'no agent selected';
  const lines: Line[] = [[seg(`─ ${title} `, 'bold'), seg('─'.repeat(Math.max(0, width)), 'dim')]];
  if (!row) return lines;
  lines.push(messageLine('in: ', row.lastIn, now), messageLine('out:', row.lastOut, now));
  const screen = view.snapshot?.screen && view.snapshot.screen.agent === row.name && view.snapshot.screen.host === row.host ? view.snapshot.screen.lines : null;
  const room = height - lines.length;
  if (room <= 0) return lines.slice(0, height);
  if (!screen) lines.push([seg(row.paneId ? ' (reading the screen...)' : ' (no pane: nothing to show)', 'dim')]);
  else {
    // The bottom of the screen is where the REPL's input box and newest output are.
    const body = screen.slice(-room);
    // Cut, not ellipsised: the agent's own screen is shown as it is, up to the edge.
    for (const l of body) lines.push([seg('│', 'dim'), seg(fit(l.replace(/\t/g, '  '), width - 1, false))]);
  }
  return lines.slice(0, height);
}

/** The whole frame: exactly `size.height` lines of exactly `size.width` cells, and the table's scroll offset
 *  (the caller keeps it in the view for the next frame). */
export function layoutFrame(view: View, size: Size, now: number): { lines: Line[]; scroll: number } {
  const width = Math.max(20, size.width);
  const height = Math.max(6, size.height);
  const shown = visibleRows(view);
  const plan = planColumns(shown, width, now);
  const title = (c: Column) => (c.sort === view.sort ? `${c.title}▾` : c.title);
  const header: Line = [seg(plan.map((p) => (p.column.align === 'right' ? fit(title(p.column), p.width).trimEnd().padStart(p.width) : fit(title(p.column), p.width))).join(' '), 'inverse')];
  const detailHeight = view.detail ? Math.max(4, Math.floor((height - 3) * 0.45)) : 0;
  const tableRows = height - 3 - detailHeight;
  const selectedAt = shown.findIndex((r) => r.key === view.selected);
  // Keep the selection on screen with the least scrolling.
  let scroll = Math.min(view.scroll, Math.max(0, shown.length - tableRows));
  if (selectedAt >= 0 && selectedAt < scroll) scroll = selectedAt;
  if (selectedAt >= scroll + tableRows) scroll = selectedAt - tableRows + 1;
  const body: Line[] = [];
  for (let i = 0; i < tableRows; i += 1) {
    const r = shown[scroll + i];
    if (!r) {
      body.push(i === 0 && shown.length === 0 ? [seg(view.rows.length === 0 ? ' no agents' : ` no agent matches '${view.filter}'`, 'dim')] : []);
      continue;
    }
    const cells: Segment[] = [];
    plan.forEach((p, c) => {
      if (c > 0) cells.push(seg(' '));
      cells.push(...cellSegments(p.column.cell(r, now), p.width, p.column.align));
    });
    const line = fitLine(cells, width);
    body.push(r.key === view.selected ? line.map((s) => ({ ...s, style: [...(s.style ?? []).filter((x) => x !== 'dim'), 'inverse'] })) : line);
  }
  if (shown.length > tableRows) {
    const more = `${scroll + 1}-${Math.min(shown.length, scroll + tableRows)} of ${shown.length}`;
    const last = body[body.length - 1]!;
    body[body.length - 1] = [...fitLine(last, width - more.length - 1), seg(' '), seg(more, 'dim')];
  }
  const detail = view.detail ? detailLines(view, detailHeight, width, now) : [];
  while (detail.length < detailHeight) detail.push([]);
  const filterNote: Line = view.filter ? [seg(` filter: ${view.filter} (${shown.length}/${view.rows.length})`, 'cyan')] : [];
  const top = titleLine(view, now);
  const lines = [view.filter && view.mode.kind !== 'prompt' ? [...top, ...filterNote] : top, header, ...body, ...detail, footerLine(view)];
  return { lines: lines.map((l) => fitLine(l, width)), scroll };
}

const SGR: Record<Style, string> = { bold: '1', dim: '2', red: '31', green: '32', yellow: '33', magenta: '35', cyan: '36', inverse: '7', title: '1;7' };

const MONO = new Set<Style>(['bold', 'dim', 'inverse', 'title']);

/** How a frame becomes text: 'color' (SGR colours and attributes), 'mono' (NO_COLOR in a terminal: bold, dim and
 *  inverse only, so the selection still shows), 'plain' (no escapes: --once into a pipe or file). */
export type Paint = 'color' | 'mono' | 'plain';

export function renderLines(lines: Line[], paint: Paint): string[] {
  return lines.map((line) =>
    line
      .map((s) => {
        const styles = paint === 'plain' ? [] : paint === 'mono' ? (s.style ?? []).filter((x) => MONO.has(x)) : (s.style ?? []);
        return styles.length === 0 ? s.text : `\x1b[${styles.map((x) => SGR[x]).join(';')}m${s.text}\x1b[0m`;
      })
      .join(''),
  );
}
