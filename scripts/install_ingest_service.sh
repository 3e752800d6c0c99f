#!/usr/bin/env bash
# The seed's installer name, kept so existing instructions work: installs `sluice follow` as the
# systemd user service sluice-follow.service. Arguments are passed on (e.g. --print, --no-start).
#   ./scripts/install_ingest_service.sh [PATTERN] [DB] [flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
pattern="${1:-logs/bridge_{YYYYMMDD}.ndjson}"
db="${2:-logs/bridge.db}"
shift $(( $# > 2 ? 2 : $# ))
exec node bin/sluice.js service install follow "$pattern" --db "$db" "$@"
