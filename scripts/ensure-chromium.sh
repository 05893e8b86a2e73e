#!/usr/bin/env bash
# The hosted-UI tests (tests/oauth) drive Debian's Chromium through Playwright's
# Python driver; no browser is ever downloaded by Playwright itself. Install the
# Debian package only when it is missing (CI runs as root with Debian's mirror).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "/usr/bin/chromium is missing: install Debian's 'chromium' package (as root:" \
       "apt-get update && apt-get install -y chromium)." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
