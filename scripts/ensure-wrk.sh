#!/usr/bin/env bash
# The benchmark drives its read paths with wrk (bench/wrk.py); its smoke test runs
# it. Install Debian's package only when it is missing.
set -euo pipefail
if command -v wrk >/dev/null; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "wrk is missing: install Debian's 'wrk' package (as root: apt-get install -y wrk)." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends wrk >/dev/null 2>&1 \
  || { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
wrk --version 2>&1 | head -1 || true
