#!/usr/bin/env bash
# The installer name SteelCity's tools used, kept so existing instructions work: installs
# `sluice follow` as the systemd user service sluice-follow.service.
#   ./scripts/install_ingest_service.sh [PATTERN] [DB] [flags...]     e.g. --print, --no-start
# PATTERN and DB are optional and positional; the first argument that starts with - begins the flags.
set -euo pipefail
cd "$(dirname "$0")/.."
# In a variable: inside ${1:-...} the } of {YYYYMMDD} would end the expansion.
default_pattern='logs/bridge_{YYYYMMDD}.ndjson'
pattern="$default_pattern"
db='logs/bridge.db'
if [[ $# -gt 0 && $1 != -* ]]; then pattern=$1; shift; fi
if [[ $# -gt 0 && $1 != -* ]]; then db=$1; shift; fi
exec node bin/sluice.js service install follow "$pattern" --db "$db" "$@"
