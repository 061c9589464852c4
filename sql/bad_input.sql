-- Every bad input the product names: each is refused with its documented
-- SQLSTATE, and each refusal is followed by proof that nothing was written.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
RESET client_min_messages;
SET search_path = public, mql;
SET timezone = 'UTC';
\set VERBOSITY default

-- What "nothing was written" is checked against.
CREATE TEMP VIEW counts AS
SELECT (SELECT count(*) FROM mql.leads) AS leads,
       (SELECT count(*) FROM mql.events) AS events,
       (SELECT count(*) FROM mql.stage_history) AS history,
       (SELECT count(*) FROM mql.event_weights) AS weights,
       (SELECT count(*) FROM mql.fit_rules) AS rules,
       (SELECT count(*) FROM mql.settings) AS settings;
CREATE TEMP VIEW lead1 AS
SELECT lead_id, stage, attributes, fit_score, round(intent_score::numeric, 6) AS intent,
       score_at, stage_changed_at
  FROM mql.leads WHERE lead_id = 1;
CREATE TEMP VIEW settings_now AS
SELECT threshold, half_life, report_timezone FROM mql.settings;

---------------------------------------------------------------------------
-- Valid set-up: 2 weights, 1 rule, lead 1 (inserted, fit 20) with 2 events,
-- lead 2 created by its event. 2 leads, 3 events, 2 'created' history rows.
INSERT INTO mql.event_weights (event_type, weight, category) VALUES
  ('visit', 10, 'web'), ('demo', 60, 'sales_touch');
INSERT INTO mql.fit_rules (attribute, op, value, points, effect)
  VALUES ('country', '=', '"DE"', 20, 'score');
INSERT INTO mql.leads (lead_id, email, attributes, created_at)
  VALUES (1, 'one@example.com', '{"country": "DE"}', '2026-01-01 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (1, 'visit', '2026-01-02 00:00+00'),
  (1, 'visit', '2026-01-03 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (2, 'visit', '2026-01-05 00:00+00');
SELECT * FROM counts;
SELECT * FROM lead1;
-- lead 1's intent as of score_at 2026-01-03: 10 * 2^(-1/30) + 10.
SELECT round(intent_score::numeric, 9) = round((10 * 2^(-1.0/30) + 10)::numeric, 9) AS ok
  FROM mql.leads WHERE lead_id = 1;

---------------------------------------------------------------------------
-- Invalid stage text: 22P02, in a cast, in INSERT INTO mql.leads (stage),
-- in set_stage and in UPDATE ... SET stage.
SELECT 'bogus'::mql.stage;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT 'qualified'::text::mql.stage;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.leads (lead_id, stage) VALUES (3, 'bogus');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- a multi-row INSERT with one bad stage writes none of its rows
INSERT INTO mql.leads (lead_id, stage) VALUES (3, 'mql'), (4, 'nope');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.set_stage(1, 'bogus', 'typo', '2026-01-10 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.leads SET stage = 'bogus' WHERE lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM counts;
SELECT * FROM lead1;

---------------------------------------------------------------------------
-- NULL lead_id: 23502, in events (alone and in a multi-row INSERT) and in
-- leads; a NULL event_type too.
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  VALUES (NULL, 'visit', '2026-01-06 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (1, 'visit', '2026-01-06 00:00+00'),
  (NULL, 'visit', '2026-01-06 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  VALUES (3, NULL, '2026-01-06 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.leads (lead_id, email) VALUES (NULL, 'nobody@example.com');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM counts;
SELECT * FROM lead1;

---------------------------------------------------------------------------
-- Infinite occurred_at: 22008. The multi-row INSERT has valid rows for lead
-- 1 and for new lead 6 and one bad row for new lead 5: none of the rows is
-- written, neither lead 5 nor lead 6 is created, lead 1 is untouched.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (1, 'demo',  '2026-01-06 00:00+00'),
  (5, 'visit', 'infinity'),
  (6, 'demo',  '2026-01-06 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (7, 'visit', '-infinity');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, 'demo', '-infinity');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- an infinite created_at for a lead is refused the same way
INSERT INTO mql.leads (lead_id, created_at) VALUES (8, 'infinity');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM counts;
SELECT count(*) AS leads_5_to_8 FROM mql.leads WHERE lead_id BETWEEN 5 AND 8;
SELECT count(*) AS history_5_to_8 FROM mql.stage_history WHERE lead_id BETWEEN 5 AND 8;
SELECT * FROM lead1;

---------------------------------------------------------------------------
-- A lead id of the wrong type: 22P02 (not a bigint); out of range: 22003.
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  VALUES ('abc', 'visit', '2026-01-06 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  VALUES ('9223372036854775808', 'visit', '2026-01-06 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM counts;

---------------------------------------------------------------------------
-- leads.attributes that is not a JSON object: 22023 (array, string, number,
-- JSON null), on INSERT and on UPDATE; SQL NULL: 23502 (NOT NULL).
INSERT INTO mql.leads (lead_id, attributes) VALUES (3, '["DE", "FR"]');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.leads (lead_id, attributes) VALUES (3, '"DE"');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.leads (lead_id, attributes) VALUES (3, '42');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.leads (lead_id, attributes) VALUES (3, 'null');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.leads (lead_id, attributes, created_at) VALUES (3, NULL, '2026-01-07 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.leads SET attributes = '[]' WHERE lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.leads SET attributes = '"DE"' WHERE lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM counts;
SELECT * FROM lead1;

---------------------------------------------------------------------------
-- mql.settings. Start: the defaults.
SELECT * FROM settings_now;
-- threshold NaN, Infinity, -Infinity: 22003; NULL: 23502.
UPDATE mql.settings SET threshold = 'NaN';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.settings SET threshold = 'Infinity';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.settings SET threshold = '-Infinity';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.settings SET threshold = NULL;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM settings_now;
-- half_life zero or negative: 22023 ('1 day -24 hours' is zero too).
UPDATE mql.settings SET half_life = '0';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.settings SET half_life = '-1 day';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.settings SET half_life = '1 day -24 hours';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM settings_now;
-- half_life NULL is allowed: it means no decay (then back to 30 days).
UPDATE mql.settings SET half_life = NULL;
SELECT * FROM settings_now;
SELECT mql.decayed(10, '2026-01-01 00:00+00', '2027-01-01 00:00+00', NULL) AS no_decay;
UPDATE mql.settings SET half_life = '30 days';
-- report_timezone unknown: 22023; NULL is refused by the NOT NULL
-- constraint (23502).
UPDATE mql.settings SET report_timezone = 'Mars/Olympus';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.settings SET report_timezone = NULL;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM settings_now;
-- Change the row from its defaults; a second row is then refused (23505),
-- whatever it holds, and the row is unchanged.
UPDATE mql.settings SET threshold = 80;
SELECT * FROM settings_now;
INSERT INTO mql.settings DEFAULT VALUES;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.settings (threshold, half_life, report_timezone) VALUES (50, '7 days', 'Europe/Berlin');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM settings_now;
-- Truncating the settings: 23001, the row stays.
TRUNCATE mql.settings;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM settings_now;
-- Deleting the settings row: 23001.
DELETE FROM mql.settings;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM settings_now;
SELECT * FROM counts;

---------------------------------------------------------------------------
-- mql.event_weights: NaN / Infinity / -Infinity weight 22003 (insert and
-- update), NULL weight 23502, empty or blank event_type 22023.
INSERT INTO mql.event_weights (event_type, weight) VALUES ('webinar', 'NaN');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.event_weights (event_type, weight) VALUES ('webinar', 'Infinity');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.event_weights (event_type, weight) VALUES ('webinar', '-Infinity');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.event_weights (event_type, weight) VALUES ('webinar', NULL);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.event_weights (event_type, weight) VALUES ('', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.event_weights (event_type, weight) VALUES ('   ', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- one bad row in a multi-row INSERT: none written
INSERT INTO mql.event_weights (event_type, weight) VALUES ('webinar', 30), ('trial', 'NaN');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.event_weights SET weight = 'Infinity' WHERE event_type = 'visit';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT event_type, weight, category FROM mql.event_weights ORDER BY event_type;
SELECT * FROM counts;

---------------------------------------------------------------------------
-- Malformed fit rules: 22023, refused when written (each a different fault).
-- unknown operator
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('country', 'like', '"DE"', 5, 'score');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- unknown effect
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('country', '=', '"DE"', 5, 'boost');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- in needs a JSON array
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('country', 'in', '"DE"', 5, 'score');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- not in with an empty array
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('country', 'not in', '[]', 5, 'score');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- a score rule without points
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('country', '=', '"DE"', NULL, 'score');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- NaN points
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('country', '=', '"DE"', 'NaN', 'score');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- a require rule carrying points
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('country', '=', '"DE"', 5, 'require');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- an empty attribute
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('', 'exists', NULL, 5, 'score');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- exists takes no value
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('country', 'exists', '"DE"', 5, 'score');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- ends_with needs a string
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('email', 'ends_with', '5', 5, 'score');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- < needs a number or string, not an object
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('employees', '<', '{"n": 5}', 5, 'score');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- = needs a value
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('country', '=', NULL, 5, 'score');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- an UPDATE that breaks the valid rule is refused too
UPDATE mql.fit_rules SET op = 'contains' WHERE attribute = 'country';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT attribute, op, value, points, effect FROM mql.fit_rules ORDER BY rule_id;
SELECT * FROM counts;
SELECT * FROM lead1;

---------------------------------------------------------------------------
-- set_stage / force_stage.
-- A missing lead: P0002, and no lead is created.
SELECT mql.set_stage(999, 'mql', 'no such lead', '2026-01-10 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.force_stage(999, 'mql', 'no such lead', '2026-01-10 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- NULL stage, NULL at, NULL lead_id: 22004 (null_value_not_allowed).
SELECT mql.set_stage(1, NULL, 'no stage', '2026-01-10 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.set_stage(1, 'mql', 'no time', NULL);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.set_stage(NULL, 'mql', 'no lead', '2026-01-10 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- An infinite time: 22008.
SELECT mql.set_stage(1, 'mql', 'forever', 'infinity');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- force_stage without a reason (NULL, empty, blank): 22004.
SELECT mql.force_stage(1, 'customer', NULL, '2026-01-10 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.force_stage(1, 'customer', '', '2026-01-10 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.force_stage(1, 'customer', '   ', '2026-01-10 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM counts;
SELECT * FROM lead1;
-- Illegal transitions: 23514, through set_stage and through UPDATE.
-- lead -> recycled is refused:
SELECT mql.set_stage(1, 'recycled', 'nurture', '2026-01-10 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.leads SET stage = 'recycled' WHERE lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- A valid move (lead 2: lead -> customer, one history row), after which
-- leaving customer is refused.
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(2, 'customer', 'won', '2026-01-10 00:00+00');
SELECT mql.set_stage(2, 'mql', 'oops', '2026-01-11 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.leads SET stage = 'lead' WHERE lead_id = 2;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- a multi-row UPDATE with one refused row changes no row
UPDATE mql.leads SET stage = 'mql' WHERE lead_id IN (1, 2);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT lead_id, stage, stage_changed_at FROM mql.leads ORDER BY lead_id;
SELECT lead_id, from_stage, to_stage, changed_at, reason FROM mql.stage_history ORDER BY lead_id, history_id;
SELECT * FROM counts;

---------------------------------------------------------------------------
-- Changing a lead's lead_id: 0A000; lead 1 keeps its id, no lead 100.
UPDATE mql.leads SET lead_id = 100 WHERE lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT array_agg(lead_id ORDER BY lead_id) AS lead_ids FROM mql.leads;
SELECT * FROM counts;

---------------------------------------------------------------------------
-- decayed() and score() (and explain(), which sums decayed()) with infinite
-- timestamps: 22008.
SELECT mql.decayed(10, 'infinity', '2026-01-10 00:00+00', '30 days');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.decayed(10, '2026-01-01 00:00+00', '-infinity', '30 days');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.decayed(10, '-infinity', 'infinity', NULL);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.score(1, 'infinity');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.score(1, '-infinity');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.score(l, 'infinity') FROM mql.leads AS l WHERE l.lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.explain(1, 'infinity');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- The finite calls still work: score(1) as of 2026-01-03 is 20 + 10 * 2^(-1/30) + 10.
SELECT round(mql.score(1, '2026-01-03 00:00+00')::numeric, 9)
     = round((20 + 10 * 2^(-1.0/30) + 10)::numeric, 9) AS ok;

---------------------------------------------------------------------------
-- Final tally: exactly what the valid statements produced.
--   leads 2 (1 inserted, 2 created by its event); events 3 (2 for lead 1,
--   1 for lead 2); history 3 (two 'created', lead 2 lead -> customer);
--   weights 2 (visit 10, demo 60); rules 1 (country = "DE", 20 points);
--   settings 1 row: threshold 80, half_life 30 days, UTC.
SELECT * FROM counts;
SELECT leads = 2 AND events = 3 AND history = 3 AND weights = 2 AND rules = 1 AND settings = 1 AS ok
  FROM counts;
SELECT lead_id, event_type, occurred_at FROM mql.events ORDER BY lead_id, occurred_at;
SELECT * FROM settings_now;
SELECT threshold = 80 AND half_life = '30 days' AND report_timezone = 'UTC' AS ok FROM mql.settings;
SELECT lead_id, stage, attributes, fit_score, round(intent_score::numeric, 6) AS intent,
       score_at, created_at, first_mql_at
  FROM mql.leads ORDER BY lead_id;
-- lead 1: fit 20 and intent 10 * 2^(-1/30) + 10 as of 2026-01-03, untouched
-- by every refused statement; lead 2: intent 10 as of 2026-01-05.
SELECT bool_and(CASE lead_id
                  WHEN 1 THEN fit_score = 20
                              AND round(intent_score::numeric, 9) = round((10 * 2^(-1.0/30) + 10)::numeric, 9)
                              AND score_at = '2026-01-03 00:00+00' AND stage = 'lead'
                  WHEN 2 THEN fit_score = 0 AND intent_score = 10
                              AND score_at = '2026-01-05 00:00+00' AND stage = 'customer'
                END) AS ok
  FROM mql.leads;
