#!/usr/bin/env bash
# The tests need a real PostgreSQL server (POOLGATE_TEST_PG, default
# postgresql://postgres@127.0.0.1:5432/postgres). Start the local cluster if it is down;
# fail, never skip, when none can be reached.
set -euo pipefail
host="${PGHOST:-127.0.0.1}"
port="${PGPORT:-5432}"
ready() { pg_isready -q -h "$host" -p "$port" 2>/dev/null; }
if ready; then exit 0; fi
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
fi
for _ in $(seq 1 30); do
  if ready; then exit 0; fi
  sleep 1
done
echo "PostgreSQL is not reachable on $host:$port; the test suite needs it." >&2
exit 1
