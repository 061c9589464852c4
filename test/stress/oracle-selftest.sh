#!/usr/bin/env bash
# Shows that the stress test's oracle catches what it is meant to catch: a
# short clean run must pass; then, with triggers bypassed
# (session_replication_role = replica), one lead's score is nudged by 1e-8
# relative, a committed event is deleted, an event nobody committed is
# added, a forbidden transition is appended to a lead's history and another
# lead's stage is changed behind its history. The check must then fail and
# name each of them. Needs a server with pg_mql (PG* environment) and
# build/mql_stress.
set -euo pipefail
cd "$(dirname "$0")/../.."
stress=build/mql_stress
db=mql_oracle_selftest
logs=$(mktemp -d /tmp/mql_oracle.XXXXXX)
opts=(--db "$db" --writers 2 --stagers 1 --leads 200 --log-dir "$logs")

"$stress" "${opts[@]}" --seconds 3 >/dev/null

psql -X -q -d "$db" -v ON_ERROR_STOP=1 <<'SQL'
SET session_replication_role = replica;
UPDATE mql.leads SET intent_score = intent_score * (1 + 1e-8)
 WHERE lead_id = (SELECT min(lead_id) FROM mql.leads WHERE intent_score > 0);
DELETE FROM mql.events WHERE event_id = (SELECT max(event_id) FROM mql.events);
INSERT INTO mql.events (lead_id, event_type, occurred_at, properties)
VALUES (1, 'chat', '2025-01-02 00:00+00', '{"k": "e9.999999"}');
INSERT INTO mql.stage_history (lead_id, from_stage, to_stage, changed_at, reason)
SELECT lead_id, stage, 'lead', stage_changed_at, 'oracle self-test'
  FROM mql.leads WHERE stage::text <> 'lead' ORDER BY lead_id LIMIT 1;
UPDATE mql.leads SET stage = 'disqualified'
 WHERE lead_id = (SELECT max(lead_id) FROM mql.leads WHERE stage::text <> 'disqualified');
SQL

status=0
out=$("$stress" "${opts[@]}" --mode check 2>&1) || status=$?
fail=0
if [ "$status" -eq 0 ]; then
  echo "oracle self-test: the check passed on corrupted data" >&2
  fail=1
fi
for expected in "intent_score" "committed event e" "was never committed" \
  "forbidden transition" "leads.stage differs from its last history row"; do
  if ! grep -qF "$expected" <<<"$out"; then
    echo "oracle self-test: no violation mentioning '$expected'" >&2
    fail=1
  fi
done
if [ "$fail" -ne 0 ]; then
  echo "$out" >&2
  exit 1
fi
echo "$out" | grep -c '^  ' | sed 's/^/oracle self-test: the check found /; s/$/ violations, as it should/'
psql -X -q -d postgres -c "DROP DATABASE $db"
rm -rf "$logs"
