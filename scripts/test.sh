#!/usr/bin/env bash
# Runs the test suite against real MariaDB and Redis: set-up, what only the tests need
# (the browser tests' Chromium too), the browser apps' build, then `npm test` (type
# checks + every *.test.ts). Each test file makes its own database
# and Redis key prefix and removes them when it ends.
#
# With CI=true it then runs a representative part of the suite on the other supported
# Node.js major (22 on a machine with 20, else 20), fetched from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
LOG_TAG=test
source scripts/lib.sh

bash scripts/setup.sh

# ---- what only the tests need -------------------------------------------------------
# librdkafka and a C compiler: the Kafka tests compile test/kafka/mock-cluster.c against
# librdkafka's mock cluster (they fail without it, never skip). mariadb-install-db and
# redis-server: the outage tests stop and restart private servers of their own, so the
# binaries must be here even when the shared servers run elsewhere.
step "test packages"
TEST_PKGS=()
[ -f /usr/include/librdkafka/rdkafka_mock.h ] || TEST_PKGS+=(librdkafka-dev)
have cc || TEST_PKGS+=(gcc libc6-dev)
{ [ -n "$(find_prog mariadbd mysqld)" ] && [ -n "$(find_prog mariadb-install-db mysql_install_db)" ]; } || TEST_PKGS+=(mariadb-server)
[ -n "$(find_prog redis-server)" ] || TEST_PKGS+=(redis-server)
install_for "the Kafka and outage tests" "${TEST_PKGS[@]}"

# The browser tests' Chromium and Korean font, and the browser apps they load (built once here).
bash scripts/setup-browser.sh
step "browser apps"
quiet npm run --silent build:web
done_step "built into web/dist"

step "tests"
npm test
done_step "passed"

# ---- the other Node.js major, a representative part ---------------------------------
if [ "${CI:-}" = true ]; then
  NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
  OTHER=22
  [ "$NODE_MAJOR" -ge 22 ] && OTHER=20
  # Config, migrations both ways, the compiled service under npm start with signals,
  # auth (the native Argon2 module), bad input, and the flash-sale checkout race.
  COMPAT_TESTS=(
    src/config.test.ts
    src/platform/db/migrate.test.ts
    test/start.test.ts
    src/modules/auth/auth.test.ts
    test/bad-input.test.ts
    test/checkout-race.test.ts
  )
  step "tests on Node.js $OTHER (${#COMPAT_TESTS[@]} files)"
  npx -y -p "node@$OTHER" -- node --import tsx --test --test-concurrency=3 "${COMPAT_TESTS[@]}"
  done_step "passed"
fi
