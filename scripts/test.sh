#!/usr/bin/env bash
# Runs the test suite against real MariaDB and Redis: set-up, then `npm test`
# (type check + every *.test.ts). Each test file makes its own database and
# Redis key prefix and removes them when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm test
