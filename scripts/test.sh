#!/usr/bin/env bash
# The whole test suite, as CI runs it (`npm test`, .ci/run). Steps, each run even if an earlier one failed:
#   typecheck     npx tsc --noEmit
#   lint          npx eslint . (promise misuse, exhaustive switches, module boundaries)
#   format        npx prettier --check . (.prettierrc.json; `npm run format` rewrites)
#   audit         npm audit: high or critical advisories fail (skipped with a warning when the advisory service is unreachable)
#   unit          npx vitest run --project unit
#   int-pglite    npx vitest run --project int   (embedded PGlite; TEST_DATABASE_URL unset)
#   e2e           npx vitest run --project e2e   (browser journeys in Debian's chromium, installed if missing)
#   int-postgres  npx vitest run --project int   (throwaway PostgreSQL 15 from scripts/pg-temp.sh)
#   check:NAME    every executable scripts/checks/*.sh, in name order, with TEST_DATABASE_URL (and
#                 PG_TEMP_DIR etc., see scripts/pg-temp.sh) still set: crash/kill tests and the like.
#                 A check may crash and restart the server with `scripts/pg-temp.sh crash|restart`.
# First `npm ci` if node_modules is missing or older than package-lock.json. The PostgreSQL server is
# stopped and its folder removed however the run ends (failure, Ctrl-C, SIGTERM). The last line of
# output is `N passed, M failed`; the exit status is 0 only if no step failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=scripts/pg-temp.sh
source "$ROOT/scripts/pg-temp.sh"

# Every step starts without a database URL; only int-postgres and the checks get one (ours).
unset TEST_DATABASE_URL PG_TEMP_DIR PG_TEMP_DATA PG_TEMP_PORT PG_TEMP_BIN

STEP_NAMES=()
STEP_RESULTS=()
STEP_SECONDS=()
CURRENT_STEP=
CURRENT_START=$SECONDS
CHILD=
SUMMARY_PRINTED=

header() { printf '\n==================== %s ====================\n' "$*"; }

record() { # name PASS|FAIL seconds [note]
  STEP_NAMES+=("$1")
  STEP_RESULTS+=("$2${4:+ ($4)}")
  STEP_SECONDS+=("$3")
}

# Kills a process and all its descendants (children first collected, so none escapes by reparenting).
kill_tree() {
  local pid=$1 sig=${2:-TERM} all=() queue=("$1") p c
  if command -v ps >/dev/null 2>&1; then
    while [[ ${#queue[@]} -gt 0 ]]; do
      p=${queue[0]}; queue=("${queue[@]:1}"); all+=("$p")
      for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do queue+=("$c"); done
    done
  else
    all=("$pid")
  fi
  kill "-$sig" "${all[@]}" 2>/dev/null || true
}

# Runs a command in the background and waits, so that a signal to this script runs its trap at once
# (bash defers traps until a foreground command ends). Its stdin is /dev/null.
run_child() {
  "$@" &
  CHILD=$!
  local rc=0
  wait "$CHILD" || rc=$?
  CHILD=
  return "$rc"
}

run_step() { # name command...
  local name=$1 start=$SECONDS rc=0
  shift
  header "$name: $*"
  CURRENT_STEP=$name
  CURRENT_START=$start
  run_child "$@" || rc=$?
  CURRENT_STEP=
  if [[ $rc -eq 0 ]]; then
    record "$name" PASS $((SECONDS - start))
    printf -- '--> %s passed (%ss)\n' "$name" $((SECONDS - start))
  else
    record "$name" FAIL $((SECONDS - start)) "exit $rc"
    printf -- '--> %s FAILED with exit status %s (%ss)\n' "$name" "$rc" $((SECONDS - start))
  fi
}

print_summary() {
  [[ -z $SUMMARY_PRINTED ]] || return 0
  SUMMARY_PRINTED=1
  local i passed=0 failed=0
  header "summary"
  for i in "${!STEP_NAMES[@]}"; do
    printf '  %-40s %5ss  %s\n' "${STEP_NAMES[$i]}" "${STEP_SECONDS[$i]}" "${STEP_RESULTS[$i]}"
    if [[ ${STEP_RESULTS[$i]} == PASS* ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done
  FAILED_COUNT=$failed
  printf '%s passed, %s failed\n' "$passed" "$failed"
}

cleanup() {
  local rc=$?
  trap '' INT TERM HUP
  if [[ -n $CHILD ]]; then
    kill_tree "$CHILD" TERM
    sleep 2
    kill_tree "$CHILD" KILL
    wait "$CHILD" 2>/dev/null || true
    CHILD=
  fi
  if [[ -n ${PG_TEMP_DIR:-} ]]; then
    header "stopping PostgreSQL"
    pg_temp_stop || true
  fi
  if [[ -z $SUMMARY_PRINTED ]]; then
    if [[ -n $CURRENT_STEP ]]; then record "$CURRENT_STEP" FAIL $((SECONDS - CURRENT_START)) "interrupted"; fi
    print_summary
  fi
  exit "$rc"
}

on_signal() { # exit status; the EXIT trap does the cleaning
  trap '' INT TERM HUP
  printf '\n!!! interrupted (%s)\n' "$1" >&2
  exit "$2"
}

trap cleanup EXIT
trap 'on_signal SIGINT 130' INT
trap 'on_signal SIGTERM 143' TERM
trap 'on_signal SIGHUP 129' HUP

# --- dependencies -----------------------------------------------------------------------------------
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  header "npm ci (node_modules missing or older than package-lock.json)"
  if ! run_child npm ci --no-audit --no-fund; then
    record install FAIL 0 "npm ci failed"
    print_summary
    exit 1
  fi
fi

# --- steps ------------------------------------------------------------------------------------------
run_step typecheck npx tsc --noEmit
run_step lint npx eslint .
run_step format npx prettier --check .
run_step audit node scripts/audit-deps.mjs
run_step unit npx vitest run --project unit
# --passWithNoTests for the int project only: it may have no test files yet.
run_step int-pglite npx vitest run --project int --passWithNoTests

# Browser journeys need Debian's Chromium (Playwright's own browser download does not work here).
ensure_chromium() {
  local bin=${CHROMIUM_PATH:-/usr/bin/chromium}
  [[ -x $bin ]] && return 0
  if [[ $EUID -ne 0 ]]; then echo "!!! $bin is missing and only root can install it" >&2; return 1; fi
  header "installing Debian's chromium"
  DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 chromium >&2
}
if ensure_chromium; then
  run_step e2e npx vitest run --project e2e
else
  record e2e FAIL 0 "no chromium"
fi

header "starting a throwaway PostgreSQL"
PG_OK=
if pg_temp_start; then
  PG_OK=1
else
  echo "!!! could not start PostgreSQL: int-postgres and the checks fail without running" >&2
fi

if [[ -n $PG_OK ]]; then
  run_step int-postgres npx vitest run --project int --passWithNoTests
else
  record int-postgres FAIL 0 "no PostgreSQL"
fi

if [[ -d scripts/checks ]]; then
  while IFS= read -r check; do
    name="check:$(basename "$check" .sh)"
    if [[ ! -x $check ]]; then
      echo "--- skipping $check: not executable" >&2
      continue
    fi
    if [[ -z $PG_OK ]]; then
      record "$name" FAIL 0 "no PostgreSQL"
      continue
    fi
    # Each check gets a running server even if an earlier one crashed, stopped or removed it.
    if [[ -z ${PG_TEMP_DIR:-} || ! -f $PG_TEMP_DIR/.pg-temp ]]; then
      pg_temp_stop || true
      header "starting a new throwaway PostgreSQL"
      if ! pg_temp_start; then PG_OK=; record "$name" FAIL 0 "no PostgreSQL"; continue; fi
    elif ! "$PG_TEMP_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_TEMP_PORT" -t 2; then
      header "restarting PostgreSQL"
      if ! pg_temp_restart; then record "$name" FAIL 0 "PostgreSQL did not restart"; continue; fi
    fi
    run_step "$name" "$check"
  done < <(find scripts/checks -maxdepth 1 -type f -name '*.sh' | LC_ALL=C sort)
fi

if [[ -n ${PG_TEMP_DIR:-} ]]; then
  header "stopping PostgreSQL"
  pg_temp_stop || echo "!!! could not stop PostgreSQL cleanly" >&2
fi

print_summary
[[ $FAILED_COUNT -eq 0 ]]
