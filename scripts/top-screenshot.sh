#!/usr/bin/env bash
# Make assets/top.png from a real run: a fleet of sim agents on a private tmux server (busy, queued, dead, stopped,
# starting, an unreachable host), `mosaic-fleet top` in a 110x32 pane of a second private server, the pane captured
# with its colours and rendered by scripts/pane-to-png.mjs. Needs a build (npm run build) and ImageMagick.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/assets/top.png}
WORK=$(mktemp -d /tmp/mft-shot-XXXXXX)
export TMUX_TMPDIR=$WORK/tmux HOME=$WORK/home MOSAIC_LEDGER_DIR=$WORK/ledger
mkdir -p "$TMUX_TMPDIR" "$HOME" "$WORK/w"
unset TMUX TMUX_PANE MOSAIC_TMUX_SOCKET
FLEET="node $ROOT/dist/cli/fleet-bin.js"
AGENT="node $ROOT/dist/cli/agent-bin.js"
H=$(hostname -s)
cleanup() { tmux -L shot-view kill-server 2>/dev/null || true; tmux -L shot-fleet kill-server 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
cat > "$WORK/roster.yaml" <<YAML
version: 1
tmux: { socket_name: shot-fleet }
defaults: { working_directory: $WORK/w, runtime: sim, ready_timeout_seconds: 30 }
hosts:
  gpu1: { ssh: fleet@127.0.0.1, port: 1, hostname: gpu1 }
agents:
  - { name: lead, class: orchestrator }
  - { name: coder0, class: implementer }
  - { name: coder1, class: implementer, env: { MOSAIC_SIM_BUSY_MS: "600000" } }
  - { name: coder2, class: implementer, env: { MOSAIC_SIM_BUSY_MS: "600000" } }
  - { name: coder3, class: implementer }
  - { name: rev0, class: reviewer }
  - { name: rev1, class: reviewer }
  - { name: qa0, class: tester }
  - { name: docs0, class: writer }
  - { name: ops0, class: ops, env: { MOSAIC_SIM_STARTUP_MS: "600000" } }
  - { name: train0, class: implementer, host: gpu1 }
YAML
export MOSAIC_FLEET_ROSTER=$WORK/roster.yaml
$FLEET start lead coder0 coder1 coder2 coder3 rev0 rev1 qa0 docs0 >/dev/null
$AGENT send coder1 --from "$H:lead" -m "Implement the rate limiter (#41)." >/dev/null
$AGENT send coder2 --from "$H:lead" -m "Fix the flaky upload test (#44)." >/dev/null
$AGENT send coder2 --queue --from "$H:rev0" -m "Review notes on #44 are in the PR." >/dev/null
$AGENT send coder2 --queue --from "$H:qa0" -m "Repro steps attached to #44." >/dev/null
$AGENT send rev0 --from "$H:coder0" -m "PR #39 is ready for review." >/dev/null
$AGENT send coder0 --from "$H:rev0" -m "Approved #39, merge when green." >/dev/null
$AGENT send lead --from "$H:coder0" -m "#39 merged." >/dev/null
$AGENT send qa0 --from "$H:lead" -m "Run the release checklist." >/dev/null
$AGENT send docs0 --from "$H:lead" -m "Changelog for 0.4, please." >/dev/null
$FLEET stop docs0 >/dev/null
kill -9 "$(tmux -L shot-fleet display-message -p -t =rev1: '#{pane_pid}')"
$FLEET start ops0 --no-wait >/dev/null
tmux -L shot-view -f /dev/null new-session -d -s lead -x 110 -y 32 -- env TERM=xterm-256color $FLEET top --interval 0.5 --detail
# Wait for the view to show every agent, then pick coder1 for the detail pane.
for _ in $(seq 100); do tmux -L shot-view capture-pane -p -t lead | grep -q '^train0 ' && break; sleep 0.1; done
tmux -L shot-view send-keys -t lead / && tmux -L shot-view send-keys -t lead -l coder1 && tmux -L shot-view send-keys -t lead Enter Escape
sleep 1.5
tmux -L shot-view send-keys -t lead / C-u Enter Escape
sleep 1.5
tmux -L shot-view capture-pane -p -e -N -t lead > "$WORK/capture.txt"
node "$ROOT/scripts/pane-to-png.mjs" "$WORK/capture.txt" "$OUT" 110
echo "wrote $OUT"
