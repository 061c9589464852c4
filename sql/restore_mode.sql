-- restore_mode: pg_mql's triggers under session_replication_role = replica,
-- the setting a restore of a dump uses (docs/operations.md). Only the two
-- settings triggers still fire (ENABLE ALWAYS): a settings row replaces the
-- defaults, and the table keeps one valid row. Every other row loads as
-- given: no scoring, no lead created by an event, no history written or
-- refused. Afterwards ordinary sessions score on from the restored state.
-- (scripts/dump-restore-test.sh tests pg_dump and pg_restore end to end.)
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
RESET client_min_messages;
SET search_path = public, mql;
SET timezone = 'UTC';
\set VERBOSITY default

-- The triggers that are not ordinary (tgenabled 'O'): the two of settings.
SELECT c.relname, t.tgname, t.tgenabled
  FROM pg_catalog.pg_trigger AS t JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
 WHERE c.relnamespace = 'mql'::regnamespace AND NOT t.tgisinternal AND t.tgenabled <> 'O'
 ORDER BY 1, 2;

SET session_replication_role = replica;

------------------------------------------------------------------------
-- mql.settings: the dumped row replaces the defaults; the rules hold
------------------------------------------------------------------------
INSERT INTO mql.settings (singleton, threshold, half_life, report_timezone)
VALUES (true, 80, '14 days', 'Europe/Berlin');
SELECT * FROM mql.settings;
-- A second row (23505), a DELETE and a TRUNCATE (23001), an invalid value
-- (22023) are refused, as without replica.
INSERT INTO mql.settings (singleton, threshold, half_life, report_timezone)
VALUES (true, 90, '7 days', 'UTC');
DELETE FROM mql.settings;
TRUNCATE mql.settings;
UPDATE mql.settings SET half_life = '-1 day';
SELECT * FROM mql.settings;

------------------------------------------------------------------------
-- Everything else loads as given
------------------------------------------------------------------------
INSERT INTO mql.event_weights (event_type, weight, category) VALUES ('demo_request', 50, 'web');
-- A lead with its stored scores and stage: kept, not recomputed.
INSERT INTO mql.leads (lead_id, email, attributes, stage, fit_score, intent_score, score_at,
                       created_at, stage_changed_at, first_mql_at)
VALUES (1, 'ana@example.com', '{"employees": 800}', 'sql', 12.5, 99.25, '2026-01-03 00:00+00',
        '2026-01-01 00:00+00', '2026-01-04 00:00+00', '2026-01-02 00:00+00');
-- Events with their ids: nothing scored, and lead 2 is not created.
INSERT INTO mql.events (event_id, lead_id, event_type, occurred_at) VALUES
  (7, 1, 'demo_request', '2026-01-02 00:00+00'),
  (8, 2, 'demo_request', '2026-01-03 00:00+00');
-- History rows with their ids, times, reasons and actors: accepted as they are.
INSERT INTO mql.stage_history (history_id, lead_id, from_stage, to_stage, changed_at, recorded_at,
                               reason, score, actor, is_override) VALUES
  (1, 1, NULL, 'lead', '2026-01-01 00:00+00', '2026-01-01 00:00:05+00', 'created', 12.5, 'crm', false),
  (4, 1, 'lead', 'mql', '2026-01-02 00:00+00', '2026-01-02 00:00:05+00',
   'qualified: score reached the threshold', 112.5, 'pg_mql', false),
  (5, 1, 'mql', 'sql', '2026-01-04 00:00+00', '2026-01-04 09:00+00', 'discovery call', 101.0, 'sales', false);
SELECT pg_catalog.setval('mql.events_event_id_seq', 8);
SELECT pg_catalog.setval('mql.stage_history_history_id_seq', 5);
RESET session_replication_role;

SELECT lead_id, stage, fit_score, intent_score, score_at, created_at, stage_changed_at, first_mql_at
  FROM mql.leads ORDER BY lead_id;
SELECT event_id, lead_id, event_type FROM mql.events ORDER BY event_id;
SELECT history_id, lead_id, from_stage, to_stage, changed_at, recorded_at, reason, score, actor
  FROM mql.stage_history ORDER BY history_id;
-- No facts were derived while loading: a dump brings its own, or a rebuild
-- makes them.
SELECT count(*) AS facts FROM mql.lead_facts;
SELECT mql.rebuild_rollups() AS leads_rebuilt;
SELECT count(*) AS differences FROM mql.verify_rollups();

------------------------------------------------------------------------
-- Ordinary sessions score on from the restored state
------------------------------------------------------------------------
-- Intent 99.25 as of 2026-01-03 decays over two days at a 14-day half-life
-- and the new event adds 50: 99.25 * 2^(-2/14) + 50 = 139.893...
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, 'demo_request', '2026-01-05 00:00+00');
SELECT lead_id, stage, round(intent_score::numeric, 3) AS intent, score_at FROM mql.leads ORDER BY lead_id;
SELECT event_id, lead_id FROM mql.events ORDER BY event_id;
-- No history row: lead 1 is past mql, and the new event makes no change.
SELECT count(*) AS new_history_rows FROM mql.stage_history WHERE history_id > 5;
-- A stage change: its history row takes the next id after the restored ones.
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(1, 'opportunity', 'proposal sent', '2026-01-06 00:00+00');
SELECT history_id, from_stage, to_stage, changed_at, reason, round(score::numeric, 3) AS score
  FROM mql.stage_history WHERE history_id > 5 ORDER BY history_id;
SELECT count(*) AS differences FROM mql.verify_rollups();
