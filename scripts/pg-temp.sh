#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the integration tests.
#
# As a command:
#   scripts/pg-temp.sh run [--] CMD [ARGS...]  start a server, run CMD with TEST_DATABASE_URL set, then
#                                              stop the server and remove its folder (always: on failure,
#                                              Ctrl-C or SIGTERM too); exits with CMD's status
#   eval "$(scripts/pg-temp.sh start)"         start a server and leave it running; prints `export ...`
#                                              lines (TEST_DATABASE_URL, PG_TEMP_*) for the caller
#   scripts/pg-temp.sh stop [DIR]              stop a server started by `start` (DIR: $PG_TEMP_DIR)
#   scripts/pg-temp.sh crash [DIR]             SIGKILL the server and all its processes (a crash)
#   scripts/pg-temp.sh restart [DIR]           start it again (same port, data and URL)
#
# As a library (`source scripts/pg-temp.sh`, as scripts/test.sh does): pg_temp_start, pg_temp_stop,
# pg_temp_crash, pg_temp_restart. pg_temp_start exports TEST_DATABASE_URL, PG_TEMP_DIR, PG_TEMP_DATA,
# PG_TEMP_PORT and PG_TEMP_BIN; sourcing changes no shell options and sets no traps (the caller owns
# those), and the functions return non-zero instead of exiting, so call them as `if pg_temp_start`.
#
# Binaries: /usr/lib/postgresql/15/bin (never whatever pg_ctl is on PATH; e.g. /usr/local/bin/pg_ctl
# may be another version). If they are missing and we are root, installs Debian 12's `postgresql`
# (= 15) with apt-get, without creating/starting the distribution's default cluster. Override the
# folder with PG_BIN=/path/to/bin, the parent of the temp folder with PG_TEMP_PARENT (default /tmp).
# As root, initdb and the server run as the `postgres` user (they refuse to run as root).
#
# Settings: durable defaults (fsync, synchronous_commit and full_page_writes stay on, so crash tests
# mean something); only shared_buffers=128MB and max_connections=200 are set (PG_TEMP_OPTS adds more,
# e.g. "-c shared_preload_libraries=pg_stat_statements" to profile a bench). Listens on 127.0.0.1
# only, on a free port; the Unix socket lives in the private temp folder. Superuser `postgres` may
# connect only over that socket (trust); role `tinhso` (LOGIN CREATEDB, random password, scram) owns
# database `tinhso_test`. It is also in pg_signal_backend: PostgreSQL 15's DROP DATABASE ... WITH
# (FORCE) refuses a non-superuser when an autovacuum worker happens to be in that database.

PG_TEMP_VERSION=${PG_TEMP_VERSION:-15}

pg_temp_log() { printf '[pg-temp] %s\n' "$*" >&2; }

# Runs a command as the postgres user when we are root (initdb/postgres refuse root), else as us.
pg_temp__as() {
  if [[ $EUID -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

pg_temp__has_bin() { [[ -x $1/pg_ctl && -x $1/initdb && -x $1/postgres && -x $1/psql && -x $1/pg_isready ]]; }

# Prints the bin folder of PostgreSQL $PG_TEMP_VERSION (or $PG_BIN); fails if absent.
pg_temp_find_bin() {
  if [[ -n ${PG_BIN:-} ]]; then
    if pg_temp__has_bin "$PG_BIN"; then printf '%s\n' "$PG_BIN"; return 0; fi
    pg_temp_log "PG_BIN=$PG_BIN lacks pg_ctl/initdb/postgres/psql/pg_isready"
    return 1
  fi
  local d=/usr/lib/postgresql/$PG_TEMP_VERSION/bin
  if pg_temp__has_bin "$d"; then printf '%s\n' "$d"; return 0; fi
  return 1
}

# Prints the newest /usr/lib/postgresql/*/bin (a fallback if apt gave another major version).
pg_temp__any_bin() {
  local d best=
  while IFS= read -r d; do
    if pg_temp__has_bin "$d"; then best=$d; fi
  done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V)
  [[ -n $best ]] && printf '%s\n' "$best"
}

# Installs PostgreSQL from the Debian archive (Debian 12: version 15). Needs root. All output to stderr.
pg_temp_install() {
  if [[ $EUID -ne 0 ]]; then
    pg_temp_log "PostgreSQL $PG_TEMP_VERSION not found in /usr/lib/postgresql/$PG_TEMP_VERSION/bin and not root:"
    pg_temp_log "install it (Debian: apt-get install postgresql-$PG_TEMP_VERSION) or set PG_BIN"
    return 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    pg_temp_log "PostgreSQL $PG_TEMP_VERSION not found and apt-get is unavailable; set PG_BIN"
    return 1
  fi
  pg_temp_log "PostgreSQL $PG_TEMP_VERSION not found: installing it with apt-get"
  local apt_opts=(-y -q -o DPkg::Lock::Timeout=300)
  # postgresql-common first, so that its createcluster.conf can stop the `postgresql` package from
  # creating (and starting, on systemd machines) a default cluster on port 5432 that we never use.
  if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" postgresql-common; } >&2; then
    pg_temp_log "apt-get could not install postgresql-common"
    return 1
  fi
  local conf=/etc/postgresql-common/createcluster.conf
  if [[ -f $conf ]] && ! grep -Eq '^[[:space:]]*create_main_cluster[[:space:]]*=' "$conf"; then
    printf '\n# added by tinhso scripts/pg-temp.sh: tests use throwaway clusters\ncreate_main_cluster = false\n' >> "$conf"
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" postgresql >&2; then
    pg_temp_log "apt-get could not install postgresql"
    return 1
  fi
}

# Prints a free TCP port on 127.0.0.1 (the kernel's pick for port 0).
pg_temp_free_port() {
  local port=
  if command -v node >/dev/null 2>&1; then
    port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})' 2>/dev/null) || port=
  fi
  if [[ -z $port ]] && command -v python3 >/dev/null 2>&1; then
    port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()' 2>/dev/null) || port=
  fi
  if [[ ! $port =~ ^[0-9]+$ ]]; then pg_temp_log "cannot find a free port (needs node or python3)"; return 1; fi
  printf '%s\n' "$port"
}

# Reads key=value from DIR/.pg-temp (the marker written by pg_temp_start).
pg_temp__meta() { sed -n "s/^$2=//p" "$1/.pg-temp" 2>/dev/null | head -n 1; }

# Processes whose working directory is the data folder: the postmaster and all its children.
pg_temp__server_pids() {
  local p cwd
  for p in /proc/[0-9]*; do
    cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
    if [[ $cwd == "$1" ]]; then printf '%s\n' "${p#/proc/}"; fi
  done
}

# Starts the server of an initialised folder (used by start and restart).
pg_temp__pg_ctl_start() {
  local dir=$1 bin port
  bin=$(pg_temp__meta "$dir" bin); port=$(pg_temp__meta "$dir" port)
  local opts="-p $port -c listen_addresses=127.0.0.1 -k '$dir' -c shared_buffers=128MB -c max_connections=200 ${PG_TEMP_OPTS:-}"
  if ! pg_temp__as "$bin/pg_ctl" start -w -t 60 -D "$dir/data" -l "$dir/server.log" -o "$opts" >&2; then
    pg_temp_log "the server did not start; end of $dir/server.log:"
    tail -n 20 "$dir/server.log" >&2 2>/dev/null || true
    return 1
  fi
  local i
  for ((i = 0; i < 60; i++)); do
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2; then return 0; fi
    sleep 0.5
  done
  pg_temp_log "the server is not accepting connections on 127.0.0.1:$port"
  return 1
}

pg_temp_start() {
  if [[ -n ${PG_TEMP_DIR:-} && -f ${PG_TEMP_DIR}/.pg-temp ]]; then
    pg_temp_log "a server is already running in $PG_TEMP_DIR"
    return 1
  fi
  local bin
  if ! bin=$(pg_temp_find_bin); then
    [[ -z ${PG_BIN:-} ]] || return 1
    pg_temp_install || return 1
    if ! bin=$(pg_temp_find_bin); then
      bin=$(pg_temp__any_bin) || bin=
      if [[ -z $bin ]]; then pg_temp_log "no PostgreSQL binaries in /usr/lib/postgresql/*/bin after install"; return 1; fi
      pg_temp_log "warning: PostgreSQL $PG_TEMP_VERSION unavailable; using $bin"
    fi
  fi
  if [[ $EUID -eq 0 ]] && ! id -u postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /var/lib/postgresql --shell /bin/sh postgres || return 1
  fi

  local parent=${PG_TEMP_PARENT:-/tmp} dir
  dir=$(mktemp -d "$parent/tinhso-pg.XXXXXXXX") || return 1
  dir=$(cd "$dir" && pwd -P) || return 1
  # The marker lets pg_temp_stop recognise (and only then remove) a folder of ours.
  printf 'bin=%s\n' "$bin" > "$dir/.pg-temp" || return 1
  export PG_TEMP_DIR=$dir PG_TEMP_DATA=$dir/data PG_TEMP_BIN=$bin
  if [[ $EUID -eq 0 ]]; then chown postgres: "$dir" || return 1; fi
  chmod 700 "$dir" || return 1

  local locale_opt=(--no-locale)
  if locale -a 2>/dev/null | grep -Eqix 'c\.utf-?8'; then locale_opt=(--locale=C.UTF-8); fi
  if ! pg_temp__as "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 "${locale_opt[@]}" \
      --auth-local=trust --auth-host=scram-sha-256 --no-instructions >"$dir/initdb.log" 2>&1; then
    pg_temp_log "initdb failed:"; cat "$dir/initdb.log" >&2
    return 1
  fi

  local port= attempt started=
  for attempt in 1 2 3; do # another process may grab the port between the pick and the bind
    port=$(pg_temp_free_port) || return 1
    sed -i '/^port=/d' "$dir/.pg-temp" && printf 'port=%s\n' "$port" >> "$dir/.pg-temp"
    if pg_temp__pg_ctl_start "$dir"; then started=1; break; fi
    pg_temp__as "$bin/pg_ctl" stop -D "$dir/data" -m immediate >/dev/null 2>&1 || true
    pg_temp_log "start attempt $attempt on port $port failed"
  done
  [[ -n $started ]] || return 1
  export PG_TEMP_PORT=$port

  local pw
  pw=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n') || return 1
  [[ ${#pw} -eq 36 ]] || { pg_temp_log "cannot make a password"; return 1; }
  # Over stdin, so the password shows in no process list.
  if ! pg_temp__as "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres >&2 <<SQL
CREATE ROLE tinhso LOGIN CREATEDB PASSWORD '$pw';
GRANT pg_signal_backend TO tinhso;
CREATE DATABASE tinhso_test OWNER tinhso;
SQL
  then
    pg_temp_log "cannot create role tinhso / database tinhso_test"
    return 1
  fi
  local url="postgres://tinhso:$pw@127.0.0.1:$port/tinhso_test"
  if ! "$bin/psql" -X -q -At -d "$url" -c 'SELECT 1' >/dev/null; then
    pg_temp_log "cannot connect as tinhso over TCP"
    return 1
  fi
  printf 'url=%s\n' "$url" >> "$dir/.pg-temp"
  export TEST_DATABASE_URL=$url
  pg_temp_log "PostgreSQL $("$bin/postgres" -V | awk '{print $3}') ready on 127.0.0.1:$port (folder $dir)"
  pg_temp_log "TEST_DATABASE_URL=postgres://tinhso:***@127.0.0.1:$port/tinhso_test"
}

# Stops the server (fast shutdown, escalating) and removes its folder. Idempotent; a no-op when
# nothing was started. DIR defaults to $PG_TEMP_DIR.
pg_temp_stop() {
  local dir=${1:-${PG_TEMP_DIR:-}}
  [[ -n $dir ]] || return 0
  if [[ ! -d $dir ]]; then
    [[ $dir != "${PG_TEMP_DIR:-}" ]] || unset PG_TEMP_DIR PG_TEMP_DATA PG_TEMP_PORT PG_TEMP_BIN TEST_DATABASE_URL
    return 0
  fi
  if [[ ! -f $dir/.pg-temp ]]; then
    pg_temp_log "refusing to touch $dir: not a folder made by pg-temp.sh"
    return 1
  fi
  local bin rc=0 pids
  bin=$(pg_temp__meta "$dir" bin)
  if [[ -n $(pg_temp__server_pids "$dir/data") ]]; then
    pg_temp_log "stopping the server in $dir"
    if ! pg_temp__as "$bin/pg_ctl" stop -D "$dir/data" -m fast -w -t 60 >/dev/null 2>&1; then
      pg_temp_log "fast shutdown failed; trying immediate"
      pg_temp__as "$bin/pg_ctl" stop -D "$dir/data" -m immediate -w -t 30 >/dev/null 2>&1 || true
    fi
    pids=$(pg_temp__server_pids "$dir/data")
    if [[ -n $pids ]]; then
      pg_temp_log "killing leftover server processes: $(echo $pids)"
      kill -KILL $pids 2>/dev/null || true
      sleep 1
      if [[ -n $(pg_temp__server_pids "$dir/data") ]]; then
        pg_temp_log "server processes still alive in $dir/data"
        rc=1
      fi
    fi
  fi
  if [[ $rc -eq 0 ]]; then
    rm -rf -- "$dir" || rc=1
  fi
  if [[ $dir == "${PG_TEMP_DIR:-}" ]]; then
    unset PG_TEMP_DIR PG_TEMP_DATA PG_TEMP_PORT PG_TEMP_BIN TEST_DATABASE_URL
  fi
  return "$rc"
}

# Simulates a crash: SIGKILL to the postmaster and every backend at once, and waits until they are
# gone. The data folder stays; pg_temp_restart then runs crash recovery.
pg_temp_crash() {
  local dir=${1:-${PG_TEMP_DIR:-}} pids i
  [[ -n $dir && -f $dir/.pg-temp ]] || { pg_temp_log "crash: no pg-temp folder given"; return 1; }
  pids=$(pg_temp__server_pids "$dir/data")
  [[ -n $pids ]] || { pg_temp_log "crash: no server running in $dir"; return 1; }
  local postmaster
  postmaster=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null) || postmaster=
  kill -KILL $pids 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    [[ -n $(pg_temp__server_pids "$dir/data") ]] || break
    sleep 0.1
  done
  if [[ -n $(pg_temp__server_pids "$dir/data") ]]; then
    pg_temp_log "crash: server processes survived SIGKILL"
    return 1
  fi
  # The dead postmaster stays a zombie until init reaps it, and a zombie's PID in postmaster.pid makes
  # the next start refuse ("another postmaster running"). Wait for the reaping; if init does not reap
  # (some containers' PID 1), drop the stale lock file, as a reboot after a real crash would make it.
  if [[ $postmaster =~ ^[0-9]+$ ]]; then
    for ((i = 0; i < 50; i++)); do
      kill -0 "$postmaster" 2>/dev/null || return 0
      sleep 0.1
    done
    pg_temp_log "crash: postmaster $postmaster not reaped by init; removing its stale postmaster.pid"
    rm -f -- "$dir/data/postmaster.pid"
  fi
}

# Starts a stopped or crashed server again, on the same port (TEST_DATABASE_URL stays valid).
pg_temp_restart() {
  local dir=${1:-${PG_TEMP_DIR:-}}
  [[ -n $dir && -f $dir/.pg-temp ]] || { pg_temp_log "restart: no pg-temp folder given"; return 1; }
  if [[ -n $(pg_temp__server_pids "$dir/data") ]]; then
    pg_temp__as "$(pg_temp__meta "$dir" bin)/pg_ctl" stop -D "$dir/data" -m fast -w -t 60 >/dev/null 2>&1 || return 1
  fi
  pg_temp__pg_ctl_start "$dir"
}

# ---------------------------------------------------------------------------------------------------
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail

  pg_temp__child=
  pg_temp__on_signal() { # $1: exit status; the EXIT trap then stops the server
    trap '' INT TERM HUP
    if [[ -n $pg_temp__child ]]; then kill -TERM "$pg_temp__child" 2>/dev/null || true; wait "$pg_temp__child" 2>/dev/null || true; fi
    exit "$1"
  }

  cmd=${1:-}
  shift || true
  case $cmd in
    start)
      if ! pg_temp_start; then pg_temp_stop || true; exit 1; fi
      printf 'export %s=%q\n' TEST_DATABASE_URL "$TEST_DATABASE_URL" PG_TEMP_DIR "$PG_TEMP_DIR" \
        PG_TEMP_DATA "$PG_TEMP_DATA" PG_TEMP_PORT "$PG_TEMP_PORT" PG_TEMP_BIN "$PG_TEMP_BIN"
      ;;
    stop) pg_temp_stop "${1:-}" ;;
    crash) pg_temp_crash "${1:-}" ;;
    restart) pg_temp_restart "${1:-}" ;;
    run)
      [[ ${1:-} != -- ]] || shift
      [[ $# -gt 0 ]] || { echo "usage: $0 run [--] CMD [ARGS...]" >&2; exit 2; }
      trap 'pg_temp_stop || true' EXIT
      trap 'pg_temp__on_signal 130' INT
      trap 'pg_temp__on_signal 143' TERM
      trap 'pg_temp__on_signal 129' HUP
      pg_temp_start || exit 1
      # In the background + wait, so that a signal runs the traps at once instead of after CMD.
      if { : <&0; } 2>/dev/null; then "$@" <&0 & else "$@" & fi
      pg_temp__child=$!
      rc=0
      wait "$pg_temp__child" || rc=$?
      pg_temp__child=
      exit "$rc"
      ;;
    *)
      sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
fi
