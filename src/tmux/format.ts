// Building and parsing `-F` formats. The separator is U+241E: tmux with no attached client rewrites
// control bytes (TAB, 0x1f) in -F output to '_', and names cannot contain this symbol in practice.
export const SEP = '\u241e';

export const PANE_FIELDS = [
  'session_name',
  'session_id',
  'session_created',
  'window_index',
  'window_name',
  'window_active',
  'pane_index',
  'pane_id',
  'pane_active',
  'pane_pid',
  'pane_dead',
  'pane_dead_status',
  'pane_dead_signal',
  'pane_current_command',
  'pane_width',
  'pane_height',
  'cursor_y',
  'pane_in_mode',
  '@mosaic_agent',
  '@mosaic_runtime',
  '@mosaic_profile',
  '@mosaic_started',
  '@mosaic_launcher',
  '@mosaic_receipt',
  'socket_path',
  'pid',
  'busy_line',
] as const;

export type PaneField = (typeof PANE_FIELDS)[number];

export interface PaneInfo {
  sessionName: string;
  sessionId: string;
  sessionCreated: number;
  windowIndex: number;
  windowName: string;
  windowActive: boolean;
  paneIndex: number;
  paneId: string;
  paneActive: boolean;
  panePid: number;
  dead: boolean;
  deadStatus: number | null;
  /** Signal that killed the program (tmux 3.3+). */
  deadSignal: number | null;
  currentCommand: string;
  width: number;
  height: number;
  cursorY: number;
  inMode: boolean;
  agent: string;
  runtime: string;
  /** Screen profile recorded at start (pane option). */
  profile: string;
  started: number | null;
  launcher: string;
  /** Receipt file name when the agent's prompt-submit hook confirms sends. */
  receipt: string;
  socketPath: string;
  /** The tmux server's pid. */
  serverPid: number;
  /** A busy marker is on screen (see BUSY_SEARCH). */
  busy: boolean;
  /** The busy search was skipped: the pane drew nothing since the second `paneFormat`'s `searchedSince` names. */
  busyUnchanged?: boolean;
}

// Busy markers of every known REPL, searched by tmux itself (#{C/r:...} gives the first matching row, 0 for none),
// so one list-panes call tells idle from busy for the whole fleet.
export const BUSY_SEARCH = 'esc to interrupt|esc interrupt|esc to cancel, |Working…|Working \\(|Working\\.\\.\\.|■■■■■■|^[✻✶✳✢✽✦·*] [A-Z][^ ]+…';

const BUSY_EXPRESSION = `#{C/r:${BUSY_SEARCH}}`;
/** What busy_line holds for a pane whose search was skipped. */
const UNCHANGED = '=';

/** What `status` needs of each pane: the busy search and the cheap fields (tmux finds each pane's current command in
 *  /proc, a third of the whole listing's cost, so status does without it). */
export const STATE_FIELDS = [
  'session_name',
  'session_created',
  'window_active',
  'pane_active',
  'pane_id',
  'pane_pid',
  'pane_dead',
  'pane_dead_status',
  'pane_dead_signal',
  'pane_width',
  'pane_height',
  'pane_in_mode',
  '@mosaic_runtime',
  '@mosaic_started',
  '@mosaic_launcher',
  'socket_path',
  'pid',
  'busy_line',
] as const satisfies readonly PaneField[];

/** A pane as `status` reads it (STATE_FIELDS). */
export type PaneState = Pick<
  PaneInfo,
  'sessionName' | 'sessionCreated' | 'windowActive' | 'paneActive' | 'paneId' | 'panePid' | 'dead' | 'deadStatus' | 'deadSignal' | 'width' | 'height' | 'inMode' | 'runtime' | 'started' | 'launcher' | 'socketPath' | 'serverPid' | 'busy' | 'busyUnchanged'
>;

/** The -F format for `fields`; without `withBusy` the busy search is left out (it scans every pane's screen).
 *  With `searchedSince` (epoch seconds) a pane whose window drew nothing since then is not searched again: tmux stamps
 *  a window's activity on every byte a pane writes, and a screen that got no bytes still holds what it held. */
export function paneFormat(withBusy = true, searchedSince?: number, fields: readonly PaneField[] = PANE_FIELDS): string {
  return fields
    .map((f) => {
      if (f !== 'busy_line') return `#{${f}}`;
      if (!withBusy) return '';
      return searchedSince === undefined ? BUSY_EXPRESSION : `#{?#{e|<:#{window_activity},${searchedSince}},${UNCHANGED},${BUSY_EXPRESSION}}`;
    })
    .join(SEP);
}

function toInt(value: string | undefined): number {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

/** Parse one `list-panes -F paneFormat()` row; null for rows that do not have exactly the expected fields. A field
 *  left out of `fields` reads as empty (callers of a shorter format read only what they asked for, see PaneState). */
export function parsePaneLine(line: string, fields: readonly PaneField[] = PANE_FIELDS): PaneInfo | null {
  const f = line.split(SEP);
  if (f.length !== fields.length) return null;
  const get = (name: PaneField) => f[fields.indexOf(name)] ?? '';
  return {
    sessionName: get('session_name'),
    sessionId: get('session_id'),
    sessionCreated: toInt(get('session_created')),
    windowIndex: toInt(get('window_index')),
    windowName: get('window_name'),
    windowActive: get('window_active') === '1',
    paneIndex: toInt(get('pane_index')),
    paneId: get('pane_id'),
    paneActive: get('pane_active') === '1',
    panePid: toInt(get('pane_pid')),
    dead: get('pane_dead') === '1',
    deadStatus: get('pane_dead_status') === '' ? null : toInt(get('pane_dead_status')),
    deadSignal: get('pane_dead_signal') === '' ? null : toInt(get('pane_dead_signal')),
    currentCommand: get('pane_current_command'),
    width: toInt(get('pane_width')),
    height: toInt(get('pane_height')),
    cursorY: toInt(get('cursor_y')),
    inMode: get('pane_in_mode') === '1',
    agent: get('@mosaic_agent'),
    runtime: get('@mosaic_runtime'),
    profile: get('@mosaic_profile'),
    started: get('@mosaic_started') === '' ? null : toInt(get('@mosaic_started')),
    launcher: get('@mosaic_launcher'),
    receipt: get('@mosaic_receipt'),
    socketPath: get('socket_path'),
    serverPid: toInt(get('pid')),
    busy: toInt(get('busy_line')) > 0,
    ...(get('busy_line') === UNCHANGED ? { busyUnchanged: true } : {}),
  };
}

export function parsePaneList(stdout: string, fields: readonly PaneField[] = PANE_FIELDS): PaneInfo[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => parsePaneLine(l, fields))
    .filter((p): p is PaneInfo => p !== null);
}
