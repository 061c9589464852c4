-- The BI rollup follows every kind of change that alters a lead's funnel
-- facts, and stays equal to a recomputation from the history
-- (mql.verify_rollups() returns no row) after each.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
RESET client_min_messages;
SET search_path = public, mql;
SET timezone = 'UTC';
\set VERBOSITY default
INSERT INTO mql.event_weights (event_type, weight, category) VALUES
  ('demo_request', 120, 'web'), ('sales_call', 0, 'sales_touch');

-- Leads imported directly into a detour stage: counted as leads, reaching
-- no funnel stage (their facts' max_rank is 0).
INSERT INTO mql.leads (lead_id, stage, created_at) VALUES
  (1, 'disqualified', '2026-01-05 00:00+00'),
  (2, 'recycled', '2026-01-06 00:00+00');
SELECT lead_id, max_rank FROM mql.lead_facts ORDER BY lead_id;
SELECT leads, mqls FROM mql.funnel;
SELECT count(*) AS differences FROM mql.verify_rollups();

-- Lead 3 qualifies and gets a sales call 5 hours later: touched after 5 h.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (3, 'demo_request', '2026-01-10 00:00+00'),
  (3, 'sales_call', '2026-01-10 05:00+00');
SELECT mqls, touched, median_hours_to_touch FROM mql.speed_to_lead;
-- Deleting the call: lead 3 is untouched again.
DELETE FROM mql.events WHERE lead_id = 3 AND event_type = 'sales_call';
SELECT mqls, touched, untouched FROM mql.speed_to_lead;
SELECT count(*) AS differences FROM mql.verify_rollups();
-- Moving a call to another time: 2 h after the MQL.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (3, 'sales_call', '2026-01-10 09:00+00');
-- A call in a statement of its own touches the lead qualified before: 9 h.
SELECT touched, median_hours_to_touch FROM mql.speed_to_lead;
SELECT count(*) AS differences FROM mql.verify_rollups();
UPDATE mql.events SET occurred_at = '2026-01-10 02:00+00' WHERE lead_id = 3 AND event_type = 'sales_call';
SELECT touched, median_hours_to_touch FROM mql.speed_to_lead;
SELECT count(*) AS differences FROM mql.verify_rollups();

-- Deleting a lead removes its contributions (and its facts); recreating the
-- same id later counts it once.
SELECT leads FROM mql.funnel;
DELETE FROM mql.leads WHERE lead_id = 1;
SELECT leads FROM mql.funnel;
SELECT count(*) AS facts_of_lead_1 FROM mql.lead_facts WHERE lead_id = 1;
SELECT count(*) AS differences FROM mql.verify_rollups();
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, 'page_view', '2026-01-20 00:00+00');
SELECT leads FROM mql.funnel;
SELECT count(*) AS differences FROM mql.verify_rollups();

-- Emptying the weights: no event type is a sales touch any more, so lead 3
-- has no touch (a rebuild ran).
TRUNCATE mql.event_weights;
SELECT touched FROM mql.speed_to_lead;
SELECT count(*) AS differences FROM mql.verify_rollups();

-- A settings row inserted over the untouched defaults (what a restore does)
-- with another report_timezone rebuilds the cohorts in that zone: lead 2,
-- created 2026-01-06 00:00 UTC, is on 2026-01-05 in New York.
INSERT INTO mql.settings (threshold, half_life, report_timezone) VALUES (100, '30 days', 'America/New_York');
SELECT day, new_leads FROM mql.mql_volume WHERE new_leads > 0 ORDER BY day;
SELECT count(*) AS differences FROM mql.verify_rollups();

-- A REPEATABLE READ writer does not compact, so subtractions stay pending in
-- mql.rollup_delta; the views net them (percentiles included) and equal a
-- rebuild. Lead 3 (source NULL) moves to source 'moved'.
SELECT stage, source, entries, completed_stays, median_hours
  FROM mql.stage_durations_by_source ORDER BY stage, source;
BEGIN ISOLATION LEVEL REPEATABLE READ;
UPDATE mql.leads SET source = 'moved' WHERE lead_id = 3;
SELECT count(*) > 0 AS subtractions_pending FROM mql.rollup_delta WHERE n < 0;
SELECT stage, source, entries, completed_stays, median_hours
  FROM mql.stage_durations_by_source ORDER BY stage, source;
SELECT stage, entries, completed_stays, median_hours FROM mql.stage_durations ORDER BY stage;
COMMIT;
SELECT count(*) AS differences FROM mql.verify_rollups();
CREATE TEMP TABLE pending_view AS SELECT * FROM mql.stage_durations_by_source;
SELECT mql.rebuild_rollups() AS leads_rebuilt;
SELECT NOT EXISTS (SELECT * FROM pending_view EXCEPT SELECT * FROM mql.stage_durations_by_source)
   AND NOT EXISTS (SELECT * FROM mql.stage_durations_by_source EXCEPT SELECT * FROM pending_view) AS same_as_rebuild;

-- The first touch of a lead that a statement qualifies comes from that
-- statement's events when the lead had no later event before: a call
-- before the qualifying event does not count (lead 7: none), the earliest
-- call after it does (lead 8: 10:00).
INSERT INTO mql.event_weights (event_type, weight, category) VALUES
  ('demo_request', 120, 'web'), ('sales_call', 0, 'sales_touch');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (7, 'sales_call', '2026-02-10 08:00+00'), (7, 'demo_request', '2026-02-10 09:00+00'),
  (8, 'demo_request', '2026-02-11 09:00+00'), (8, 'sales_call', '2026-02-11 12:00+00'),
  (8, 'sales_call', '2026-02-11 10:00+00');
SELECT lead_id, first_mql_at, touch_at FROM mql.lead_facts WHERE lead_id IN (7, 8) ORDER BY lead_id;
SELECT count(*) AS differences FROM mql.verify_rollups();

-- Compaction. With mql.rollup_compact_after = 0 every refresh folds the
-- pending deltas (and resets this backend's count).
SET mql.rollup_compact_after = 0;
UPDATE mql.leads SET source = 'again' WHERE lead_id = 3;
SELECT count(*) AS pending FROM mql.rollup_delta;
SELECT count(*) AS differences FROM mql.verify_rollups();
-- With the default (1,024 rows), a refresh of leads whose facts did not
-- change writes nothing, and one lead's change stays pending; the views
-- still equal a recomputation.
RESET mql.rollup_compact_after;
SHOW mql.rollup_compact_after;
SELECT mql.refresh_lead_facts(ARRAY(SELECT lead_id FROM mql.leads));
SELECT count(*) AS pending FROM mql.rollup_delta;
UPDATE mql.leads SET source = 'moved' WHERE lead_id = 3;
SELECT count(*) > 0 AS pending FROM mql.rollup_delta;
SELECT count(*) AS differences FROM mql.verify_rollups();
SELECT mql.compact_rollups() > 0 AS folded;
-- It is a count of rows: no negative values.
SET mql.rollup_compact_after = -1;
