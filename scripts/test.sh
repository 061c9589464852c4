#!/usr/bin/env bash
# Runs every pg_mql test: the C++ core's GoogleTest suites (CTest), the same
# suites built with AddressSanitizer and UndefinedBehaviorSanitizer, a short
# libFuzzer run of every core fuzzer (MQL_FUZZ_SECONDS per target, default
# 15), then the pg_regress and isolation suites, the libpqxx client tests,
# the dump and restore test (scripts/dump-restore-test.sh), a 10-second
# stress test and its oracle's self-test against the installed extension in
# a throwaway cluster, and finally the crash test in a cluster of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

# "P F": passed and failed counts from a CTest log.
ctest_counts() {
  sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2 \1/p' "$1" |
    awk '{print $1 - $2, $2} END {if (NR == 0) print 0, 0}'
}

echo "== core unit tests (GoogleTest via CTest)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
unit_log=$(mktemp)
unit_status=0
(cd build && ctest --output-on-failure -j"$(nproc)") >"$unit_log" 2>&1 || unit_status=$?
grep -vE "^ *([0-9]+/[0-9]+ Test +#|Start +[0-9]+:)" "$unit_log" || true
read -r unit_passed unit_failed < <(ctest_counts "$unit_log")

echo "== core unit tests under AddressSanitizer and UndefinedBehaviorSanitizer"
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMQL_SANITIZE=ON \
  -DMQL_MICRO_BENCH=OFF >/dev/null
cmake --build build-sanitize -j"$(nproc)" --target mql_core_tests >/dev/null
san_log=$(mktemp)
(cd build-sanitize && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
  ctest --output-on-failure -j"$(nproc)") >"$san_log" 2>&1 || unit_status=$?
grep -vE "^ *([0-9]+/[0-9]+ Test +#|Start +[0-9]+:)" "$san_log" || true
read -r san_passed san_failed < <(ctest_counts "$san_log")
unit_passed=$((unit_passed + san_passed))
unit_failed=$((unit_failed + san_failed))

echo "== fuzzing the core (libFuzzer, ${MQL_FUZZ_SECONDS:-15} s per target)"
fuzz_log=$(mktemp)
fuzz_status=0
scripts/fuzz.sh "${MQL_FUZZ_SECONDS:-15}" 2>&1 | tee "$fuzz_log" || fuzz_status=$?
unit_passed=$((unit_passed + $(grep -cE '^fuzz [a-z_]+: ok' "$fuzz_log" || true)))
fuzz_failed=$(grep -cE '^fuzz [a-z_]+: FAILED' "$fuzz_log" || true)
# A build failure reports no target at all: count it as one failure.
if [ "$fuzz_status" -ne 0 ] && [ "$fuzz_failed" -eq 0 ]; then fuzz_failed=1; fi
unit_failed=$((unit_failed + fuzz_failed))

echo "== build and install the extension"
scripts/build.sh

echo "== pg_regress and isolation suites, libpqxx client tests, dump and restore (throwaway cluster)"
regress_log=$(mktemp)
status=0
pg_virtualenv -t -- sh -c 'make -s installcheck PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config; r=$?;
  echo "== libpqxx client tests"; build/mql_client_tests || r=1;
  scripts/dump-restore-test.sh || r=1;
  echo "== stress test, 10 s (scripts/stress.sh runs 60 s)";
  if build/mql_stress --seconds 10; then echo "reliability test stress: passed";
  else echo "reliability test stress: FAILED"; r=1; fi;
  echo "== benchmark peers agree with pg_mql (small bulk load)";
  if LEADS=1000 EVENTS=10000 REPEAT=1 test/bench/bulk.sh >/dev/null; then
    echo "reliability test peers: passed"; else echo "reliability test peers: FAILED"; r=1; fi;
  echo "== stress oracle self-test";
  if test/stress/oracle-selftest.sh; then echo "reliability test oracle: passed";
  else echo "reliability test oracle: FAILED"; r=1; fi;
  exit $r' \
  2>&1 | tee "$regress_log" || status=$?
for d in regression.diffs output_iso/regression.diffs; do
  if [ -f "$d" ]; then
    echo "== $d"
    cat "$d"
  fi
done
echo "== crash test: SIGKILL of the postmaster under load (own cluster)"
if MQL_NO_BUILD=1 test/crash/run.sh 2>&1 | tee -a "$regress_log"; then
  echo "reliability test crash: passed" | tee -a "$regress_log"
else
  echo "reliability test crash: FAILED" | tee -a "$regress_log"
  status=1
fi
regress_passed=$(grep -cE '\.\.\. ok' "$regress_log" || true)
regress_failed=$(grep -cE '\.\.\. FAILED' "$regress_log" || true)
client_passed=$(grep -cE '^\[       OK \]' "$regress_log" || true)
client_failed=$(grep -cE '^\[  FAILED  \] [A-Za-z]' "$regress_log" || true)
dump_passed=$(grep -cE '^\[dump-restore\] ok:' "$regress_log" || true)
dump_failed=$(grep -cE '^\[dump-restore\] FAILED:' "$regress_log" || true)

reliability_passed=$(grep -cE '^reliability test [a-z]+: passed' "$regress_log" || true)
reliability_failed=$(grep -cE '^reliability test [a-z]+: FAILED' "$regress_log" || true)

passed=$((unit_passed + regress_passed + client_passed + dump_passed + reliability_passed))
failed=$((unit_failed + regress_failed + client_failed + dump_failed + reliability_failed))
echo "tests: $passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$unit_status" -eq 0 ] && [ "$failed" -eq 0 ]
