#!/usr/bin/env bash
# Runs the test suite against real MariaDB and Redis: set-up (scripts/setup.sh,
# and scripts/setup-browser.sh for the browser tests' Chromium and Korean font),
# the browser apps' build (`npm run build:web`), then `npm test` (type checks +
# every *.test.ts).
# Each test file makes its own database and Redis key prefix and removes them
# when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-browser.sh
npm run --silent build:web
npm test
