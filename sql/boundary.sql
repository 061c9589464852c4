-- The C++/PostgreSQL error boundary: a C++ exception in the core becomes a
-- clean ERROR (the backend survives and the session keeps working), and a
-- PostgreSQL error raised while the glue is running (a longjmp through it)
-- leaves no trace and no stale state.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
RESET client_min_messages;
SET search_path = public, mql;
SET timezone = 'UTC';
\set VERBOSITY default

-- The backend we start in: "same_backend" below proves it never crashed
-- (a crash would end the connection and psql would reconnect to a new one).
SELECT pg_backend_pid() AS pid \gset

---------------------------------------------------------------------------
-- mql.core_selftest makes the pure C++ core throw on purpose.
-- std::runtime_error: internal_error (XX000) with the exception's message.
SELECT mql.core_selftest('runtime');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT 1 AS still_working, pg_backend_pid() = :pid AS same_backend;
-- std::bad_alloc: out_of_memory (53200).
SELECT mql.core_selftest('bad_alloc');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT 1 AS still_working, pg_backend_pid() = :pid AS same_backend;
-- Something that is not a std::exception (an int): internal_error (XX000).
SELECT mql.core_selftest('other');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT 1 AS still_working, pg_backend_pid() = :pid AS same_backend;
-- No exception asked for: a normal return. NULL: STRICT, returns NULL.
SELECT mql.core_selftest('none');
SELECT mql.core_selftest(NULL) IS NULL AS strict_null;

-- Many exceptions in one session, each caught in a PL/pgSQL subtransaction
-- by its condition name: every one arrives as the documented error.
DO $$
DECLARE
  runtime int := 0;
  oom int := 0;
  other int := 0;
BEGIN
  FOR i IN 1..300 LOOP
    BEGIN
      PERFORM mql.core_selftest('runtime');
    EXCEPTION WHEN internal_error THEN runtime := runtime + 1;
    END;
    BEGIN
      PERFORM mql.core_selftest('bad_alloc');
    EXCEPTION WHEN out_of_memory THEN oom := oom + 1;
    END;
    BEGIN
      PERFORM mql.core_selftest('other');
    EXCEPTION WHEN internal_error THEN other := other + 1;
    END;
  END LOOP;
  RAISE NOTICE 'caught: runtime %, bad_alloc %, other %', runtime, oom, other;
END
$$;
SELECT pg_backend_pid() = :pid AS same_backend;

---------------------------------------------------------------------------
-- A transaction that errors mid-way rolls back cleanly: the event inserted
-- before the error (and the lead it created) is gone, and the next
-- transaction works.
INSERT INTO mql.event_weights (event_type, weight) VALUES ('demo', 60);
BEGIN;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (50, 'demo', '2026-01-01 00:00+00');
SELECT count(*) AS lead_50_inside FROM mql.leads WHERE lead_id = 50;
SELECT mql.core_selftest('runtime');
-- (\echo: a psql command, so it runs even in the aborted transaction)
\echo sqlstate :LAST_ERROR_SQLSTATE
-- the transaction is aborted until it ends (25P02)
SELECT 1;
\echo sqlstate :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT (SELECT count(*) FROM mql.leads WHERE lead_id = 50) AS leads,
       (SELECT count(*) FROM mql.events WHERE lead_id = 50) AS events,
       (SELECT count(*) FROM mql.stage_history WHERE lead_id = 50) AS history;
BEGIN;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (50, 'demo', '2026-01-01 00:00+00');
COMMIT;
SELECT (SELECT count(*) FROM mql.leads WHERE lead_id = 50) AS leads,
       (SELECT count(*) FROM mql.events WHERE lead_id = 50) AS events,
       (SELECT count(*) FROM mql.stage_history WHERE lead_id = 50) AS history;

-- Inside a savepoint: the error rolls back to the savepoint only. Lead 51's
-- event (before the savepoint) is kept, lead 52's (after it) is not.
BEGIN;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (51, 'demo', '2026-01-01 00:00+00');
SAVEPOINT s;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (52, 'demo', '2026-01-01 00:00+00');
SELECT mql.core_selftest('runtime');
\echo sqlstate :LAST_ERROR_SQLSTATE
ROLLBACK TO s;
SELECT 1 AS after_rollback_to_savepoint;
SELECT mql.core_selftest('bad_alloc');
\echo sqlstate :LAST_ERROR_SQLSTATE
ROLLBACK TO s;
SELECT mql.core_selftest('none');
COMMIT;
SELECT lead_id, stage, intent_score FROM mql.leads WHERE lead_id IN (51, 52) ORDER BY lead_id;
SELECT lead_id, count(*) AS events FROM mql.events WHERE lead_id IN (51, 52) GROUP BY lead_id ORDER BY lead_id;
SELECT pg_backend_pid() = :pid AS same_backend;

---------------------------------------------------------------------------
-- core_selftest is a test hook: not executable by PUBLIC.
SELECT has_function_privilege('public', 'mql.core_selftest(text)', 'EXECUTE') AS public_can_execute;
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_mql_boundary_user;
RESET client_min_messages;
CREATE ROLE regress_mql_boundary_user;
GRANT USAGE ON SCHEMA mql TO regress_mql_boundary_user;
SELECT has_function_privilege('regress_mql_boundary_user', 'mql.core_selftest(text)', 'EXECUTE')
       AS ordinary_role_can_execute;
SET ROLE regress_mql_boundary_user;
SELECT mql.core_selftest('none');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
RESET ROLE;
REVOKE USAGE ON SCHEMA mql FROM regress_mql_boundary_user;
DROP ROLE regress_mql_boundary_user;

---------------------------------------------------------------------------
-- A PostgreSQL error raised inside the glue. A user's BEFORE UPDATE trigger
-- on mql.leads refuses any update of lead 99. It fires after pg_mql's own
-- leads_before_update (triggers fire in name order), i.e. while the event
-- trigger (C++ glue) is in the middle of its UPDATE of the leads, with its
-- qualification state installed. The error must unwind through the glue
-- cleanly: a clean ERROR, nothing written, no stale state afterwards.
CREATE FUNCTION public.refuse_lead_99() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.lead_id = 99 THEN
    RAISE EXCEPTION 'lead 99 is frozen' USING ERRCODE = 'object_in_use';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER zz_refuse_lead_99 BEFORE UPDATE ON mql.leads
  FOR EACH ROW EXECUTE FUNCTION public.refuse_lead_99();
CREATE TEMP VIEW counts AS
SELECT (SELECT count(*) FROM mql.leads) AS leads,
       (SELECT count(*) FROM mql.events) AS events,
       (SELECT count(*) FROM mql.stage_history) AS history;
SELECT * FROM counts;

-- 1. Lead 99 does not exist yet: the event creates it, then pg_mql updates
-- it, which the user's trigger refuses. Lead 97 in the same statement is
-- not created either.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (97, 'demo', '2026-01-02 00:00+00'),
  (99, 'demo', '2026-01-02 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM counts;
SELECT count(*) AS leads_97_99 FROM mql.leads WHERE lead_id IN (97, 99);

-- 2. Leads 98 and 99 exist. Two demos (60 each) would qualify both at the
-- second one (60 * 2^(-1/30) + 60 >= 100): the qualification of lead 99 is
-- decided in C++ and written by leads_before_update before the user's
-- trigger refuses the row. Nothing of it stays: no events, no intent, no
-- history, for lead 98 either (same statement).
INSERT INTO mql.leads (lead_id, created_at) VALUES
  (98, '2026-01-01 00:00+00'), (99, '2026-01-01 00:00+00');
SELECT * FROM counts;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (98, 'demo', '2026-01-02 00:00+00'), (98, 'demo', '2026-01-03 00:00+00'),
  (99, 'demo', '2026-01-02 00:00+00'), (99, 'demo', '2026-01-03 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM counts;
SELECT lead_id, stage, intent_score, score_at, first_mql_at
  FROM mql.leads WHERE lead_id IN (98, 99) ORDER BY lead_id;
SELECT pg_backend_pid() = :pid AS same_backend;

-- 3. The next insert works: lead 98 alone qualifies at its second demo.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (98, 'demo', '2026-01-02 00:00+00'), (98, 'demo', '2026-01-03 00:00+00');
SELECT lead_id, from_stage, to_stage, changed_at, reason,
       CASE WHEN actor = current_user THEN '(current_user)' ELSE actor END AS actor, is_override
  FROM mql.stage_history WHERE lead_id = 98 ORDER BY history_id;
SELECT round(score::numeric, 9) = round((60 * 2^(-1.0/30) + 60)::numeric, 9) AS qualifying_score_ok
  FROM mql.stage_history WHERE lead_id = 98 AND to_stage = 'mql';
SELECT * FROM counts;

-- 4. A refused set_stage / force_stage (their state is installed while the
-- UPDATE runs) leaves no stale reason or override behind: a later plain
-- UPDATE of another lead records the plain-UPDATE reason, no override.
SELECT mql.set_stage(99, 'sql', 'this reason must not stick', '2026-01-04 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.force_stage(99, 'recycled', 'this override must not stick', '2026-01-04 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) AS history_99 FROM mql.stage_history WHERE lead_id = 99;
UPDATE mql.leads SET stage = 'sql', stage_changed_at = '2026-01-05 00:00+00' WHERE lead_id = 98;
SELECT lead_id, from_stage, to_stage, changed_at, reason, is_override
  FROM mql.stage_history WHERE lead_id = 98 ORDER BY history_id DESC LIMIT 1;

-- 5. Without the user's trigger, lead 99 scores and qualifies normally.
DROP TRIGGER zz_refuse_lead_99 ON mql.leads;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (99, 'demo', '2026-01-02 00:00+00'), (99, 'demo', '2026-01-03 00:00+00');
SELECT lead_id, from_stage, to_stage, changed_at, reason, is_override
  FROM mql.stage_history WHERE lead_id = 99 ORDER BY history_id;
-- and a plain UPDATE of lead 99 itself (the lead the refused set_stage and
-- force_stage named) records the plain-UPDATE reason, no override.
UPDATE mql.leads SET stage = 'sql', stage_changed_at = '2026-01-06 00:00+00' WHERE lead_id = 99;
SELECT lead_id, from_stage, to_stage, changed_at, reason, is_override
  FROM mql.stage_history WHERE lead_id = 99 ORDER BY history_id DESC LIMIT 1;
-- intent of both: 60 * 2^(-1/30) + 60 as of 2026-01-03.
SELECT lead_id, stage, round(intent_score::numeric, 6) AS intent, score_at, first_mql_at
  FROM mql.leads WHERE lead_id IN (98, 99) ORDER BY lead_id;
SELECT bool_and(round(intent_score::numeric, 9) = round((60 * 2^(-1.0/30) + 60)::numeric, 9)) AS ok
  FROM mql.leads WHERE lead_id IN (98, 99);
SELECT * FROM counts;
SELECT pg_backend_pid() = :pid AS same_backend;
DROP FUNCTION public.refuse_lead_99();
