#!/usr/bin/env bash
# First setup of a clone on Debian or Ubuntu: the system packages the demo and the tests need, then `npm ci`.
# apt-get runs only for packages that are missing, and through sudo only when you are not root (CI runs as root).
set -euo pipefail
cd "$(dirname "$0")/.."

# tmux: the fleet; util-linux: flock, script; procps: ps for reaping; openssh: the remote-host tests on loopback;
# systemd: systemd-analyze for unit checks; iproute2: network namespaces for two test hosts.
PACKAGES=(tmux util-linux mount procps openssh-server openssh-client systemd iproute2 ca-certificates)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
elif ! command -v tmux >/dev/null 2>&1; then
  echo "setup: not a Debian system and tmux is missing: install tmux 3.2+ (and openssh-server for the tests) yourself" >&2
  exit 1
fi

if [ "${#missing[@]}" -gt 0 ]; then
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "setup: installing ${missing[*]} needs root: run this as root, or install sudo" >&2
      exit 1
    fi
    as_root=(sudo)
  fi
  echo "setup: installing ${missing[*]}" >&2
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
