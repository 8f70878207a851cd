// What a key does to the view: a pure reducer from (view, key) to (view, effect). The terminal loop performs the
// effect (attach, send, reset, restart, deliver) through the same core functions as the CLI.
import type { Key } from './keys.js';
import { filterRows, SORT_KEYS, sortRows, trackRows, type SortKey, type Tracker } from './model.js';
import type { TopRow, TopSnapshot } from './types.js';

export type Mode =
  | { kind: 'normal' }
  | { kind: 'prompt'; purpose: 'filter' | 'send'; target: string | null; text: string }
  | { kind: 'confirm'; action: 'reset' | 'restart'; target: string };

export interface Notice {
  text: string;
  tone: 'info' | 'good' | 'bad';
}

export interface View {
  snapshot: TopSnapshot | null;
  tracker: Tracker;
  rows: TopRow[];
  sort: SortKey;
  filter: string;
  /** host:name of the selected agent. */
  selected: string | null;
  detail: boolean;
  mode: Mode;
  notice: Notice | null;
  /** Rows scrolled past at the top of the table. */
  scroll: number;
}

export type Effect =
  | { kind: 'quit' }
  | { kind: 'attach'; target: string }
  | { kind: 'send'; target: string; body: string }
  | { kind: 'reset'; target: string }
  | { kind: 'restart'; target: string }
  | { kind: 'deliver' }
  | { kind: 'refresh' };

export function initialView(options: { sort?: SortKey; filter?: string; detail?: boolean } = {}): View {
  return { snapshot: null, tracker: new Map(), rows: [], sort: options.sort ?? 'state', filter: options.filter ?? '', selected: null, detail: options.detail ?? false, mode: { kind: 'normal' }, notice: null, scroll: 0 };
}

/** The rows on screen: filtered, then sorted. */
export function visibleRows(view: View): TopRow[] {
  return sortRows(filterRows(view.rows, view.filter), view.sort);
}

/** Fold a new snapshot in; the selection stays on the same agent (or the first row if it is gone). */
export function applySnapshot(view: View, snapshot: TopSnapshot): View {
  const { rows, tracker } = trackRows(view.tracker, snapshot);
  return keepSelection({ ...view, snapshot, rows, tracker });
}

function keepSelection(view: View): View {
  const shown = visibleRows(view);
  if (shown.some((r) => r.key === view.selected)) return view;
  return { ...view, selected: shown[0]?.key ?? null };
}

export function selectedRow(view: View): TopRow | null {
  return view.rows.find((r) => r.key === view.selected) ?? null;
}

/** Move the selection by `delta` rows (clamped). */
function move(view: View, delta: number): View {
  const shown = visibleRows(view);
  if (shown.length === 0) return view;
  const at = Math.max(0, shown.findIndex((r) => r.key === view.selected));
  const to = Math.min(shown.length - 1, Math.max(0, at + delta));
  return { ...view, selected: shown[to]!.key };
}

/** Target for the core functions: `host:name` for remote agents, `=name` for local ones (exact). */
export function targetOf(row: { host: string; name: string }): string {
  return row.host === 'local' ? `=${row.name}` : `${row.host}:${row.name}`;
}

export function handleKey(view: View, key: Key, page = 10): { view: View; effect?: Effect } {
  const mode = view.mode;
  if (mode.kind === 'prompt') return promptKey(view, mode, key);
  if (mode.kind === 'confirm') {
    if (key.name === 'char' && (key.ch === 'y' || key.ch === 'Y')) {
      return { view: { ...view, mode: { kind: 'normal' }, notice: { text: `${mode.action} ${mode.target}...`, tone: 'info' } }, effect: { kind: mode.action, target: mode.target } };
    }
    return { view: { ...view, mode: { kind: 'normal' }, notice: { text: `${mode.action} cancelled`, tone: 'info' } } };
  }
  const row = selectedRow(view);
  const needRow = (make: (r: TopRow) => { view: View; effect?: Effect }) => (row ? make(row) : { view: { ...view, notice: { text: 'no agent selected', tone: 'bad' as const } } });
  switch (key.name) {
    case 'ctrl-c':
      return { view, effect: { kind: 'quit' } };
    case 'up':
      return { view: move(view, -1) };
    case 'down':
      return { view: move(view, 1) };
    case 'pageup':
      return { view: move(view, -page) };
    case 'pagedown':
      return { view: move(view, page) };
    case 'home':
      return { view: move(view, -Infinity) };
    case 'end':
      return { view: move(view, Infinity) };
    case 'enter':
      return needRow((r) => ({ view, effect: { kind: 'attach', target: targetOf(r) } }));
    case 'tab':
      return { view: { ...view, detail: !view.detail }, effect: { kind: 'refresh' } };
    case 'escape':
      return { view: { ...view, notice: null } };
    case 'ctrl-l':
      return { view, effect: { kind: 'refresh' } };
    case 'char':
      break;
    default:
      return { view };
  }
  switch (key.ch) {
    case 'q':
      return { view, effect: { kind: 'quit' } };
    case 'k':
      return { view: move(view, -1) };
    case 'j':
      return { view: move(view, 1) };
    case 'a':
      return needRow((r) => ({ view, effect: { kind: 'attach', target: targetOf(r) } }));
    case 'v':
      return { view: { ...view, detail: !view.detail }, effect: { kind: 'refresh' } };
    case 's': {
      const sort = SORT_KEYS[(SORT_KEYS.indexOf(view.sort) + 1) % SORT_KEYS.length]!;
      return { view: { ...view, sort, notice: { text: `sorted by ${sort}`, tone: 'info' } } };
    }
    case '/':
    case 'f':
      return { view: { ...view, mode: { kind: 'prompt', purpose: 'filter', target: null, text: view.filter } } };
    case 'm':
      return needRow((r) => ({ view: { ...view, mode: { kind: 'prompt', purpose: 'send', target: targetOf(r), text: '' } } }));
    case 'r':
      return needRow((r) => ({ view: { ...view, mode: { kind: 'confirm', action: 'reset', target: targetOf(r) } } }));
    case 'R':
      return needRow((r) => ({ view: { ...view, mode: { kind: 'confirm', action: 'restart', target: targetOf(r) } } }));
    case 'd':
      return { view: { ...view, notice: { text: 'delivering pending messages...', tone: 'info' } }, effect: { kind: 'deliver' } };
    default:
      return { view };
  }
}

function promptKey(view: View, mode: Extract<Mode, { kind: 'prompt' }>, key: Key): { view: View; effect?: Effect } {
  const normal = { kind: 'normal' } as const;
  switch (key.name) {
    case 'escape':
    case 'ctrl-c':
      return { view: { ...view, mode: normal, notice: mode.purpose === 'send' ? { text: 'message not sent', tone: 'info' } : null } };
    case 'backspace':
      return { view: { ...view, mode: { ...mode, text: [...mode.text].slice(0, -1).join('') } } };
    case 'ctrl-u':
      return { view: { ...view, mode: { ...mode, text: '' } } };
    case 'char': {
      const next = { ...view, mode: { ...mode, text: mode.text + key.ch } };
      // The filter applies as it is typed.
      return { view: mode.purpose === 'filter' ? keepSelection({ ...next, filter: next.mode.text }) : next };
    }
    case 'enter':
      if (mode.purpose === 'filter') return { view: keepSelection({ ...view, mode: normal, filter: mode.text.trim() }) };
      if (mode.text.trim() === '') return { view: { ...view, mode: normal, notice: { text: 'empty message not sent', tone: 'info' } } };
      return { view: { ...view, mode: normal, notice: { text: `sending to ${mode.target}...`, tone: 'info' } }, effect: { kind: 'send', target: mode.target!, body: mode.text } };
    default:
      return { view };
  }
}
