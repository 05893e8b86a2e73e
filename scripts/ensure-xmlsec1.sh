#!/usr/bin/env bash
# SAML federation verifies and decrypts XML with Debian's xmlsec1, which pysaml2 runs
# (core/federation/saml.py, and the test IdP in tests/federation). Install the Debian
# package only when it is missing (CI runs as root with Debian's mirror).
set -euo pipefail
if command -v xmlsec1 >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "xmlsec1 is missing: install Debian's 'xmlsec1' package (as root:" \
       "apt-get update && apt-get install -y xmlsec1)." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends xmlsec1 >/dev/null
xmlsec1 --version
