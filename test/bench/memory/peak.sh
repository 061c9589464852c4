#!/usr/bin/env bash
# Peak private memory (RssAnon) of the backend that runs one bulk load.
# Usage: peak.sh <target table> <rows> [copy|insert]
# Runs against the cluster the PG* environment names, which must run on this
# machine (it reads /proc/<backend pid>/status). The staging table
# bench_staging (seq, lead_id, event_type, occurred_at) must hold >= rows
# rows. Prints one TSV row:
#   target method rows seconds peak_anon_kib baseline_anon_kib
set -euo pipefail
target=$1 rows=$2 method=${3:-copy}
work=$(mktemp -d)
trap 'touch "$work/stop"; rm -rf "$work"' EXIT
cols="lead_id, event_type, occurred_at"
if [ "$method" = copy ]; then
  psql -X -q -c "\\copy (SELECT $cols FROM bench_staging WHERE seq <= $rows ORDER BY seq) TO '$work/events.csv' WITH (FORMAT csv)"
  load="\\copy $target ($cols) FROM '$work/events.csv' WITH (FORMAT csv)"
else
  load="INSERT INTO $target ($cols) SELECT $cols FROM bench_staging WHERE seq <= $rows ORDER BY seq;"
fi
cat > "$work/sample.sh" <<'SH'
# Samples RssAnon of backend $1 every 10 ms into $2 until $3 exists.
peak=0
while [ ! -e "$3" ] && [ -e "/proc/$1/status" ]; do
  a=$(awk '/^RssAnon:/ {print $2}' "/proc/$1/status")
  if [ "${a:-0}" -gt "$peak" ]; then peak=$a; echo "$peak" > "$2"; fi
  sleep 0.01
done
SH
psql -X -q -At -v ON_ERROR_STOP=1 > "$work/out" <<SQL
SELECT pg_backend_pid() AS pid \gset
\setenv BENCH_PID :pid
\! awk '/^RssAnon:/ {print \$2}' /proc/\$BENCH_PID/status > $work/base
\! bash $work/sample.sh \$BENCH_PID $work/peak $work/stop &
SELECT clock_timestamp() AS t0 \gset
$load
SELECT extract(epoch FROM clock_timestamp() - :'t0');
\! touch $work/stop
SQL
secs=$(tail -1 "$work/out")
sleep 0.05
echo -e "$target\t$method\t$rows\t$secs\t$(cat "$work/peak" 2>/dev/null || echo 0)\t$(cat "$work/base")"
