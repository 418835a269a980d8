#!/usr/bin/env bash
# Runs the service with demo data: set-up (dependencies, MariaDB, Redis, schema),
# demo users and catalog (only into an empty catalog), the browser apps (`npm run build:web`),
# then `npm start` on PORT (8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent db:seed
npm run --silent build:web
echo "[start] starting the service on port ${PORT:-8080} (console at http://localhost:${PORT:-8080}/admin, API docs at /docs)"
exec npm start
