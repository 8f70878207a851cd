// Pure rendering of the POSIX sh drop-in replacements for the agents' old tmux helpers (agent-send.sh,
// send-message.sh). Both delegate to `mosaic-agent send` through absolute node and CLI paths fixed at install time.
import { join } from 'node:path';

export const AGENT_SEND = 'agent-send.sh';
export const SEND_MESSAGE = 'send-message.sh';

/** Second line (after #!) of every script we write; only files carrying it count as ours. */
export const TOOLS_MARKER = '# Written by mosaic-fleet install-tools';

export interface ToolsInput {
  /** Absolute node executable. */
  nodePath: string;
  /** Absolute path of dist/cli/agent-bin.js (the `mosaic-agent` program). */
  agentCliPath: string;
  /** Directory the scripts go to. */
  dir: string;
}

export interface ToolFile {
  path: string;
  content: string;
  mode: number;
}

/** Single-quote for sh: the one character that needs care inside '...' is ' itself. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/gu, `'\\''`)}'`;
}

export function renderTools(input: ToolsInput): { files: ToolFile[] } {
  return {
    files: [
      { path: join(input.dir, AGENT_SEND), content: renderAgentSend(input), mode: 0o755 },
      { path: join(input.dir, SEND_MESSAGE), content: renderSendMessage(input), mode: 0o755 },
    ],
  };
}

const EXIT_CODES = `# EXIT CODES (the old helpers' contract)
#   0  submitted (or queued behind a running turn)
#   1  target not found, dead or unreachable
#   2  not confirmed: the message was left in the input box (draft) or held
#   3  usage error (bad flag, empty body, unreadable file, bad base64)
#   \`mosaic-agent send\` has more exit codes; they are folded into these four, so callers that test for
#   1/2/3 keep working: 4 (tmux or transport failure) -> 1, the old helpers also said "not found" when
#   tmux could not be reached; 5 (roster or configuration invalid) -> 3; 7 (timeout) -> 2; any other -> 1.`;

// Shared tail: the paths fixed at install time, exit-code folding, usage errors. No eval anywhere: every value
// reaches mosaic-agent as its own argument, and the body travels on stdin (never argv, which caps one argument at 128 KiB).
function prologue(input: ToolsInput, name: string): string {
  return `MOSAIC_NODE=${shQuote(input.nodePath)}
MOSAIC_AGENT_CLI=${shQuote(input.agentCliPath)}
PROG=${shQuote(name)}

# Maps a mosaic-agent exit code onto the 0-3 contract above.
exit_folded() {
  case $1 in
    0 | 1 | 2 | 3) exit "$1" ;;
    5) exit 3 ;;
    7) exit 2 ;;
    *) exit 1 ;;
  esac
}

usage_error() {
  printf '%s: %s\\n' "$PROG" "$1" >&2
  printf "run '%s -h' for usage\\n" "$PROG" >&2
  exit 3
}

if [ ! -x "$MOSAIC_NODE" ] || [ ! -f "$MOSAIC_AGENT_CLI" ]; then
  printf '%s: %s or %s is gone; re-run: mosaic-fleet install-tools\\n' "$PROG" "$MOSAIC_NODE" "$MOSAIC_AGENT_CLI" >&2
  exit 1
fi`;
}

// Runs mosaic-agent with "$@"; with -v (--json already in "$@") its report goes to stderr, as the old -v did.
const RUN_SEND = `run_send() {
  if [ "$verbose" = 1 ]; then
    "$MOSAIC_NODE" "$MOSAIC_AGENT_CLI" "$@" >&2
  else
    "$MOSAIC_NODE" "$MOSAIC_AGENT_CLI" "$@"
  fi
}`;

/** Where the body comes from, after a helper's own sources: -f, then -m, then stdin (the old helpers' order). */
function sendBody(keyword: 'if' | 'elif', flags: string): string {
  return `${keyword} [ -n "$file" ]; then
  run_send "$@" --file "$file" -- "$target"
elif [ "$have_msg" = 1 ]; then
  printf '%s' "$msg" | run_send "$@" --file - -- "$target"
elif [ -t 0 ]; then
  usage_error 'empty message (use ${flags}, or stdin)'
else
  run_send "$@" --file - -- "$target"
fi
exit_folded $?`;
}

export function renderAgentSend(input: ToolsInput): string {
  return `#!/bin/sh
${TOOLS_MARKER}: re-run it instead of editing (edits are overwritten).
# agent-send.sh: deliver an addressed message ([src -> dst] preamble) to an agent's tmux pane and confirm it was
# submitted. A drop-in replacement for the Mosaic helper of the same name: same flags, same exit codes. It runs
# \`mosaic-agent send\` with the node and CLI paths below, fixed at install time (re-run
# \`mosaic-fleet install-tools\` after moving or upgrading node or mosaic-fleet).
#
# USAGE
#   agent-send.sh [-L socket] -s <session> -m "message"
#   agent-send.sh [-L socket] -s <session> -f msg.txt
#   echo "message" | agent-send.sh [-L socket] -s <session>
#   agent-send.sh [-L socket] -H user@host [-n dst-hostname] -s <session> -m "message"
#
# OPTIONS
#   -L NAME    tmux socket name. Without it: $MOSAIC_TMUX_SOCKET, else the roster's socket, else mosaic-factory
#              (the old helper used tmux's default server; the fleet lives on its own socket).
#   -s TARGET  agent name, =session (exact, passed on as given), session:window.pane or %pane   [required]
#   -H SSH     ssh destination (user@host[:port]) of a remote target; passed on as \`--ssh SSH\`: the remote
#              needs only tmux, sh and flock (the send runs there through one multiplexed ssh connection)
#   -n HOST    destination host name shown in the preamble
#   -m MSG     message body
#   -f FILE    read the body from FILE (wins over -m, as before)
#              without -m or -f the body is read from stdin
#   -S LABEL   sender label host:session; a bare session gets this host's \`hostname -s\` prefixed
#              (default: this host and the tmux session this runs in)
#   -r N       extra Enter keystrokes while the body is still in the input box (mosaic-agent --retries)
#   -v         print mosaic-agent's JSON delivery report to stderr
#   -h         show this help
#
${EXIT_CODES}

${prologue(input, 'agent-send.sh')}

usage() {
  cat <<'EOF'
usage: agent-send.sh [-L socket] -s <session> [-H user@host] [-n dst-host] [-S src-label] [-r N] [-v] [-m msg | -f file | <stdin]
  -L socket  tmux socket name (default: $MOSAIC_TMUX_SOCKET, the roster's, mosaic-factory)
  -s target  agent name, =session, session:window.pane or %pane (required)
  -H ssh     remote target's ssh destination (passed as --ssh)
  -n host    destination host name for the preamble
  -m msg     message body; -f file reads it from a file; otherwise stdin
  -S label   sender label host:session (bare session: this host is prefixed)
  -r N       extra Enter attempts
  -v         JSON delivery report on stderr
exit: 0 sent, 1 target not found, 2 not confirmed, 3 usage
EOF
}

socket='' target='' ssh_target='' dst_host='' msg='' have_msg=0 file='' label='' retries='' verbose=0
while getopts 'L:s:H:n:m:f:S:r:vh' opt; do
  case $opt in
    L) socket=$OPTARG ;;
    s) target=$OPTARG ;;
    H) ssh_target=$OPTARG ;;
    n) dst_host=$OPTARG ;;
    m) msg=$OPTARG; have_msg=1 ;;
    f) file=$OPTARG ;;
    S) label=$OPTARG ;;
    r) retries=$OPTARG ;;
    v) verbose=1 ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 3 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage_error "unexpected argument: $1"
[ -n "$target" ] || usage_error 'a target is required: -s <session>'

# A label without host: part gets this host's short name, as the old helper's auto-detected labels had.
if [ -n "$label" ]; then
  case $label in
    *:*) ;;
    *)
      host=$(hostname -s 2>/dev/null) || host=''
      [ -n "$host" ] || host=$(uname -n)
      label="\${host%%.*}:$label"
      ;;
  esac
fi

set -- send
[ "$verbose" = 0 ] || set -- "$@" --json
[ -z "$socket" ] || set -- "$@" --socket "$socket"
[ -z "$ssh_target" ] || set -- "$@" --ssh "$ssh_target"
[ -z "$dst_host" ] || set -- "$@" --to-host "$dst_host"
[ -z "$label" ] || set -- "$@" --from "$label"
[ -z "$retries" ] || set -- "$@" --retries "$retries"

${RUN_SEND}

${sendBody('if', '-m, -f')}
`;
}

export function renderSendMessage(input: ToolsInput): string {
  return `#!/bin/sh
${TOOLS_MARKER}: re-run it instead of editing (edits are overwritten).
# send-message.sh: the low-level submitter. Pastes the body into one tmux pane exactly as given (no preamble;
# a body starting with / or ! is sent as the REPL command it is) and confirms it was submitted. A drop-in
# replacement for the Mosaic helper of the same name: same flags, same exit codes. It runs
# \`mosaic-agent send --no-preamble --raw\` with the node and CLI paths below, fixed at install time (re-run
# \`mosaic-fleet install-tools\` after moving or upgrading node or mosaic-fleet).
#
# USAGE
#   send-message.sh [-L socket] -t <target> -m "message"
#   send-message.sh [-L socket] -t <target> -f <file>
#   echo "message" | send-message.sh [-L socket] -t <target>
#   send-message.sh [-L socket] -t <target> -b "$(printf '%s' "message" | base64 -w0)"
#
# OPTIONS
#   -L NAME    tmux socket name. Without it: $MOSAIC_TMUX_SOCKET, else the roster's socket, else mosaic-factory
#   -t TARGET  agent name, =session (exact, passed on as given), session:window.pane or %pane   [required]
#   -m MSG     message body
#   -f FILE    read the body from FILE
#   -b B64     the body, base64-encoded (decoded with \`base64 -d\`); wins over -f and -m, as before
#              without -b, -f or -m the body is read from stdin
#   -r N       extra Enter keystrokes while the body is still in the input box (mosaic-agent --retries)
#   -v         print mosaic-agent's JSON delivery report to stderr
#   -h         show this help
#
${EXIT_CODES}

${prologue(input, 'send-message.sh')}

usage() {
  cat <<'EOF'
usage: send-message.sh [-L socket] -t <target> [-r N] [-v] [-m msg | -f file | -b base64 | <stdin]
  -L socket  tmux socket name (default: $MOSAIC_TMUX_SOCKET, the roster's, mosaic-factory)
  -t target  agent name, =session, session:window.pane or %pane (required)
  -m msg     message body; -f file reads it from a file; -b takes it base64-encoded; otherwise stdin
  -r N       extra Enter attempts
  -v         JSON delivery report on stderr
exit: 0 sent, 1 target not found, 2 not confirmed, 3 usage
EOF
}

socket='' target='' msg='' have_msg=0 file='' b64='' have_b64=0 retries='' verbose=0
while getopts 'L:t:m:f:b:r:vh' opt; do
  case $opt in
    L) socket=$OPTARG ;;
    t) target=$OPTARG ;;
    m) msg=$OPTARG; have_msg=1 ;;
    f) file=$OPTARG ;;
    b) b64=$OPTARG; have_b64=1 ;;
    r) retries=$OPTARG ;;
    v) verbose=1 ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 3 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage_error "unexpected argument: $1"
[ -n "$target" ] || usage_error 'a target is required: -t <target>'

set -- send --no-preamble --raw
[ "$verbose" = 0 ] || set -- "$@" --json
[ -z "$socket" ] || set -- "$@" --socket "$socket"
[ -z "$retries" ] || set -- "$@" --retries "$retries"

${RUN_SEND}

if [ "$have_b64" = 1 ]; then
  printf '%s' "$b64" | base64 -d >/dev/null 2>&1 || usage_error 'the -b body is not valid base64'
  printf '%s' "$b64" | base64 -d | run_send "$@" --file - -- "$target"
${sendBody('elif', '-m, -f, -b')}
`;
}
