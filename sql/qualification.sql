-- Qualification: leads move to mql when an event brings the score to the
-- threshold, subject to require and exclude rules; recycled leads
-- re-qualify only on a fresh crossing; later stages are never touched;
-- one statement and one-per-statement agree; late events are exact.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
RESET client_min_messages;
SET search_path = public, mql;
SET timezone = 'UTC';
\set VERBOSITY default

UPDATE mql.settings SET threshold = 100, half_life = '30 days', report_timezone = 'UTC', future_tolerance = NULL;
INSERT INTO mql.event_weights (event_type, weight) VALUES
  ('page_view', 10),
  ('whitepaper', 20),
  ('webinar', 30),
  ('pricing_page', 40),
  ('demo_request', 60);

-- Relative agreement to 1e-9 (exact equality also counts).
CREATE FUNCTION pg_temp.near(a double precision, b double precision) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS $$ SELECT a = b OR abs(a - b) <= 1e-9 * abs(a) $$;

-- Note on dates: a lead re-judged outside the event path (attribute change,
-- rescore, a lead inserted with fit above the threshold) is judged at
-- max(now, score_at, stage_changed_at). The blocks that rely on that use
-- dates in 2100, so that the result does not depend on the day the test
-- runs; every other block uses 2026 dates.

------------------------------------------------------------------------------
-- 1. Crossing the threshold by events (lead 1, one statement):
--    webinar 01-01 (30), demo 01-02 (60) -> 89.31 as of 01-02, below;
--    pricing 01-05 (40) -> 30*2^(-4/30) + 60*2^(-3/30) + 40 = 123.33: crosses;
--    page_view 01-06 changes nothing more.
------------------------------------------------------------------------------
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (1, 'page_view', '2026-01-06 00:00+00'),
  (1, 'pricing_page', '2026-01-05 00:00+00'),
  (1, 'webinar', '2026-01-01 00:00+00'),
  (1, 'demo_request', '2026-01-02 00:00+00');
SELECT lead_id, stage, created_at, stage_changed_at, first_mql_at, score_at
  FROM mql.leads WHERE lead_id = 1;
SELECT from_stage, to_stage, changed_at, reason, actor = current_user AS by_current_user,
       CASE WHEN reason = 'created' THEN NULL ELSE actor END AS auto_actor, round(score::numeric, 6) AS score
  FROM mql.stage_history WHERE lead_id = 1 ORDER BY history_id;
SELECT pg_temp.near(score, 30 * 2 ^ (-4.0 / 30) + 60 * 2 ^ (-3.0 / 30) + 40) AS history_score_hand,
       pg_temp.near(score, mql.score(1, changed_at)) AS history_score_is_score_then
  FROM mql.stage_history WHERE lead_id = 1 AND to_stage = 'mql';
-- More events for a lead already in mql add no history.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, 'demo_request', '2026-01-10 00:00+00');
SELECT stage, stage_changed_at, (SELECT count(*) FROM mql.stage_history WHERE lead_id = 1) AS history_rows
  FROM mql.leads WHERE lead_id = 1;

------------------------------------------------------------------------------
-- 2. Below the threshold: no qualification (lead 2: 89.31 as of 01-02).
--    At the threshold exactly: qualification (lead 3: 60 + 40 at one time).
------------------------------------------------------------------------------
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (2, 'webinar', '2026-01-01 00:00+00'),
  (2, 'demo_request', '2026-01-02 00:00+00'),
  (3, 'demo_request', '2026-01-01 00:00+00'),
  (3, 'pricing_page', '2026-01-01 00:00+00');
SELECT lead_id, stage, round(mql.score(l, score_at)::numeric, 6) AS score_at_last_event, first_mql_at
  FROM mql.leads AS l WHERE lead_id IN (2, 3) ORDER BY lead_id;
SELECT lead_id, from_stage, to_stage, changed_at, reason, score
  FROM mql.stage_history WHERE lead_id IN (2, 3) ORDER BY lead_id, history_id;

------------------------------------------------------------------------------
-- 3. Require rules (lead 4, dates in 2100): without the required attribute
--    the lead does not qualify although its score reaches the threshold;
--    adding the attribute by UPDATE qualifies it as of score_at.
------------------------------------------------------------------------------
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('consent', '=', 'true', NULL, 'require');
INSERT INTO mql.leads (lead_id, attributes, created_at) VALUES (4, '{"country": "DE"}', '2100-01-01 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (4, 'demo_request', '2100-01-01 00:00+00'),
  (4, 'pricing_page', '2100-01-02 00:00+00'),
  (4, 'webinar', '2100-01-02 00:00+00');
SELECT stage, mql.score(l, '2100-01-02 00:00+00') >= 100 AS score_reached_threshold, first_mql_at
  FROM mql.leads AS l WHERE lead_id = 4;
-- Another event while the requirement is unmet: still a lead.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (4, 'page_view', '2100-01-03 00:00+00');
SELECT stage FROM mql.leads WHERE lead_id = 4;
-- The attribute arrives: the lead qualifies at score_at with its score then.
UPDATE mql.leads SET attributes = attributes || '{"consent": true}' WHERE lead_id = 4;
SELECT stage, stage_changed_at, first_mql_at FROM mql.leads WHERE lead_id = 4;
SELECT from_stage, to_stage, changed_at, reason, actor,
       pg_temp.near(score, (60 * 2 ^ (-1.0 / 30) + 70) * 2 ^ (-1.0 / 30) + 10) AS score_hand
  FROM mql.stage_history WHERE lead_id = 4 AND from_stage IS NOT NULL ORDER BY history_id;
DELETE FROM mql.fit_rules;

------------------------------------------------------------------------------
-- 4. Exclude rules: a student never auto-qualifies (lead 5), whatever its
--    score, by events or by an attribute change.
------------------------------------------------------------------------------
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('role', 'in', '["student"]', NULL, 'exclude');
INSERT INTO mql.leads (lead_id, attributes, created_at) VALUES (5, '{"role": "Student"}', '2026-01-01 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (5, 'demo_request', '2026-01-02 00:00+00'),
  (5, 'demo_request', '2026-01-02 00:00+00'),
  (5, 'demo_request', '2026-01-02 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (5, 'pricing_page', '2026-01-03 00:00+00');
UPDATE mql.leads SET attributes = attributes || '{"school": "MIT"}' WHERE lead_id = 5;
SELECT stage, round(mql.score(l, '2026-01-03 00:00+00')::numeric, 6) AS score, first_mql_at,
       (SELECT count(*) FROM mql.stage_history AS h WHERE h.lead_id = 5) AS history_rows
  FROM mql.leads AS l WHERE lead_id = 5;
DELETE FROM mql.fit_rules;

------------------------------------------------------------------------------
-- 5. Fit alone at or above the threshold qualifies a lead when it is
--    inserted (lead 6) or when an UPDATE of its attributes lifts it there
--    (lead 7). Dates in 2100.
------------------------------------------------------------------------------
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('employees', '>=', '1000', 100, 'score');
INSERT INTO mql.leads (lead_id, attributes, created_at) VALUES
  (6, '{"employees": 5000}', '2100-02-01 00:00+00'),
  (7, '{"employees": 10}', '2100-02-01 00:00+00');
SELECT lead_id, stage, fit_score, stage_changed_at, first_mql_at FROM mql.leads WHERE lead_id IN (6, 7) ORDER BY lead_id;
UPDATE mql.leads SET attributes = '{"employees": 2000}' WHERE lead_id = 7;
SELECT lead_id, from_stage, to_stage, changed_at, reason, score, CASE WHEN from_stage IS NULL THEN NULL ELSE actor END AS auto_actor
  FROM mql.stage_history WHERE lead_id IN (6, 7) ORDER BY lead_id, history_id;
DELETE FROM mql.fit_rules;

------------------------------------------------------------------------------
-- 6. Recycled leads (lead 8). Qualified automatically on 02-01 (demo,
--    pricing, webinar at one time: the crossing is the pricing event, at
--    exactly 100), accepted by sales on 02-03, recycled on 02-05.
------------------------------------------------------------------------------
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (8, 'demo_request', '2026-02-01 00:00+00'),
  (8, 'pricing_page', '2026-02-01 00:00+00'),
  (8, 'webinar', '2026-02-01 00:00+00');
SELECT stage, stage_changed_at FROM mql.leads WHERE lead_id = 8;
SELECT (mql.set_stage(8, 'sql', 'accepted by sales', '2026-02-03 00:00+00')).stage;
SELECT (mql.set_stage(8, 'recycled', 'not ready yet', '2026-02-05 00:00+00')).stage;
-- Score when recycled: 130*2^(-4/30) = 118.5, still above the threshold.
SELECT round(mql.score(8, '2026-02-05 00:00+00')::numeric, 6) AS score_when_recycled;
-- A small event while the score is still above the threshold: no crossing
-- from below, so no re-qualification.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (8, 'page_view', '2026-02-06 00:00+00');
SELECT stage FROM mql.leads WHERE lead_id = 8;
-- Decayed below: 32 days later a page view leaves it below (about 70).
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (8, 'page_view', '2026-03-10 00:00+00');
SELECT stage, round(mql.score(8, '2026-03-10 00:00+00')::numeric, 6) AS score FROM mql.leads WHERE lead_id = 8;
-- A demo request two days later lifts it from below to above: re-qualified.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (8, 'demo_request', '2026-03-12 00:00+00');
SELECT stage, stage_changed_at, first_mql_at FROM mql.leads WHERE lead_id = 8;
SELECT from_stage, to_stage, changed_at, reason, round(score::numeric, 6) AS score
  FROM mql.stage_history WHERE lead_id = 8 ORDER BY history_id;
SELECT pg_temp.near(score, 130 * 2 ^ (-39.0 / 30) + 10 * 2 ^ (-34.0 / 30) + 10 * 2 ^ (-2.0 / 30) + 60) AS requalify_score_hand,
       actor = 'pg_mql' AS by_pg_mql
  FROM mql.stage_history WHERE lead_id = 8 AND from_stage = 'recycled';

------------------------------------------------------------------------------
-- 7. Events older than the recycling never re-qualify (lead 9): qualified
--    on 01-01 (score 100), recycled on 03-01 (score ~25.6). Events dated
--    02-28 would take a lead to 156, and a late event dated 02-15 adds more,
--    but they happened before the recycling. A page view after it finds the
--    score already above the threshold: no crossing either.
------------------------------------------------------------------------------
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (9, 'demo_request', '2026-01-01 00:00+00'),
  (9, 'pricing_page', '2026-01-01 00:00+00');
SELECT (mql.set_stage(9, 'recycled', 'nurture', '2026-03-01 00:00+00')).stage;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (9, 'demo_request', '2026-02-28 00:00+00'),
  (9, 'pricing_page', '2026-02-28 00:00+00'),
  (9, 'webinar', '2026-02-28 00:00+00');
SELECT stage, round(mql.score(l, '2026-02-28 00:00+00')::numeric, 6) AS score_0228 FROM mql.leads AS l WHERE lead_id = 9;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (9, 'webinar', '2026-02-15 00:00+00');
SELECT stage FROM mql.leads WHERE lead_id = 9;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (9, 'page_view', '2026-03-02 00:00+00');
SELECT stage, mql.score(l, '2026-03-02 00:00+00') > 100 AS above FROM mql.leads AS l WHERE lead_id = 9;
SELECT from_stage, to_stage, changed_at, reason FROM mql.stage_history WHERE lead_id = 9 ORDER BY history_id;

------------------------------------------------------------------------------
-- 8. Leads in sql, opportunity, customer or disqualified are never moved by
--    events (leads 10..13); their intent is still kept.
------------------------------------------------------------------------------
INSERT INTO mql.leads (lead_id, created_at)
  SELECT g, '2026-01-01 00:00+00' FROM generate_series(10, 13) AS g;
SELECT (mql.set_stage(10, 'sql', NULL, '2026-01-01 12:00+00')).stage;
SELECT (mql.set_stage(11, 'opportunity', NULL, '2026-01-01 12:00+00')).stage;
SELECT (mql.set_stage(12, 'customer', NULL, '2026-01-01 12:00+00')).stage;
SELECT (mql.set_stage(13, 'disqualified', NULL, '2026-01-01 12:00+00')).stage;
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  SELECT g, t, '2026-01-02 00:00+00'
    FROM generate_series(10, 13) AS g, unnest(ARRAY['demo_request', 'demo_request', 'pricing_page']) AS t;
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  SELECT g, 'demo_request', '2026-01-03 00:00+00' FROM generate_series(10, 13) AS g;
SELECT l.lead_id, l.stage, l.stage_changed_at, l.first_mql_at,
       pg_temp.near(l.intent_score, 160 * 2 ^ (-1.0 / 30) + 60) AS intent_kept,
       (SELECT count(*) FROM mql.stage_history AS h WHERE h.lead_id = l.lead_id) AS history_rows
  FROM mql.leads AS l WHERE l.lead_id BETWEEN 10 AND 13 ORDER BY l.lead_id;

------------------------------------------------------------------------------
-- 9. One statement vs one event per statement in occurred_at order (leads
--    14 and 15, the same events): identical transitions and timestamps.
--    By hand: 77.7 as of 03-05, 85.9 as of 03-06, then the demo request of
--    03-20 crosses at 85.9*2^(-14/30) + 60 = 122.
------------------------------------------------------------------------------
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (14, 'pricing_page', '2026-03-22 00:00+00'),
  (14, 'page_view', '2026-03-06 00:00+00'),
  (14, 'webinar', '2026-03-21 00:00+00'),
  (14, 'page_view', '2026-03-01 00:00+00'),
  (14, 'demo_request', '2026-03-20 00:00+00'),
  (14, 'pricing_page', '2026-03-05 00:00+00'),
  (14, 'webinar', '2026-03-03 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (15, 'page_view', '2026-03-01 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (15, 'webinar', '2026-03-03 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (15, 'pricing_page', '2026-03-05 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (15, 'page_view', '2026-03-06 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (15, 'demo_request', '2026-03-20 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (15, 'webinar', '2026-03-21 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (15, 'pricing_page', '2026-03-22 00:00+00');
SELECT lead_id, stage, created_at, stage_changed_at, first_mql_at, score_at
  FROM mql.leads WHERE lead_id IN (14, 15) ORDER BY lead_id;
SELECT lead_id, from_stage, to_stage, changed_at, reason, round(score::numeric, 9) AS score
  FROM mql.stage_history WHERE lead_id IN (14, 15) ORDER BY lead_id, history_id;
SELECT pg_temp.near(a.score, b.score) AS same_score,
       pg_temp.near(a.score, (10 * 2 ^ (-4.0 / 30) + 30 * 2 ^ (-2.0 / 30) + 40) * 2 ^ (-15.0 / 30)
                              + 10 * 2 ^ (-14.0 / 30) + 60) AS score_hand,
       pg_temp.near((SELECT intent_score FROM mql.leads WHERE lead_id = 14),
                    (SELECT intent_score FROM mql.leads WHERE lead_id = 15)) AS same_intent
  FROM mql.stage_history AS a, mql.stage_history AS b
 WHERE a.lead_id = 14 AND b.lead_id = 15 AND a.to_stage = 'mql' AND b.to_stage = 'mql';

------------------------------------------------------------------------------
-- 10. A late event can make a later, already stored event the crossing
--     (lead 16): stored webinar 01-10 and demo 01-12 reach 88.6; a pricing
--     event dated 01-08 arrives afterwards. With it the score as of 01-12 is
--     40*2^(-4/30) + 30*2^(-2/30) + 60 = 125.1, so the lead qualified at
--     01-12, the demo request's time, not at 01-08 (40 then) nor now.
------------------------------------------------------------------------------
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (16, 'webinar', '2026-01-10 00:00+00'),
  (16, 'demo_request', '2026-01-12 00:00+00');
SELECT stage, round(mql.score(l, '2026-01-12 00:00+00')::numeric, 6) AS score FROM mql.leads AS l WHERE lead_id = 16;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (16, 'pricing_page', '2026-01-08 00:00+00');
SELECT stage, stage_changed_at, first_mql_at, score_at FROM mql.leads WHERE lead_id = 16;
SELECT from_stage, to_stage, changed_at, reason,
       pg_temp.near(score, 40 * 2 ^ (-4.0 / 30) + 30 * 2 ^ (-2.0 / 30) + 60) AS score_hand
  FROM mql.stage_history WHERE lead_id = 16 AND from_stage IS NOT NULL;
-- A late event can also cross by itself, at its own time (lead 21, created
-- 01-01): a webinar of 01-20 is stored (30), then a demo request and a
-- pricing view dated 01-05 arrive: 100 as of 01-05, qualified at 01-05.
INSERT INTO mql.leads (lead_id, created_at) VALUES (21, '2026-01-01 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (21, 'webinar', '2026-01-20 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (21, 'demo_request', '2026-01-05 00:00+00'),
  (21, 'pricing_page', '2026-01-05 00:00+00');
SELECT stage, stage_changed_at, first_mql_at, score_at FROM mql.leads WHERE lead_id = 21;
SELECT from_stage, to_stage, changed_at, reason, score
  FROM mql.stage_history WHERE lead_id = 21 AND from_stage IS NOT NULL;

------------------------------------------------------------------------------
-- 11. A higher or lower threshold takes effect for leads in stage lead when
--     they are rescored (leads 17 and 18, dates in 2100): 90 and 30.
------------------------------------------------------------------------------
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (17, 'demo_request', '2100-03-01 00:00+00'),
  (17, 'webinar', '2100-03-01 00:00+00'),
  (18, 'webinar', '2100-03-01 00:00+00');
UPDATE mql.settings SET threshold = 80;
-- Changing the setting alone moves nobody.
SELECT lead_id, stage FROM mql.leads WHERE lead_id IN (17, 18) ORDER BY lead_id;
SELECT mql.rescore(17) AS rescored_17, mql.rescore(18) AS rescored_18;
SELECT lead_id, stage, stage_changed_at, first_mql_at FROM mql.leads WHERE lead_id IN (17, 18) ORDER BY lead_id;
SELECT lead_id, from_stage, to_stage, changed_at, reason, score, actor
  FROM mql.stage_history WHERE lead_id IN (17, 18) AND from_stage IS NOT NULL ORDER BY lead_id;
UPDATE mql.settings SET threshold = 100;

------------------------------------------------------------------------------
-- 12. Events that occurred before an explicitly inserted lead's created_at
--     are judged as of created_at (lead 19: 117 as of 02-28 but 114.6 as of
--     created_at 03-01, the score recorded). Lead 20: 100 as of 02-10, only
--     64.5 by created_at, so no qualification until later events lift it.
------------------------------------------------------------------------------
INSERT INTO mql.leads (lead_id, created_at) VALUES
  (19, '2026-03-01 00:00+00'),
  (20, '2026-03-01 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (19, 'demo_request', '2026-02-20 00:00+00'),
  (19, 'pricing_page', '2026-02-25 00:00+00'),
  (19, 'webinar', '2026-02-28 00:00+00'),
  (20, 'demo_request', '2026-02-10 00:00+00'),
  (20, 'pricing_page', '2026-02-10 00:00+00');
SELECT lead_id, stage, stage_changed_at, first_mql_at FROM mql.leads WHERE lead_id IN (19, 20) ORDER BY lead_id;
SELECT from_stage, to_stage, changed_at, reason,
       pg_temp.near(score, 60 * 2 ^ (-9.0 / 30) + 40 * 2 ^ (-4.0 / 30) + 30 * 2 ^ (-1.0 / 30)) AS score_as_of_created_at
  FROM mql.stage_history WHERE lead_id = 19 AND from_stage IS NOT NULL;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (20, 'webinar', '2026-03-02 00:00+00');
SELECT stage, round(mql.score(20, '2026-03-02 00:00+00')::numeric, 6) AS score FROM mql.leads WHERE lead_id = 20;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (20, 'demo_request', '2026-03-03 00:00+00');
SELECT from_stage, to_stage, changed_at, reason,
       pg_temp.near(score, 100 * 2 ^ (-21.0 / 30) + 30 * 2 ^ (-1.0 / 30) + 60) AS score_hand
  FROM mql.stage_history WHERE lead_id = 20 AND from_stage IS NOT NULL;

------------------------------------------------------------------------------
-- 13. Invariants over everything above: each lead's stage is the to_stage of
--     its latest history row, and every automatic qualification recorded
--     the score the lead had at changed_at.
------------------------------------------------------------------------------
SELECT count(*) AS leads,
       count(*) FILTER (WHERE l.stage = (SELECT h.to_stage FROM mql.stage_history AS h
                                          WHERE h.lead_id = l.lead_id ORDER BY h.history_id DESC LIMIT 1)) AS stage_matches_history
  FROM mql.leads AS l;
--     (Lead 8 first qualified at 02-01 with the pricing event, at 100; the
--     webinar of the same instant follows it in event_id order, so the
--     score recorded is 100 while mql.score(8, 02-01) counts all three: 130.)
SELECT lead_id, changed_at, reason,
       pg_temp.near(score, mql.score(lead_id, changed_at)) AS score_is_score_then
  FROM mql.stage_history WHERE actor = 'pg_mql' ORDER BY lead_id, history_id;
