#!/usr/bin/env bash
# The concurrency stress test in one command: builds and installs pg_mql,
# builds the libpqxx client (build/mql_stress), and runs it against a
# throwaway cluster (pg_virtualenv): 8 writers and 2 stage callers over
# 1,000 leads, then the oracle. Usage: scripts/stress.sh [seconds] [options]
# (default 60 s; options go to mql_stress, see its --help).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
if [ -z "${MQL_NO_BUILD:-}" ]; then
  scripts/deps.sh
  scripts/build.sh
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j"$(nproc)" --target mql_stress >/dev/null
fi
pg_virtualenv -t -- build/mql_stress --seconds "$seconds" "$@"
