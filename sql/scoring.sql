-- Scoring: decay arithmetic, the incremental intent kept on mql.leads,
-- mql.score() in both forms, auto-created leads, late and out-of-order
-- events, bulk-vs-row equivalence, COPY, mql.explain() and mql.rescore().
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
RESET client_min_messages;
SET search_path = public, mql;
SET timezone = 'UTC';
\set VERBOSITY default

-- A threshold no lead reaches, so this file is about numbers only (the bulk
-- block lowers it for a while to compare transitions too).
UPDATE mql.settings SET threshold = 1000000, half_life = '30 days', report_timezone = 'UTC';
INSERT INTO mql.event_weights (event_type, weight, category) VALUES
  ('page_view', 10, 'web'),
  ('webinar', 30, 'event'),
  ('pricing_page', 25, 'web'),
  ('demo_request', 60, 'sales_touch'),
  ('unsubscribe', -20, 'email');

-- Relative agreement to 1e-9 (exact equality also counts, for zeros).
CREATE FUNCTION pg_temp.near(a double precision, b double precision) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS $$ SELECT a = b OR abs(a - b) <= 1e-9 * abs(a) $$;

------------------------------------------------------------------------------
-- 1. mql.decayed(): weight * 2^(-(at - occurred_at) / half_life).
------------------------------------------------------------------------------
-- Half-life 30 days: 60 -> 30 after 30 days, 15 after 60, 60*2^(-1/3) after 10.
SELECT mql.decayed(60, '2026-01-01 00:00+00', '2026-01-31 00:00+00', '30 days') = 30 AS thirty_days,
       mql.decayed(60, '2026-01-01 00:00+00', '2026-03-02 00:00+00', '30 days') = 15 AS sixty_days,
       pg_temp.near(mql.decayed(60, '2026-01-01 00:00+00', '2026-01-11 00:00+00', '30 days'),
                    60 * 2 ^ (-1.0 / 3)) AS ten_days,
       mql.decayed(60, '2026-01-01 00:00+00', '2026-01-01 00:00+00', '30 days') = 60 AS same_instant;
-- No decay when half_life is NULL; a one-day half-life halves every day.
SELECT mql.decayed(60, '2026-01-01 00:00+00', '2026-12-31 00:00+00', NULL) = 60 AS no_decay,
       mql.decayed(60, '2026-01-01 00:00+00', '2026-01-04 00:00+00', '1 day') = 7.5 AS one_day_half_life,
       pg_temp.near(mql.decayed(60, '2026-01-01 00:00+00', '2026-01-01 12:00+00', '1 day'),
                    60 / sqrt(2)) AS half_a_day,
       mql.decayed(-20, '2026-01-01 00:00+00', '2026-01-31 00:00+00', '30 days') = -10 AS negative_weight;
-- An event after `at` contributes nothing, even one microsecond after.
SELECT mql.decayed(60, '2026-01-02 00:00+00', '2026-01-01 00:00+00', '30 days') AS after_at,
       mql.decayed(60, '2026-01-01 00:00:00.000001+00', '2026-01-01 00:00+00', '30 days') AS one_microsecond_after,
       mql.decayed(60, '2026-01-02 00:00+00', '2026-01-01 00:00+00', NULL) AS after_at_no_decay;
-- Infinite timestamps have no decay: 22008.
SELECT mql.decayed(60, '-infinity', '2026-01-01 00:00+00', '30 days');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;

------------------------------------------------------------------------------
-- 2. The incremental intent on mql.leads and mql.score() in both forms.
------------------------------------------------------------------------------
-- The first event creates lead 1: intent 60 valid at the event's time.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, 'demo_request', '2026-01-01 00:00+00');
SELECT lead_id, stage, fit_score, intent_score, score_at, created_at, stage_changed_at
  FROM mql.leads WHERE lead_id = 1;
-- Score at or after score_at decays the stored intent (fit 0).
SELECT mql.score(1, '2026-01-01 00:00+00') = 60 AS at_score_at,
       mql.score(1, '2026-01-31 00:00+00') = 30 AS after_30_days,
       mql.score(1, '2026-03-02 00:00+00') = 15 AS after_60_days,
       pg_temp.near(mql.score(1, '2026-01-11 00:00+00'), 60 * 2 ^ (-1.0 / 3)) AS after_10_days;
-- A second event 10 days later: intent = 60*2^(-1/3) + 10 as of 2026-01-11.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, 'page_view', '2026-01-11 00:00+00');
SELECT pg_temp.near(intent_score, 60 * 2 ^ (-1.0 / 3) + 10) AS intent_ok,
       score_at = '2026-01-11 00:00+00' AS score_at_ok
  FROM mql.leads WHERE lead_id = 1;
-- at >= score_at: both overloads agree with the hand value.
SELECT pg_temp.near(mql.score(1, '2026-02-10 00:00+00'), (60 * 2 ^ (-1.0 / 3) + 10) * 2 ^ (-1.0)) AS by_id,
       pg_temp.near(mql.score(l, '2026-02-10 00:00+00'), (60 * 2 ^ (-1.0 / 3) + 10) * 2 ^ (-1.0)) AS by_row
  FROM mql.leads AS l WHERE l.lead_id = 1;
-- at < score_at: the page_view of 2026-01-11 is after `at` and does not count.
SELECT pg_temp.near(mql.score(1, '2026-01-05 00:00+00'), 60 * 2 ^ (-4.0 / 30)) AS by_id,
       pg_temp.near(mql.score(l, '2026-01-05 00:00+00'), 60 * 2 ^ (-4.0 / 30)) AS by_row,
       (mql.score(1, '2026-01-11 00:00+00') - mql.score(1, '2026-01-10 23:59:59+00')) BETWEEN 9.99 AND 10 AS page_view_counts_from_its_instant
  FROM mql.leads AS l WHERE l.lead_id = 1;
-- Before the first event the score is 0.
SELECT mql.score(1, '2025-12-31 00:00+00') AS before_any_event,
       mql.score(l, '2025-12-31 00:00+00') AS by_row
  FROM mql.leads AS l WHERE l.lead_id = 1;
-- The row overload scores many leads in one query.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (4, 'webinar', '2026-01-01 00:00+00'),
  (5, 'pricing_page', '2026-01-01 00:00+00');
SELECT l.lead_id, round(mql.score(l, '2026-01-31 00:00+00')::numeric, 6) AS score
  FROM mql.leads AS l WHERE l.lead_id IN (4, 5) ORDER BY l.lead_id;
-- An unknown lead has no score (NULL), and asking creates nothing.
SELECT mql.score(999, '2026-01-01 00:00+00') IS NULL AS unknown_is_null;
SELECT count(*) AS leads_999 FROM mql.leads WHERE lead_id = 999;

------------------------------------------------------------------------------
-- 3. Unknown event types weigh 0 and are stored.
------------------------------------------------------------------------------
INSERT INTO mql.events (lead_id, event_type, occurred_at, properties)
  VALUES (2, 'mystery', '2026-01-05 00:00+00', '{"path": "/x"}');
SELECT event_type, occurred_at, properties FROM mql.events WHERE lead_id = 2;
SELECT intent_score, score_at, mql.score(2, '2026-01-05 00:00+00') AS score
  FROM mql.leads WHERE lead_id = 2;
-- A weighted event on top of it counts alone.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (2, 'webinar', '2026-01-06 00:00+00');
SELECT intent_score = 30 AS only_webinar, score_at FROM mql.leads WHERE lead_id = 2;

------------------------------------------------------------------------------
-- 4. Events auto-create leads: created_at = earliest occurred_at of the
--    statement (whatever the row order), one 'created' history row.
------------------------------------------------------------------------------
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (3, 'demo_request', '2026-02-05 00:00+00'),
  (3, 'webinar', '2026-02-01 00:00+00');
SELECT lead_id, stage, created_at, stage_changed_at, score_at, first_mql_at,
       pg_temp.near(intent_score, 30 * 2 ^ (-4.0 / 30) + 60) AS intent_ok
  FROM mql.leads WHERE lead_id = 3;
SELECT lead_id, from_stage, to_stage, changed_at, reason, score, is_override,
       actor = current_user AS actor_is_current_user
  FROM mql.stage_history WHERE lead_id = 3 ORDER BY history_id;
-- Every lead created so far has exactly one history row, its 'created' row.
SELECT l.lead_id, count(h.*) AS history_rows,
       bool_and(h.from_stage IS NULL AND h.to_stage = 'lead' AND h.reason = 'created'
                AND h.changed_at = l.created_at) AS created_row_ok
  FROM mql.leads AS l JOIN mql.stage_history AS h USING (lead_id)
 GROUP BY l.lead_id ORDER BY l.lead_id;
-- A later event does not change created_at nor add history.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (3, 'page_view', '2026-01-15 00:00+00');
SELECT created_at, stage_changed_at,
       (SELECT count(*) FROM mql.stage_history AS h WHERE h.lead_id = 3) AS history_rows
  FROM mql.leads WHERE lead_id = 3;

------------------------------------------------------------------------------
-- 5. Late and out-of-order events: the stored intent does not depend on the
--    order of inserts nor on how they are split into statements.
--    The same five events go to leads 11..15:
--      11 one statement; 12 one per statement, oldest first;
--      13 one per statement, newest first; 14 two statements, the newer
--      events first; 15 one statement with the rows in scrambled order.
------------------------------------------------------------------------------
CREATE TEMP TABLE late_set (event_type text, occurred_at timestamptz);
INSERT INTO late_set VALUES
  ('page_view',    '2026-01-03 00:00+00'),
  ('demo_request', '2026-01-10 00:00+00'),
  ('unsubscribe',  '2026-01-15 00:00+00'),
  ('webinar',      '2026-01-20 06:30+00'),
  ('pricing_page', '2026-01-25 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  SELECT 11, event_type, occurred_at FROM late_set ORDER BY occurred_at;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (12, 'page_view', '2026-01-03 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (12, 'demo_request', '2026-01-10 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (12, 'unsubscribe', '2026-01-15 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (12, 'webinar', '2026-01-20 06:30+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (12, 'pricing_page', '2026-01-25 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (13, 'pricing_page', '2026-01-25 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (13, 'webinar', '2026-01-20 06:30+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (13, 'unsubscribe', '2026-01-15 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (13, 'demo_request', '2026-01-10 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (13, 'page_view', '2026-01-03 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  SELECT 14, event_type, occurred_at FROM late_set WHERE occurred_at >= '2026-01-20' ORDER BY occurred_at DESC;
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  SELECT 14, event_type, occurred_at FROM late_set WHERE occurred_at < '2026-01-20' ORDER BY occurred_at DESC;
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  SELECT 15, event_type, occurred_at FROM late_set ORDER BY event_type;
-- Hand value: every weight decayed to 2026-01-25 00:00, the newest event.
SELECT l.lead_id, l.score_at, l.created_at,
       pg_temp.near(l.intent_score,
                    10 * 2 ^ (-22.0 / 30) + 60 * 2 ^ (-15.0 / 30) - 20 * 2 ^ (-10.0 / 30)
                    + 30 * 2 ^ (-4.7291666666666667 / 30) + 25) AS matches_hand_value,
       pg_temp.near(l.intent_score, (SELECT intent_score FROM mql.leads WHERE lead_id = 11)) AS matches_lead_11
  FROM mql.leads AS l WHERE l.lead_id BETWEEN 11 AND 15 ORDER BY l.lead_id;
-- Scores as of a time between the events agree too (late events are exact).
SELECT l.lead_id,
       pg_temp.near(mql.score(l, '2026-01-16 00:00+00'),
                    10 * 2 ^ (-13.0 / 30) + 60 * 2 ^ (-6.0 / 30) - 20 * 2 ^ (-1.0 / 30)) AS score_mid_ok,
       pg_temp.near(mql.score(l, '2026-04-25 00:00+00'), l.intent_score / 8) AS score_later_ok
  FROM mql.leads AS l WHERE l.lead_id BETWEEN 11 AND 15 ORDER BY l.lead_id;

------------------------------------------------------------------------------
-- 6. Bulk vs row: 200 generated events (6 types, one of them negative and
--    one unknown, over 90 days, rows out of time order) go into leads
--    101..120 in one INSERT ... SELECT, and into leads 1101..1120 one row per
--    statement in occurred_at order. Intent, score_at, stage and history must
--    agree. The threshold is lowered so that some leads qualify.
------------------------------------------------------------------------------
UPDATE mql.settings SET threshold = 70;
CREATE TEMP TABLE gen AS
SELECT i,
       101 + (i * 7) % 20 AS lead_id,
       (ARRAY['page_view', 'webinar', 'pricing_page', 'unsubscribe', 'demo_request', 'mystery'])[1 + (i * 13) % 6] AS event_type,
       '2026-01-01 00:00+00'::timestamptz + ((i * 37) % 200) * interval '648 minutes' AS occurred_at
  FROM generate_series(1, 200) AS i;
-- The generated set: 20 leads, 10 events each, 90 days, distinct times.
SELECT count(*) AS events, count(DISTINCT lead_id) AS leads, count(DISTINCT occurred_at) AS times,
       min(occurred_at) AS first, max(occurred_at) AS last,
       count(*) FILTER (WHERE event_type = 'unsubscribe') AS negative,
       count(*) FILTER (WHERE event_type = 'mystery') AS unknown
  FROM gen;
-- Bulk: one statement, rows in generation (not time) order.
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  SELECT lead_id, event_type, occurred_at FROM gen ORDER BY i;
-- Row by row: one INSERT statement per event, in occurred_at order.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT lead_id, event_type, occurred_at FROM gen ORDER BY occurred_at, i LOOP
    INSERT INTO mql.events (lead_id, event_type, occurred_at)
      VALUES (r.lead_id + 1000, r.event_type, r.occurred_at);
  END LOOP;
END
$$;
-- Same intent (1e-9 relative), score_at, stage, created_at for every lead.
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE pg_temp.near(b.intent_score, r.intent_score)) AS same_intent,
       count(*) FILTER (WHERE b.score_at = r.score_at) AS same_score_at,
       count(*) FILTER (WHERE b.stage = r.stage) AS same_stage,
       count(*) FILTER (WHERE b.stage_changed_at = r.stage_changed_at) AS same_stage_changed_at,
       count(*) FILTER (WHERE b.first_mql_at IS NOT DISTINCT FROM r.first_mql_at) AS same_first_mql_at,
       count(*) FILTER (WHERE b.created_at = r.created_at) AS same_created_at
  FROM mql.leads AS b JOIN mql.leads AS r ON r.lead_id = b.lead_id + 1000
 WHERE b.lead_id BETWEEN 101 AND 120;
-- Both sets have some leads qualified and some not.
SELECT stage, count(*) AS leads FROM mql.leads WHERE lead_id BETWEEN 101 AND 120 GROUP BY stage ORDER BY stage;
SELECT stage, count(*) AS leads FROM mql.leads WHERE lead_id BETWEEN 1101 AND 1120 GROUP BY stage ORDER BY stage;
-- Same history rows per lead (to_stage, changed_at, score to 9 places).
SELECT count(*) AS differing_history_rows FROM (
  (SELECT lead_id, to_stage, changed_at, round(score::numeric, 9) AS score, reason
     FROM mql.stage_history WHERE lead_id BETWEEN 101 AND 120
   EXCEPT ALL
   SELECT lead_id - 1000, to_stage, changed_at, round(score::numeric, 9), reason
     FROM mql.stage_history WHERE lead_id BETWEEN 1101 AND 1120)
  UNION ALL
  (SELECT lead_id - 1000, to_stage, changed_at, round(score::numeric, 9), reason
     FROM mql.stage_history WHERE lead_id BETWEEN 1101 AND 1120
   EXCEPT ALL
   SELECT lead_id, to_stage, changed_at, round(score::numeric, 9), reason
     FROM mql.stage_history WHERE lead_id BETWEEN 101 AND 120)) AS d;
SELECT count(*) AS history_rows_bulk FROM mql.stage_history WHERE lead_id BETWEEN 101 AND 120;
-- The stored intent also equals the decayed sum of the generated events,
-- and each qualification is the first event at which the score, as of that
-- event, reached 70.
SELECT count(*) FILTER (WHERE pg_temp.near(l.intent_score, x.intent)) AS intent_matches_sum
  FROM mql.leads AS l
  JOIN (SELECT g.lead_id, sum(mql.decayed(COALESCE(w.weight, 0), g.occurred_at, m.last_at, '30 days')) AS intent
          FROM gen AS g
          LEFT JOIN mql.event_weights AS w USING (event_type)
          JOIN (SELECT lead_id, max(occurred_at) AS last_at FROM gen GROUP BY lead_id) AS m USING (lead_id)
         GROUP BY g.lead_id) AS x ON x.lead_id = l.lead_id;
WITH judged AS (
  SELECT g.lead_id, g.occurred_at,
         (SELECT sum(mql.decayed(COALESCE(w.weight, 0), g2.occurred_at, g.occurred_at, '30 days'))
            FROM gen AS g2 LEFT JOIN mql.event_weights AS w USING (event_type)
           WHERE g2.lead_id = g.lead_id) AS score
    FROM gen AS g),
first_cross AS (
  SELECT lead_id, min(occurred_at) AS at FROM judged WHERE score >= 70 GROUP BY lead_id)
SELECT count(*) AS leads,
       count(*) FILTER (WHERE l.first_mql_at IS NOT DISTINCT FROM f.at) AS first_mql_at_as_expected
  FROM mql.leads AS l LEFT JOIN first_cross AS f USING (lead_id)
 WHERE l.lead_id BETWEEN 101 AND 120;
UPDATE mql.settings SET threshold = 1000000;

------------------------------------------------------------------------------
-- 7. COPY goes through the same statement trigger.
------------------------------------------------------------------------------
COPY mql.events (lead_id, event_type, occurred_at) FROM stdin;
201	webinar	2026-03-01 00:00:00+00
202	page_view	2026-03-05 00:00:00+00
201	demo_request	2026-03-31 00:00:00+00
202	unsubscribe	2026-03-04 00:00:00+00
201	page_view	2026-02-28 00:00:00+00
\.
SELECT lead_id, created_at, score_at, stage,
       round(intent_score::numeric, 9) AS intent
  FROM mql.leads WHERE lead_id IN (201, 202) ORDER BY lead_id;
SELECT pg_temp.near((SELECT intent_score FROM mql.leads WHERE lead_id = 201),
                    10 * 2 ^ (-31.0 / 30) + 30 * 2 ^ (-1.0) + 60) AS lead_201_ok,
       pg_temp.near((SELECT intent_score FROM mql.leads WHERE lead_id = 202),
                    -20 * 2 ^ (-1.0 / 30) + 10) AS lead_202_ok,
       (SELECT count(*) FROM mql.stage_history WHERE lead_id IN (201, 202) AND reason = 'created') AS created_rows;

------------------------------------------------------------------------------
-- 8. mql.explain(): one row per matching rule and per event type; the
--    points add up to mql.score() at the same time.
------------------------------------------------------------------------------
INSERT INTO mql.fit_rules (attribute, op, value, points, effect, description) VALUES
  ('employees', '>=', '100', 15, 'score', 'mid-market'),
  ('country', 'in', '["DE", "FR"]', 5, 'score', 'core region'),
  ('industry', '=', '"retail"', 7, 'score', NULL);
INSERT INTO mql.leads (lead_id, attributes, created_at)
  VALUES (301, '{"employees": 500, "country": "de"}', '2026-01-01 00:00+00');
SELECT fit_score FROM mql.leads WHERE lead_id = 301;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (301, 'page_view', '2026-01-02 00:00+00'),
  (301, 'page_view', '2026-01-12 00:00+00'),
  (301, 'webinar', '2026-01-05 00:00+00'),
  (301, 'mystery', '2026-01-06 00:00+00'),
  (301, 'demo_request', '2026-02-01 00:00+00');
-- As of 2026-02-11: every event counts.
SELECT kind, item, detail, round(points::numeric, 6) AS points
  FROM mql.explain(301, '2026-02-11 00:00+00') ORDER BY kind, item;
SELECT pg_temp.near(sum(points), mql.score(301, '2026-02-11 00:00+00')) AS sum_is_score,
       pg_temp.near(sum(points) FILTER (WHERE item = 'page_view'),
                    10 * 2 ^ (-40.0 / 30) + 10 * 2 ^ (-30.0 / 30)) AS page_view_hand,
       pg_temp.near(sum(points), 20 + 10 * 2 ^ (-40.0 / 30) + 10 * 2 ^ (-30.0 / 30)
                    + 30 * 2 ^ (-37.0 / 30) + 60 * 2 ^ (-10.0 / 30)) AS total_hand
  FROM mql.explain(301, '2026-02-11 00:00+00');
-- As of 2026-01-10 (before score_at): the later page_view and the demo
-- request are left out, in explain() as in score().
SELECT kind, item, detail, round(points::numeric, 6) AS points
  FROM mql.explain(301, '2026-01-10 00:00+00') ORDER BY kind, item;
SELECT pg_temp.near(sum(points), mql.score(301, '2026-01-10 00:00+00')) AS sum_is_score,
       pg_temp.near(sum(points), 20 + 10 * 2 ^ (-8.0 / 30) + 30 * 2 ^ (-5.0 / 30)) AS total_hand
  FROM mql.explain(301, '2026-01-10 00:00+00');
-- An unknown lead explains nothing.
SELECT count(*) AS rows FROM mql.explain(999, '2026-01-10 00:00+00');
DELETE FROM mql.fit_rules;

------------------------------------------------------------------------------
-- 9. mql.rescore(): recomputes from the stored events after a weight change.
------------------------------------------------------------------------------
UPDATE mql.event_weights SET weight = 20 WHERE event_type = 'page_view';
-- The stored intent is unchanged until a rescore.
SELECT pg_temp.near(intent_score, 60 * 2 ^ (-1.0 / 3) + 10) AS still_old_weight
  FROM mql.leads WHERE lead_id = 1;
SELECT mql.rescore(1) AS rescored;
SELECT pg_temp.near(intent_score, 60 * 2 ^ (-1.0 / 3) + 20) AS new_weight,
       score_at = '2026-01-11 00:00+00' AS score_at_ok
  FROM mql.leads WHERE lead_id = 1;
-- Lead 11 was not rescored yet.
SELECT pg_temp.near(intent_score, 10 * 2 ^ (-22.0 / 30) + 60 * 2 ^ (-15.0 / 30) - 20 * 2 ^ (-10.0 / 30)
                    + 30 * 2 ^ (-4.7291666666666667 / 30) + 25) AS lead_11_old_weight
  FROM mql.leads WHERE lead_id = 11;
-- A weight for the unknown type, then rescore everything: returns the
-- number of leads; lead 11 and lead 2 (the mystery event) are recomputed.
INSERT INTO mql.event_weights (event_type, weight) VALUES ('mystery', 5);
SELECT mql.rescore() = (SELECT count(*) FROM mql.leads) AS returns_lead_count,
       (SELECT count(*) FROM mql.leads) AS leads;
SELECT pg_temp.near(intent_score, 20 * 2 ^ (-22.0 / 30) + 60 * 2 ^ (-15.0 / 30) - 20 * 2 ^ (-10.0 / 30)
                    + 30 * 2 ^ (-4.7291666666666667 / 30) + 25) AS lead_11_new_weight
  FROM mql.leads WHERE lead_id = 11;
SELECT pg_temp.near(intent_score, 5 * 2 ^ (-1.0 / 30) + 30) AS lead_2_mystery_counts
  FROM mql.leads WHERE lead_id = 2;
-- Every lead's stored intent equals the decayed sum of its events to score_at.
SELECT count(*) AS leads,
       count(*) FILTER (WHERE pg_temp.near(l.intent_score, x.intent) AND l.score_at = x.last_at) AS consistent
  FROM mql.leads AS l
  JOIN (SELECT e.lead_id, max(e.occurred_at) AS last_at,
               sum(mql.decayed(COALESCE(w.weight, 0), e.occurred_at,
                               (SELECT max(occurred_at) FROM mql.events AS e2 WHERE e2.lead_id = e.lead_id),
                               '30 days')) AS intent
          FROM mql.events AS e LEFT JOIN mql.event_weights AS w USING (event_type)
         GROUP BY e.lead_id) AS x USING (lead_id);
-- Rescoring an unknown lead touches nothing.
SELECT mql.rescore(999) AS rescored;
-- A change of half-life takes effect on rescore: with NULL, intent is the
-- plain sum of weights.
UPDATE mql.settings SET half_life = NULL;
SELECT mql.rescore(1) AS rescored;
SELECT intent_score = 80 AS plain_sum, mql.score(1, '2027-01-01 00:00+00') = 80 AS no_decay
  FROM mql.leads WHERE lead_id = 1;
UPDATE mql.settings SET half_life = '1 day';
SELECT mql.rescore(1) AS rescored;
SELECT pg_temp.near(intent_score, 60 * 2 ^ (-10.0) + 20) AS one_day_half_life,
       mql.score(1, '2026-01-13 00:00+00') = intent_score / 4 AS two_days_later
  FROM mql.leads WHERE lead_id = 1;
UPDATE mql.settings SET half_life = '30 days';
SELECT mql.rescore() IS NOT NULL AS rescored_all;

------------------------------------------------------------------------------
-- 10. UPDATE and DELETE of events rescore the affected lead only.
------------------------------------------------------------------------------
-- Lead 3: webinar 02-01, page_view 01-15, demo_request 02-05.
SELECT pg_temp.near(intent_score, 20 * 2 ^ (-21.0 / 30) + 30 * 2 ^ (-4.0 / 30) + 60) AS before
  FROM mql.leads WHERE lead_id = 3;
SELECT intent_score AS lead_4_before FROM mql.leads WHERE lead_id = 4;
DELETE FROM mql.events WHERE lead_id = 3 AND event_type = 'demo_request';
SELECT pg_temp.near(intent_score, 20 * 2 ^ (-17.0 / 30) + 30) AS after_delete, score_at
  FROM mql.leads WHERE lead_id = 3;
UPDATE mql.events SET event_type = 'demo_request' WHERE lead_id = 3 AND event_type = 'webinar';
SELECT pg_temp.near(intent_score, 20 * 2 ^ (-17.0 / 30) + 60) AS after_type_change, score_at
  FROM mql.leads WHERE lead_id = 3;
UPDATE mql.events SET occurred_at = '2026-02-14 00:00+00' WHERE lead_id = 3 AND event_type = 'demo_request';
SELECT pg_temp.near(intent_score, 20 * 2 ^ (-1.0) + 60) AS after_time_change, score_at
  FROM mql.leads WHERE lead_id = 3;
DELETE FROM mql.events WHERE lead_id = 3;
SELECT intent_score, score_at, stage FROM mql.leads WHERE lead_id = 3;
-- The lead itself stays (with its history); other leads are untouched.
SELECT count(*) AS history_rows FROM mql.stage_history WHERE lead_id = 3;
SELECT intent_score AS lead_4_after FROM mql.leads WHERE lead_id = 4;
