-- A statement of more than 65,536 events is sorted by a tuplesort and
-- scored in chunks of whole leads (at most 8,192 leads or 65,536 events a
-- chunk), so a backend's memory does not grow with the size of a COPY. The
-- chunks must give exactly what small statements give: the same load is
-- run once in statements of at most 20,000 events and once in one
-- statement, and every lead, history row, fact and rollup is compared.
SET client_min_messages = warning;
SET timezone = 'UTC';
DROP EXTENSION IF EXISTS pg_mql CASCADE;

-- 126,000 events: 60,000 over 20,000 leads (three chunks by lead count),
-- three a lead, in an order unrelated to time, plus 66,000 for lead 30000
-- alone (one lead with more than a chunk's events).
CREATE TEMP TABLE load AS
SELECT 1 + (i * 7919) % 20000 AS lead_id,
       (ARRAY['page_view', 'pricing_page_view', 'email_click', 'demo_request',
              'unsubscribe', 'sales_call', 'webinar_attended'])[1 + (i * 13) % 7] AS event_type,
       timestamptz '2026-01-01 00:00+00' + ((i * 37) % 90) * interval '1 day'
         + ((i * 101) % 1440) * interval '1 minute' AS occurred_at
FROM generate_series(1, 60000) AS i
UNION ALL
SELECT 30000, (ARRAY['page_view', 'email_click'])[1 + i % 2],
       timestamptz '2026-01-01 00:00+00' + (i % 5000) * interval '1 minute'
FROM generate_series(1, 66000) AS i;

CREATE FUNCTION pg_temp.configure() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE mql.settings SET threshold = 40, half_life = '21 days';
  INSERT INTO mql.event_weights (event_type, weight, category) VALUES
    ('page_view', 1, 'web'), ('pricing_page_view', 12, 'web'), ('email_click', 4, 'email'),
    ('webinar_attended', 18, 'event'), ('demo_request', 60, 'web'),
    ('unsubscribe', -25, 'email'), ('sales_call', 0, 'sales_touch');
  INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES
    ('employees', 'not exists', NULL, 10, 'score');
  -- Every 11th lead is already an MQL (imported so): the load's sales calls
  -- are its first touches, which the chunks must add to its facts.
  INSERT INTO mql.leads (lead_id, stage, created_at)
    SELECT i, 'mql', '2025-12-01 00:00+00' FROM generate_series(11, 20000, 11) AS i;
  -- Every 7th lead already has an event on March 15: the load's older
  -- events for it are late, and it is judged from its whole history.
  INSERT INTO mql.events (lead_id, event_type, occurred_at)
    SELECT i, 'email_click', '2026-03-15 12:00+00' FROM generate_series(7, 20000, 7) AS i;
END
$$;

CREATE FUNCTION pg_temp.snapshot(tag text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- Plain text and numbers only: the DROP EXTENSION between the runs would
  -- take columns of pg_mql's types with it.
  EXECUTE format('CREATE TEMP TABLE %I_leads AS SELECT lead_id, stage::text, fit_score, '
                 'round(intent_score::numeric, 9) AS intent, score_at, created_at, '
                 'stage_changed_at, first_mql_at FROM mql.leads', tag);
  EXECUTE format('CREATE TEMP TABLE %I_history AS SELECT lead_id, from_stage::text, to_stage::text, '
                 'changed_at, reason, round(score::numeric, 9) AS score, actor '
                 'FROM mql.stage_history', tag);
  EXECUTE format('CREATE TEMP TABLE %I_facts AS SELECT f::text AS f FROM mql.lead_facts AS f', tag);
  -- The rollup as the views see it: sums per key (how much of it is still
  -- in mql.rollup_delta depends on when compactions ran).
  EXECUTE format('CREATE TEMP TABLE %I_rollup AS SELECT r::text AS r FROM ('
                 'SELECT family, by_source, metric, period, source, campaign, hours, sum(n) AS n '
                 'FROM mql.rollup_rows GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(n) <> 0) AS r', tag);
END
$$;

-- Small statements: leads in ranges, each statement holding all the events
-- of its leads, fewer than 65,536 (scored in memory, in one piece).
CREATE EXTENSION pg_mql;
SELECT pg_temp.configure();
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  SELECT lead_id, event_type, occurred_at FROM load WHERE lead_id <= 10000;
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  SELECT lead_id, event_type, occurred_at FROM load WHERE lead_id > 10000 AND lead_id <= 20000;
-- Lead 30000's 66,000 events in two statements of 33,000 each would not
-- be the same load (the second would be late events); it gets one
-- statement of its own in both runs, and only that one is chunked here.
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  SELECT lead_id, event_type, occurred_at FROM load WHERE lead_id = 30000;
SELECT pg_temp.snapshot('small');

-- One statement: 126,000 events, chunked.
DROP EXTENSION pg_mql CASCADE;
CREATE EXTENSION pg_mql;
SELECT pg_temp.configure();
SET jit = on;
-- A run of the sort takes half of work_mem, the radix sort's scratch space
-- the other half: with 64 kB a run holds the minimum of 1,024 events, and
-- the 126,000 events make 124 sorted runs in a temporary file, merged back.
SET work_mem = '64kB';
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  SELECT lead_id, event_type, occurred_at FROM load ORDER BY random();
RESET work_mem;
-- The chunks ran without JIT; the session's setting is back.
SHOW jit;
SELECT pg_temp.snapshot('one');

SELECT count(*) AS events FROM mql.events;
SELECT count(*) AS leads, count(*) FILTER (WHERE stage = 'mql') AS mql,
       count(*) FILTER (WHERE first_mql_at IS NOT NULL) AS qualified,
       count(*) FILTER (WHERE fit_score = 10) AS fitted
  FROM one_leads;
SELECT to_stage, count(*) AS history_rows FROM one_history GROUP BY 1 ORDER BY 1;
-- Leads that got late events (older than their March 15 event).
SELECT count(DISTINCT lead_id) AS leads_with_late_events
  FROM load WHERE lead_id % 7 = 0 AND occurred_at < '2026-03-15 12:00+00';

-- Every difference between the two runs (none expected).
(SELECT 'only small' AS side, * FROM small_leads EXCEPT SELECT 'only small', * FROM one_leads)
UNION ALL
(SELECT 'only one', * FROM one_leads EXCEPT SELECT 'only one', * FROM small_leads);
(SELECT 'only small' AS side, * FROM small_history EXCEPT ALL SELECT 'only small', * FROM one_history)
UNION ALL
(SELECT 'only one', * FROM one_history EXCEPT ALL SELECT 'only one', * FROM small_history);
SELECT count(*) AS fact_differences FROM (
  (SELECT * FROM small_facts EXCEPT SELECT * FROM one_facts)
  UNION ALL (SELECT * FROM one_facts EXCEPT SELECT * FROM small_facts)) AS d;
SELECT count(*) AS rollup_differences FROM (
  (SELECT * FROM small_rollup EXCEPT SELECT * FROM one_rollup)
  UNION ALL (SELECT * FROM one_rollup EXCEPT SELECT * FROM small_rollup)) AS d;
SELECT count(*) AS verify_differences FROM mql.verify_rollups();

-- Scores recomputed from scratch agree with the chunked ones (to 1e-9,
-- relative: lead 30000's sum of 66,000 terms is added in another order).
SELECT mql.rescore() AS rescored;
SELECT count(*) AS rescore_differences
  FROM mql.leads AS l JOIN one_leads AS o USING (lead_id)
 WHERE abs(l.intent_score::numeric - o.intent) > 1e-9 * greatest(1, abs(o.intent))
    OR l.fit_score IS DISTINCT FROM o.fit_score;

-- A role with only app access (docs/security.md) loads chunked
-- statements: pg_mql adds their rollup sums to mql.rollup (READ COMMITTED)
-- or writes them as deltas (REPEATABLE READ, where it does not fold) as
-- the owner of its tables, not as that role.
SELECT mql.compact_rollups() >= 0 AS compacted;
CREATE ROLE regress_bulk_app;
SELECT mql.grant_app_access('regress_bulk_app');
SET ROLE regress_bulk_app;
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  SELECT 40000 + i % 10000, CASE WHEN i % 7 = 3 THEN 'demo_request' ELSE 'page_view' END,
         timestamptz '2026-04-01 00:00+00' + (i % 10000) * interval '13 minutes'
           + (i / 10000) * interval '5 hours'
    FROM generate_series(1, 70000) AS i;
RESET ROLE;
SELECT count(*) AS pending_deltas_after_fold FROM mql.rollup_delta;
SET ROLE regress_bulk_app;
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  SELECT 50000 + i % 10000, CASE WHEN i % 7 = 3 THEN 'demo_request' ELSE 'page_view' END,
         timestamptz '2026-04-01 00:00+00' + (i % 10000) * interval '11 minutes'
           + (i / 10000) * interval '5 hours'
    FROM generate_series(1, 70000) AS i;
COMMIT;
RESET ROLE;
SELECT count(*) > 0 AS deltas_written FROM mql.rollup_delta;
SELECT count(*) AS app_leads, count(*) FILTER (WHERE stage::text = 'mql') AS app_mql
  FROM mql.leads WHERE lead_id >= 40000;
SELECT count(*) AS verify_differences FROM mql.verify_rollups();
SELECT mql.compact_rollups() > 0 AS folded;
SELECT count(*) AS verify_differences FROM mql.verify_rollups();
SELECT mql.revoke_app_access('regress_bulk_app');
DROP ROLE regress_bulk_app;

DROP EXTENSION pg_mql CASCADE;
