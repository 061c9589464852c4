#!/usr/bin/env bash
# Prints the benchmark table from the TSV files scripts/bench.sh collected.
set -euo pipefail
d=$1
echo
if [ -s "$d/bulk.tsv" ]; then
  echo "## Bulk: 1,000,000 events over 100,000 leads (median seconds; ratio to the floor)"
  awk -F'\t' 'BEGIN {printf "%-10s %-8s %10s %8s\n", "contender", "method", "seconds", "ratio"}
              NF >= 4 && $3 ~ /^[0-9.]+$/ {printf "%-10s %-8s %10.2f %8.2f\n", $1, $2, $3, $4}' "$d/bulk.tsv"
  echo
fi
if [ -s "$d/oltp.tsv" ]; then
  for proto in $(awk -F'\t' '$1 == "oltp" {print $2}' "$d/oltp.tsv" | uniq); do
    echo "## OLTP: one event per transaction, $proto protocol (median over repeats)"
    awk -F'\t' -v p="$proto" '$1 == "oltp" && $2 == p {tps[$3 "," $4] = $5; p50[$3 "," $4] = $6; p99[$3 "," $4] = $7; c[$4] = 1}
      END {printf "%-8s %12s %12s %12s %7s %7s %10s %10s %10s %10s\n", "clients", "floor tps",
                  "floor+lead", "pg_mql tps", "ratio", "/+lead", "floor p50", "floor p99", "mql p50", "mql p99";
           for (k in c) printf "%-8s %12.0f %12.0f %12.0f %6.0f%% %6.0f%% %8.3fms %8.3fms %8.3fms %8.3fms\n", k,
             tps["floor," k], tps["floor_lead," k], tps["pg_mql," k], 100 * tps["pg_mql," k] / tps["floor," k],
             (tps["floor_lead," k] > 0 ? 100 * tps["pg_mql," k] / tps["floor_lead," k] : 0),
             p50["floor," k], p99["floor," k], p50["pg_mql," k], p99["pg_mql," k]}' "$d/oltp.tsv" | sort -n
    echo
  done
fi
if [ -s "$d/memory.tsv" ]; then
  echo "## Memory: backend peak RssAnon while a COPY is loaded"
  awk -F'\t' 'BEGIN {printf "%-14s %10s %10s %14s %14s\n", "target", "rows", "seconds", "peak MiB", "baseline MiB"}
              {printf "%-14s %10d %10.2f %14.1f %14.1f\n", $1, $3, $4, $5 / 1024, $6 / 1024}' "$d/memory.tsv"
  echo
fi
for f in "$d"/views_*.tsv; do
  [ -s "$f" ] || continue
  n=${f##*views_}; n=${n%.tsv}
  echo "## Views at $n leads (median of 7 reads, ms)"
  awk -F'\t' '{printf "%-36s %8.1f\n", $3, $4}' "$f"
  echo
done
