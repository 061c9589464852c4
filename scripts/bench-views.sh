#!/usr/bin/env bash
# BI view latency at scale (default 1,000,000 leads, 10,000,000 events) in a
# throwaway cluster; extra arguments go to psql (e.g. -v leads=100000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
pg_virtualenv -t -- psql -X -q -f test/bench/views.sql "$@"
