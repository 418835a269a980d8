#!/usr/bin/env bash
# Runs the service with demo data: set-up (dependencies, MariaDB, Redis, schema), the
# build (npm run build: the service and the browser apps), demo users and catalog (only
# into an empty catalog), then `npm start` on PORT (8080). Installs only what the service
# needs; test.sh adds the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
LOG_TAG=start
source scripts/lib.sh

bash scripts/setup.sh

step "build"
quiet npm run --silent build
done_step "$(grep '^build:' "$QUIET_LOG" | tail -n 1 | sed -E 's/^build: //; s/ \([^)]*\)$//')"

step "demo data"
quiet npm run --silent db:seed
done_step "$(sed 's/^db:seed: //' "$QUIET_LOG" | paste -sd ';' | sed 's/;/; /g')"

note "starting the service on port ${PORT:-8080} (console at http://localhost:${PORT:-8080}/admin, API docs at /docs)"
rm -f "$QUIET_LOG"
exec npm start
