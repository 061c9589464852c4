#!/usr/bin/env bash
# OLTP benchmark: one event per transaction, from 1, 2 and 8 clients, into
# the floor (no trigger), the floor plus an update of the event's lead row
# (floor_lead: what any design that stores a score per lead pays at least)
# and pg_mql, interleaved, REPEAT times each, with each of pgbench's query
# protocols: simple (the statement parsed and planned every time, as psql
# sends it) and prepared (parsed once per connection, as an application's
# prepared statement; the cost of scoring is then not diluted by parsing).
# Runs against the cluster the PG* environment names (the extension must be
# installed). Prints TSV rows: workload protocol contender clients tps
# p50_ms p99_ms, each the median over the repeats.
# Environment: DURATION (seconds per run, default 15), REPEAT (default 3),
# CLIENTS (default "1 2 8"), CONTENDERS (default "floor floor_lead pg_mql"),
# PROTOCOLS (default "simple prepared"), LEADS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
DURATION=${DURATION:-15}
REPEAT=${REPEAT:-3}
CLIENTS=${CLIENTS:-"1 2 8"}
CONTENDERS=${CONTENDERS:-"floor floor_lead pg_mql"}
PROTOCOLS=${PROTOCOLS:-"simple prepared"}
LEADS=${LEADS:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

psql -X -q -v leads="$LEADS" -f "$here/setup.sql" >/dev/null

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

for rep in $(seq 1 "$REPEAT"); do
  for proto in $PROTOCOLS; do
    for c in $CLIENTS; do
      for who in $CONTENDERS; do
        j=$(( c < 2 ? c : 2 ))
        rm -f "$work"/log.*
        out=$(cd "$work" && pgbench -n -M "$proto" -T "$DURATION" -c "$c" -j "$j" -l --log-prefix=log \
                -f "$here/$who.pgbench" 2>&1) || { echo "$out" >&2; exit 1; }
        tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | head -1)
        # Per-transaction log: field 3 is the latency in microseconds.
        cat "$work"/log.* | awk '{print $3}' | sort -n > "$work/lat"
        n=$(wc -l < "$work/lat")
        p50=$(awk -v n="$n" 'NR==int(n*0.50)+1 {printf "%.3f", $1/1000; exit}' "$work/lat")
        p99=$(awk -v n="$n" 'NR==int(n*0.99)+1 {printf "%.3f", $1/1000; exit}' "$work/lat")
        echo -e "$proto\t$who\t$c\t$tps\t$p50\t$p99" >> "$work/raw"
        echo "oltp: run $rep, $proto, $who, $c clients: $tps tps, p50 $p50 ms, p99 $p99 ms" >&2
        psql -X -q -c 'CHECKPOINT' >/dev/null
      done
    done
  done
done

for proto in $PROTOCOLS; do
  for c in $CLIENTS; do
    for who in $CONTENDERS; do
      sel() { awk -F'\t' -v p="$proto" -v w="$who" -v c="$c" -v f="$1" '$1==p && $2==w && $3==c {print $f}' "$work/raw" | median; }
      echo -e "oltp\t$proto\t$who\t$c\t$(sel 4)\t$(sel 5)\t$(sel 6)"
    done
  done
done
