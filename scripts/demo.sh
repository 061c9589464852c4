#!/usr/bin/env bash
# The pg_mql demo: installs what is missing, builds and installs the
# extension, starts a throwaway PostgreSQL 15 cluster, loads a realistic
# sample and prints the outcome views. With a terminal attached it then
# opens psql in that cluster; the cluster is dropped when psql exits.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
inner='psql -X -q -f scripts/demo.sql'
if [ -t 0 ] && [ -t 1 ] && [ -z "${CI:-}" ]; then
  inner="$inner && echo && echo 'psql is open on the demo database (search_path includes mql); \\q drops the cluster.' && PGOPTIONS='-c search_path=public,mql' psql -X"
fi
pg_virtualenv -t -- sh -c "$inner"
