#!/usr/bin/env bash
# The first minutes of a new user, as CI checks them: clone the repository into a temporary folder,
# run `npm ci` and the README's main command exactly as written, check that rows were stored (with the
# sqlite3 shell), then `scripts/install_ingest_service.sh --print`.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
git clone -q "$repo" "$tmp/sluice"
cd "$tmp/sluice"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
main="$(grep -m1 '^npx sluice ' README.md | sed 's/ *#.*$//')"
echo "quick start: $main"
bash -c "$main"
rows="$(sqlite3 logs/bridge.db 'SELECT count(*) FROM events')"
if [ "$rows" -le 0 ]; then echo "quick start: no rows stored" >&2; exit 1; fi
echo "quick start: $rows rows in logs/bridge.db"
scripts/install_ingest_service.sh --print | grep -F 'logs/bridge_{YYYYMMDD}.ndjson --db' >/dev/null \
  || { echo "quick start: install_ingest_service.sh --print did not print the default unit" >&2; exit 1; }
echo "quick start: install_ingest_service.sh --print ok"
