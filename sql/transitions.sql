-- transitions: the stage guardrails and every way a lead's stage changes.
-- The 7x7 mql.can_transition matrix; every allowed transition through
-- mql.set_stage with its history row; refused transitions (23514, nothing
-- written); no-op same-stage changes; a missing lead (P0002); plain UPDATE of
-- mql.leads.stage with mql.change_reason / mql.actor; changed_at clamping;
-- first_mql_at; mql.force_stage overrides (22004 without a reason); the
-- stage / history invariant; the append-only history (42501); privileges.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
RESET client_min_messages;
SET search_path = public, mql;
SET timezone = 'UTC';
\set VERBOSITY default
-- Errors raised inside set_stage() would print the internal UPDATE it runs
-- as CONTEXT; keep the expected output independent of that wording.
\set SHOW_CONTEXT never

------------------------------------------------------------------------
-- The guardrails: mql.can_transition for all 49 pairs
------------------------------------------------------------------------
CREATE TEMP TABLE all_stages AS
SELECT pg_catalog.unnest('{lead,mql,sql,opportunity,customer,recycled,disqualified}'::mql.stage[]) AS s;

SELECT f.s AS from_stage, t.s AS to_stage, mql.can_transition(f.s, t.s) AS allowed
  FROM all_stages AS f CROSS JOIN all_stages AS t
 ORDER BY f.s, t.s;

-- The same matrix as a grid (rows: from, columns: to).
SELECT f.s AS from_stage,
       mql.can_transition(f.s, 'lead') AS lead,
       mql.can_transition(f.s, 'mql') AS mql,
       mql.can_transition(f.s, 'sql') AS sql,
       mql.can_transition(f.s, 'opportunity') AS opportunity,
       mql.can_transition(f.s, 'customer') AS customer,
       mql.can_transition(f.s, 'recycled') AS recycled,
       mql.can_transition(f.s, 'disqualified') AS disqualified
  FROM all_stages AS f ORDER BY f.s;

-- The allowed pairs, written out by hand from the rules of issue 2; every
-- other pair is refused. The function agrees on all 49 pairs.
CREATE TEMP TABLE allowed_by_spec (from_stage mql.stage, to_stage mql.stage);
INSERT INTO allowed_by_spec VALUES
  -- the same stage: allowed (a no-op)
  ('lead', 'lead'), ('mql', 'mql'), ('sql', 'sql'), ('opportunity', 'opportunity'),
  ('customer', 'customer'), ('recycled', 'recycled'), ('disqualified', 'disqualified'),
  -- forward along lead -> mql -> sql -> opportunity -> customer, skipping allowed
  ('lead', 'mql'), ('lead', 'sql'), ('lead', 'opportunity'), ('lead', 'customer'),
  ('mql', 'sql'), ('mql', 'opportunity'), ('mql', 'customer'),
  ('sql', 'opportunity'), ('sql', 'customer'),
  ('opportunity', 'customer'),
  -- lead, mql, sql, opportunity, recycled -> disqualified
  ('lead', 'disqualified'), ('mql', 'disqualified'), ('sql', 'disqualified'),
  ('opportunity', 'disqualified'), ('recycled', 'disqualified'),
  -- mql, sql, opportunity -> recycled
  ('mql', 'recycled'), ('sql', 'recycled'), ('opportunity', 'recycled'),
  -- recycled -> mql, sql, opportunity, customer
  ('recycled', 'mql'), ('recycled', 'sql'), ('recycled', 'opportunity'), ('recycled', 'customer');
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE mql.can_transition(f.s, t.s)) AS allowed,
       count(*) FILTER (WHERE mql.can_transition(f.s, t.s) IS DISTINCT FROM EXISTS (
           SELECT 1 FROM allowed_by_spec AS a
            WHERE a.from_stage = f.s AND a.to_stage = t.s)) AS disagreements
  FROM all_stages AS f CROSS JOIN all_stages AS t;

------------------------------------------------------------------------
-- Every allowed (real) transition, through mql.set_stage
------------------------------------------------------------------------
-- One lead per transition: 1xx start in lead, 2xx in mql, 3xx in sql,
-- 4xx in opportunity, 5xx in recycled.
INSERT INTO mql.leads (lead_id, created_at)
SELECT id, '2026-01-01 00:00+00'
  FROM pg_catalog.unnest(ARRAY[101, 102, 103, 104, 105, 106, 107,
                               201, 202, 203, 204, 205,
                               301, 302, 303, 304,
                               401, 402, 403,
                               501, 502, 503, 504, 505]) AS id;
-- Each new lead has exactly one history row: its creation in stage lead.
SELECT from_stage, to_stage, changed_at, reason, count(*) AS leads
  FROM mql.stage_history GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;

-- Bring the leads to their starting stages (allowed moves only).
SELECT s.lead_id, s.stage, s.stage_changed_at
  FROM pg_catalog.unnest(ARRAY[201, 202, 203, 204, 205, 501, 502, 503, 504, 505]) AS id,
       LATERAL mql.set_stage(id, 'mql', 'setup', '2026-01-05 00:00+00') AS s
 ORDER BY s.lead_id;
SELECT s.lead_id, s.stage, s.stage_changed_at
  FROM pg_catalog.unnest(ARRAY[301, 302, 303, 304]) AS id,
       LATERAL mql.set_stage(id, 'sql', 'setup', '2026-01-05 00:00+00') AS s
 ORDER BY s.lead_id;
SELECT s.lead_id, s.stage, s.stage_changed_at
  FROM pg_catalog.unnest(ARRAY[401, 402, 403]) AS id,
       LATERAL mql.set_stage(id, 'opportunity', 'setup', '2026-01-05 00:00+00') AS s
 ORDER BY s.lead_id;
SELECT s.lead_id, s.stage, s.stage_changed_at
  FROM pg_catalog.unnest(ARRAY[501, 502, 503, 504, 505]) AS id,
       LATERAL mql.set_stage(id, 'recycled', 'setup', '2026-01-06 00:00+00') AS s
 ORDER BY s.lead_id;

SELECT pg_catalog.max(history_id) AS mark FROM mql.stage_history \gset

-- The 22 allowed transitions between different stages. Lead N moves at
-- 2026-01-10 0G:II where G is its group (N / 100) and II its index (N % 100).
-- from lead
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(101, 'mql', 'test lead -> mql', '2026-01-10 01:01+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(102, 'sql', 'test lead -> sql', '2026-01-10 01:02+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(103, 'opportunity', 'test lead -> opportunity', '2026-01-10 01:03+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(104, 'customer', 'test lead -> customer', '2026-01-10 01:04+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(105, 'disqualified', 'test lead -> disqualified', '2026-01-10 01:05+00');
-- from mql
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(201, 'sql', 'test mql -> sql', '2026-01-10 02:01+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(202, 'opportunity', 'test mql -> opportunity', '2026-01-10 02:02+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(203, 'customer', 'test mql -> customer', '2026-01-10 02:03+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(204, 'recycled', 'test mql -> recycled', '2026-01-10 02:04+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(205, 'disqualified', 'test mql -> disqualified', '2026-01-10 02:05+00');
-- from sql
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(301, 'opportunity', 'test sql -> opportunity', '2026-01-10 03:01+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(302, 'customer', 'test sql -> customer', '2026-01-10 03:02+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(303, 'recycled', 'test sql -> recycled', '2026-01-10 03:03+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(304, 'disqualified', 'test sql -> disqualified', '2026-01-10 03:04+00');
-- from opportunity
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(401, 'customer', 'test opportunity -> customer', '2026-01-10 04:01+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(402, 'recycled', 'test opportunity -> recycled', '2026-01-10 04:02+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(403, 'disqualified', 'test opportunity -> disqualified', '2026-01-10 04:03+00');
-- from recycled
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(501, 'mql', 'test recycled -> mql', '2026-01-10 05:01+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(502, 'sql', 'test recycled -> sql', '2026-01-10 05:02+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(503, 'opportunity', 'test recycled -> opportunity', '2026-01-10 05:03+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(504, 'customer', 'test recycled -> customer', '2026-01-10 05:04+00');
SELECT lead_id, stage, stage_changed_at FROM mql.set_stage(505, 'disqualified', 'test recycled -> disqualified', '2026-01-10 05:05+00');

-- The history rows they wrote: one per transition, nothing else.
SELECT lead_id, from_stage, to_stage, changed_at, reason, score,
       actor = current_user AS actor_is_current_user, is_override
  FROM mql.stage_history
 WHERE history_id > :mark
 ORDER BY lead_id, history_id;

-- Checked against the hand-written list of cases: exactly one new row per
-- lead, with the right from / to / changed_at / reason / actor / flag, and
-- the lead row moved to the new stage at that time.
CREATE TEMP TABLE allowed_cases (lead_id bigint, from_stage mql.stage, to_stage mql.stage,
                                 at timestamptz);
INSERT INTO allowed_cases VALUES
  (101, 'lead', 'mql', '2026-01-10 01:01+00'),
  (102, 'lead', 'sql', '2026-01-10 01:02+00'),
  (103, 'lead', 'opportunity', '2026-01-10 01:03+00'),
  (104, 'lead', 'customer', '2026-01-10 01:04+00'),
  (105, 'lead', 'disqualified', '2026-01-10 01:05+00'),
  (201, 'mql', 'sql', '2026-01-10 02:01+00'),
  (202, 'mql', 'opportunity', '2026-01-10 02:02+00'),
  (203, 'mql', 'customer', '2026-01-10 02:03+00'),
  (204, 'mql', 'recycled', '2026-01-10 02:04+00'),
  (205, 'mql', 'disqualified', '2026-01-10 02:05+00'),
  (301, 'sql', 'opportunity', '2026-01-10 03:01+00'),
  (302, 'sql', 'customer', '2026-01-10 03:02+00'),
  (303, 'sql', 'recycled', '2026-01-10 03:03+00'),
  (304, 'sql', 'disqualified', '2026-01-10 03:04+00'),
  (401, 'opportunity', 'customer', '2026-01-10 04:01+00'),
  (402, 'opportunity', 'recycled', '2026-01-10 04:02+00'),
  (403, 'opportunity', 'disqualified', '2026-01-10 04:03+00'),
  (501, 'recycled', 'mql', '2026-01-10 05:01+00'),
  (502, 'recycled', 'sql', '2026-01-10 05:02+00'),
  (503, 'recycled', 'opportunity', '2026-01-10 05:03+00'),
  (504, 'recycled', 'customer', '2026-01-10 05:04+00'),
  (505, 'recycled', 'disqualified', '2026-01-10 05:05+00');
SELECT count(*) AS cases,
       count(*) FILTER (WHERE (SELECT count(*) FROM mql.stage_history AS h
                                WHERE h.lead_id = c.lead_id AND h.history_id > :mark) <> 1)
         AS cases_without_exactly_one_row,
       count(*) FILTER (WHERE NOT EXISTS (
           SELECT 1 FROM mql.stage_history AS h
            WHERE h.lead_id = c.lead_id AND h.history_id > :mark
              AND h.from_stage = c.from_stage AND h.to_stage = c.to_stage
              AND h.changed_at = c.at
              AND h.reason = 'test ' || c.from_stage || ' -> ' || c.to_stage
              AND h.actor = current_user AND NOT h.is_override AND h.score = 0))
         AS cases_with_a_wrong_row,
       count(*) FILTER (WHERE NOT EXISTS (
           SELECT 1 FROM mql.leads AS l
            WHERE l.lead_id = c.lead_id AND l.stage = c.to_stage AND l.stage_changed_at = c.at))
         AS leads_not_moved
  FROM allowed_cases AS c;
-- Every allowed pair of different stages is among the cases.
SELECT count(*) AS allowed_pairs_not_tested
  FROM allowed_by_spec AS a
 WHERE a.from_stage <> a.to_stage
   AND NOT EXISTS (SELECT 1 FROM allowed_cases AS c
                    WHERE c.from_stage = a.from_stage AND c.to_stage = a.to_stage);

------------------------------------------------------------------------
-- Refused transitions: 23514, the message names both stages, nothing written
------------------------------------------------------------------------
-- A lead's stage, its stage clock and how many history rows it has.
CREATE FUNCTION pg_temp.lead_state(bigint)
  RETURNS TABLE (lead_id bigint, stage mql.stage, stage_changed_at timestamptz, history_rows bigint)
  LANGUAGE sql AS $$
    SELECT l.lead_id, l.stage, l.stage_changed_at,
           (SELECT count(*) FROM mql.stage_history AS h WHERE h.lead_id = l.lead_id)
      FROM mql.leads AS l WHERE l.lead_id = $1 $$;
SELECT pg_catalog.count(*) AS history_rows_before FROM mql.stage_history \gset

-- Backward along the funnel.
SELECT * FROM pg_temp.lead_state(101);
SELECT * FROM mql.set_stage(101, 'lead', 'back to lead', '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM pg_temp.lead_state(101);
SELECT * FROM pg_temp.lead_state(102);
SELECT * FROM mql.set_stage(102, 'mql', 'back to mql', '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.set_stage(102, 'lead', 'back to lead', '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM pg_temp.lead_state(102);
SELECT * FROM pg_temp.lead_state(103);
SELECT * FROM mql.set_stage(103, 'sql', 'back to sql', '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.set_stage(103, 'mql', 'back to mql', '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM pg_temp.lead_state(103);

-- Leaving customer: to any other stage.
SELECT * FROM pg_temp.lead_state(104);
SELECT * FROM mql.set_stage(104, 'opportunity', 'deal fell through', '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.set_stage(104, 'lead', NULL, '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.set_stage(104, 'recycled', NULL, '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.set_stage(104, 'disqualified', NULL, '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM pg_temp.lead_state(104);

-- Leaving disqualified: to any other stage.
SELECT * FROM pg_temp.lead_state(105);
SELECT * FROM mql.set_stage(105, 'lead', NULL, '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.set_stage(105, 'mql', NULL, '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.set_stage(105, 'recycled', NULL, '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.set_stage(105, 'customer', NULL, '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM pg_temp.lead_state(105);

-- lead -> recycled (only leads that were mql or later are recycled).
SELECT * FROM pg_temp.lead_state(106);
SELECT * FROM mql.set_stage(106, 'recycled', NULL, '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM pg_temp.lead_state(106);

-- recycled -> lead (a recycled lead comes back as mql or later).
SELECT * FROM pg_temp.lead_state(204);
SELECT * FROM mql.set_stage(204, 'lead', NULL, '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM pg_temp.lead_state(204);

-- A plain UPDATE is refused the same way.
UPDATE mql.leads SET stage = 'sql' WHERE lead_id = 202;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.leads SET stage = 'opportunity', stage_changed_at = '2026-02-01 00:00+00'
 WHERE lead_id = 203;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM pg_temp.lead_state(202);
SELECT * FROM pg_temp.lead_state(203);
-- One refused row fails the whole statement: 106 (lead -> customer) would
-- be allowed, 105 (disqualified -> customer) is not; neither moves.
UPDATE mql.leads SET stage = 'customer' WHERE lead_id IN (105, 106);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM pg_temp.lead_state(105);
SELECT * FROM pg_temp.lead_state(106);

-- Nothing at all was written by the refusals.
SELECT pg_catalog.count(*) - :history_rows_before AS history_rows_added FROM mql.stage_history;

------------------------------------------------------------------------
-- The same stage is a no-op: no history row, the stage clock stays
------------------------------------------------------------------------
SELECT lead_id, stage, stage_changed_at
  FROM mql.set_stage(101, 'mql', 'already there', '2026-02-02 00:00+00');
SELECT lead_id, stage, stage_changed_at
  FROM mql.set_stage(101, 'Marketing Qualified Lead', NULL, '2026-02-03 00:00+00');
UPDATE mql.leads SET stage = 'MQL' WHERE lead_id = 101;
UPDATE mql.leads SET stage = stage WHERE lead_id IN (102, 103, 104, 105, 106);
-- An update of other columns of a lead past stage lead records nothing either.
UPDATE mql.leads SET email = 'someone@example.com', campaign = 'spring' WHERE lead_id = 104;
SELECT * FROM pg_temp.lead_state(101);
SELECT * FROM pg_temp.lead_state(104);
SELECT pg_catalog.count(*) - :history_rows_before AS history_rows_added FROM mql.stage_history;

------------------------------------------------------------------------
-- A missing lead: P0002, nothing written
------------------------------------------------------------------------
SELECT * FROM mql.set_stage(999, 'mql', 'no such lead', '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.force_stage(999, 'mql', 'no such lead', '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT (SELECT count(*) FROM mql.leads WHERE lead_id = 999) AS leads,
       (SELECT count(*) FROM mql.stage_history WHERE lead_id = 999) AS history_rows;

-- NULL arguments (22004) and an infinite time (22008) are refused too.
SELECT * FROM mql.set_stage(NULL, 'mql', NULL, '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.set_stage(106, NULL, NULL, '2026-02-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.set_stage(106, 'mql', NULL, NULL);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.set_stage(106, 'mql', NULL, 'infinity');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM pg_temp.lead_state(106);

------------------------------------------------------------------------
-- set_stage returns the lead's row, as stored after the change
------------------------------------------------------------------------
SELECT pg_catalog.pg_get_function_result('mql.set_stage(bigint, mql.stage, text, timestamptz)'::regprocedure)
    AS set_stage_returns;
UPDATE mql.leads SET email = 'ada@example.com', source = 'webinar', campaign = 'q1',
                     attributes = '{"employees": 50}'
 WHERE lead_id = 107;
SELECT * FROM mql.set_stage(107, 'sql', 'returned row', '2026-01-20 12:00+00');
SELECT * FROM mql.leads WHERE lead_id = 107;
CREATE TEMP TABLE returned_row AS
SELECT * FROM mql.set_stage(107, 'opportunity', 'returned row', '2026-01-21 12:00+00');
SELECT r.stage, ROW(r.*) IS NOT DISTINCT FROM ROW(l.*) AS same_as_stored
  FROM returned_row AS r JOIN mql.leads AS l USING (lead_id);
SELECT (mql.set_stage(107, 'customer', 'returned row', '2026-01-22 12:00+00')).stage AS new_stage;

------------------------------------------------------------------------
-- Plain UPDATE mql.leads SET stage = ...: guardrails and the same history row
------------------------------------------------------------------------
INSERT INTO mql.leads (lead_id, created_at) VALUES
  (601, '2001-01-01 00:00+00'), (602, '2026-01-01 00:00+00'),
  (603, '2026-01-01 00:00+00'), (604, '2026-01-01 00:00+00');

-- Reason from SET LOCAL mql.change_reason, actor from mql.actor; without
-- stage_changed_at the change happens at the transaction's time.
BEGIN;
SET LOCAL mql.change_reason = 'imported from the CRM';
SET LOCAL mql.actor = 'crm-sync';
UPDATE mql.leads SET stage = 'mql' WHERE lead_id = 601;
SELECT from_stage, to_stage, changed_at = now() AS at_transaction_time,
       reason, actor, is_override, score
  FROM mql.stage_history WHERE lead_id = 601 AND from_stage IS NOT NULL;
SELECT stage, stage_changed_at = now() AS clock_at_transaction_time,
       first_mql_at = now() AS first_mql_at_transaction_time
  FROM mql.leads WHERE lead_id = 601;
COMMIT;

-- SET LOCAL ended with the transaction: the next UPDATE gets the default
-- reason and the current user as actor.
SELECT pg_catalog.current_setting('mql.change_reason') AS change_reason,
       pg_catalog.current_setting('mql.actor') AS actor;
UPDATE mql.leads SET stage = 'sql' WHERE lead_id = 601;
SELECT from_stage, to_stage, changed_at = recorded_at AS at_transaction_time,
       reason, actor = current_user AS actor_is_current_user, is_override
  FROM mql.stage_history WHERE lead_id = 601 AND from_stage IS NOT NULL
 ORDER BY history_id;

-- An UPDATE that also sets stage_changed_at: that is the change's time.
UPDATE mql.leads SET stage = 'opportunity', stage_changed_at = '2026-01-12 08:30+00'
 WHERE lead_id = 602;
SELECT lead_id, from_stage, to_stage, changed_at, reason,
       actor = current_user AS actor_is_current_user, is_override, score
  FROM mql.stage_history WHERE lead_id = 602 ORDER BY history_id;
SELECT * FROM pg_temp.lead_state(602);

-- A session-wide mql.actor, and one UPDATE moving two leads: one row each.
SET mql.actor = 'nightly-job';
UPDATE mql.leads SET stage = 'disqualified', stage_changed_at = '2026-01-13 00:00+00'
 WHERE lead_id IN (603, 604);
RESET mql.actor;
SELECT lead_id, from_stage, to_stage, changed_at, reason,
       CASE WHEN actor = current_user THEN '(current_user)' ELSE actor END AS actor, is_override
  FROM mql.stage_history WHERE lead_id IN (603, 604) ORDER BY lead_id, history_id;

-- The rows written by UPDATE and by set_stage have the same shape: compare
-- 602 (UPDATE) with 103 (set_stage), both lead -> opportunity.
SELECT h.lead_id, h.from_stage, h.to_stage, h.reason, h.actor = current_user AS actor_is_current_user,
       h.is_override, h.score
  FROM mql.stage_history AS h
 WHERE h.lead_id IN (103, 602) AND h.to_stage = 'opportunity'
 ORDER BY h.lead_id;

------------------------------------------------------------------------
-- changed_at is never earlier than the lead's previous change
------------------------------------------------------------------------
INSERT INTO mql.leads (lead_id, created_at) VALUES (701, '2026-01-01 00:00+00'),
                                                    (702, '2026-01-01 00:00+00');
-- Before the lead was created: clamped to created_at.
SELECT lead_id, stage, stage_changed_at
  FROM mql.set_stage(701, 'mql', 'backdated', '2025-12-01 00:00+00');
-- Before the previous change: clamped to it.
SELECT lead_id, stage, stage_changed_at
  FROM mql.set_stage(702, 'mql', NULL, '2026-01-15 00:00+00');
SELECT lead_id, stage, stage_changed_at
  FROM mql.set_stage(702, 'sql', 'backdated', '2026-01-14 00:00+00');
-- The same through UPDATE ... stage_changed_at.
UPDATE mql.leads SET stage = 'opportunity', stage_changed_at = '2026-01-10 00:00+00'
 WHERE lead_id = 702;
-- At the very time of the previous change: kept as given.
SELECT lead_id, stage, stage_changed_at
  FROM mql.set_stage(702, 'customer', NULL, '2026-01-15 00:00+00');
SELECT lead_id, from_stage, to_stage, changed_at, reason
  FROM mql.stage_history WHERE lead_id IN (701, 702) ORDER BY lead_id, history_id;
SELECT lead_id, stage, stage_changed_at FROM mql.leads WHERE lead_id IN (701, 702) ORDER BY lead_id;

------------------------------------------------------------------------
-- first_mql_at: set on the first entry into mql, kept on re-entry
------------------------------------------------------------------------
INSERT INTO mql.leads (lead_id, created_at) VALUES (801, '2026-01-01 00:00+00'),
                                                    (802, '2026-01-01 00:00+00');
SELECT lead_id, stage, first_mql_at FROM mql.leads WHERE lead_id IN (801, 802) ORDER BY lead_id;
SELECT lead_id, stage, stage_changed_at, first_mql_at
  FROM mql.set_stage(801, 'mql', NULL, '2026-01-03 00:00+00');
SELECT lead_id, stage, stage_changed_at, first_mql_at
  FROM mql.set_stage(801, 'recycled', NULL, '2026-01-04 00:00+00');
SELECT lead_id, stage, stage_changed_at, first_mql_at
  FROM mql.set_stage(801, 'mql', NULL, '2026-01-05 00:00+00');
SELECT lead_id, stage, stage_changed_at, first_mql_at
  FROM mql.set_stage(801, 'sql', NULL, '2026-01-06 00:00+00');
-- A lead that skips mql has no first_mql_at.
SELECT lead_id, stage, stage_changed_at, first_mql_at
  FROM mql.set_stage(802, 'sql', NULL, '2026-01-03 00:00+00');
-- 601 entered mql through a plain UPDATE: first_mql_at is that row's time.
SELECT l.first_mql_at = h.changed_at AS first_mql_at_from_history
  FROM mql.leads AS l JOIN mql.stage_history AS h
    ON h.lead_id = l.lead_id AND h.to_stage = 'mql'
 WHERE l.lead_id = 601;

------------------------------------------------------------------------
-- mql.force_stage: the documented override
------------------------------------------------------------------------
SELECT pg_catalog.count(*) AS history_rows_before FROM mql.stage_history \gset
-- A refused transition, forced with a reason: recorded with is_override.
SELECT lead_id, stage, stage_changed_at
  FROM mql.force_stage(104, 'opportunity', 'deal was booked by mistake', '2026-02-10 00:00+00');
SELECT lead_id, stage, stage_changed_at
  FROM mql.force_stage(105, 'lead', 'disqualified the wrong lead', '2026-02-10 00:00+00');
-- A forced change is clamped like any other.
SELECT lead_id, stage, stage_changed_at
  FROM mql.force_stage(204, 'lead', 'recycled by mistake', '2025-01-01 00:00+00');
-- A move the guardrails allow is still flagged when it goes through force_stage.
SELECT lead_id, stage, stage_changed_at
  FROM mql.force_stage(106, 'mql', 'hand-qualified', '2026-02-10 00:00+00');
-- The same stage: a no-op even here.
SELECT lead_id, stage, stage_changed_at
  FROM mql.force_stage(106, 'mql', 'again', '2026-02-11 00:00+00');
SELECT lead_id, from_stage, to_stage, changed_at, reason,
       actor = current_user AS actor_is_current_user, is_override
  FROM mql.stage_history
 WHERE lead_id IN (104, 105, 106, 204) AND from_stage IS NOT NULL
 ORDER BY lead_id, history_id;
SELECT pg_catalog.count(*) - :history_rows_before AS history_rows_added FROM mql.stage_history;

-- No reason, an empty one or a blank one: 22004, nothing written.
SELECT pg_catalog.count(*) AS history_rows_before FROM mql.stage_history \gset
SELECT * FROM mql.force_stage(104, 'sql', NULL, '2026-02-12 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.force_stage(104, 'sql', '', '2026-02-12 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.force_stage(104, 'sql', E'  \t ', '2026-02-12 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- force_stage has no default for its reason: leaving it out does not even
-- resolve to the function (42883).
SELECT * FROM mql.force_stage(104, 'sql');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM pg_temp.lead_state(104);
SELECT pg_catalog.count(*) - :history_rows_before AS history_rows_added FROM mql.stage_history;

------------------------------------------------------------------------
-- Invariants over every lead and every history row
------------------------------------------------------------------------
-- Each lead's stage (and stage clock) is the to_stage (changed_at) of its
-- latest history row.
SELECT count(*) AS leads,
       count(*) FILTER (WHERE l.stage IS DISTINCT FROM latest.to_stage) AS stage_violations,
       count(*) FILTER (WHERE l.stage_changed_at IS DISTINCT FROM latest.changed_at) AS clock_violations
  FROM mql.leads AS l
  LEFT JOIN LATERAL (SELECT h.to_stage, h.changed_at FROM mql.stage_history AS h
                      WHERE h.lead_id = l.lead_id ORDER BY h.history_id DESC LIMIT 1) AS latest
    ON true;

-- history_id increases in transition order: per lead, ordered by history_id,
-- the first row is the creation (from NULL), each later row starts where the
-- previous one ended, and changed_at never goes back.
SELECT count(*) AS history_rows,
       count(*) FILTER (WHERE x.prev_to IS NULL AND x.from_stage IS NOT NULL) AS bad_first_rows,
       count(*) FILTER (WHERE x.prev_to IS NOT NULL AND x.from_stage IS DISTINCT FROM x.prev_to) AS broken_chain,
       count(*) FILTER (WHERE x.changed_at < x.prev_at) AS time_going_back,
       count(*) FILTER (WHERE x.from_stage = x.to_stage) AS same_stage_rows
  FROM (SELECT h.*, pg_catalog.lag(h.to_stage) OVER w AS prev_to,
               pg_catalog.lag(h.changed_at) OVER w AS prev_at
          FROM mql.stage_history AS h
        WINDOW w AS (PARTITION BY h.lead_id ORDER BY h.history_id)) AS x;

-- Every non-forced row is a move the guardrails allow.
SELECT count(*) AS unforced_rows_the_guardrails_refuse
  FROM mql.stage_history
 WHERE from_stage IS NOT NULL AND NOT is_override AND NOT mql.can_transition(from_stage, to_stage);

-- The full story of one lead.
SELECT pg_catalog.row_number() OVER (ORDER BY history_id) AS step,
       from_stage, to_stage, changed_at, reason
  FROM mql.stage_history WHERE lead_id = 801 ORDER BY history_id;

------------------------------------------------------------------------
-- mql.stage_history is append-only, even for its owner, a superuser
------------------------------------------------------------------------
SELECT r.rolsuper AS i_am_superuser,
       c.relowner = r.oid AS i_own_stage_history
  FROM pg_roles AS r, pg_class AS c
 WHERE r.rolname = current_user AND c.oid = 'mql.stage_history'::regclass;
CREATE TEMP TABLE history_before AS SELECT * FROM mql.stage_history;

UPDATE mql.stage_history SET reason = 'rewritten' WHERE lead_id = 101;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.stage_history SET to_stage = 'customer';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
DELETE FROM mql.stage_history WHERE lead_id = 101;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
DELETE FROM mql.stage_history;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
TRUNCATE mql.stage_history;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;

-- Every row is still there, unchanged.
SELECT (SELECT count(*) FROM mql.stage_history) AS rows_now,
       (SELECT count(*) FROM history_before) AS rows_before,
       (SELECT count(*) FROM (SELECT * FROM history_before
                              EXCEPT ALL SELECT * FROM mql.stage_history) AS d) AS rows_lost_or_changed,
       (SELECT count(*) FROM (SELECT * FROM mql.stage_history
                              EXCEPT ALL SELECT * FROM history_before) AS d) AS rows_new_or_changed;

------------------------------------------------------------------------
-- Privileges: PUBLIC cannot run the functions that write
------------------------------------------------------------------------
SELECT pg_catalog.has_function_privilege('public', 'mql.set_stage(bigint, mql.stage, text, timestamptz)', 'EXECUTE') AS set_stage,
       pg_catalog.has_function_privilege('public', 'mql.force_stage(bigint, mql.stage, text, timestamptz)', 'EXECUTE') AS force_stage,
       pg_catalog.has_function_privilege('public', 'mql.rescore(bigint)', 'EXECUTE') AS rescore,
       pg_catalog.has_function_privilege('public', 'mql.rescore_leads(bigint[])', 'EXECUTE') AS rescore_leads,
       pg_catalog.has_function_privilege('public', 'mql.can_transition(mql.stage, mql.stage)', 'EXECUTE') AS can_transition,
       pg_catalog.has_function_privilege('public', 'mql.stage_rank(mql.stage)', 'EXECUTE') AS stage_rank;

-- An application role that can see the schema still cannot call them.
CREATE ROLE regress_mql_app NOLOGIN;
GRANT USAGE ON SCHEMA mql TO regress_mql_app;
SELECT pg_catalog.count(*) AS history_rows_before FROM mql.stage_history \gset
SET ROLE regress_mql_app;
SELECT mql.can_transition('lead', 'mql') AS can_transition_works;
SELECT * FROM mql.set_stage(801, 'opportunity', 'from the app', '2026-03-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.force_stage(801, 'lead', 'from the app', '2026-03-01 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.rescore(801);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.rescore();
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
RESET ROLE;
SELECT * FROM pg_temp.lead_state(801);
SELECT pg_catalog.count(*) - :history_rows_before AS history_rows_added FROM mql.stage_history;

-- Once granted set_stage (and the tables it works on), the role can move
-- leads; the history names it as the actor. force_stage stays refused.
GRANT EXECUTE ON FUNCTION mql.set_stage(bigint, mql.stage, text, timestamptz) TO regress_mql_app;
GRANT SELECT, UPDATE ON mql.leads TO regress_mql_app;
GRANT SELECT, INSERT ON mql.stage_history TO regress_mql_app;
GRANT USAGE ON SEQUENCE mql.stage_history_history_id_seq TO regress_mql_app;
GRANT SELECT ON mql.settings, mql.event_weights, mql.fit_rules TO regress_mql_app;
SET ROLE regress_mql_app;
SELECT lead_id, stage, stage_changed_at
  FROM mql.set_stage(801, 'opportunity', 'from the app', '2026-03-01 00:00+00');
SELECT * FROM mql.set_stage(801, 'lead', 'from the app', '2026-03-02 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM mql.force_stage(801, 'lead', 'from the app', '2026-03-02 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- ... and cannot rewrite the history either.
UPDATE mql.stage_history SET reason = 'rewritten' WHERE lead_id = 801;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
RESET ROLE;
SELECT from_stage, to_stage, changed_at, reason, actor, is_override
  FROM mql.stage_history WHERE lead_id = 801 ORDER BY history_id DESC LIMIT 1;
SELECT pg_catalog.count(*) - :history_rows_before AS history_rows_added FROM mql.stage_history;

-- Clean up the role (the extension's objects go with the next DROP EXTENSION).
REVOKE ALL ON FUNCTION mql.set_stage(bigint, mql.stage, text, timestamptz) FROM regress_mql_app;
REVOKE ALL ON mql.leads, mql.stage_history, mql.settings, mql.event_weights, mql.fit_rules
  FROM regress_mql_app;
REVOKE ALL ON SEQUENCE mql.stage_history_history_id_seq FROM regress_mql_app;
REVOKE ALL ON SCHEMA mql FROM regress_mql_app;
DROP ROLE regress_mql_app;

-- The stage clock and first_mql_at belong to pg_mql: an UPDATE that does not
-- change the stage cannot move stage_changed_at back (which would let a
-- later change be dated before an earlier one) nor reset first_mql_at.
INSERT INTO mql.leads (lead_id, created_at) VALUES (901, '2026-01-01 00:00+00');
SELECT stage, stage_changed_at, first_mql_at
  FROM mql.set_stage(901, 'mql', 'qualified by hand', '2026-01-10 00:00+00');
UPDATE mql.leads SET stage_changed_at = '2020-01-01 00:00+00', first_mql_at = NULL
 WHERE lead_id = 901;
SELECT stage, stage_changed_at, first_mql_at FROM mql.leads WHERE lead_id = 901;
-- So a later change asked for before the last one is still clamped to it.
SELECT stage, stage_changed_at, first_mql_at
  FROM mql.set_stage(901, 'sql', 'too early', '2025-01-01 00:00+00');
SELECT from_stage, to_stage, changed_at FROM mql.stage_history
 WHERE lead_id = 901 ORDER BY history_id;
-- first_mql_at is the first entry into mql and survives a later re-entry.
SELECT stage FROM mql.set_stage(901, 'recycled', 'nurture', '2026-02-01 00:00+00');
SELECT stage, first_mql_at FROM mql.set_stage(901, 'mql', 'back', '2026-03-01 00:00+00');

-- An empty reason is no reason: set_stage records its default reason; a
-- blank reason (any white space) does not satisfy force_stage.
INSERT INTO mql.leads (lead_id, created_at) VALUES (902, '2026-01-01 00:00+00');
SELECT stage FROM mql.set_stage(902, 'mql', '', '2026-01-02 00:00+00');
SELECT reason FROM mql.stage_history WHERE lead_id = 902 ORDER BY history_id DESC LIMIT 1;
SELECT * FROM mql.force_stage(902, 'lead', E'\r\n\t ', '2026-01-03 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT stage FROM mql.leads WHERE lead_id = 902;

-- Only pg_mql writes history: a direct INSERT, even by the owner
-- (superuser), is refused (42501) and nothing is written, so a lead's stage
-- keeps equalling the to_stage of its latest history row.
SELECT count(*) AS history_rows FROM mql.stage_history WHERE lead_id = 902 \gset
INSERT INTO mql.stage_history (lead_id, from_stage, to_stage, changed_at, reason)
VALUES (902, 'mql', 'customer', '2026-01-05 00:00+00', 'forged');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) = :history_rows AS nothing_written FROM mql.stage_history WHERE lead_id = 902;
SELECT count(*) AS leads_out_of_step_with_history
  FROM mql.leads AS l
 WHERE l.stage IS DISTINCT FROM (SELECT h.to_stage FROM mql.stage_history AS h
                                  WHERE h.lead_id = l.lead_id ORDER BY h.history_id DESC LIMIT 1);
