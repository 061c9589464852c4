-- Read-only access for BI tools: mql.grant_bi_access(role) lets a role read
-- exactly the views of mql.bi_views() and nothing else of pg_mql (no table,
-- nothing that writes); mql.revoke_bi_access(role) takes it back.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
DROP ROLE IF EXISTS regress_mql_bi;
DROP ROLE IF EXISTS "regress_mql BI-quoted";
RESET client_min_messages;
SET search_path = public, mql;
SET timezone = 'UTC';
\set VERBOSITY default

CREATE ROLE regress_mql_bi NOLOGIN;

-- A small history, so that every view has rows:
-- lead 1 (web, c1): created 01-02, mql 01-05, sql 01-10;
-- lead 2 (NULL, NULL): created 01-03, stays a lead;
-- lead 3 (ads, NULL): created 02-01, mql 02-03, recycled 02-10.
INSERT INTO mql.leads (lead_id, source, campaign, created_at) VALUES
  (1, 'web', 'c1', '2026-01-02 12:00+00'),
  (2, NULL,  NULL, '2026-01-03 12:00+00'),
  (3, 'ads', NULL, '2026-02-01 12:00+00');
SELECT stage FROM mql.set_stage(1, 'mql',      'MQL',   '2026-01-05 12:00+00');
SELECT stage FROM mql.set_stage(1, 'sql',      'SQL',   '2026-01-10 12:00+00');
SELECT stage FROM mql.set_stage(3, 'mql',      'MQL',   '2026-02-03 12:00+00');
SELECT stage FROM mql.set_stage(3, 'recycled', 'later', '2026-02-10 12:00+00');
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.bi_views(): the 15 outcome views, every one a view in schema mql.
SELECT v AS bi_view FROM mql.bi_views() AS v ORDER BY v::text;
SELECT count(*) AS views, bool_and(c.relkind = 'v' AND c.relnamespace = 'mql'::regnamespace) AS all_views_in_mql
  FROM mql.bi_views() AS v JOIN pg_class AS c ON c.oid = v;

---------------------------------------------------------------------------
-- Before the grant.
-- PUBLIC has no privilege on any BI view (no PUBLIC entry in their ACLs,
-- and none in the owner's defaults), nor on any other relation of pg_mql.
SELECT count(*) AS public_privileges_on_bi_views
  FROM mql.bi_views() AS v
  JOIN pg_class AS c ON c.oid = v
 CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) AS a
 WHERE a.grantee = 0;
SELECT count(*) AS public_privileges_on_mql_relations
  FROM pg_class AS c
 CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) AS a
 WHERE c.relnamespace = 'mql'::regnamespace AND a.grantee = 0;
-- The new role has no privilege on anything in mql, not even USAGE on it.
SELECT has_schema_privilege('regress_mql_bi', 'mql', 'USAGE') AS schema_usage;
SELECT count(*) AS relations_with_any_privilege
  FROM pg_class AS c
 WHERE c.relnamespace = 'mql'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
   AND (CASE WHEN c.relkind = 'S'
             THEN has_sequence_privilege('regress_mql_bi', c.oid, 'USAGE, SELECT, UPDATE')
             ELSE has_table_privilege('regress_mql_bi', c.oid,
                    'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') END);
-- So a BI view is out of reach: permission denied (for schema mql).
SET ROLE regress_mql_bi;
SELECT cohort_month, leads FROM mql.funnel;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
RESET ROLE;

-- Only a superuser (or a role it was granted to) may call the grant
-- functions: PUBLIC cannot execute them.
SELECT has_function_privilege('regress_mql_bi', 'mql.grant_bi_access(regrole)', 'EXECUTE') AS can_grant,
       has_function_privilege('regress_mql_bi', 'mql.revoke_bi_access(regrole)', 'EXECUTE') AS can_revoke;
-- An unknown role is refused by the regrole argument (42704), nothing granted.
SELECT mql.grant_bi_access('regress_mql_no_such_role');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;

---------------------------------------------------------------------------
-- The grant.
SELECT mql.grant_bi_access('regress_mql_bi');
-- Granting twice is harmless.
SELECT mql.grant_bi_access('regress_mql_bi');
-- Exactly USAGE on schema mql and SELECT on the 15 BI views: every privilege
-- the role holds on a relation of mql is listed here, and nothing else.
SELECT has_schema_privilege('regress_mql_bi', 'mql', 'USAGE') AS schema_usage,
       has_schema_privilege('regress_mql_bi', 'mql', 'CREATE') AS schema_create;
SELECT c.relname, p.privilege
  FROM pg_class AS c
 CROSS JOIN (VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE'), ('REFERENCES'), ('TRIGGER')) AS p(privilege)
 WHERE c.relnamespace = 'mql'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
   AND has_table_privilege('regress_mql_bi', c.oid, p.privilege)
 ORDER BY c.relname, p.privilege;
SELECT count(*) AS sequences_with_any_privilege
  FROM pg_class AS c
 WHERE CASE WHEN c.relnamespace = 'mql'::regnamespace AND c.relkind = 'S'
            THEN has_sequence_privilege('regress_mql_bi', c.oid, 'USAGE, SELECT, UPDATE') END;
-- The grant went to the role only: PUBLIC still has nothing on the views.
SELECT count(*) AS public_privileges_on_bi_views
  FROM mql.bi_views() AS v
  JOIN pg_class AS c ON c.oid = v
 CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) AS a
 WHERE a.grantee = 0;

-- Under SET ROLE the BI role reads every view of mql.bi_views() (the views
-- read the tables with their owner's rights), with the same rows as their
-- owner sees.
CREATE TEMP VIEW view_counts AS
SELECT 'funnel' AS v, count(*) AS n FROM mql.funnel
UNION ALL SELECT 'funnel_by_source', count(*) FROM mql.funnel_by_source
UNION ALL SELECT 'time_to_mql', count(*) FROM mql.time_to_mql
UNION ALL SELECT 'time_to_mql_by_source', count(*) FROM mql.time_to_mql_by_source
UNION ALL SELECT 'mql_to_sql_rate', count(*) FROM mql.mql_to_sql_rate
UNION ALL SELECT 'mql_to_sql_rate_by_source', count(*) FROM mql.mql_to_sql_rate_by_source
UNION ALL SELECT 'mql_to_customer_rate', count(*) FROM mql.mql_to_customer_rate
UNION ALL SELECT 'mql_to_customer_rate_by_source', count(*) FROM mql.mql_to_customer_rate_by_source
UNION ALL SELECT 'recycle_rate', count(*) FROM mql.recycle_rate
UNION ALL SELECT 'recycle_rate_by_source', count(*) FROM mql.recycle_rate_by_source
UNION ALL SELECT 'speed_to_lead', count(*) FROM mql.speed_to_lead
UNION ALL SELECT 'speed_to_lead_by_source', count(*) FROM mql.speed_to_lead_by_source
UNION ALL SELECT 'mql_volume', count(*) FROM mql.mql_volume
UNION ALL SELECT 'stage_durations', count(*) FROM mql.stage_durations
UNION ALL SELECT 'stage_durations_by_source', count(*) FROM mql.stage_durations_by_source;
CREATE TEMP TABLE owner_counts AS SELECT * FROM view_counts;
GRANT SELECT ON owner_counts TO regress_mql_bi;
SET ROLE regress_mql_bi;
SELECT current_user;
-- Each view, one query each. Rows by hand: 2 cohort months (January,
-- February) in every total cohort view; by source: creation cohorts
-- (Jan, web, c1), (Jan, NULL, NULL), (Feb, ads, NULL) = 3, first-MQL cohorts
-- (Jan, web, c1), (Feb, ads, NULL) = 2; mql_volume: 01-02, 01-03, 01-05,
-- 02-01, 02-03 = 5; stage_durations: lead, mql, sql, recycled = 4; by source:
-- lead, mql, sql of (web, c1), lead of (NULL, NULL), lead, mql, recycled of
-- (ads, NULL) = 7.
SELECT cohort_month, leads, mqls, sqls, customers FROM mql.funnel ORDER BY cohort_month;
SELECT cohort_month, source, campaign, leads, mqls FROM mql.funnel_by_source ORDER BY 1, 2, 3;
SELECT cohort_month, leads, qualified, median_hours_to_mql FROM mql.time_to_mql ORDER BY 1;
SELECT cohort_month, source, campaign, qualified FROM mql.time_to_mql_by_source ORDER BY 1, 2, 3;
SELECT cohort_month, mqls, sqls, rate FROM mql.mql_to_sql_rate ORDER BY 1;
SELECT cohort_month, source, campaign, mqls, sqls FROM mql.mql_to_sql_rate_by_source ORDER BY 1, 2, 3;
SELECT cohort_month, mqls, customers, rate FROM mql.mql_to_customer_rate ORDER BY 1;
SELECT cohort_month, source, campaign, mqls, customers FROM mql.mql_to_customer_rate_by_source ORDER BY 1, 2, 3;
SELECT cohort_month, mqls, recycled, recycle_rate FROM mql.recycle_rate ORDER BY 1;
SELECT cohort_month, source, campaign, mqls, recycled FROM mql.recycle_rate_by_source ORDER BY 1, 2, 3;
SELECT cohort_month, mqls, touched, untouched FROM mql.speed_to_lead ORDER BY 1;
SELECT cohort_month, source, campaign, mqls, touched FROM mql.speed_to_lead_by_source ORDER BY 1, 2, 3;
SELECT day, source, campaign, new_leads, first_mqls FROM mql.mql_volume ORDER BY 1, 2, 3;
SELECT stage, entries, completed_stays, median_hours FROM mql.stage_durations ORDER BY 1;
SELECT stage, source, campaign, entries FROM mql.stage_durations_by_source ORDER BY 1, 2, 3;
-- The same through mql.bi_views() (which the role may call), every column
-- of every view: the role sees as many rows as the owner did.
DO $$
DECLARE
  view_name regclass;
  n bigint;
BEGIN
  FOR view_name IN SELECT b FROM mql.bi_views() AS b ORDER BY b::text LOOP
    EXECUTE format('SELECT count(*) FROM (SELECT * FROM %s) AS t', view_name) INTO n;
    RAISE NOTICE '%: % rows, as the owner sees: %', view_name, n,
      n = (SELECT o.n FROM owner_counts AS o WHERE ('mql.' || o.v)::regclass = view_name);
  END LOOP;
END
$$;

-- It cannot read the tables behind the views, the rollup or the internal
-- views: 42501 each.
SELECT count(*) FROM mql.leads;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) FROM mql.events;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) FROM mql.stage_history;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) FROM mql.lead_facts;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) FROM mql.rollup;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- Every other relation of mql that is not a BI view, likewise.
DO $$
DECLARE
  r regclass;
BEGIN
  FOR r IN SELECT c.oid FROM pg_class AS c
            WHERE c.relnamespace = 'mql'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
              AND c.relname NOT IN ('leads', 'events', 'stage_history', 'lead_facts', 'rollup')
              AND c.oid NOT IN (SELECT b FROM mql.bi_views() AS b)
            ORDER BY c.relname LOOP
    BEGIN
      EXECUTE format('SELECT count(*) FROM %s', r);
      RAISE NOTICE 'SELECT %: allowed', r;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'SELECT %: %', r, SQLSTATE;
    END;
  END LOOP;
END
$$;
-- Nor the functions that read lead data with the caller's rights.
SELECT mql.score(1);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) FROM mql.verify_rollups();
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;

-- It can write nothing: INSERT, UPDATE, DELETE and TRUNCATE are refused on
-- every table of mql (42501), before any row is touched.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, 'demo_request', '2026-03-01 12:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.leads (lead_id) VALUES (99);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.leads SET stage = 'customer' WHERE lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
DELETE FROM mql.leads WHERE lead_id = 2;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.settings SET threshold = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.rollup (family, metric, n) VALUES ('created', 'leads', 1);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
DELETE FROM mql.rollup_delta;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
TRUNCATE mql.lead_facts;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
DO $$
DECLARE
  r record;
  op text;
  refused text[];
BEGIN
  FOR r IN SELECT c.oid::regclass AS rel,
                  (SELECT quote_ident(a.attname) FROM pg_attribute AS a
                    WHERE a.attrelid = c.oid AND a.attnum = 1) AS col
             FROM pg_class AS c
            WHERE c.relnamespace = 'mql'::regnamespace AND c.relkind IN ('r', 'p')
            ORDER BY c.relname LOOP
    refused := '{}';
    FOREACH op IN ARRAY ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'] LOOP
      BEGIN
        EXECUTE CASE op
          WHEN 'INSERT' THEN format('INSERT INTO %s DEFAULT VALUES', r.rel)
          WHEN 'UPDATE' THEN format('UPDATE %s SET %s = %s', r.rel, r.col, r.col)
          WHEN 'DELETE' THEN format('DELETE FROM %s', r.rel)
          ELSE format('TRUNCATE %s', r.rel) END;
        RAISE NOTICE '% %: allowed', op, r.rel;
      EXCEPTION WHEN OTHERS THEN
        IF SQLSTATE = '42501' THEN
          refused := refused || op;
        ELSE
          RAISE NOTICE '% %: %', op, r.rel, SQLSTATE;
        END IF;
      END;
    END LOOP;
    RAISE NOTICE '%: refused with 42501: %', r.rel, array_to_string(refused, ', ');
  END LOOP;
END
$$;
-- No sequence may be advanced either.
SELECT nextval('mql.events_event_id_seq');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- Nor can anything be written through the BI views: they are not
-- updatable (55000, refused by the rewriter before the missing INSERT or
-- DELETE privilege is even checked).
INSERT INTO mql.funnel (cohort_month) VALUES ('2026-01-01');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
DELETE FROM mql.mql_volume;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;

-- It cannot execute the functions that write or grant: 42501 each.
SELECT stage FROM mql.set_stage(2, 'mql', 'BI', '2026-03-01 12:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT stage FROM mql.force_stage(2, 'customer', 'BI', '2026-03-01 12:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.rescore();
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.rescore(1);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.rebuild_rollups();
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.compact_rollups();
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.refresh_lead_facts(ARRAY[1::bigint]);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.grant_bi_access('regress_mql_bi');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.revoke_bi_access('regress_mql_bi');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
RESET ROLE;

-- Nothing was written: same leads, stages, events, history, settings and
-- rollup as before (and the rollup still matches the history).
SELECT lead_id, source, campaign, stage FROM mql.leads ORDER BY lead_id;
SELECT (SELECT count(*) FROM mql.events) AS events,
       (SELECT count(*) FROM mql.stage_history) AS history_rows,
       (SELECT threshold FROM mql.settings) AS threshold,
       (SELECT count(*) FROM mql.lead_facts) AS lead_facts;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();
SELECT NOT EXISTS (SELECT * FROM owner_counts EXCEPT ALL SELECT * FROM view_counts)
   AND NOT EXISTS (SELECT * FROM view_counts EXCEPT ALL SELECT * FROM owner_counts) AS views_unchanged;

-- Every function of pg_mql that runs with its owner's rights (SECURITY
-- DEFINER) is a trigger function, which nobody can call directly, or
-- compact_rollups / rebuild_rollups, which only the ops level may execute
-- (checked below): the BI role has no way around the missing table
-- privileges.
SELECT p.proname, p.prorettype::regtype AS returns
  FROM pg_proc AS p
 WHERE p.pronamespace = 'mql'::regnamespace AND p.prosecdef
 ORDER BY p.proname;
-- The functions that write or grant are not executable by the BI role.
SELECT p.oid::regprocedure AS function
  FROM pg_proc AS p
 WHERE p.pronamespace = 'mql'::regnamespace
   AND p.proname IN ('set_stage', 'force_stage', 'rescore', 'rescore_leads', 'rebuild_rollups',
                     'compact_rollups', 'refresh_lead_facts', 'grant_bi_access', 'revoke_bi_access',
                     'core_selftest')
   AND has_function_privilege('regress_mql_bi', p.oid, 'EXECUTE')
 ORDER BY 1::text;

---------------------------------------------------------------------------
-- mql.revoke_bi_access takes everything back: no privilege on any
-- relation, no USAGE on the schema, the views are out of reach again.
SELECT mql.revoke_bi_access('regress_mql_bi');
SELECT has_schema_privilege('regress_mql_bi', 'mql', 'USAGE') AS schema_usage;
SELECT count(*) AS relations_with_any_privilege
  FROM pg_class AS c
 WHERE c.relnamespace = 'mql'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
   AND (CASE WHEN c.relkind = 'S'
             THEN has_sequence_privilege('regress_mql_bi', c.oid, 'USAGE, SELECT, UPDATE')
             ELSE has_table_privilege('regress_mql_bi', c.oid,
                    'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') END);
SET ROLE regress_mql_bi;
SELECT cohort_month, leads FROM mql.funnel;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) FROM mql.stage_durations;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
RESET ROLE;
-- No ACL entry of the role is left on any view.
SELECT count(*) AS acl_entries_left
  FROM pg_class AS c
 CROSS JOIN LATERAL aclexplode(c.relacl) AS a
 WHERE c.relnamespace = 'mql'::regnamespace AND a.grantee = 'regress_mql_bi'::regrole;
-- Revoking again is harmless.
SELECT mql.revoke_bi_access('regress_mql_bi');

-- A role whose name needs quoting (upper case, space, dash) is granted and
-- revoked just the same.
CREATE ROLE "regress_mql BI-quoted" NOLOGIN;
SELECT mql.grant_bi_access('"regress_mql BI-quoted"');
SELECT count(*) AS readable_views
  FROM mql.bi_views() AS v WHERE has_table_privilege('regress_mql BI-quoted', v, 'SELECT');
SET ROLE "regress_mql BI-quoted";
SELECT cohort_month, leads FROM mql.funnel ORDER BY cohort_month;
RESET ROLE;
SELECT mql.revoke_bi_access('"regress_mql BI-quoted"');
SELECT count(*) AS readable_views
  FROM mql.bi_views() AS v WHERE has_table_privilege('regress_mql BI-quoted', v, 'SELECT');

-- Nobody but the owner can attach pg_mql's trigger functions (some are
-- SECURITY DEFINER) to a table of their own: creating the trigger needs
-- EXECUTE, which PUBLIC does not have (42501).
SELECT mql.grant_bi_access('regress_mql_bi');
SET ROLE regress_mql_bi;
CREATE TEMP TABLE bi_scratch (x int);
CREATE TRIGGER bi_scratch_rebuild AFTER INSERT ON bi_scratch
  FOR EACH STATEMENT EXECUTE FUNCTION mql.rollups_rebuild_on_change();
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
DROP TABLE bi_scratch;
RESET ROLE;
SELECT mql.revoke_bi_access('regress_mql_bi');
SELECT count(*) AS trigger_functions_executable_by_public
  FROM pg_proc AS p
 WHERE p.pronamespace = 'mql'::regnamespace AND p.prorettype = 'trigger'::regtype
   AND has_function_privilege('public', p.oid, 'EXECUTE');

-- Clean up: the roles own nothing and hold no privilege any more.
DROP TABLE owner_counts;
DROP VIEW view_counts;
DROP OWNED BY regress_mql_bi, "regress_mql BI-quoted";
DROP ROLE regress_mql_bi;
DROP ROLE "regress_mql BI-quoted";
SELECT count(*) AS roles_left FROM pg_roles WHERE rolname IN ('regress_mql_bi', 'regress_mql BI-quoted');
