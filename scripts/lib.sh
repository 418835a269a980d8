# Shared by setup.sh, start.sh and test.sh (sourced, not run): one line per step with
# its time, quiet commands whose output shows only when they fail, and apt-get that waits
# (bounded) for another apt or dpkg to finish instead of failing at once.

# Prefix of every line, e.g. "setup"; the sourcing script sets it.
: "${LOG_TAG:=setup}"
# How long apt may wait for the dpkg/apt lock held by another process, seconds.
: "${APT_LOCK_TIMEOUT:=300}"

die() { printf '[%s] error: %s\n' "$LOG_TAG" "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# step "name" … done_step "result": prints "[tag] name: result (1.2 s)".
STEP_NAME='' STEP_T0=''
step() { STEP_NAME="$1" STEP_T0="$EPOCHREALTIME"; }
done_step() {
  local ms=$(((${EPOCHREALTIME/[.,]/} - ${STEP_T0/[.,]/}) / 1000))
  printf '[%s] %s: %s (%d.%d s)\n' "$LOG_TAG" "$STEP_NAME" "$1" $((ms / 1000)) $((ms % 1000 / 100))
}
# A line that is no step of its own (a warning, a hint).
note() { printf '[%s] %s\n' "$LOG_TAG" "$*"; }

# Runs a command with its output kept aside; on failure shows the output's end and stops.
QUIET_LOG="$(mktemp -t shop-setup.XXXXXX)"
trap 'rm -f "$QUIET_LOG"' EXIT
quiet() {
  if ! "$@" >"$QUIET_LOG" 2>&1; then
    tail -n 30 "$QUIET_LOG" >&2
    die "${STEP_NAME:-step} failed: $*"
  fi
}

# apt-get, waiting up to APT_LOCK_TIMEOUT seconds in all for a lock another apt or dpkg holds
# (DPkg::Lock::Timeout covers dpkg's lock; the package lists' lock is retried here).
apt_get() {
  local deadline=$((SECONDS + APT_LOCK_TIMEOUT)) said=false wait=0
  export DEBIAN_FRONTEND=noninteractive
  while :; do
    # The first try doesn't wait, so a busy lock is announced before any waiting.
    if apt-get -q -o DPkg::Lock::Timeout="$wait" "$@" >"$QUIET_LOG" 2>&1; then
      return 0
    fi
    if grep -qiE 'could not get lock|unable to acquire the dpkg|is another process using it' "$QUIET_LOG"; then
      if [ "$SECONDS" -lt "$deadline" ]; then
        $said || note "another apt or dpkg process holds the package lock; waiting for it (at most ${APT_LOCK_TIMEOUT} s, APT_LOCK_TIMEOUT)"
        said=true
        sleep 2
        wait=$((deadline - SECONDS > 0 ? deadline - SECONDS : 0))
        continue
      fi
      grep -iE 'lock' "$QUIET_LOG" | head -n 3 >&2
      die "the package lock was still held after ${APT_LOCK_TIMEOUT} s: let the other apt/dpkg finish (or raise APT_LOCK_TIMEOUT), then run this again"
    fi
    tail -n 30 "$QUIET_LOG" >&2
    die "apt-get $* failed"
  done
}

# Installs Debian packages (as root), refreshing the package lists when one is unknown.
apt_install() {
  have apt-get || die "apt-get not found: install $* with this system's package manager"
  is_root || die "missing packages; install them, then run this again:
    sudo apt-get update && sudo apt-get install -y --no-install-recommends $*"
  local p
  for p in "$@"; do
    if ! apt-cache show "$p" >/dev/null 2>&1; then apt_get update; break; fi
  done
  apt_get install -y --no-install-recommends "$@"
}

# Ends the step with what only some tests need: installed when it can be (as root, with apt),
# otherwise named with the command to run and what fails meanwhile. Usage: install_for "<tests>" pkg...
install_for() {
  local tests="$1"
  shift
  if [ "$#" -eq 0 ]; then
    done_step "present"
  elif is_root && have apt-get; then
    apt_install "$@"
    done_step "installed $*"
  else
    done_step "missing $*: $tests will fail until installed: sudo apt-get install -y $*"
  fi
}

# First of the given programs found on PATH or in the sbin directories, else empty.
find_prog() {
  local p dir
  for p in "$@"; do
    if have "$p"; then command -v "$p"; return 0; fi
    for dir in /usr/sbin /usr/local/sbin /sbin; do
      if [ -x "$dir/$p" ]; then echo "$dir/$p"; return 0; fi
    done
  done
  return 0
}
