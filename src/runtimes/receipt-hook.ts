// What every client's prompt-submit receipt shares: where the line goes and how files reach the agent's host.
// A receipt is one JSON line with a `prompt` string per prompt the REPL took, appended to
// ${TMUX_TMPDIR:-/tmp}/mosaic-fleet-<uid>/receipts/$MOSAIC_RECEIPT_NAME.jsonl on the agent's host
// (read back by src/transport/tmux/receipts.ts).

/** sh: append stdin (one JSON document) as one line to this agent's receipts file; no-op without a receipt name. */
export const RECEIPT_APPEND =
  '[ -n "$MOSAIC_RECEIPT_NAME" ] || exit 0; d="${TMUX_TMPDIR:-/tmp}/mosaic-fleet-$(id -u)/receipts"; umask 077; ' +
  'mkdir -p "$d" && { tr -d "\\n"; echo; } >> "$d/$MOSAIC_RECEIPT_NAME.jsonl"';

/** One file the receipt setup needs on the agent's host (a settings file, an extension, a plugin). */
export interface ReceiptFile {
  /** File name inside the receipts directory. */
  name: string;
  content: string;
  /** Environment variable that gets the file's absolute path. */
  env?: string;
}

/** Stands for the receipts directory on the agent's host, in file contents and in arguments. */
export const RECEIPTS_DIR_TOKEN = '@receipts/';

// Runs on the agent's host as the pane's command: writes the files next to the receipts, exports their paths, replaces
// "@receipts/" in file contents and arguments by that directory, then execs the REPL (same pid: stop reaps it as before).
// $1 = number of files, then (name, content, env var or "") per file, then the REPL's argv. POSIX sh only.
const WRAPPER = [
  'd="${TMUX_TMPDIR:-/tmp}/mosaic-fleet-$(id -u)/receipts"; umask 077; mkdir -p "$d" || exit 1',
  'sub() { s=$1; o=; while :; do case "$s" in *@receipts/*) o="$o${s%%@receipts/*}$d/"; s=${s#*@receipts/};; *) printf "%s" "$o$s"; return;; esac; done; }',
  'n=$1; shift',
  'while [ "$n" -gt 0 ]; do sub "$2" > "$d/$1" || exit 1; [ -z "$3" ] || export "$3=$d/$1"; shift 3; n=$((n-1)); done',
  'for a in "$@"; do shift; set -- "$@" "$(sub "$a")"; done',
  'exec "$@"',
].join('\n');

/** argv that writes `files` on the agent's host and then runs `argv` in their place (no shell string from input:
 *  every value travels as its own argument). */
export function wrapWithFiles(files: ReceiptFile[], argv: string[]): string[] {
  if (files.length === 0) return argv;
  return ['sh', '-c', WRAPPER, 'mosaic-receipt', String(files.length), ...files.flatMap((f) => [f.name, f.content, f.env ?? '']), ...argv];
}

/** JavaScript (ESM) that appends one receipt line from inside a REPL's own process (Pi extension, OpenCode plugin). */
export const APPEND_RECEIPT_JS = [
  "import { appendFileSync, mkdirSync } from 'node:fs';",
  'function appendReceipt(record) {',
  '  const name = process.env.MOSAIC_RECEIPT_NAME;',
  '  if (!name) return;',
  "  const dir = `${process.env.TMUX_TMPDIR || '/tmp'}/mosaic-fleet-${process.getuid()}/receipts`;",
  '  try {',
  '    mkdirSync(dir, { recursive: true, mode: 0o700 });',
  "    appendFileSync(`${dir}/${name}.jsonl`, JSON.stringify(record) + '\\n', { mode: 0o600 });",
  '  } catch {',
  '    // a receipt is evidence, never a reason to fail the prompt',
  '  }',
  '}',
].join('\n');
