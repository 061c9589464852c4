-- No pg_mql code trusts the caller's search_path. An unprivileged role
-- (regress_mql_mallory) plants look-alikes of the operators, functions,
-- aggregates, tables and types pg_mql uses: in public (writable here, as in
-- databases created before PostgreSQL 15) and in her temporary schema. Each
-- look-alike raises an error naming itself when it is called. Then
--   1. a superuser whose search_path puts public before pg_catalog, and
--   2. mallory herself, with app-level grants, her search_path and her
--      temporary look-alikes (which pg_mql's owner-run parts must ignore),
-- exercise every entry point of pg_mql: no look-alike is ever called.
-- Positive controls show each kind of trap does fire when named plainly.
-- Also: a catalog check that every function either pins search_path or is
-- on the short list of functions that need not (docs/security.md).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
DROP ROLE IF EXISTS regress_mql_mallory;
DROP ROLE IF EXISTS regress_mql_sp_bi;
CREATE EXTENSION pg_mql;
RESET client_min_messages;

------------------------------------------------------------------------
-- Every function pins search_path, except these (and why):
--  * C functions that run no SQL and look no name up: type I/O, operator,
--    opclass and aggregate support, pure computations, triggers that only
--    inspect their row;
--  * the C functions that do run SQL but are called once per row, where a
--    SET clause costs about 1 us per call: every name in their SQL is
--    schema-qualified, operators and types included;
--  * SQL functions inlined into their callers (a SET clause would stop the
--    inlining): their bodies are schema-qualified throughout.
------------------------------------------------------------------------
SELECT p.oid::regprocedure AS unpinned_function, l.lanname AS language
  FROM pg_catalog.pg_proc AS p
  JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
 WHERE p.pronamespace OPERATOR(pg_catalog.=) 'mql'::regnamespace
   AND p.prokind <> 'a' -- aggregates take no SET clause; their support functions are listed
   AND NOT COALESCE('search_path=pg_catalog, pg_temp' OPERATOR(pg_catalog.=) ANY (p.proconfig), false)
 ORDER BY p.oid::regprocedure::text;

-- SECURITY DEFINER functions: all pin search_path, none is executable by
-- PUBLIC; each is listed with what it allows in docs/security.md.
SELECT p.oid::regprocedure AS security_definer,
       'search_path=pg_catalog, pg_temp' OPERATOR(pg_catalog.=) ANY (p.proconfig) AS pinned,
       pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
  FROM pg_catalog.pg_proc AS p
 WHERE p.pronamespace OPERATOR(pg_catalog.=) 'mql'::regnamespace AND p.prosecdef
 ORDER BY p.oid::regprocedure::text;

------------------------------------------------------------------------
-- Mallory plants her look-alikes in public.
------------------------------------------------------------------------
CREATE ROLE regress_mql_mallory;
GRANT CREATE, USAGE ON SCHEMA public TO regress_mql_mallory;
SELECT mql.grant_app_access('regress_mql_mallory');
SET ROLE regress_mql_mallory;

CREATE FUNCTION public.planted(what text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'planted % called', what;
END
$$;

-- A look-alike of every operator pg_mql might name, for every pair of the
-- types it works with (prefix operators included).
CREATE TEMP TABLE planted_counts (kind text, n integer);
DO $$
DECLARE
  o record;
  n integer := 0;
BEGIN
  FOR o IN
    SELECT op.oprname, op.oprleft, op.oprright, op.oprresult
      FROM pg_catalog.pg_operator AS op
     WHERE op.oprnamespace OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog'::regnamespace, 'mql'::regnamespace])
       AND op.oprname OPERATOR(pg_catalog.=) ANY (ARRAY['=', '<>', '<', '<=', '>', '>=', '+', '-', '*', '/',
                                                        '||', '->', '->>', '~~', '@>', '?'])
       AND (op.oprleft OPERATOR(pg_catalog.=) 0 OR op.oprleft OPERATOR(pg_catalog.=) ANY (ARRAY[
             'bool', 'int4', 'int8', 'float8', 'numeric', 'text', 'unknown', 'name', 'jsonb',
             'timestamptz', 'timestamp', 'interval', 'date', 'oid', 'mql.stage']::regtype[]))
       AND op.oprright OPERATOR(pg_catalog.=) ANY (ARRAY[
             'bool', 'int4', 'int8', 'float8', 'numeric', 'text', 'unknown', 'name', 'jsonb',
             'timestamptz', 'timestamp', 'interval', 'date', 'oid', 'mql.stage']::regtype[])
     ORDER BY 1, 2, 3
  LOOP
    n := n OPERATOR(pg_catalog.+) 1;
    IF o.oprleft OPERATOR(pg_catalog.=) 0 THEN
      EXECUTE pg_catalog.format(
        'CREATE FUNCTION public.planted_op_%s(%s) RETURNS %s LANGUAGE plpgsql AS '
        '$f$BEGIN RAISE EXCEPTION ''planted operator public.%s(%s) called''; END$f$',
        n, o.oprright::regtype, o.oprresult::regtype, o.oprname, o.oprright::regtype);
      EXECUTE pg_catalog.format('CREATE OPERATOR public.%s (RIGHTARG = %s, FUNCTION = public.planted_op_%s)',
                                o.oprname, o.oprright::regtype, n);
    ELSE
      EXECUTE pg_catalog.format(
        'CREATE FUNCTION public.planted_op_%s(%s, %s) RETURNS %s LANGUAGE plpgsql AS '
        '$f$BEGIN RAISE EXCEPTION ''planted operator public.%s(%s, %s) called''; END$f$',
        n, o.oprleft::regtype, o.oprright::regtype, o.oprresult::regtype,
        o.oprname, o.oprleft::regtype, o.oprright::regtype);
      EXECUTE pg_catalog.format(
        'CREATE OPERATOR public.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = public.planted_op_%s)',
        o.oprname, o.oprleft::regtype, o.oprright::regtype, n);
    END IF;
  END LOOP;
  INSERT INTO planted_counts VALUES ('operators', n);
END
$$;

-- A look-alike of every function pg_mql calls, with each signature it has
-- in pg_catalog or mql (when PL/pgSQL can declare it): the same name in
-- public, with exactly the same argument types, wins over the original if
-- a call ever resolves through the search_path.
DO $$
DECLARE
  f record;
  n integer := 0;
BEGIN
  FOR f IN
    SELECT p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args,
           pg_catalog.pg_get_function_result(p.oid) AS result
      FROM pg_catalog.pg_proc AS p
     WHERE p.prokind OPERATOR(pg_catalog.=) 'f'
       AND p.prorettype OPERATOR(pg_catalog.<>) 'trigger'::regtype
       AND ((p.pronamespace OPERATOR(pg_catalog.=) 'mql'::regnamespace)
            OR (p.pronamespace OPERATOR(pg_catalog.=) 'pg_catalog'::regnamespace
                AND p.proname OPERATOR(pg_catalog.=) ANY (ARRAY[
                  'now', 'unnest', 'current_setting', 'format', 'date_trunc', 'date_part', 'floor',
                  'lower', 'btrim', 'to_jsonb', 'hashtext', 'pg_advisory_xact_lock',
                  'pg_try_advisory_xact_lock', 'cardinality', 'nextval', 'timezone', 'split_part',
                  'pg_trigger_depth', 'aclexplode', 'pg_extension_config_dump', 'textcat',
                  'int8', 'float8', 'text', 'date', 'numeric', 'int4', 'jsonb_typeof'])))
     ORDER BY 1, 2
  LOOP
    BEGIN
      EXECUTE pg_catalog.format(
        'CREATE FUNCTION public.%I(%s) RETURNS %s LANGUAGE plpgsql AS '
        '$f$BEGIN RAISE EXCEPTION ''planted function public.%s(%s) called''; END$f$',
        f.proname, f.args, f.result, f.proname, pg_catalog.replace(f.args, '''', ''''''));
      n := n OPERATOR(pg_catalog.+) 1;
    EXCEPTION WHEN OTHERS THEN
      NULL; -- a signature PL/pgSQL cannot declare ("any", internal, ...)
    END;
  END LOOP;
  INSERT INTO planted_counts VALUES ('functions', n);
END
$$;

-- Aggregates pg_mql uses (count, sum, min, max, array_agg), for its types.
CREATE FUNCTION public.planted_sfunc(anycompatible, anycompatible) RETURNS anycompatible
  LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'planted aggregate called'; END$$;
CREATE FUNCTION public.planted_count_sfunc(bigint) RETURNS bigint
  LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'planted aggregate count(*) called'; END$$;
CREATE AGGREGATE public.count(*) (SFUNC = public.planted_count_sfunc, STYPE = bigint);
DO $$
DECLARE
  a text;
  t regtype;
  n integer := 0;
BEGIN
  FOREACH a IN ARRAY ARRAY['count', 'sum', 'min', 'max'] LOOP
    FOREACH t IN ARRAY ARRAY['int4', 'int8', 'float8', 'numeric', 'text', 'timestamptz',
                             'mql.stage']::regtype[] LOOP
      EXECUTE pg_catalog.format('CREATE AGGREGATE public.%I(%s) (SFUNC = public.planted_sfunc, STYPE = %s)',
                                a, t, t);
      n := n OPERATOR(pg_catalog.+) 1;
    END LOOP;
  END LOOP;
  INSERT INTO planted_counts VALUES ('aggregates', n OPERATOR(pg_catalog.+) 1);
END
$$;

-- Tables pg_mql reads or writes, as views that raise when read (and
-- cannot be written), under the same names in public.
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['leads', 'events', 'stage_history', 'settings', 'event_weights',
                           'fit_rules', 'lead_facts', 'rollup', 'rollup_delta', 'rollup_rows',
                           'funnel', 'new_leads', 'new_events', 'old_events', 'new_rows',
                           'old_leads', 'new_weights', 'old_weights'] LOOP
    EXECUTE pg_catalog.format('CREATE VIEW public.%I AS SELECT public.planted(%L) AS x', r, 'public.' || r);
  END LOOP;
END
$$;
SELECT kind, n >= 10 AS many FROM planted_counts ORDER BY kind;
RESET ROLE;

------------------------------------------------------------------------
-- 1. A superuser with public before pg_catalog on its search_path runs
--    every entry point.
------------------------------------------------------------------------
SET search_path = public, pg_catalog, mql;

-- The traps are armed: a plain = on integers, a plain now(), a plain
-- count(*), a plain table name, a stage comparison, all reach mallory.
\set VERBOSITY terse
SELECT 1::int4 = 1::int4;
SELECT now() IS NOT NULL;
SELECT count(*) FROM pg_catalog.pg_class;
SELECT * FROM settings;
SELECT 'mql'::mql.stage = 'mql'::mql.stage;
SELECT 'a'::text || 'b'::text;
\set VERBOSITY default

-- The configuration.
INSERT INTO mql.event_weights (event_type, weight, category) VALUES
  ('page_view', 10, 'web'), ('demo_request', 60, 'web'), ('call', 0, 'sales_touch');
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES
  ('employees', '>=', '200', 20, 'score'),
  ('role', '=', '"student"', NULL, 'exclude'),
  ('email', 'ends_with', '"@fit.example"', 100, 'score');
-- (No decay: the stage changes that are judged at now() do not depend on
-- the clock.)
UPDATE mql.settings SET threshold = 100, half_life = NULL, report_timezone = 'Europe/Berlin';
UPDATE mql.event_weights SET category = 'web' WHERE event_type OPERATOR(pg_catalog.=) 'call';
UPDATE mql.event_weights SET category = 'sales_touch' WHERE event_type OPERATOR(pg_catalog.=) 'call';

-- Leads: one qualifies on fit alone, one by events (new lead created by its
-- events), one gets a late event, one is excluded.
INSERT INTO mql.leads (lead_id, email, source, campaign, attributes, created_at) VALUES
  (1, 'a@fit.example', 'web', 'spring', '{"employees": 500}', '2026-01-01 00:00+00'),
  (2, 'b@example.com', 'web', 'spring', '{"employees": 50}', '2026-01-01 00:00+00'),
  (4, 'd@example.com', 'ads', NULL, '{"role": "student"}', '2026-01-01 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (2, 'page_view', '2026-01-02 00:00+00'), (2, 'demo_request', '2026-01-03 00:00+00'),
  (2, 'demo_request', '2026-01-04 00:00+00'),
  (3, 'demo_request', '2026-01-05 00:00+00'), (3, 'demo_request', '2026-01-05 01:00+00'),
  (4, 'demo_request', '2026-01-05 00:00+00'), (4, 'demo_request', '2026-01-05 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (2, 'page_view', '2026-01-01 12:00+00');
COPY mql.events (lead_id, event_type, occurred_at) FROM STDIN;
5	page_view	2026-01-06 00:00+00
5	demo_request	2026-01-06 01:00+00
\.

-- Stage changes: plain UPDATE with the settings, set_stage, force_stage,
-- a refused transition, a change of fit inputs.
BEGIN;
SET LOCAL mql.change_reason = 'booked';
SET LOCAL mql.actor = 'crm';
UPDATE mql.leads SET stage = 'sql' WHERE lead_id OPERATOR(pg_catalog.=) 2;
COMMIT;
SELECT lead_id, stage FROM mql.set_stage(1, 'sql', 'call booked', '2026-01-10 00:00+00');
SELECT lead_id, stage FROM mql.set_stage(2, 'opportunity', NULL, '2026-01-11 00:00+00');
SELECT lead_id, stage FROM mql.set_stage(2, 'lead', NULL, '2026-01-12 00:00+00');
SELECT lead_id, stage FROM mql.force_stage(2, 'lead', 'mistake', '2026-01-12 00:00+00');
SELECT lead_id, stage FROM mql.set_stage(1, 'customer', 'won', '2026-01-20 00:00+00');
UPDATE mql.leads SET attributes = '{"employees": 1000}', source = 'partner'
 WHERE lead_id OPERATOR(pg_catalog.=) 4;
UPDATE mql.leads SET attributes = '{"employees": 1000}' WHERE lead_id OPERATOR(pg_catalog.=) 2;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (3, 'call', '2026-01-06 00:00+00');

-- Scoring and explanation.
SELECT lead_id, stage, pg_catalog.round(mql.score(l, '2026-01-06 00:00+00')::pg_catalog.numeric, 3) AS score_at_jan6
  FROM mql.leads AS l ORDER BY lead_id;
SELECT pg_catalog.round(mql.score(2::bigint, '2026-01-03 12:00+00')::pg_catalog.numeric, 3) AS past_score;
SELECT kind, item, pg_catalog.round(points::pg_catalog.numeric, 3) AS points
  FROM mql.explain(2, '2026-01-06 00:00+00') ORDER BY kind, item;
SELECT mql.rescore(2) AS one, mql.rescore() AS every, mql.rescore_leads(ARRAY[1, 3]::bigint[]) AS some;

-- Event corrections and deletions.
UPDATE mql.events SET occurred_at = occurred_at OPERATOR(pg_catalog.-) '1 hour'::interval
 WHERE lead_id OPERATOR(pg_catalog.=) 5;
DELETE FROM mql.events WHERE lead_id OPERATOR(pg_catalog.=) 4;
DELETE FROM mql.leads WHERE lead_id OPERATOR(pg_catalog.=) 4;

-- Analytics: rollups, views, verification.
SELECT mql.compact_rollups() OPERATOR(pg_catalog.>=) 0 AS compacted,
       mql.compact_rollups(false) OPERATOR(pg_catalog.>=) 0 AS compacted_nowait;
SELECT mql.rebuild_rollups() AS rebuilt_leads;
SELECT mql.refresh_lead_facts(ARRAY[1, 2]::bigint[]);
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 AS has_facts FROM mql.compute_lead_facts(ARRAY[1, 2, 3]::bigint[]);
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 AS has_contributions
  FROM mql.lead_facts AS f, mql.lead_contributions(f, 'UTC') AS c;
CREATE TEMP TABLE views_read (v regclass);
DO $$
DECLARE
  v regclass;
BEGIN
  FOR v IN SELECT * FROM mql.bi_views() LOOP
    EXECUTE pg_catalog.format('SELECT * FROM %s', v);
    INSERT INTO pg_temp.views_read VALUES (v);
  END LOOP;
END
$$;
SELECT pg_catalog.count(*) AS bi_views_read FROM pg_temp.views_read;
SELECT cohort_month, leads, mqls, sqls, customers, lead_to_mql_rate FROM mql.funnel;
SELECT stage, entries FROM mql.stage_durations ORDER BY stage;
SELECT pg_catalog.count(*) AS cohort_rows FROM mql.mql_cohort;
SELECT pg_catalog.count(*) AS diffs FROM mql.verify_rollups();
SELECT mql.min(stage) AS min_stage, mql.max(stage) AS max_stage FROM mql.leads;
SELECT mql.percentile_hours(h, 1, 0.5) AS median FROM pg_catalog.unnest(ARRAY[1, 2, 3]) AS h;
SELECT mql.can_transition('lead', 'mql'), mql.stage_rank('sql'),
       mql.decayed(10, '2026-01-01', '2026-01-31', '30 days'),
       mql.fit_rule_matches('>=', '200', '500'), mql.rate(1, 4), mql.rate(1, 0),
       mql.observed_days('2026-01-01', 'UTC') IS NOT NULL AS observed;
SELECT mql.lead_attribute(l, 'email') FROM mql.leads AS l WHERE lead_id OPERATOR(pg_catalog.=) 1;

-- Access levels.
CREATE ROLE regress_mql_sp_bi;
SELECT mql.grant_bi_access('regress_mql_sp_bi'), mql.grant_app_access('regress_mql_sp_bi'),
       mql.grant_ops_access('regress_mql_sp_bi');
SELECT mql.revoke_ops_access('regress_mql_sp_bi'), mql.revoke_app_access('regress_mql_sp_bi'),
       mql.revoke_bi_access('regress_mql_sp_bi');
SELECT pg_catalog.count(*) AS ops_privileges FROM mql.access_privileges('ops');
DROP ROLE regress_mql_sp_bi;

-- What the superuser did, as recorded.
SELECT lead_id, from_stage, to_stage, reason,
       CASE WHEN actor OPERATOR(pg_catalog.=) CURRENT_USER THEN '(current_user)' ELSE actor END AS actor,
       is_override
  FROM mql.stage_history ORDER BY lead_id, history_id;
RESET search_path;

------------------------------------------------------------------------
-- 2. Mallory, with app-level grants, her search_path and temporary
--    look-alikes of tables and types: pg_mql's owner-run parts (history
--    writes, score columns, analytics triggers) must not see them.
------------------------------------------------------------------------
SET ROLE regress_mql_mallory;
SET search_path = public, pg_catalog, mql;
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['leads', 'events', 'stage_history', 'settings', 'event_weights',
                           'fit_rules', 'lead_facts', 'rollup', 'rollup_delta', 'new_leads',
                           'new_events', 'new_rows'] LOOP
    EXECUTE pg_catalog.format('CREATE TEMP VIEW %I AS SELECT public.planted(%L) AS x', r,
                              'pg_temp.' OPERATOR(pg_catalog.||) r);
  END LOOP;
  FOREACH r IN ARRAY ARRAY['text', 'date', 'timestamptz', 'jsonb', 'float8', 'int8', 'int4',
                           'numeric', 'regclass', 'regrole', 'regnamespace', 'oid', 'bool'] LOOP
    EXECUTE pg_catalog.format('CREATE DOMAIN pg_temp.%I AS pg_catalog.%I CHECK (public.planted(%L))',
                              r, r, 'pg_temp.' OPERATOR(pg_catalog.||) r);
  END LOOP;
END
$$;
-- Armed: a plain cast to text now means her domain, a plain table name
-- her temporary view.
\set VERBOSITY terse
SELECT 'x'::text;
SELECT * FROM leads;
\set VERBOSITY default

INSERT INTO mql.leads (lead_id, email, source, attributes, created_at) VALUES
  (10, 'm@fit.example', 'web', '{"employees": 10}', '2026-02-01 00:00+00'),
  (11, 'n@example.com', 'web', '{}', '2026-02-01 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (11, 'demo_request', '2026-02-02 00:00+00'), (11, 'call', '2026-02-03 00:00+00'),
  (12, 'page_view', '2026-02-02 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (11, 'demo_request', '2026-02-01 12:00+00');
UPDATE mql.leads SET attributes = '{"employees": 300}' WHERE lead_id OPERATOR(pg_catalog.=) 12;
SELECT lead_id, stage FROM mql.set_stage(11, 'sql', 'from mallory', '2026-02-04 00:00+00');
SELECT pg_catalog.round(mql.score(11::bigint, '2026-02-02 06:00+00')::pg_catalog.numeric, 3) AS past_score;
SELECT kind, item FROM mql.explain(11, '2026-02-05 00:00+00') ORDER BY kind, item;
SELECT lead_id, from_stage, to_stage, reason, actor
  FROM mql.stage_history WHERE lead_id OPERATOR(pg_catalog.>=) 10 ORDER BY lead_id, history_id;
RESET search_path;
RESET ROLE;

-- Everything mallory's statements set off is in place and exact.
SELECT lead_id, stage, fit_score, intent_score OPERATOR(pg_catalog.>) 0 AS has_intent
  FROM mql.leads WHERE lead_id >= 10 ORDER BY lead_id;
SELECT count(*) AS diffs FROM mql.verify_rollups();

-- Clean up: mallory's objects, then the role.
DROP OWNED BY regress_mql_mallory CASCADE;
SELECT mql.revoke_app_access('regress_mql_mallory');
REVOKE ALL ON SCHEMA public FROM regress_mql_mallory;
DROP ROLE regress_mql_mallory;
