#!/usr/bin/env bash
# Install the pinned real agent CLIs into a cache outside the repo; print the bin dir.
# Idempotent: does nothing when every pinned version is already present.
set -euo pipefail

DIR="${MOSAIC_CLIENTS_DIR:-$HOME/.cache/mosaic-fleet/clients}"
# Pins observed in /work/shared/research/real-clients.md.
PINS=(
  "@anthropic-ai/claude-code@2.1.197"
  "@openai/codex@0.169.0"
  "@mariozechner/pi-coding-agent@0.73.1"
  "opencode-ai@1.18.33"
)

installed_version() { # $1 = package name; prints the installed version or nothing
  local pj="$DIR/node_modules/$1/package.json"
  [ -f "$pj" ] && node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).version)' "$pj" || true
}

missing=()
for pin in "${PINS[@]}"; do
  name="${pin%@*}"; version="${pin##*@}"
  [ "$(installed_version "$name")" = "$version" ] || missing+=("$pin")
done

if [ "${#missing[@]}" -gt 0 ]; then
  mkdir -p "$DIR"
  # A private package.json keeps npm from walking up into some other project.
  [ -f "$DIR/package.json" ] || printf '{"name":"mosaic-fleet-clients","private":true}\n' > "$DIR/package.json"
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
