#!/usr/bin/env bash
# Runs the service with demo data: set-up (dependencies, MariaDB, Redis, schema),
# demo users and catalog (only into an empty catalog), then `npm start` on PORT (8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent db:seed
echo "[start] starting the service on port ${PORT:-8080} (API docs at http://localhost:${PORT:-8080}/docs)"
exec npm start
