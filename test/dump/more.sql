-- Applied to the source and to each restored database by
-- scripts/dump-restore-test.sh: the same new activity must score, qualify
-- and transition identically in both.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET timezone = 'UTC';
SET search_path = public, mql;             -- mql.stage's operators live in mql
-- New events for known leads (many late: older than their latest events),
-- and for unknown leads, which are created by them.
INSERT INTO mql.events (lead_id, event_type, occurred_at)
SELECT 1 + (n * 29) % 520, (ARRAY['demo_request', 'pricing_page_view', 'webinar_attended', 'page_view'])[1 + n % 4],
       timestamptz '2026-02-01 00:00+00' + (n % 120) * interval '1 day' + (n % 11) * interval '1 hour'
  FROM generate_series(1, 800) AS n;
-- Sales keeps working. Leads are taken in lead_id order: the heap order of
-- a restored table differs from the source's, and the order decides which
-- history_id and event_id each new row gets.
SELECT count(mql.set_stage(l.lead_id, 'sql', 'discovery call', l.stage_changed_at + interval '1 day'))
  FROM (SELECT * FROM mql.leads WHERE stage = 'mql' AND lead_id % 3 = 0 ORDER BY lead_id) AS l;
SELECT count(mql.set_stage(l.lead_id, 'recycled', 'went quiet', l.stage_changed_at + interval '2 days'))
  FROM (SELECT * FROM mql.leads WHERE stage = 'sql' AND lead_id % 7 = 0 ORDER BY lead_id) AS l;
INSERT INTO mql.events (lead_id, event_type, occurred_at)
SELECT l.lead_id, 'sales_call', l.first_mql_at + interval '30 minutes'
  FROM mql.leads AS l WHERE l.first_mql_at IS NOT NULL AND l.lead_id % 3 = 0
 ORDER BY l.lead_id;
SELECT mql.compact_rollups() >= 0 AS compacted;
