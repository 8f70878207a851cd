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

// Runs on the agent's host as the pane's command: writes the files next to the receipts, exports their paths, turns
// each argument "@receipts/<name>" into that file's path, then execs the REPL (same pid, so stop reaps it as before).
// $1 = number of files, then (name, content, env var or "") per file, then the REPL's argv.
const WRAPPER = [
  'd="${TMUX_TMPDIR:-/tmp}/mosaic-fleet-$(id -u)/receipts"; umask 077; mkdir -p "$d" || exit 1',
  'n=$1; shift',
  'while [ "$n" -gt 0 ]; do printf "%s" "$2" > "$d/$1" || exit 1; [ -z "$3" ] || export "$3=$d/$1"; shift 3; n=$((n-1)); done',
  'for a in "$@"; do shift; case "$a" in "@receipts/"*) set -- "$@" "$d/${a#@receipts/}";; *) set -- "$@" "$a";; esac; done',
  'exec "$@"',
].join('\n');

/** argv that writes `files` on the agent's host and then runs `argv` in their place (no shell string from input:
 *  every value travels as its own argument). */
export function wrapWithFiles(files: ReceiptFile[], argv: string[]): string[] {
  if (files.length === 0) return argv;
  return ['sh', '-c', WRAPPER, 'mosaic-receipt', String(files.length), ...files.flatMap((f) => [f.name, f.content, f.env ?? '']), ...argv];
}
