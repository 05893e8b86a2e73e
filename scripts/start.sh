#!/usr/bin/env bash
# Set up and run Poolgate on the embedded defaults (SQLite in ./data), with the
# TravelGuide example's user pool and app client applied.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PORT="${POOLGATE_PORT:-9229}"
exec .venv/bin/poolgate serve --data-dir "${POOLGATE_DATA_DIR:-data}" --port "$PORT" "$@"
