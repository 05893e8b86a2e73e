#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install Poolgate with its test tools. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Reinstall only when the project's metadata changed since the last install.
stamp=.venv/.poolgate-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet -e '.[test,bench]'
  # fail loudly if the install did
  .venv/bin/python -c "import poolgate, boto3, pycognito, playwright.async_api, authlib"
  touch "$stamp"
fi
