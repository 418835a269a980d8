#!/usr/bin/env bash
# What the browser tests (web/test) need and the service itself does not: Debian's
# Chromium and a Korean font (fonts-noto-cjk), installed with apt when missing (as
# root; otherwise it prints the command to run). CHROMIUM_PATH names another
# Chromium to use instead. Safe to run again: what is installed is left alone.
set -euo pipefail

log() { printf '[setup-browser] %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }

PKGS=()
if [ -n "${CHROMIUM_PATH:-}" ]; then
  [ -x "$CHROMIUM_PATH" ] || { log "error: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2; exit 1; }
else
  [ -x /usr/bin/chromium ] || PKGS+=(chromium)
fi
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'install ok installed' || PKGS+=(fonts-noto-cjk)
[ "${#PKGS[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && have apt-get; then
  log "installing ${PKGS[*]} (browser tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-cache show "${PKGS[0]}" >/dev/null 2>&1 || apt-get update -q
  apt-get install -y -q --no-install-recommends "${PKGS[@]}"
else
  log "warning: ${PKGS[*]} missing; the browser tests will fail until installed: sudo apt-get install -y ${PKGS[*]}"
fi
