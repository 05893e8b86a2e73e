#!/usr/bin/env bash
# Set up and run every test: lint, types, and the suite on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure-postgres.sh
bash scripts/ensure-chromium.sh   # Debian's Chromium for tests/oauth (Playwright)
bash scripts/ensure-wrk.sh        # wrk for the benchmark's read paths (tests/bench)
bash scripts/ensure-awscli.sh     # the AWS CLI for the README's example (tests/test_getting_started.py)
bash scripts/ensure-haproxy.sh    # HAProxy for the cluster (tests/cluster, tests/deploy)
bash scripts/ensure-xmlsec1.sh    # xmlsec1 for SAML federation (pysaml2) and its tests
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy
bash scripts/test-web.sh
.venv/bin/python -m pytest "$@"
