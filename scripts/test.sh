#!/usr/bin/env bash
# Runs every pg_mql test: the C++ core's GoogleTest suites (CTest), then the
# pg_regress suites against the installed extension in a throwaway cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

echo "== core unit tests (GoogleTest via CTest)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
unit_log=$(mktemp)
(cd build && ctest --output-on-failure -j"$(nproc)") | tee "$unit_log"
unit_passed=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2 \1/p' "$unit_log" | awk '{print $1-$2}')
unit_failed=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of.*/\1/p' "$unit_log")

echo "== build and install the extension"
scripts/build.sh

echo "== pg_regress and isolation suites (throwaway cluster)"
regress_log=$(mktemp)
status=0
pg_virtualenv -- make -s installcheck PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config \
  2>&1 | tee "$regress_log" || status=$?
for d in regression.diffs output_iso/regression.diffs; do
  if [ -f "$d" ]; then
    echo "== $d"
    cat "$d"
  fi
done
regress_passed=$(grep -cE '\.\.\. ok' "$regress_log" || true)
regress_failed=$(grep -cE '\.\.\. FAILED' "$regress_log" || true)

echo "tests: $((unit_passed + regress_passed)) passed, $((unit_failed + regress_failed)) failed"
[ "$status" -eq 0 ] && [ "$unit_failed" -eq 0 ] && [ "$regress_failed" -eq 0 ]
