#!/usr/bin/env bash
# Set up and run every test: lint, types, and the suite on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure-postgres.sh
bash scripts/ensure-chromium.sh   # Debian's Chromium for tests/oauth (Playwright)
.venv/bin/ruff check src tests
.venv/bin/ruff format --check src tests
.venv/bin/mypy
bash scripts/test-web.sh
.venv/bin/python -m pytest "$@"
