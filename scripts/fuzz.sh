#!/usr/bin/env bash
# Builds the core's libFuzzer targets (test/fuzz/*_fuzz.cpp) with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer in build-fuzz/, then runs
# each target for the given number of seconds (default 300), one after the
# other, starting from its seed corpus in test/fuzz/corpus/<target>/.
#
#   scripts/fuzz.sh                 # long run: 300 s per target
#   scripts/fuzz.sh 15              # short run, as scripts/test.sh does in CI
#   scripts/fuzz.sh 600 qualify     # one target
#
# New inputs found go to build-fuzz/corpus/<target>/ (kept between runs, never
# committed); a crash or failed invariant is saved under
# build-fuzz/artifacts/<target>/ and reproduced by build-fuzz/fuzz_<target> <file>.
# Prints one line per target, "fuzz <target>: ok ..." or "fuzz <target>: FAILED ...",
# and exits non-zero if any target failed. MQL_FUZZ_BUILD names another build
# directory (default build-fuzz), e.g. to fuzz while scripts/test.sh runs.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
shift || true
scripts/deps.sh

build=${MQL_FUZZ_BUILD:-build-fuzz}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in test/fuzz/*_fuzz.cpp; do
    t=$(basename "$f" _fuzz.cpp)
    targets+=("$t")
  done
fi

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DMQL_FUZZ=ON -DMQL_MICRO_BENCH=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}" >/dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
failed=0
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t
  artifacts=$build/artifacts/$t
  mkdir -p "$corpus" "$artifacts"
  log=$build/fuzz_$t.log
  status=0
  "$build/fuzz_$t" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "test/fuzz/corpus/$t" \
    >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [ "$status" -eq 0 ]; then
    echo "fuzz $t: ok (${seconds} s, ${execs:-?} execs, ${rate:-?} exec/s, corpus $(ls "$corpus" | wc -l) inputs)"
  else
    failed=$((failed + 1))
    echo "fuzz $t: FAILED (exit $status; log $log)"
    grep -E "invariant failed|runtime error|ERROR: (AddressSanitizer|libFuzzer)|SUMMARY|Test unit written" "$log" | head -20 || true
  fi
done
[ "$failed" -eq 0 ]
