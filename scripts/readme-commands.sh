#!/usr/bin/env bash
# The commands of the README's first code block, one per line, comments dropped: what a new user runs first,
# and what .ci/run runs verbatim.
set -euo pipefail
cd "$(dirname "$0")/.."
awk '/^```sh$/ { inside = 1; next } inside && /^```/ { exit } inside { sub(/[[:space:]]+#.*$/, ""); if ($0 != "") print }' README.md
