#!/usr/bin/env bash
# Dump and restore of a pg_mql database, end to end. Runs against the
# cluster the PG* environment variables point at, as a superuser, with
# pg_mql installed; scripts/test.sh runs it inside its throwaway cluster:
#
#   pg_virtualenv -t scripts/dump-restore-test.sh
#
# Loads test/dump/load.sql into a source database, dumps it and restores it
# in several ways (custom format, parallel, plain format through psql,
# data only into a new CREATE EXTENSION, section by section, without the
# derived tables and then mql.rebuild_rollups()), and compares every table
# and sequence row by row with the source; a restore without the documented
# option must report errors. Then it applies the same new
# activity (test/dump/more.sql) to the source and to restored copies and
# compares again: the restored database scores and transitions identically.
# Prints one "[dump-restore] ok: ..." or "[dump-restore] FAILED: ..." line
# per check, then a count; exits non-zero when a check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
ok() {
  echo "[dump-restore] ok: $1"
  passed=$((passed + 1))
}
bad() {
  echo "[dump-restore] FAILED: $1"
  failed=$((failed + 1))
}

# The documented restore option: pg_mql's triggers stay silent while rows
# are loaded exactly as they were dumped (docs/operations.md).
replica='-c session_replication_role=replica'

q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

fresh_db() {
  dropdb --if-exists "$1" 2>/dev/null; createdb "$1"
}

# Writes every pg_mql table of database $1 into directory $2, one file per
# table, rows in a fixed order. Mode exact: every column of every row
# (the restore must give back the same rows). Mode rebuilt: the rollup as
# net sums only (a rebuild compacts differently). Mode continued: as
# rebuilt, and without stage_history.recorded_at (the wall-clock time of
# recording).
snapshot() {
  local db=$1 dir=$2 mode=$3
  mkdir -p "$dir"
  local hist_cols='h.*'
  [ "$mode" = continued ] &&
    hist_cols='h.history_id, h.lead_id, h.from_stage, h.to_stage, h.changed_at, h.reason, h.score, h.actor, h.is_override'
  local -A tables=(
    [settings]='SELECT * FROM mql.settings'
    [event_weights]='SELECT * FROM mql.event_weights ORDER BY event_type'
    [fit_rules]='SELECT * FROM mql.fit_rules ORDER BY rule_id'
    [leads]='SELECT * FROM mql.leads ORDER BY lead_id'
    [events]='SELECT * FROM mql.events ORDER BY lead_id, event_id'
    [stage_history]="SELECT $hist_cols FROM mql.stage_history AS h ORDER BY h.lead_id, h.history_id"
    [lead_facts]='SELECT * FROM mql.lead_facts ORDER BY lead_id'
    [rollup_net]='SELECT family, by_source, metric, period, source, campaign, hours, sum(n)
                    FROM (SELECT * FROM mql.rollup UNION ALL SELECT * FROM mql.rollup_delta) AS r
                   GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7'
    [sequences]="SELECT 'events', last_value, is_called FROM mql.events_event_id_seq
                 UNION ALL SELECT 'fit_rules', last_value, is_called FROM mql.fit_rules_rule_id_seq
                 UNION ALL SELECT 'stage_history', last_value, is_called FROM mql.stage_history_history_id_seq"
  )
  if [ "$mode" = exact ]; then
    tables[rollup]='SELECT * FROM mql.rollup ORDER BY family, by_source, metric, period, source, campaign, hours'
    tables[rollup_delta]='SELECT * FROM mql.rollup_delta AS d ORDER BY d::text'
  fi
  local t
  for t in "${!tables[@]}"; do
    q -d "$db" -c "SET timezone = 'UTC'" -c "COPY (${tables[$t]}) TO STDOUT" >"$dir/$t" || return 1
  done
}

# Compares database $1 with the source snapshot in $2 (mode $3); on a
# difference prints its first lines.
same_as() {
  local db=$1 ref=$2 mode=$3 dir="$work/$1.$3"
  snapshot "$db" "$dir" "$mode" || return 1
  local t rc=0
  for t in "$ref"/*; do
    t=$(basename "$t")
    if ! cmp -s "$ref/$t" "$dir/$t"; then
      echo "  $db: mql.$t differs from the source:"
      diff "$ref/$t" "$dir/$t" | head -n 10 | sed 's/^/    /'
      rc=1
    fi
  done
  return $rc
}

# mql.verify_rollups() finds no difference in database $1.
rollups_exact() {
  [ "$(q -At -d "$1" -c 'SELECT count(*) FROM mql.verify_rollups()')" = 0 ]
}

# The grants on pg_mql's schema, tables and views in database $1 equal the
# source's (grants are schema, not data: not in a --data-only restore).
privileges() {
  q -At -d "$1" -c "SELECT nspname, nspacl::text FROM pg_namespace WHERE nspname = 'mql'
    UNION ALL SELECT relname, relacl::text FROM pg_class
     WHERE relnamespace = 'mql'::regnamespace AND relacl IS NOT NULL ORDER BY 1"
}
same_privileges() {
  local want
  want=$(privileges $src)
  [[ $want == *mqldump_bi* ]] && [ "$(privileges "$1")" = "$want" ]
}

# Runs a restore command with the documented option, keeping its messages;
# true when it succeeded without any error message.
restore() {
  local log="$work/restore.log"
  PGOPTIONS="$replica" "$@" >"$log" 2>&1
  local rc=$?
  if [ $rc -ne 0 ] || grep -q 'ERROR' "$log"; then
    sed 's/^/    /' "$log" | head -n 20
    return 1
  fi
}

check() {
  local name=$1
  shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}

echo "== dump and restore"
src=mqldump_src
fresh_db $src || exit 1
q -d $src -f test/dump/load.sql >/dev/null || {
  bad "load test/dump/load.sql"
  exit 1
}
rows=$(q -At -d $src -c "SELECT (SELECT count(*) FROM mql.leads) || ' leads, '
  || (SELECT count(*) FROM mql.events) || ' events, '
  || (SELECT count(*) FROM mql.stage_history) || ' history rows, stages '
  || (SELECT string_agg(DISTINCT stage::text, ' ') FROM mql.leads)")
echo "source: $rows"
check "source rollups are exact" rollups_exact $src
snapshot $src "$work/src.exact" exact || exit 1
snapshot $src "$work/src.rebuilt" rebuilt || exit 1
pg_dump -Fc -f "$work/src.dump" $src || exit 1
pg_dump -f "$work/src.sql" $src || exit 1

# 1. The documented restore: custom format, pg_restore into a new database.
fresh_db mqldump_a
check "pg_restore (custom format) succeeds" \
  restore pg_restore -d mqldump_a "$work/src.dump"
check "pg_restore (custom format) gives back every table" same_as mqldump_a "$work/src.exact" exact
check "pg_restore (custom format): rollups verify" rollups_exact mqldump_a
check "pg_restore (custom format): grants on the BI views come back" same_privileges mqldump_a

# 2. Parallel restore: the table data is loaded by several connections.
fresh_db mqldump_b
check "pg_restore -j 2 succeeds" \
  restore pg_restore -j 2 -d mqldump_b "$work/src.dump"
check "pg_restore -j 2 gives back every table" same_as mqldump_b "$work/src.exact" exact

# 3. Plain format through psql.
fresh_db mqldump_c
check "plain pg_dump | psql succeeds" \
  restore psql -X -q -v ON_ERROR_STOP=1 -d mqldump_c -f "$work/src.sql"
check "plain pg_dump | psql gives back every table" same_as mqldump_c "$work/src.exact" exact

# 4. Data only, into a database where pg_mql was just created (its default
#    settings row is replaced by the dumped one).
fresh_db mqldump_d
q -d mqldump_d -c 'CREATE EXTENSION pg_mql' >/dev/null
check "pg_restore --data-only into a new CREATE EXTENSION succeeds" \
  restore pg_restore --data-only -d mqldump_d "$work/src.dump"
check "pg_restore --data-only gives back every table" same_as mqldump_d "$work/src.exact" exact

# 5. Section by section.
fresh_db mqldump_e
sections() {
  local s
  for s in pre-data data post-data; do
    restore pg_restore --section=$s -d mqldump_e "$work/src.dump" || return 1
  done
}
check "pg_restore --section pre-data, data, post-data succeeds" sections
check "pg_restore by sections gives back every table" same_as mqldump_e "$work/src.exact" exact

# 6. The derived tables left out of the dump, and rebuilt after restore.
fresh_db mqldump_g
pg_dump -Fc -f "$work/src-base.dump" --exclude-table-data=mql.lead_facts \
  --exclude-table-data=mql.rollup --exclude-table-data=mql.rollup_delta $src || exit 1
derived_left_out() {
  local toc
  toc=$(pg_restore -l "$work/src-base.dump") &&
    [[ $toc == *"TABLE DATA mql leads "* ]] &&
    ! grep -qE 'TABLE DATA mql (lead_facts|rollup|rollup_delta) ' <<<"$toc"
}
check "pg_dump --exclude-table-data leaves out the derived tables' rows" derived_left_out
check "pg_restore of a dump without the derived tables succeeds" \
  restore pg_restore -d mqldump_g "$work/src-base.dump"
rebuild_and_compare() {
  q -d mqldump_g -c 'SELECT mql.rebuild_rollups()' >/dev/null &&
    same_as mqldump_g "$work/src.rebuilt" rebuilt
}
check "mql.rebuild_rollups() then gives back lead_facts and the rollup sums" rebuild_and_compare

# 7. Without the option, pg_mql's triggers would treat the restored rows as
#    new activity: the restore reports errors rather than quietly loading
#    something else.
fresh_db mqldump_f
if pg_restore -d mqldump_f "$work/src.dump" >"$work/plain-restore.log" 2>&1; then
  bad "pg_restore without session_replication_role = replica reports errors"
else
  ok "pg_restore without session_replication_role = replica reports errors"
fi

# The same new activity in the source and in restored databases.
for db in $src mqldump_a mqldump_c; do
  q -d $db -f test/dump/more.sql >/dev/null || bad "apply test/dump/more.sql to $db"
done
snapshot $src "$work/src.continued" continued || exit 1
echo "source after new activity: $(q -At -d $src -c "SELECT (SELECT count(*) FROM mql.leads) || ' leads, '
  || (SELECT count(*) FROM mql.stage_history) || ' history rows'")"
check "new events score and transition identically after pg_restore" \
  same_as mqldump_a "$work/src.continued" continued
check "new events score and transition identically after pg_dump | psql" \
  same_as mqldump_c "$work/src.continued" continued
check "rollups verify after new activity (source)" rollups_exact $src
check "rollups verify after new activity (restored)" rollups_exact mqldump_a

for db in $src mqldump_a mqldump_b mqldump_c mqldump_d mqldump_e mqldump_f mqldump_g; do
  dropdb --if-exists $db 2>/dev/null
done
echo "dump-restore: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
