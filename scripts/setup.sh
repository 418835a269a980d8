#!/usr/bin/env bash
# Makes a Debian/Ubuntu machine with Node.js 22 (or 20) ready to run the service:
#   1. npm dependencies (npm ci; npm install when there is no lockfile)
#   2. MariaDB and Redis: installed when missing (as root), started when they don't answer
#   3. root@127.0.0.1 may log in over TCP without a password (fresh local installs only)
#   4. the schema: npm run db:migrate
# Safe to run again and again: what is already in place is left alone. Servers that
# already answer are never restarted or reconfigured, and only servers on this
# machine (DATABASE_URL / REDIS_URL pointing at 127.0.0.1 or localhost) are managed.
#
# Optional: MARIADB_DATADIR starts a private MariaDB on DATABASE_URL's port with its
# own data directory, socket and pid file (useful beside an existing server).
# What only the tests need (librdkafka, a C compiler, …) is installed by test.sh.
# Prints one line per step with its time; apt waits up to APT_LOCK_TIMEOUT (300) s
# for another apt or dpkg to release the package lock.
set -euo pipefail
cd "$(dirname "$0")/.."
LOG_TAG=setup
source scripts/lib.sh

is_local() { case "$1" in 127.0.0.1 | localhost | ::1 | '[::1]') return 0 ;; *) return 1 ;; esac; }
# Does anything accept TCP connections on host:port?
port_open() { (exec 3<>"/dev/tcp/$1/$2") >/dev/null 2>&1; }

# ---- Node.js ----------------------------------------------------------------
step "Node.js"
have node || die "Node.js 22 (or 20) is needed (https://nodejs.org/ or: apt-get install nodejs from NodeSource)."
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[ "$NODE_MAJOR" -ge 20 ] || die "Node.js 22 (or 20) is needed, found $(node -v)."
if [ "$NODE_MAJOR" -ge 22 ]; then done_step "$(node -v)"; else done_step "$(node -v) (supported; 22 recommended)"; fi

# ---- npm dependencies ---------------------------------------------------------
STAMP=node_modules/.setup-stamp
deps_hash() { cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1; }
step "npm dependencies"
if [ -d node_modules ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(deps_hash)" ]; then
  done_step "up to date"
elif [ -d node_modules ] && npm ls --depth=0 >/dev/null 2>&1; then
  deps_hash >"$STAMP"
  done_step "already installed"
else
  if [ -f package-lock.json ]; then
    quiet npm ci --no-audit --no-fund
    deps_hash >"$STAMP"
    done_step "installed (npm ci)"
  else
    quiet npm install --no-audit --no-fund
    deps_hash >"$STAMP"
    done_step "installed (npm install)"
  fi
fi

# ---- where the servers are ----------------------------------------------------
export DATABASE_URL="${DATABASE_URL:-mysql://root@127.0.0.1:3306/shop}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
# host, port, user, password of each URL, one per line (parsed by Node, which knows URLs).
url_parts() {
  node -e '
    const u = new URL(process.argv[1]);
    console.log(u.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1");
    console.log(u.port || process.argv[2]);
    console.log(decodeURIComponent(u.username) || "root");
    console.log(decodeURIComponent(u.password));' "$1" "$2" 2>/dev/null
}
DB_PARTS="$(url_parts "$DATABASE_URL" 3306)" || die "DATABASE_URL is not a URL: $DATABASE_URL"
RD_PARTS="$(url_parts "$REDIS_URL" 6379)" || die "REDIS_URL is not a URL: $REDIS_URL"
mapfile -t DB <<<"$DB_PARTS"
mapfile -t RD <<<"$RD_PARTS"
DB_HOST="${DB[0]}" DB_PORT="${DB[1]}" DB_USER="${DB[2]}" DB_PASS="${DB[3]:-}"
RD_HOST="${RD[0]}" RD_PORT="${RD[1]}"
[ "$DB_HOST" = localhost ] && DB_HOST=127.0.0.1 # TCP, never the socket, like the app
[ "$RD_HOST" = localhost ] && RD_HOST=127.0.0.1

MARIADB_CLIENT="$(find_prog mariadb mysql)"
MARIADB_ADMIN="$(find_prog mariadb-admin mysqladmin)"
MARIADBD="$(find_prog mariadbd mysqld)"
REDIS_SERVER="$(find_prog redis-server)"
REDIS_CLI="$(find_prog redis-cli)"

# "Answering" means the server replies at all, even if only to refuse this user or host.
db_answers() {
  local out
  port_open "$DB_HOST" "$DB_PORT" || return 1
  [ -n "$MARIADB_ADMIN" ] || return 0
  out="$("$MARIADB_ADMIN" --protocol=tcp -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" --connect-timeout=2 ping 2>&1)" && return 0
  ! grep -qiE "can't connect|connection refused|lost connection|timed out" <<<"$out"
}
redis_answers() {
  if [ -n "$REDIS_CLI" ]; then
    "$REDIS_CLI" -h "$RD_HOST" -p "$RD_PORT" ping 2>/dev/null | grep -Eq 'PONG|NOAUTH'
  else
    port_open "$RD_HOST" "$RD_PORT"
  fi
}
wait_for() { # name, seconds, check-function
  local i
  for ((i = 0; i < $2 * 2; i++)); do
    if "$3"; then return 0; fi
    sleep 0.5
  done
  return 1
}

DB_LOCAL=false REDIS_LOCAL=false
is_local "$DB_HOST" && DB_LOCAL=true
is_local "$RD_HOST" && REDIS_LOCAL=true

DB_UP=false REDIS_UP=false
$DB_LOCAL && db_answers && DB_UP=true
$REDIS_LOCAL && redis_answers && REDIS_UP=true

# ---- install what is missing -----------------------------------------------
step "MariaDB and Redis packages"
DB_FRESH=false
PACKAGES=()
if $DB_LOCAL && ! $DB_UP && { [ -z "$MARIADBD" ] || [ -z "$MARIADB_CLIENT" ]; }; then PACKAGES+=(mariadb-server mariadb-client); fi
if $REDIS_LOCAL && ! $REDIS_UP && [ -z "$REDIS_SERVER" ]; then PACKAGES+=(redis-server); fi
if [ "${#PACKAGES[@]}" -gt 0 ]; then
  apt_install "${PACKAGES[@]}"
  [[ " ${PACKAGES[*]} " == *" mariadb-server "* ]] && DB_FRESH=true
  MARIADB_CLIENT="$(find_prog mariadb mysql)"
  MARIADB_ADMIN="$(find_prog mariadb-admin mysqladmin)"
  MARIADBD="$(find_prog mariadbd mysqld)"
  REDIS_SERVER="$(find_prog redis-server)"
  REDIS_CLI="$(find_prog redis-cli)"
  # A package's post-install script may have started the server already.
  $DB_LOCAL && db_answers && DB_UP=true
  $REDIS_LOCAL && redis_answers && REDIS_UP=true
  done_step "installed ${PACKAGES[*]}"
elif ! $DB_LOCAL && ! $REDIS_LOCAL; then
  done_step "not needed (both servers are elsewhere)"
else
  done_step "present"
fi

# ---- start MariaDB --------------------------------------------------------------
# The server this script may start or repair: a private one (MARIADB_DATADIR), or the
# system's own as its configuration describes it.
step "MariaDB"
DB_STARTED=false
mysqld_default() { { my_print_defaults --mysqld 2>/dev/null || true; } | sed -n "s/^--$1=//p" | tail -n1; }
if [ -n "${MARIADB_DATADIR:-}" ]; then
  DATADIR="$MARIADB_DATADIR" SOCKET="$MARIADB_DATADIR/mysqld.sock" PIDFILE="$MARIADB_DATADIR/mysqld.pid"
else
  DATADIR="$(mysqld_default datadir)" SOCKET="$(mysqld_default socket)" PIDFILE="$(mysqld_default pid-file)"
  DATADIR="${DATADIR:-/var/lib/mysql}" SOCKET="${SOCKET:-/run/mysqld/mysqld.sock}" PIDFILE="${PIDFILE:-/run/mysqld/mysqld.pid}"
fi
if $DB_LOCAL && ! $DB_UP; then
  is_root || die "MariaDB is installed but not running on $DB_HOST:$DB_PORT. Start it, then run this again:
    sudo service mariadb start"
  MYSQLD_ARGS=(--user=mysql --port="$DB_PORT" --bind-address=127.0.0.1)
  if [ -n "${MARIADB_DATADIR:-}" ]; then
    MYSQLD_ARGS+=(--datadir="$DATADIR" --socket="$SOCKET" --pid-file="$PIDFILE" --log-error="$DATADIR/error.log")
  fi
  if [ ! -d "$DATADIR/mysql" ]; then
    mkdir -p "$DATADIR"
    chown mysql:mysql "$DATADIR" 2>/dev/null || true
    "$(find_prog mariadb-install-db mysql_install_db)" --user=mysql --datadir="$DATADIR" >/dev/null
    DB_FRESH=true
  fi
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  # The distribution's init script when it fits (default port and data directory), else the daemon itself.
  if [ -z "${MARIADB_DATADIR:-}" ] && [ "$DB_PORT" = 3306 ] && have service && [ -e /etc/init.d/mariadb ] &&
    service mariadb start >/dev/null 2>&1 && wait_for MariaDB 30 db_answers; then
    :
  elif [ -z "${MARIADB_DATADIR:-}" ] && [ "$DB_PORT" = 3306 ] && have service && [ -e /etc/init.d/mysql ] &&
    service mysql start >/dev/null 2>&1 && wait_for MariaDB 30 db_answers; then
    :
  elif have start-stop-daemon; then
    start-stop-daemon --start --oknodo --background --pidfile "$PIDFILE" --exec "$MARIADBD" -- "${MYSQLD_ARGS[@]}"
  else
    nohup "$(find_prog mysqld_safe)" "${MYSQLD_ARGS[@]}" >/dev/null 2>&1 &
  fi
  DB_STARTED=true
fi
if $DB_LOCAL; then
  wait_for MariaDB 60 db_answers || die "MariaDB did not answer on $DB_HOST:$DB_PORT within 60 s${DATADIR:+ (see its error log under $DATADIR or /var/log/mysql)}"
  if $DB_STARTED; then done_step "started on $DB_HOST:$DB_PORT"; else done_step "answers on $DB_HOST:$DB_PORT"; fi
else
  done_step "at $DB_HOST:$DB_PORT, not on this machine: not managed here"
fi

# ---- start Redis ------------------------------------------------------------------
step "Redis"
if ! $REDIS_LOCAL; then
  done_step "at $RD_HOST:$RD_PORT, not on this machine: not managed here"
elif ! $REDIS_UP; then
  "$REDIS_SERVER" --daemonize yes --bind 127.0.0.1 --port "$RD_PORT" --save "" --appendonly no >/dev/null
  wait_for Redis 30 redis_answers || die "Redis did not answer on $RD_HOST:$RD_PORT within 30 s"
  done_step "started on $RD_HOST:$RD_PORT"
else
  done_step "answers on $RD_HOST:$RD_PORT"
fi

# ---- root over TCP without a password (what the defaults expect) -------------------
# Debian's MariaDB lets root in through the unix socket only. When DATABASE_URL is
# root with no password on this machine and that login fails, open it for TCP, but
# only on a fresh install: one this script just installed or initialised, or one
# holding no databases besides the system ones and this project's own.
db_login() {
  "$MARIADB_CLIENT" --protocol=tcp -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" ${DB_PASS:+"-p$DB_PASS"} \
    --connect-timeout=5 -N -e 'SELECT 1' >/dev/null 2>&1
}
socket_sql() { "$MARIADB_CLIENT" --protocol=socket --socket="$SOCKET" -u root -N -e "$1"; }
step "MariaDB login"
if $DB_LOCAL && [ -n "$MARIADB_CLIENT" ] && ! db_login; then
  HOW="    mariadb -u root -e \"ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket\"
  and, if the server runs with skip-name-resolve:
    mariadb -u root -e \"CREATE USER IF NOT EXISTS root@127.0.0.1 IDENTIFIED BY ''; GRANT ALL PRIVILEGES ON *.* TO root@127.0.0.1 WITH GRANT OPTION\"
  or set DATABASE_URL to an account that can log in, e.g. mysql://shop:secret@127.0.0.1:3306/shop"
  [ "$DB_USER" = root ] && [ -z "$DB_PASS" ] || die "cannot log in to MariaDB as $DB_USER on $DB_HOST:$DB_PORT; check DATABASE_URL"
  is_root || die "root cannot log in to MariaDB over TCP without a password. As root, run:
$HOW"
  # The socket must lead to the very server on DB_PORT: never change another one.
  SOCKET_PORT="$(socket_sql 'SELECT @@port' 2>/dev/null || true)"
  [ "$SOCKET_PORT" = "$DB_PORT" ] || die "root cannot log in to MariaDB over TCP without a password, and the socket $SOCKET does not lead to the server on port $DB_PORT, so nothing was changed. On that server, as root, run:
$HOW"
  OTHERS="$(socket_sql 'SHOW DATABASES' 2>/dev/null |
    grep -Ev '^(information_schema|mysql|performance_schema|sys|test|shop|shop_test_.*|shop_bench_.*)$' || true)"
  if ! $DB_FRESH && [ -n "$OTHERS" ]; then
    die "root cannot log in to MariaDB over TCP without a password, and this server holds other databases, so it is left as it is. To allow it, run:
$HOW"
  fi
  # With host names resolved, a TCP client on 127.0.0.1 is root@localhost: let that account
  # take an empty password besides the socket. With skip-name-resolve it never is: add root@127.0.0.1.
  if [ "$(socket_sql 'SELECT @@skip_name_resolve' 2>/dev/null || true)" != 1 ]; then
    socket_sql "ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket" 2>/dev/null || true
  fi
  if ! db_login; then
    socket_sql "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION" ||
      die "could not grant root@127.0.0.1; run as root:
$HOW"
  fi
  db_login || die "root still cannot log in over TCP on $DB_HOST:$DB_PORT"
  done_step "root@127.0.0.1 may now log in over TCP without a password (fresh local install)"
elif $DB_LOCAL; then
  done_step "$DB_USER can log in"
else
  done_step "not checked (server not on this machine)"
fi

# ---- schema ---------------------------------------------------------------------------
step "schema"
quiet npm run --silent db:migrate
done_step "$(tail -n 1 "$QUIET_LOG" | sed 's/^db:migrate: //')"
note "ready (DATABASE_URL=$(printf '%s' "$DATABASE_URL" | sed -E 's#//([^:@/]*):[^@/]*@#//\1:***@#'), REDIS_URL=$(printf '%s' "$REDIS_URL" | sed -E 's#//([^:@/]*):[^@/]*@#//\1:***@#'))"
