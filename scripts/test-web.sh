#!/usr/bin/env bash
# The web app's own checks: type-check, Vitest unit tests and a production build.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund
fi
npm test
npm run build
