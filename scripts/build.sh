#!/usr/bin/env bash
# Builds and installs the extension into the local PostgreSQL 15 (root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
make -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
if [ "$(id -u)" -eq 0 ]; then
  make -s install PG_CONFIG="$PG_CONFIG"
else
  sudo make -s install PG_CONFIG="$PG_CONFIG"
fi
