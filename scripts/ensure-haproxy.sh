#!/usr/bin/env bash
# The cluster (scripts/cluster.sh, tests/cluster) runs behind Debian's HAProxy, and
# tests/deploy checks deploy/haproxy.cfg with it. Install the package only when missing.
set -euo pipefail
if command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "haproxy is missing: install Debian's 'haproxy' package (as root: apt-get install -y haproxy)." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends haproxy >/dev/null 2>&1 \
  || { apt-get update -qq && apt-get install -y -qq --no-install-recommends haproxy >/dev/null; }
# The package may start a system service on machines that run one; the cluster starts
# its own HAProxy with its own configuration.
if command -v systemctl >/dev/null && systemctl is-active --quiet haproxy 2>/dev/null; then
  systemctl stop haproxy || true
fi
/usr/sbin/haproxy -v | head -1
