#!/usr/bin/env bash
# A Poolgate cluster on this machine: PostgreSQL-backed nodes (2 by default) behind
# HAProxy, with the TravelGuide example applied. Ctrl-C stops it.
#
#   ./scripts/cluster.sh                       # http://127.0.0.1:9229, nodes on 9239+
#   ./scripts/cluster.sh --nodes 3 --workers 2 --port 8080
#   ./scripts/cluster.sh --database-url postgresql://user@db.example:5432/poolgate
#
# State, keys and logs go to ./cluster-data (--dir). See scripts/cluster.py.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure-postgres.sh
bash scripts/ensure-haproxy.sh >/dev/null
exec .venv/bin/python scripts/cluster.py "$@"
