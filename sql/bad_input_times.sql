-- Business times out of the accepted window: before 1970-01-01 00:00 UTC, or
-- later than the statement's start plus mql.settings.future_tolerance
-- (default 1 day). Each is refused with 22008 wherever a time enters pg_mql
-- (events, lead INSERT and UPDATE, set_stage, force_stage), and nothing is
-- written. Times relative to now() are printed with VERBOSITY sqlstate, so
-- this file does not depend on the clock.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
RESET client_min_messages;
SET search_path = public, mql;
SET timezone = 'UTC';
\set VERBOSITY default

CREATE TEMP VIEW counts AS
SELECT (SELECT count(*) FROM mql.leads) AS leads,
       (SELECT count(*) FROM mql.events) AS events,
       (SELECT count(*) FROM mql.stage_history) AS history;
CREATE TEMP VIEW lead1 AS
SELECT lead_id, stage, round(intent_score::numeric, 6) AS intent, score_at, created_at,
       stage_changed_at, first_mql_at
  FROM mql.leads WHERE lead_id = 1;

-- Set-up: lead 1, created 2020-01-01, with one event the next day.
INSERT INTO mql.event_weights (event_type, weight) VALUES ('visit', 10);
INSERT INTO mql.leads (lead_id, created_at) VALUES (1, '2020-01-01 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, 'visit', '2020-01-02 00:00+00');
SELECT * FROM counts;
SELECT * FROM lead1;

---------------------------------------------------------------------------
-- Events. A typo year far in the future (20225 for 2025), in a multi-row
-- INSERT whose other rows are valid: nothing written, lead 2 not created.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (1, 'visit', '2020-01-03 00:00+00'),
  (2, 'visit', '20225-01-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- A typo year in the past (0202 for 2020, 1022 for 2022).
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, 'visit', '0202-01-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (3, 'visit', '1022-06-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- BC dates and the last microsecond before the floor.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (3, 'visit', '4713-01-01 00:00+00 BC');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (3, 'visit', '1969-12-31 23:59:59.999999+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM counts;
SELECT * FROM lead1;
SELECT count(*) AS leads_2_3 FROM mql.leads WHERE lead_id IN (2, 3);

-- Relative to now: two days ahead is refused (the default tolerance is one
-- day), also when only one row of the statement is; 23 hours ahead is
-- accepted, and so is the floor itself (back-filling old data works).
\set VERBOSITY sqlstate
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (4, 'visit', now() + interval '2 days');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (4, 'visit', now()),
  (5, 'visit', now() + interval '25 hours');
\set VERBOSITY default
SELECT * FROM counts;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (4, 'visit', now() + interval '23 hours');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (6, 'visit', '1970-01-01 00:00+00');
SELECT lead_id, created_at, score_at = created_at AS same FROM mql.leads WHERE lead_id = 6;
SELECT * FROM counts;

---------------------------------------------------------------------------
-- mql.settings.future_tolerance: NULL removes the upper limit, a larger
-- interval widens it; negative or beyond 100 years is refused (22023).
UPDATE mql.settings SET future_tolerance = '-1 hour';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.settings SET future_tolerance = '101 years';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT future_tolerance FROM mql.settings;
UPDATE mql.settings SET future_tolerance = '7 days';
\set VERBOSITY sqlstate
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (7, 'visit', now() + interval '6 days');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (8, 'visit', now() + interval '8 days');
\set VERBOSITY default
UPDATE mql.settings SET future_tolerance = NULL;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (9, 'visit', '20225-01-01 00:00+00');
SELECT lead_id, score_at > now() + interval '5 days' AS ahead, score_at
  FROM mql.leads WHERE lead_id IN (8, 9) ORDER BY lead_id;
SELECT count(*) AS lead_7 FROM mql.leads WHERE lead_id = 7 AND score_at > now() + interval '5 days';
-- The floor stays without a tolerance.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (10, 'visit', '0202-01-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- Zero: nothing after the statement's start.
UPDATE mql.settings SET future_tolerance = '0';
\set VERBOSITY sqlstate
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (10, 'visit', statement_timestamp() + interval '1 second');
\set VERBOSITY default
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (10, 'visit', now());
UPDATE mql.settings SET future_tolerance = DEFAULT;
SELECT future_tolerance FROM mql.settings;
SELECT * FROM counts;

---------------------------------------------------------------------------
-- Leads. created_at, stage_changed_at and first_mql_at given on INSERT are
-- checked the same way (infinite ones too).
INSERT INTO mql.leads (lead_id, created_at) VALUES (20, '20225-01-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.leads (lead_id, created_at) VALUES (20, '1022-01-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.leads (lead_id, created_at, stage_changed_at) VALUES (20, '2020-01-01 00:00+00', '20225-01-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.leads (lead_id, stage_changed_at) VALUES (20, 'infinity');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.leads (lead_id, stage, created_at, first_mql_at) VALUES (20, 'mql', '2020-01-01 00:00+00', '-infinity');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- in a multi-row INSERT, one bad row: none written
INSERT INTO mql.leads (lead_id, created_at) VALUES (20, '2020-01-01 00:00+00'), (21, '0001-01-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM counts;
SELECT count(*) AS leads_20_21 FROM mql.leads WHERE lead_id IN (20, 21);

-- Contradictory times on INSERT (23514, refused by the insert trigger): the stage
-- clock before the lead existed, a first MQL before the lead existed or
-- after its latest stage change.
INSERT INTO mql.leads (lead_id, created_at, stage_changed_at)
  VALUES (20, '2020-02-01 00:00+00', '2020-01-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.leads (lead_id, stage, created_at, stage_changed_at, first_mql_at)
  VALUES (20, 'sql', '2020-02-01 00:00+00', '2020-03-01 00:00+00', '2020-01-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.leads (lead_id, stage, created_at, stage_changed_at, first_mql_at)
  VALUES (20, 'sql', '2020-02-01 00:00+00', '2020-03-01 00:00+00', '2020-04-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- The import these describe, in order, is accepted.
INSERT INTO mql.leads (lead_id, stage, created_at, stage_changed_at, first_mql_at)
  VALUES (20, 'sql', '2020-02-01 00:00+00', '2020-03-01 00:00+00', '2020-02-15 00:00+00');
SELECT lead_id, stage, created_at, stage_changed_at, first_mql_at FROM mql.leads WHERE lead_id = 20;
SELECT * FROM counts;

-- UPDATE of created_at: the same window (infinite included), and not after
-- the stage clock or the first MQL (refused by the update trigger, 23514).
UPDATE mql.leads SET created_at = '20225-01-01 00:00+00' WHERE lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.leads SET created_at = 'infinity' WHERE lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.leads SET created_at = '0202-01-01 00:00+00' WHERE lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.leads SET created_at = '2021-01-01 00:00+00' WHERE lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM lead1;
-- lead 20 first became an MQL on 2020-02-15
UPDATE mql.leads SET created_at = '2020-02-20 00:00+00' WHERE lead_id = 20;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT lead_id, stage, created_at, stage_changed_at, first_mql_at FROM mql.leads WHERE lead_id = 20;

---------------------------------------------------------------------------
-- Stage changes: set_stage, force_stage and UPDATE ... SET stage with a time
-- out of the window. Refused even when the stage does not change (lead 20
-- is already in sql); the lead and its history are untouched.
SELECT mql.set_stage(1, 'mql', 'typo', '20225-01-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.set_stage(1, 'mql', 'typo', '1022-01-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.set_stage(20, 'sql', 'same stage', '20225-01-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.force_stage(1, 'customer', 'typo', '20225-01-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.leads SET stage = 'mql', stage_changed_at = '20225-01-01 00:00+00' WHERE lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- infinite times (the guardrails pass first: lead -> mql is allowed)
SELECT mql.force_stage(1, 'customer', 'typo', 'infinity');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.leads SET stage = 'mql', stage_changed_at = '-infinity' WHERE lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- one bad row of a multi-row UPDATE: neither lead changes
UPDATE mql.leads SET stage = 'customer',
       stage_changed_at = CASE lead_id WHEN 1 THEN '2021-01-01 00:00+00'::timestamptz
                                       ELSE '20225-01-01 00:00+00' END
 WHERE lead_id IN (1, 20);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
\set VERBOSITY sqlstate
SELECT mql.set_stage(1, 'mql', 'two days ahead', now() + interval '2 days');
\set VERBOSITY default
SELECT * FROM lead1;
SELECT lead_id, stage, stage_changed_at FROM mql.leads WHERE lead_id = 20;
SELECT * FROM counts;
-- Within the window, a change works.
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(1, 'mql', 'fine', '2021-01-01 00:00+00');
SELECT from_stage, to_stage, changed_at, reason FROM mql.stage_history WHERE lead_id = 1 ORDER BY history_id;
