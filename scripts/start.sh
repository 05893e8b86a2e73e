#!/usr/bin/env bash
# Set up and run Poolgate on the embedded defaults (SQLite in ./data), with the
# TravelGuide example's user pool and app client applied.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PORT="${POOLGATE_PORT:-9229}"
DATA_DIR="${POOLGATE_DATA_DIR:-data}"
# Idempotent: creates the example's pool, client and domain on the first start and
# leaves them as they are afterwards.
.venv/bin/poolgate apply examples/travelguide/poolgate.toml --data-dir "$DATA_DIR"
exec .venv/bin/poolgate serve --data-dir "$DATA_DIR" --port "$PORT" "$@"
