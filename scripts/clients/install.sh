#!/usr/bin/env bash
# Install the real agent CLIs into a cache outside the repo; print the bin dir.
#   default:          the pinned versions below, in ${MOSAIC_CLIENTS_DIR:-~/.cache/mosaic-fleet/clients};
#                     idempotent: does nothing when every pinned version is already present.
#   CLIENTS=latest:   the latest published versions, in ${MOSAIC_CLIENTS_DIR:-~/.cache/mosaic-fleet/clients-latest}
#                     (a separate cache, so the pins stay untouched); re-resolved on every run.
# The test suite (npm run test:clients) and the bench read the same variables (src/runtimes/bringup.ts clientsDir()).
set -euo pipefail

MODE="${CLIENTS:-pinned}"
case "$MODE" in
  pinned|latest) ;;
  *) echo "install.sh: CLIENTS must be 'pinned' (default) or 'latest', not '$MODE'" >&2; exit 2 ;;
esac
if [ "$MODE" = latest ]; then DEFAULT_DIR="$HOME/.cache/mosaic-fleet/clients-latest"; else DEFAULT_DIR="$HOME/.cache/mosaic-fleet/clients"; fi
DIR="${MOSAIC_CLIENTS_DIR:-$DEFAULT_DIR}"
# Pins observed in /work/shared/research/real-clients.md and real-clients-2026-12.md.
PINS=(
  "@anthropic-ai/claude-code@2.1.197"
  "@openai/codex@0.169.0"
  "@mariozechner/pi-coding-agent@0.73.1"
  "opencode-ai@1.18.33"
  "@google/gemini-cli@0.61.0"
)

installed_version() { # $1 = package name; prints the installed version or nothing
  local pj="$DIR/node_modules/$1/package.json"
  [ -f "$pj" ] && node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).version)' "$pj" || true
}

prepare_dir() {
  mkdir -p "$DIR"
  # A private package.json keeps npm from walking up into some other project.
  [ -f "$DIR/package.json" ] || printf '{"name":"mosaic-fleet-clients","private":true}\n' > "$DIR/package.json"
}

if [ "$MODE" = latest ]; then
  specs=()
  for pin in "${PINS[@]}"; do specs+=("${pin%@*}@latest"); done
  prepare_dir
  echo "installing the latest published clients into $DIR" >&2
  npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error --save-exact "${specs[@]}" >&2
  for pin in "${PINS[@]}"; do
    name="${pin%@*}"
    got="$(installed_version "$name")"
    [ -n "$got" ] || { echo "install.sh: $name did not install" >&2; exit 1; }
    echo "  $name $got (pinned ${pin##*@})" >&2
  done
  echo "$DIR/node_modules/.bin"
  exit 0
fi

missing=()
for pin in "${PINS[@]}"; do
  name="${pin%@*}"; version="${pin##*@}"
  [ "$(installed_version "$name")" = "$version" ] || missing+=("$pin")
done

if [ "${#missing[@]}" -gt 0 ]; then
  prepare_dir
  echo "installing into $DIR: ${missing[*]}" >&2
  # Install scripts are needed: some CLIs link their platform binary in postinstall.
  npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error --save-exact "${PINS[@]}" >&2
  for pin in "${PINS[@]}"; do
    name="${pin%@*}"; version="${pin##*@}"
    got="$(installed_version "$name")"
    [ "$got" = "$version" ] || { echo "install.sh: $name is '$got', wanted $version" >&2; exit 1; }
  done
fi

echo "$DIR/node_modules/.bin"
