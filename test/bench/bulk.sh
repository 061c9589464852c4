#!/bin/sh
# Bulk load benchmark (issue 4): how much does pg_mql add to loading events,
# against the floor (the same events table and indexes, no trigger) and two
# PL/pgSQL peers with the same semantics (peer/row_trigger.sql: a row-level
# trigger; peer/set_trigger.sql: a statement-level set-based trigger).
#
# Runs inside an existing cluster (PG* environment variables; a superuser,
# pg_mql installed), in its own database $BENCH_DB, which it drops and
# recreates. For each repetition, load method (COPY from a file written once
# by COPY TO, and INSERT ... SELECT from a staging table) and contender, it
# resets the contender to the same starting state (seeded leads, no events),
# runs VACUUM ANALYZE and CHECKPOINT, then times the load alone
# (clock_timestamp() in the server before and after; the load commits in
# between). Prints every run, then the medians and their ratio to the
# floor's, as TSV and as a table. Then checks that the peers agree with
# pg_mql (agree.sql), again after loading the same events in $BATCHES
# statements (late events across statements exercise the late-event paths),
# and after cases.sql (hand-made cases, pg_mql checked against hand-computed
# outcomes).
# Exits non-zero if any contender disagrees; timings never fail the run.
#
# Environment (defaults in brackets):
#   LEADS [100000]  EVENTS [1000000]  REPEAT [3]  BATCHES [10; 0 skips]
#   CONTENDERS ["floor pg_mql peer_set peer_row"]  METHODS ["copy insert"]
#   BENCH_DB [pg_mql_bench]  RESULTS [unset: file to write the medians TSV to]
#   TOUCH_CATEGORY [sales_touch: category of the sales_call event type; any
#     other value means the data has no sales touches for pg_mql to track]
# Small agreement check, e.g. for CI:
#   LEADS=1000 EVENTS=10000 REPEAT=1 test/bench/bulk.sh
set -eu

here=$(cd "$(dirname "$0")" && pwd)
LEADS=${LEADS:-100000}
EVENTS=${EVENTS:-1000000}
REPEAT=${REPEAT:-3}
BATCHES=${BATCHES:-10}
CONTENDERS=${CONTENDERS:-"floor pg_mql peer_set peer_row"}
METHODS=${METHODS:-"copy insert"}
BENCH_DB=${BENCH_DB:-pg_mql_bench}
TOUCH_CATEGORY=${TOUCH_CATEGORY:-sales_touch}

work=$(mktemp -d "${TMPDIR:-/tmp}/pg_mql_bulk.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_bench() { psql -X -q -v ON_ERROR_STOP=1 -d "$BENCH_DB" "$@"; }
say() { printf '%s\n' "$*"; }

schema_of() {
  case $1 in
    pg_mql) echo mql ;;
    floor | peer_set | peer_row) echo "$1" ;;
    *) say "bulk.sh: unknown contender $1" >&2; exit 2 ;;
  esac
}

tables_of() {
  case $1 in
    floor) echo "floor.events" ;;
    pg_mql) echo "mql.events, mql.leads, mql.stage_history, mql.lead_facts, mql.rollup, mql.rollup_delta" ;;
    *) echo "$1.events, $1.leads, $1.stage_history" ;;
  esac
}

# ---------------------------------------------------------------- setup
say "== setup: database $BENCH_DB, $LEADS leads, $EVENTS events, sales_call category $TOUCH_CATEGORY"
psql_admin -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB" -c "CREATE DATABASE $BENCH_DB"
psql_bench -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_mql"
psql_bench -v leads="$LEADS" -v events="$EVENTS" -v touch_category="$TOUCH_CATEGORY" -f "$here/data.sql"
psql_bench -c "SET client_min_messages = warning" \
  -f "$here/peer/common.sql" -f "$here/peer/set_trigger.sql" -f "$here/peer/row_trigger.sql"
psql_bench <<'SQL'
SET client_min_messages = warning;
-- The floor: pg_mql's events table and indexes, no trigger.
CREATE SCHEMA floor;
CREATE TABLE floor.events (
  event_id bigserial,
  lead_id bigint NOT NULL,
  event_type text NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  properties jsonb,
  PRIMARY KEY (lead_id, event_id)
);
CREATE TABLE bench.timings (contender text, method text, run int, seconds double precision);

-- Puts a contender back to the state before a load: no events, the seeded
-- leads with their 'created' history rows, sequences restarted (so every
-- contender numbers the same events the same way).
CREATE FUNCTION bench.reset(contender text) RETURNS void
  LANGUAGE plpgsql
  AS $$
  BEGIN
    CASE contender
    WHEN 'floor' THEN
      TRUNCATE floor.events RESTART IDENTITY;
    WHEN 'pg_mql' THEN
      -- mql.stage_history is append-only: a BEFORE TRUNCATE trigger refuses
      -- TRUNCATE. With session_replication_role = replica (superuser only)
      -- ordinary triggers do not fire, so pg_mql's user data and derived
      -- rows (facts, rollups) can be emptied together, configuration kept.
      -- Leads are then inserted with triggers on, as an application would.
      PERFORM set_config('session_replication_role', 'replica', true);
      TRUNCATE mql.events, mql.stage_history, mql.leads, mql.lead_facts, mql.rollup, mql.rollup_delta
        RESTART IDENTITY;
      PERFORM set_config('session_replication_role', 'origin', true);
      INSERT INTO mql.leads (lead_id, email, source, campaign, attributes, stage, created_at,
                             stage_changed_at, first_mql_at)
      SELECT s.lead_id, s.email, s.source, s.campaign, s.attributes, s.stage::mql.stage, s.created_at,
             s.stage_changed_at, s.first_mql_at
        FROM bench.leads_seed AS s ORDER BY s.lead_id;
    WHEN 'peer_set', 'peer_row' THEN
      EXECUTE format('TRUNCATE %1$I.events, %1$I.stage_history, %1$I.leads RESTART IDENTITY', contender);
      EXECUTE format('INSERT INTO %I.leads (lead_id, email, source, campaign, attributes, stage, created_at, '
                     '                      stage_changed_at, first_mql_at) '
                     'SELECT s.lead_id, s.email, s.source, s.campaign, s.attributes, s.stage, s.created_at, '
                     '       s.stage_changed_at, s.first_mql_at '
                     '  FROM bench.leads_seed AS s ORDER BY s.lead_id', contender);
    END CASE;
  END
  $$;
SQL
psql_bench -c "\\copy (SELECT lead_id, event_type, occurred_at, properties FROM bench.events_staging ORDER BY seq) TO '$work/events.copy'"
psql_bench -At -F ' ' -c "SELECT 'server:', current_setting('server_version'), 'shared_buffers', current_setting('shared_buffers'), 'max_wal_size', current_setting('max_wal_size'), 'synchronous_commit', current_setting('synchronous_commit'), 'fsync', current_setting('fsync')"

reset() {
  printf "SET client_min_messages = warning;\nSELECT bench.reset(:'c');\n" | psql_bench -v c="$1" >/dev/null
  psql_bench -c "VACUUM ANALYZE $(tables_of "$1"), bench.events_staging" -c "CHECKPOINT"
}

# Loads the staged events into contender $1 by method $2 (copy | insert |
# batches:N) and records the time as run $3.
load() {
  s=$(schema_of "$1")
  cols="lead_id, event_type, occurred_at, properties"
  case $2 in
    copy) stmt="\\copy $s.events ($cols) FROM '$work/events.copy'" ;;
    insert) stmt="INSERT INTO $s.events ($cols) SELECT $cols FROM bench.events_staging;" ;;
    batches:*)
      n=${2#batches:}
      stmt="SELECT format('INSERT INTO $s.events ($cols) SELECT $cols FROM bench.events_staging WHERE seq > %s AND seq <= %s', b * c.n / $n, (b + 1) * c.n / $n) FROM (SELECT count(*) AS n FROM bench.events_staging) AS c, generate_series(0, $n - 1) AS b ORDER BY b \\gexec" ;;
  esac
  psql_bench -v c="$1" -v m="$2" -v r="$3" <<SQL
SET synchronize_seqscans = off; -- INSERT ... SELECT reads the staging table in seq order
SELECT clock_timestamp() AS t0 \gset
$stmt
INSERT INTO bench.timings VALUES (:'c', :'m', :r, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
SQL
}

# ---------------------------------------------------------------- timed loads
r=1
while [ "$r" -le "$REPEAT" ]; do
  for m in $METHODS; do
    for c in $CONTENDERS; do
      reset "$c"
      load "$c" "$m" "$r"
      psql_bench -At -c "SELECT format('run %s  %-8s %-6s %s s', run, contender, method, round(seconds::numeric, 3)) FROM bench.timings ORDER BY ctid DESC LIMIT 1"
    done
  done
  r=$((r + 1))
done

say "== medians and ratio to the floor (TSV)"
report="
  WITH med AS (
    SELECT contender, method, percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS median
      FROM bench.timings WHERE method IN ('copy', 'insert') GROUP BY contender, method)
  SELECT m.contender, m.method, round(m.median::numeric, 3) AS median_seconds,
         round((m.median / f.median)::numeric, 2) AS ratio
    FROM med AS m LEFT JOIN med AS f ON f.contender = 'floor' AND f.method = m.method
   ORDER BY m.method, array_position(ARRAY['floor', 'pg_mql', 'peer_set', 'peer_row'], m.contender)"
psql_bench -A -F "$(printf '\t')" -P footer=off -c "$report" | tee "$work/medians.tsv"
if [ -n "${RESULTS:-}" ]; then cp "$work/medians.tsv" "$RESULTS"; fi
say ""
psql_bench -P footer=off -c "$report"
psql_bench -P footer=off <<'SQL'
WITH med AS (
  SELECT contender, method, percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS median
    FROM bench.timings WHERE method IN ('copy', 'insert') GROUP BY contender, method),
p AS (
  SELECT method,
         max(median) FILTER (WHERE contender = 'floor') AS floor,
         max(median) FILTER (WHERE contender = 'pg_mql') AS pg_mql,
         max(median) FILTER (WHERE contender = 'peer_set') AS peer_set,
         max(median) FILTER (WHERE contender = 'peer_row') AS peer_row
    FROM med GROUP BY method)
SELECT method,
       round((pg_mql / floor)::numeric, 2) AS "pg_mql/floor (<= 1.5, goal 1.25)",
       round((peer_row / pg_mql)::numeric, 1) AS "peer_row/pg_mql (>= 5)",
       round((peer_set / pg_mql)::numeric, 2) AS "peer_set/pg_mql (> 1)"
  FROM p ORDER BY method;
SQL

# ---------------------------------------------------------------- agreement
for c in pg_mql peer_set peer_row; do
  case " $CONTENDERS " in
    *" $c "*) ;;
    *) say "== agreement skipped: needs pg_mql, peer_set and peer_row in CONTENDERS"; exit 0 ;;
  esac
done
say "== agreement after the timed single-statement loads"
psql_bench -f "$here/agree.sql"

if [ "$BATCHES" -gt 1 ]; then
  say "== agreement after loading the same events in $BATCHES statements"
  for c in pg_mql peer_set peer_row; do
    reset "$c"
    load "$c" "batches:$BATCHES" 0
    psql_bench -At -c "SELECT format('%-8s %s statements %s s', contender, $BATCHES, round(seconds::numeric, 3)) FROM bench.timings WHERE method LIKE 'batches:%' ORDER BY ctid DESC LIMIT 1"
  done
  psql_bench -f "$here/agree.sql"
fi

say "== hand-made cases (out-of-order events in one statement, late events, exact ties)"
psql_bench -f "$here/cases.sql"
psql_bench -f "$here/agree.sql"
