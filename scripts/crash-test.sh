#!/usr/bin/env bash
# The crash test in one command: builds and installs pg_mql, builds the
# libpqxx client (build/mql_stress), then runs test/crash/run.sh: SIGKILL of
# the postmaster in the middle of a concurrent load, restart, and the oracle.
# MQL_NO_BUILD=1 skips the build (scripts/test.sh has done it).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MQL_NO_BUILD:-}" ]; then
  scripts/deps.sh
  scripts/build.sh
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j"$(nproc)" --target mql_stress >/dev/null
fi
# Usage: scripts/crash-test.sh [acknowledged commits before the kill, default 2000]
MQL_CRASH_COMMITS=${1:-${MQL_CRASH_COMMITS:-2000}} exec test/crash/run.sh
