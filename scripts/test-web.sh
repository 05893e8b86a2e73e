#!/usr/bin/env bash
# The web app's own checks: type-check, Vitest unit tests and a production build.
#
# The build goes to a temporary folder, never to web/dist: a demo started by
# scripts/start.sh may be serving web/dist at this moment, and `vite build` empties
# the folder it writes. The check at the end fails if web/dist changed all the same.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund
fi
fingerprint() {
  if [ -d dist ]; then
    find dist -type f -printf '%P %s %T@\n' | sort
  fi
}
before="$(fingerprint)"
out="$(mktemp -d "${TMPDIR:-/tmp}/travelguide-web-build.XXXXXX")"
trap 'rm -rf "$out"' EXIT
npm test
npm run build -- --outDir "$out" --emptyOutDir
[ -f "$out/index.html" ] || { echo "test-web.sh: the build wrote no index.html" >&2; exit 1; }
if [ "$(fingerprint)" != "$before" ]; then
  echo "test-web.sh: web/dist changed during the checks; they must leave a running demo's" >&2
  echo "build alone (see scripts/start.sh)." >&2
  exit 1
fi
