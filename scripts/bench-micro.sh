#!/usr/bin/env bash
# Builds the core's Google Benchmark micro-benchmarks in Release (in
# build-bench/) and runs them. Extra arguments go to the benchmark binary,
# e.g. scripts/bench-micro.sh --benchmark_filter=Fit --benchmark_repetitions=5
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DMQL_MICRO_BENCH=ON >/dev/null
cmake --build build-bench -j"$(nproc)" --target mql_micro_bench >/dev/null
exec build-bench/mql_micro_bench --benchmark_min_time=0.2 "$@"
