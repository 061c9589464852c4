-- Bad rows in COPY, ids of the wrong type, and a core exception forced in
-- the middle of a writing statement: each fails the whole statement with a
-- specific SQLSTATE and writes nothing (no event, lead or history row).
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
SELECT lead_id, stage, fit_score, intent_score, score_at FROM mql.leads WHERE lead_id = 1;

-- Set-up: lead 1 with one event (intent 10).
INSERT INTO mql.event_weights (event_type, weight) VALUES ('visit', 10), ('demo', 200);
INSERT INTO mql.leads (lead_id, created_at) VALUES (1, '2026-01-01 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, 'visit', '2026-01-02 00:00+00');
SELECT * FROM counts;
SELECT * FROM lead1;

---------------------------------------------------------------------------
-- COPY into mql.events. Every file below has valid rows around one bad
-- row; the valid 'demo' rows would qualify lead 1 and create lead 2.
-- psql does not set LAST_ERROR_SQLSTATE for COPY, so each COPY runs twice:
-- once showing the message, once (VERBOSITY sqlstate) showing the SQLSTATE.
-- A lead id that is not an integer: 22P02 (also '1.5').
COPY mql.events (lead_id, event_type, occurred_at) FROM stdin;
1	demo	2026-01-03 00:00:00+00
2	demo	2026-01-03 00:00:00+00
abc	visit	2026-01-03 00:00:00+00
\.
\set VERBOSITY sqlstate
COPY mql.events (lead_id, event_type, occurred_at) FROM stdin;
1	demo	2026-01-03 00:00:00+00
2	demo	2026-01-03 00:00:00+00
abc	visit	2026-01-03 00:00:00+00
\.
\set VERBOSITY default
COPY mql.events (lead_id, event_type, occurred_at) FROM stdin (FORMAT csv);
1,demo,2026-01-03 00:00:00+00
1.5,visit,2026-01-03 00:00:00+00
\.
\set VERBOSITY sqlstate
COPY mql.events (lead_id, event_type, occurred_at) FROM stdin (FORMAT csv);
1,demo,2026-01-03 00:00:00+00
1.5,visit,2026-01-03 00:00:00+00
\.
\set VERBOSITY default
-- A NULL lead id or event type: 23502.
COPY mql.events (lead_id, event_type, occurred_at) FROM stdin;
1	demo	2026-01-03 00:00:00+00
\N	visit	2026-01-03 00:00:00+00
\.
\set VERBOSITY sqlstate
COPY mql.events (lead_id, event_type, occurred_at) FROM stdin;
1	demo	2026-01-03 00:00:00+00
\N	visit	2026-01-03 00:00:00+00
\.
\set VERBOSITY default
-- A date that does not exist, an infinite time or one out of the window:
-- 22008 (the last two raised after the last row, by the statement trigger).
COPY mql.events (lead_id, event_type, occurred_at) FROM stdin;
1	demo	2026-01-03 00:00:00+00
2	visit	2026-02-30 00:00:00+00
\.
\set VERBOSITY sqlstate
COPY mql.events (lead_id, event_type, occurred_at) FROM stdin;
1	demo	2026-01-03 00:00:00+00
2	visit	2026-02-30 00:00:00+00
\.
\set VERBOSITY default
COPY mql.events (lead_id, event_type, occurred_at) FROM stdin;
1	demo	2026-01-03 00:00:00+00
2	visit	infinity
2	visit	2026-01-04 00:00:00+00
\.
\set VERBOSITY sqlstate
COPY mql.events (lead_id, event_type, occurred_at) FROM stdin;
1	demo	2026-01-03 00:00:00+00
2	visit	infinity
2	visit	2026-01-04 00:00:00+00
\.
\set VERBOSITY default
COPY mql.events (lead_id, event_type, occurred_at) FROM stdin;
1	demo	2026-01-03 00:00:00+00
2	visit	20226-01-04 00:00:00+00
\.
\set VERBOSITY sqlstate
COPY mql.events (lead_id, event_type, occurred_at) FROM stdin;
1	demo	2026-01-03 00:00:00+00
2	visit	20226-01-04 00:00:00+00
\.
\set VERBOSITY default
-- A blank event type: 22023.
COPY mql.events (lead_id, event_type, occurred_at) FROM stdin (FORMAT csv);
1,demo,2026-01-03 00:00:00+00
2,"  ",2026-01-03 00:00:00+00
\.
\set VERBOSITY sqlstate
COPY mql.events (lead_id, event_type, occurred_at) FROM stdin (FORMAT csv);
1,demo,2026-01-03 00:00:00+00
2,"  ",2026-01-03 00:00:00+00
\.
\set VERBOSITY default
-- Properties that are not JSON: 22P02.
COPY mql.events (lead_id, event_type, occurred_at, properties) FROM stdin;
1	demo	2026-01-03 00:00:00+00	{"page": "/pricing"}
2	visit	2026-01-03 00:00:00+00	{page: /pricing}
\.
\set VERBOSITY sqlstate
COPY mql.events (lead_id, event_type, occurred_at, properties) FROM stdin;
1	demo	2026-01-03 00:00:00+00	{"page": "/pricing"}
2	visit	2026-01-03 00:00:00+00	{page: /pricing}
\.
\set VERBOSITY default
SELECT * FROM counts;
SELECT * FROM lead1;
SELECT count(*) AS lead_2 FROM mql.leads WHERE lead_id = 2;

-- COPY into mql.leads: a bad stage 22P02, attributes that are not an object
-- 22023, a time out of the window 22008, contradictory times 23514.
COPY mql.leads (lead_id, stage, attributes, created_at) FROM stdin;
3	lead	{}	2026-01-01 00:00:00+00
4	qualified	{}	2026-01-01 00:00:00+00
\.
\set VERBOSITY sqlstate
COPY mql.leads (lead_id, stage, attributes, created_at) FROM stdin;
3	lead	{}	2026-01-01 00:00:00+00
4	qualified	{}	2026-01-01 00:00:00+00
\.
\set VERBOSITY default
COPY mql.leads (lead_id, stage, attributes, created_at) FROM stdin;
3	lead	{}	2026-01-01 00:00:00+00
4	mql	["DE"]	2026-01-01 00:00:00+00
\.
\set VERBOSITY sqlstate
COPY mql.leads (lead_id, stage, attributes, created_at) FROM stdin;
3	lead	{}	2026-01-01 00:00:00+00
4	mql	["DE"]	2026-01-01 00:00:00+00
\.
\set VERBOSITY default
COPY mql.leads (lead_id, stage, attributes, created_at) FROM stdin;
3	lead	{}	2026-01-01 00:00:00+00
4	mql	{}	1026-01-01 00:00:00+00
\.
\set VERBOSITY sqlstate
COPY mql.leads (lead_id, stage, attributes, created_at) FROM stdin;
3	lead	{}	2026-01-01 00:00:00+00
4	mql	{}	1026-01-01 00:00:00+00
\.
\set VERBOSITY default
COPY mql.leads (lead_id, created_at, stage_changed_at) FROM stdin;
3	2026-01-01 00:00:00+00	2026-01-02 00:00:00+00
4	2026-01-02 00:00:00+00	2026-01-01 00:00:00+00
\.
\set VERBOSITY sqlstate
COPY mql.leads (lead_id, created_at, stage_changed_at) FROM stdin;
3	2026-01-01 00:00:00+00	2026-01-02 00:00:00+00
4	2026-01-02 00:00:00+00	2026-01-01 00:00:00+00
\.
\set VERBOSITY default
SELECT * FROM counts;

-- The same rows without the bad one load, and qualify lead 1.
COPY mql.events (lead_id, event_type, occurred_at) FROM stdin;
1	demo	2026-01-03 00:00:00+00
2	visit	2026-01-03 00:00:00+00
\.
SELECT lead_id, stage, intent_score FROM mql.leads ORDER BY lead_id;
SELECT * FROM counts;

---------------------------------------------------------------------------
-- Ids of the wrong type in INSERT and in function calls.
-- Text that is not an integer: 22P02; beyond bigint: 22003.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES ('1.5', 'visit', '2026-01-04 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (99999999999999999999, 'visit', '2026-01-04 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- A uuid, or a text column (as from a CRM keyed by strings): 42804.
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  VALUES ('6f1c6a4e-3b1d-4a38-9a55-0f0c6a4e3b1d'::uuid, 'visit', '2026-01-04 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
CREATE TEMP TABLE crm_events (crm_id text, kind text, at timestamptz);
INSERT INTO crm_events VALUES ('00Q5e00000AbCdE', 'visit', '2026-01-04 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) SELECT crm_id, kind, at FROM crm_events;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- Function arguments: 22P02 for text that is not an integer, 42883 for a
-- numeric literal (no function takes it), 42725 for an untyped literal
-- where two functions could take it (mql.score).
SELECT mql.set_stage('abc', 'sql');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.set_stage(1.5, 'sql');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.score('abc');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.explain('1e3');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- Not an error, by PostgreSQL's assignment cast: a numeric literal is
-- rounded to the nearest integer before pg_mql sees it (1.5 becomes lead 2).
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1.5, 'visit', '2026-01-04 00:00+00');
SELECT lead_id, event_type, occurred_at FROM mql.events WHERE occurred_at = '2026-01-04 00:00+00';
-- Unknown leads are not errors where the design says so: events create
-- them; score is NULL, explain empty, rescore counts 0; set_stage raises
-- P0002 (bad_input.sql).
SELECT mql.score(404) IS NULL AS score_null, (SELECT count(*) FROM mql.explain(404)) AS explain_rows,
       mql.rescore(404) AS rescored;
-- NULL arguments where no error is documented: NULL scores, no rows.
SELECT mql.score(NULL::bigint) IS NULL AS null_id, mql.score(1, NULL) IS NULL AS null_at,
       (SELECT count(*) FROM mql.explain(NULL)) AS explain_rows,
       mql.decayed(NULL, '2026-01-01 00:00+00', '2026-01-02 00:00+00', '1 day') IS NULL AS decayed_null;
SELECT * FROM counts;

---------------------------------------------------------------------------
-- A C++ exception forced from SQL in the middle of a statement that writes
-- events (which would create lead 7): XX000, nothing of the statement stays.
WITH e AS (
  INSERT INTO mql.events (lead_id, event_type, occurred_at)
  VALUES (7, 'demo', '2026-01-05 00:00+00') RETURNING lead_id)
SELECT mql.core_selftest('runtime') FROM e;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- std::bad_alloc in the core while a lead is inserted: 53200.
INSERT INTO mql.leads (lead_id, email)
  SELECT 7, mql.core_selftest('bad_alloc');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM counts;
SELECT count(*) AS lead_7 FROM mql.leads WHERE lead_id = 7;
