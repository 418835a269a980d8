#!/usr/bin/env bash
# What the browser tests (web/test) need and the service itself does not: Debian's
# Chromium and a Korean font (fonts-noto-cjk), installed with apt when missing (as
# root; otherwise it says what to run). CHROMIUM_PATH names another Chromium to use
# instead. Safe to run again: what is installed is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
LOG_TAG="${LOG_TAG:-test}"
source scripts/lib.sh

step "browser packages"
PKGS=()
if [ -n "${CHROMIUM_PATH:-}" ]; then
  [ -x "$CHROMIUM_PATH" ] || die "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable"
else
  [ -x /usr/bin/chromium ] || PKGS+=(chromium)
fi
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'install ok installed' || PKGS+=(fonts-noto-cjk)
install_for "the browser tests" "${PKGS[@]}"
