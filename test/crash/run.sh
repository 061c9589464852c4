#!/usr/bin/env bash
# Crash test: runs a concurrent load (build/mql_stress --crash) against a
# cluster of its own, kills the postmaster and all its backends with SIGKILL
# in the middle of it, restarts the server (crash recovery), and runs the
# oracle: every transaction the client saw committed is there and scored,
# nothing the client did not commit is there, a transaction whose COMMIT was
# sent but never answered is there completely or not at all, and every
# invariant of the stress test holds.
#
# Environment: MQL_CRASH_COMMITS (acknowledged commits before the kill,
# default 500), MQL_CRASH_LEADS (default 1000), MQL_CRASH_WRITERS (8),
# MQL_CRASH_STAGERS (2). Needs pg_mql installed and build/mql_stress built
# (scripts/crash-test.sh does both). Runs as root (the server then runs as
# postgres) or as any user that may run initdb.
set -euo pipefail
cd "$(dirname "$0")/../.."
stress=$PWD/build/mql_stress
bin=/usr/lib/postgresql/15/bin
commits=${MQL_CRASH_COMMITS:-500}
leads=${MQL_CRASH_LEADS:-1000}
workers=(--writers "${MQL_CRASH_WRITERS:-8}" --stagers "${MQL_CRASH_STAGERS:-2}")

work=$(mktemp -d /tmp/mql_crash.XXXXXX)
as_server() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres "$work"
export PGHOST=$work PGPORT=5432 PGUSER=postgres PGDATABASE=postgres

client=""
server=""
ok=0
cleanup() {
  [ -n "$client" ] && kill "$client" 2>/dev/null || true
  as_server "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  [ -n "$server" ] && wait "$server" 2>/dev/null || true
  if [ "$ok" -eq 1 ]; then rm -rf "$work"; else echo "crash test: files kept in $work" >&2; fi
}
trap cleanup EXIT

# Not a zombie and not gone: a backend of the killed server still running.
alive() { ps -o stat= -p "$1" 2>/dev/null | grep -qv '^Z'; }

# The server runs as a child of this script (not daemonized by pg_ctl), so
# that this script reaps the killed postmaster: a zombie left with init would
# keep its PID alive and the restarted server would refuse its lock file.
start_server() {
  as_server "$bin/postgres" -D "$work/data" -c listen_addresses='' -k "$work" -p 5432 \
    >>"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do
    "$bin/pg_isready" -q -h "$work" -p 5432 && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.2
  done
  echo "crash test: the server did not start" >&2
  tail -20 "$work/server.log" >&2
  exit 1
}

as_server "$bin/initdb" -D "$work/data" -A trust -U postgres >/dev/null
start_server
"$stress" --mode setup --leads "$leads" --log-dir "$work/logs"

"$stress" --mode load --crash --seconds 600 --leads "$leads" "${workers[@]}" \
  --log-dir "$work/logs" >"$work/load.out" 2>&1 &
client=$!
# Kill once enough commits were acknowledged (bounded wait: the load may be slow).
for _ in $(seq 1 600); do
  n=$(cat "$work"/logs/*.log 2>/dev/null | grep -c '^C ' || true)
  [ "$n" -ge "$commits" ] && break
  kill -0 "$client" 2>/dev/null || break
  sleep 0.2
done
pm=$(head -1 "$work/data/postmaster.pid")
children=$(pgrep -P "$pm" || true)
echo "crash test: SIGKILL postmaster $pm and $(echo "$children" | wc -w) children after $n acknowledged commits"
# shellcheck disable=SC2086
kill -KILL "$pm" $children
status=0
wait "$client" || status=$?
client=""
cat "$work/load.out"
[ "$status" -eq 0 ] || { echo "crash test: the load client failed before the check" >&2; exit 1; }
wait "$server" || true
server=""
for p in $children; do
  for _ in $(seq 1 100); do alive "$p" || break; sleep 0.1; done
done

start_server
grep -E "database system was interrupted|redo done|database system is ready" "$work/server.log" |
  sed 's/^[^]]*] //; s/^/crash test: server: /' | tail -4 || true
"$stress" --mode check --crash --leads "$leads" "${workers[@]}" --log-dir "$work/logs"
ok=1
echo "crash test: OK"
