#!/usr/bin/env bash
# `npm test`: build and typecheck as you, then run the suite. The remote-host tests start a real sshd and log in as
# root, so a user who is not root runs the suite through sudo (asked once); root runs it directly.
# MOSAIC_TEST_NO_SUDO=1 runs it as you anyway (the sshd tests then fail). Arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run build
npx tsc -p tsconfig.test.json

if [ "$(id -u)" -eq 0 ] || [ -n "${MOSAIC_TEST_NO_SUDO:-}" ]; then
  exec npx vitest run "$@"
fi
if ! command -v sudo >/dev/null 2>&1; then
  echo "npm test: the sshd tests need root and there is no sudo: run as root (or MOSAIC_TEST_NO_SUDO=1 to run as you)" >&2
  exit 1
fi
# sudo resets PATH: keep ours, so the same node and npx run the tests.
exec sudo env "PATH=$PATH" npx vitest run "$@"
