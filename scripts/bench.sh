#!/usr/bin/env bash
# The benchmark, by one command (also `make bench`): builds and installs
# pg_mql, starts a throwaway cluster, and runs side by side on the same data
#   bulk   1,000,000 events over 100,000 leads by COPY and INSERT ... SELECT:
#          the floor (no trigger), pg_mql, the PL/pgSQL peers (row-level and
#          set-based), checked to agree (test/bench/bulk.sh)
#   oltp   one event per transaction from 1, 2 and 8 clients (pgbench, with
#          the simple and the prepared protocol): throughput, p50 and p99
#          (test/bench/oltp/run.sh)
#   memory the backend's peak private memory while a 250,000-row and a
#          1,000,000-row COPY are scored, against the floor's
#          (test/bench/memory/peak.sh)
#   views  every BI view at 100,000 and 1,000,000 leads (test/bench/views.sql)
# and prints one table of medians and ratios. Environment: REPEAT (bulk and
# OLTP repeats, default 3), DURATION (seconds per OLTP run, default 15),
# PROTOCOLS (pgbench's -M for the OLTP runs, default "simple prepared"),
# VIEW_LEADS (default "100000 1000000"), SKIP (parts to leave out, e.g.
# "views"), DURABLE=1 (fsync on, as in production; pg_virtualenv turns it
# off by default).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh >/dev/null
out=$(mktemp -d)
chmod 777 "$out"
opts=()
if [ "${DURABLE:-0}" = 1 ]; then opts=(-o fsync=on); fi
export REPEAT="${REPEAT:-3}" DURATION="${DURATION:-15}" SKIP="${SKIP:-}"
export VIEW_LEADS="${VIEW_LEADS:-100000 1000000}" BENCH_OUT="$out"
pg_virtualenv -t "${opts[@]}" -- bash -c '
  set -euo pipefail
  skip() { case " $SKIP " in *" $1 "*) return 0;; esac; return 1; }
  if ! skip bulk && [ -x test/bench/bulk.sh ]; then
    echo "== bulk" >&2
    RESULTS="$BENCH_OUT/bulk.tsv" test/bench/bulk.sh >&2
  fi
  if ! skip oltp; then
    echo "== oltp" >&2
    test/bench/oltp/run.sh > "$BENCH_OUT/oltp.tsv"
  fi
  if ! skip memory; then
    echo "== memory" >&2
    # Two sizes: bounded memory means the same peak for both.
    for rows in 250000 1000000; do
      psql -X -q -v leads=1 -f test/bench/oltp/setup.sql >/dev/null
      psql -X -q -c "DROP TABLE IF EXISTS bench_staging" -f test/bench/memory/staging.sql >/dev/null
      for t in floor.events mql.events; do
        test/bench/memory/peak.sh "$t" "$rows" copy >> "$BENCH_OUT/memory.tsv"
      done
    done
  fi
  if ! skip views; then
    for n in $VIEW_LEADS; do
      echo "== views at $n leads" >&2
      psql -X -q -c "DROP EXTENSION IF EXISTS pg_mql CASCADE" >/dev/null
      psql -X -q -v leads="$n" -v verify=0 -v tsv_file="$BENCH_OUT/views_$n.tsv" \
        -f test/bench/views.sql >/dev/null
    done
  fi
'
test/bench/report.sh "$out"
