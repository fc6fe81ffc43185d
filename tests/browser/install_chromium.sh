#!/usr/bin/env bash
# Debian's Chromium for tests/browser: Playwright drives it and downloads no browser of its own.
# Does nothing when it is already there; on a fresh machine about a minute (apt-get, as root or sudo -n).
set -euo pipefail
if [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then exit 0; fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
export DEBIAN_FRONTEND=noninteractive
echo "installing Debian's chromium for the browser tests (about a minute)..."
if ! $SUDO apt-get install -y -q chromium >/dev/null 2>&1; then
  $SUDO apt-get update -q >/dev/null
  $SUDO apt-get install -y -q chromium >/dev/null
fi
