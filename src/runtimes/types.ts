// What a runtime profile knows about one kind of REPL: how to launch it and how to read its screen.
import type { ReceiptFile } from './receipt-hook.js';

/** One row of a captured pane. `text` is what a person sees; `solid` is the same row with dim (SGR 2) runs blanked,
 *  because REPLs draw placeholders and suggestions dim and those count as an empty input box. */
export interface ScreenLine {
  text: string;
  solid: string;
  /** `solid` with grey or italic runs blanked too (placeholders drawn in colour); absent on hand-built rows. */
  plain?: string;
}

export interface Screen {
  lines: ScreenLine[];
  width: number;
  /** Row of the cursor within `lines`, when known. */
  cursorY?: number;
  /** Column of the cursor, when known. */
  cursorX?: number;
  /** The terminal cursor is hidden (the REPL draws its own). */
  cursorHidden?: boolean;
  /** The last single reverse-video cell: where a REPL that hides the terminal cursor draws its own. */
  drawnCursor?: { row: number; col: number };
}

/** What a runtime profile reads off a screen. */
export interface ScreenState {
  /** Input box content as typed text (dim placeholders removed, prompt glyph removed, rows joined with \n);
   *  '' for an empty box; null when no input box is visible (UI not drawn, a dialog, a raw shell). */
  input: string | null;
  /** A turn is running (spinner, "esc to interrupt", ...). */
  busy: boolean;
  /** A queued/steering indicator for messages accepted while busy is visible. */
  queued: boolean;
  /** The UI is drawn and will take input now (input box visible, no modal dialog). */
  ready: boolean;
  /** Everything above the input box (the transcript), rows joined with \n. */
  transcript: string;
  /** A modal or first-run dialog the profile recognised (e.g. "trust folder"); undefined when none. */
  dialog?: string;
}

/** Launch additions for receipts: extra argv, env, and files written on the agent's host before the REPL starts
 *  (an argument "@receipts/<name>" stands for that file's path there). */
export interface ReceiptSetup {
  args?: string[];
  env?: Record<string, string>;
  files?: ReceiptFile[];
}

export interface LaunchSpec {
  /** argv executed directly by tmux (no shell). */
  argv: string[];
  env?: Record<string, string>;
}

export interface LaunchContext {
  agentName: string;
  workingDirectory: string;
  /** Absolute path of this package's root (for the bundled sim). */
  packageRoot: string;
  env: Record<string, string>;
}

export interface RuntimeProfile {
  name: string;
  /** The CLI's own launch command for an agent (no Mosaic launcher). */
  launch(ctx: LaunchContext): LaunchSpec;
  /** Slash command that starts a fresh conversation, or null when the runtime has none (restart instead). */
  resetCommand: string | null;
  /** Read the screen. Must never throw: an unrecognised screen gives input=null, ready=false. */
  parse(screen: Screen): ScreenState;
  /** True when `after` shows a fresh conversation following a reset issued at `before`. */
  isFreshAfterReset(before: ScreenState, after: ScreenState): boolean;
  /** Milliseconds to wait after the pasted body is visible before the first Enter (0 for most REPLs). */
  enterDelayMs: number;
  /** Never press Enter again sooner than this after the last one while the text still shows (a REPL that clears its
   *  box only after an asynchronous submit would take a second Enter as a second submission). Default 0. */
  enterRetryMinMs?: number;
  /** What makes the REPL report each prompt it takes through its own hook, plugin or extension (a delivery receipt):
   *  one JSON line with `prompt` appended to ${TMUX_TMPDIR:-/tmp}/mosaic-fleet-<uid>/receipts/<receipt>.jsonl on the
   *  agent's host (see receipt-hook.ts). Absent: the runtime has no such hook. */
  receiptSetup?: (receipt: string) => ReceiptSetup;
  /** A per-user file the REPL rewrites at startup without a lock, from the agent's roster env (`~` when it does not
   *  set HOME): agents sharing it on a host are started one at a time, each once the last is ready. */
  startupStateFile?: (env: Record<string, string>) => string;
  /** Environment the REPL needs to run as an interactive REPL in a pane, whatever launches it (direct, `mosaic yolo`
   *  or a roster `command`); the agent's own `env` still wins. Panes inherit the tmux server's environment, which is
   *  whatever `mosaic-fleet start` ran with (a CI job, a systemd unit). */
  paneEnv?: Record<string, string>;
  /** Patterns a REPL shows in place of a long paste (e.g. /\[Pasted text #\d+/); their presence means "our body is in the box". */
  pastePlaceholders: RegExp[];
}
