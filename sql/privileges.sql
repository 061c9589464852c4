-- Privilege levels (docs/security.md): PUBLIC gets nothing that writes; BI
-- reads the outcome views; app writes leads and events and moves stages;
-- ops also changes weights, rules and settings, corrects stages, rescores
-- and rebuilds. For each level: what is allowed and what is refused
-- (42501), and that the triggers work with nothing but the level's grants.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
DROP ROLE IF EXISTS regress_mql_nobody;
DROP ROLE IF EXISTS regress_mql_app;
DROP ROLE IF EXISTS regress_mql_ops;
DROP ROLE IF EXISTS regress_mql_bi_user;
CREATE EXTENSION pg_mql;
RESET client_min_messages;

-- Runs a statement; 'ok', or the SQLSTATE and message it failed with.
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE stmt;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

INSERT INTO mql.event_weights (event_type, weight, category) VALUES
  ('page_view', 10, 'web'), ('demo_request', 60, 'web'), ('call', 0, 'sales_touch');
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES
  ('employees', '>=', '200', 20, 'score');
INSERT INTO mql.leads (lead_id, email, created_at) VALUES
  (1, 'one@example.com', '2026-01-01 00:00+00'), (2, 'two@example.com', '2026-01-01 00:00+00');

------------------------------------------------------------------------
-- The levels, one GRANT per row. ops includes app.
------------------------------------------------------------------------
SELECT * FROM mql.access_privileges('app');
SELECT * FROM mql.access_privileges('ops') EXCEPT ALL SELECT * FROM mql.access_privileges('app')
 ORDER BY object, privilege;
SELECT * FROM mql.access_privileges('admin');
SELECT * FROM mql.access_privileges(NULL);

------------------------------------------------------------------------
-- PUBLIC: nothing that writes.
------------------------------------------------------------------------
-- No USAGE on the schema, no privilege on any relation or sequence.
SELECT has_schema_privilege('public', 'mql', 'USAGE') AS public_usage,
       has_schema_privilege('public', 'mql', 'CREATE') AS public_create;
SELECT count(*) AS public_relation_privileges
  FROM pg_class AS c, aclexplode(c.relacl) AS a
 WHERE c.relnamespace = 'mql'::regnamespace AND a.grantee = 0;
-- The functions PUBLIC may execute: each only computes or reads (and the
-- readers still need the schema and the tables' SELECT privilege).
SELECT p.oid::regprocedure AS public_executable, p.provolatile AS volatility
  FROM pg_proc AS p
 WHERE p.pronamespace = 'mql'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE')
 ORDER BY p.oid::regprocedure::text;

-- A role with no grant at all is refused at the schema.
CREATE ROLE regress_mql_nobody;
SET ROLE regress_mql_nobody;
SELECT s AS statement, pg_temp.try(s) AS result FROM (VALUES
  ('INSERT INTO mql.events (lead_id, event_type) VALUES (1, ''page_view'')'),
  ('SELECT mql.set_stage(1, ''mql'')'),
  ('SELECT * FROM mql.funnel')) AS t(s);
RESET ROLE;

-- Even with USAGE on the schema, every write to every table and sequence,
-- and every function that writes or grants, is refused with 42501.
GRANT USAGE ON SCHEMA mql TO regress_mql_nobody;
CREATE TEMP TABLE writes (stmt text);
INSERT INTO writes
SELECT pg_catalog.format(w, c.oid::regclass, a.attname)
  FROM pg_class AS c
  JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = 1,
       unnest(ARRAY['INSERT INTO %s DEFAULT VALUES', 'UPDATE %s SET %2$I = %2$I',
                    'DELETE FROM %s', 'TRUNCATE %s']) AS w
 WHERE c.relnamespace = 'mql'::regnamespace AND c.relkind = 'r'
UNION ALL
SELECT pg_catalog.format(w, pg_catalog.quote_literal(c.oid::regclass::text))
  FROM pg_class AS c, unnest(ARRAY['SELECT nextval(%s)', 'SELECT setval(%s, 1)']) AS w
 WHERE c.relnamespace = 'mql'::regnamespace AND c.relkind = 'S'
UNION ALL
VALUES ('SELECT mql.set_stage(1, ''mql'')'), ('SELECT mql.force_stage(1, ''mql'', ''x'')'),
       ('SELECT mql.rescore()'), ('SELECT mql.rescore_leads(NULL)'),
       ('SELECT mql.refresh_lead_facts(ARRAY[1::bigint])'), ('SELECT mql.compact_rollups()'),
       ('SELECT mql.rebuild_rollups()'), ('SELECT mql.core_selftest(''runtime'')'),
       ('SELECT mql.grant_bi_access(''regress_mql_nobody'')'),
       ('SELECT mql.revoke_bi_access(''regress_mql_nobody'')'),
       ('SELECT mql.grant_app_access(''regress_mql_nobody'')'),
       ('SELECT mql.revoke_app_access(''regress_mql_nobody'')'),
       ('SELECT mql.grant_ops_access(''regress_mql_nobody'')'),
       ('SELECT mql.revoke_ops_access(''regress_mql_nobody'')'),
       ('SELECT mql.change_access(''regress_mql_nobody'', ''ops'', true)'),
       ('SELECT mql.revoke_schema_usage_if_unused(''regress_mql_nobody'')');
GRANT SELECT ON writes TO regress_mql_nobody;
SET ROLE regress_mql_nobody;
SELECT pg_catalog.split_part(pg_temp.try(stmt), ':', 1) AS sqlstate, count(*) AS statements
  FROM writes GROUP BY 1 ORDER BY 1;
RESET ROLE;
-- The statements, for the record.
SELECT stmt FROM writes ORDER BY stmt;
DROP TABLE writes;
REVOKE USAGE ON SCHEMA mql FROM regress_mql_nobody;
DROP ROLE regress_mql_nobody;

------------------------------------------------------------------------
-- app: applications and sales tools.
------------------------------------------------------------------------
CREATE ROLE regress_mql_app;
SELECT mql.grant_app_access('regress_mql_app');
SET ROLE regress_mql_app;
-- Allowed: leads and events in, scoring and qualification by the triggers
-- (history rows, score columns and analytics are written as the owner),
-- stage changes through the guardrails, reading its data.
SELECT s AS statement, pg_temp.try(s) AS result FROM (VALUES
  ('INSERT INTO mql.leads (lead_id, email, attributes, created_at) VALUES (3, ''three@example.com'', ''{"employees": 500}'', ''2026-01-02 00:00+00'')'),
  ('INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (3, ''demo_request'', ''2026-01-03 00:00+00''), (3, ''demo_request'', ''2026-01-03 01:00+00''), (4, ''page_view'', ''2026-01-03 00:00+00'')'),
  ('INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (3, ''page_view'', ''2026-01-02 12:00+00'')'),
  ('UPDATE mql.leads SET attributes = ''{"employees": 300}'', source = ''web'' WHERE lead_id = 4'),
  ('SELECT mql.set_stage(3, ''sql'', ''call booked'', ''2026-01-04 00:00+00'')'),
  ('UPDATE mql.leads SET stage = ''disqualified'', stage_changed_at = ''2026-01-05 00:00+00'' WHERE lead_id = 4'),
  ('SELECT mql.score(3::bigint, ''2026-01-03 00:30+00'')'),
  ('SELECT * FROM mql.explain(3)'),
  ('SELECT * FROM mql.stage_history'),
  ('SELECT * FROM mql.settings, mql.event_weights, mql.fit_rules')) AS t(s);
-- Refused: the columns pg_mql maintains, deleting, changing events, the
-- audit trail, the configuration, the derived tables and the views, the
-- administrator's functions.
SELECT s AS statement, pg_temp.try(s) AS result FROM (VALUES
  ('UPDATE mql.leads SET intent_score = 1000 WHERE lead_id = 1'),
  ('UPDATE mql.leads SET fit_score = 1000 WHERE lead_id = 1'),
  ('UPDATE mql.leads SET score_at = now() WHERE lead_id = 1'),
  ('UPDATE mql.leads SET first_mql_at = now() WHERE lead_id = 1'),
  ('UPDATE mql.leads SET created_at = now() WHERE lead_id = 1'),
  ('DELETE FROM mql.leads WHERE lead_id = 1'),
  ('UPDATE mql.events SET occurred_at = now()'),
  ('DELETE FROM mql.events'),
  ('TRUNCATE mql.events'),
  ('INSERT INTO mql.stage_history (lead_id, to_stage, changed_at) VALUES (1, ''customer'', now())'),
  ('UPDATE mql.stage_history SET reason = ''rewritten'''),
  ('UPDATE mql.event_weights SET weight = 1000'),
  ('INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES (''email'', ''exists'', NULL, 1000)'),
  ('UPDATE mql.settings SET threshold = 1'),
  ('SELECT * FROM mql.lead_facts'),
  ('SELECT * FROM mql.rollup_delta'),
  ('SELECT * FROM mql.funnel'),
  ('SELECT mql.force_stage(1, ''customer'', ''x'')'),
  ('SELECT mql.rescore()'),
  ('SELECT mql.rebuild_rollups()'),
  ('SELECT mql.compact_rollups()'),
  ('SELECT mql.grant_ops_access(''regress_mql_app'')')) AS t(s);
-- The guardrails hold for the app as for anyone (23514), and mql.actor is
-- the app's own label for who acted, recorded as given.
SELECT pg_temp.try('SELECT mql.set_stage(3, ''lead'')') AS backwards;
BEGIN;
SET LOCAL mql.actor = 'jane@crm';
SELECT lead_id, stage FROM mql.set_stage(3, 'opportunity', 'demo done', '2026-01-06 00:00+00');
COMMIT;
RESET ROLE;
SELECT lead_id, from_stage, to_stage, changed_at, reason, actor, is_override
  FROM mql.stage_history WHERE lead_id IN (3, 4) ORDER BY lead_id, history_id;
SELECT lead_id, stage, fit_score, round(intent_score::numeric, 3) AS intent, score_at, first_mql_at
  FROM mql.leads ORDER BY lead_id;
SELECT count(*) AS rollup_diffs FROM mql.verify_rollups();

------------------------------------------------------------------------
-- ops: marketing operations (app included).
------------------------------------------------------------------------
CREATE ROLE regress_mql_ops;
SELECT mql.grant_ops_access('regress_mql_ops');
SET ROLE regress_mql_ops;
SELECT s AS statement, pg_temp.try(s) AS result FROM (VALUES
  ('INSERT INTO mql.event_weights (event_type, weight) VALUES (''webinar'', 30)'),
  ('UPDATE mql.event_weights SET category = ''sales_touch'' WHERE event_type = ''page_view'''),
  ('INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES (''email'', ''ends_with'', ''"@example.com"'', 5)'),
  ('DELETE FROM mql.fit_rules WHERE attribute = ''email'''),
  ('UPDATE mql.settings SET threshold = 90, report_timezone = ''Europe/Berlin'''),
  ('SELECT mql.force_stage(4, ''lead'', ''disqualified by mistake'', ''2026-01-07 00:00+00'')'),
  ('SELECT mql.rescore()'),
  ('UPDATE mql.events SET occurred_at = occurred_at - interval ''1 hour'' WHERE lead_id = 4'),
  ('DELETE FROM mql.events WHERE lead_id = 2'),
  ('DELETE FROM mql.leads WHERE lead_id = 2'),
  ('SELECT mql.compact_rollups()'),
  ('SELECT mql.rebuild_rollups()'),
  ('SELECT * FROM mql.verify_rollups()'),
  ('SELECT * FROM mql.lead_facts, mql.rollup, mql.rollup_delta')) AS t(s);
SELECT s AS statement, pg_temp.try(s) AS result FROM (VALUES
  ('TRUNCATE mql.leads'),
  ('TRUNCATE mql.event_weights'),
  ('DELETE FROM mql.settings'),
  ('INSERT INTO mql.settings DEFAULT VALUES'),
  ('INSERT INTO mql.stage_history (lead_id, to_stage, changed_at) VALUES (1, ''customer'', now())'),
  ('DELETE FROM mql.stage_history'),
  ('INSERT INTO mql.rollup_delta (family, by_source, metric, n) VALUES (''created'', false, ''leads'', 1000)'),
  ('DELETE FROM mql.lead_facts'),
  ('SELECT mql.refresh_lead_facts(ARRAY[1::bigint])'),
  ('SELECT * FROM mql.funnel'),
  ('SELECT mql.grant_app_access(''regress_mql_ops'')'),
  ('SELECT mql.core_selftest(''runtime'')')) AS t(s);
-- The trigger functions (some SECURITY DEFINER) can neither be called nor
-- attached to a table of one's own: no role but the owner has EXECUTE.
CREATE TABLE pg_temp.mine (lead_id bigint);
SELECT s AS statement, pg_temp.try(s) AS result FROM (VALUES
  ('SELECT mql.events_after_change()'),
  ('CREATE TRIGGER t AFTER INSERT ON pg_temp.mine FOR EACH STATEMENT EXECUTE FUNCTION mql.rollups_rebuild_on_change()'),
  ('CREATE TRIGGER t AFTER INSERT ON pg_temp.mine FOR EACH STATEMENT EXECUTE FUNCTION mql.events_after_insert()')) AS t(s);
DROP TABLE pg_temp.mine;
RESET ROLE;
SELECT lead_id, stage FROM mql.leads ORDER BY lead_id;
SELECT lead_id, to_stage, reason, actor, is_override
  FROM mql.stage_history WHERE lead_id = 4 ORDER BY history_id;
SELECT count(*) AS rollup_diffs FROM mql.verify_rollups();

------------------------------------------------------------------------
-- BI: the views, nothing else (details in bi_access.sql).
------------------------------------------------------------------------
CREATE ROLE regress_mql_bi_user;
SELECT mql.grant_bi_access('regress_mql_bi_user');
SET ROLE regress_mql_bi_user;
SELECT s AS statement, pg_temp.try(s) AS result FROM (VALUES
  ('SELECT * FROM mql.funnel'),
  ('SELECT * FROM mql.stage_durations_by_source'),
  ('SELECT * FROM mql.leads'),
  ('SELECT * FROM mql.events'),
  ('INSERT INTO mql.events (lead_id, event_type) VALUES (1, ''page_view'')'),
  ('SELECT mql.score(1::bigint)')) AS t(s);
RESET ROLE;

------------------------------------------------------------------------
-- Grants of one's own, narrower than app: inserting events needs SELECT on
-- the configuration and on the leads they name (the trigger reads them as
-- the inserting role); column SELECT on the lead columns scoring reads is
-- enough. A refused insert writes nothing.
------------------------------------------------------------------------
CREATE ROLE regress_mql_writer;
GRANT USAGE ON SCHEMA mql TO regress_mql_writer;
GRANT INSERT ON mql.events TO regress_mql_writer;
GRANT USAGE ON SEQUENCE mql.events_event_id_seq TO regress_mql_writer;
GRANT SELECT ON mql.settings, mql.event_weights, mql.fit_rules TO regress_mql_writer;
SET ROLE regress_mql_writer;
SELECT pg_temp.try('INSERT INTO mql.events (lead_id, event_type) VALUES (1, ''page_view'')') AS no_select_on_leads;
RESET ROLE;
SELECT count(*) AS events_of_lead_1 FROM mql.events WHERE lead_id = 1;
GRANT SELECT (lead_id, stage, fit_score, intent_score, score_at, stage_changed_at, email, source,
              campaign, attributes) ON mql.leads TO regress_mql_writer;
SET ROLE regress_mql_writer;
SELECT pg_temp.try('INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, ''page_view'', ''2026-01-04 00:00+00'')') AS column_select;
RESET ROLE;
SELECT lead_id, round(intent_score::numeric, 4) AS intent, score_at,
       (SELECT count(*) FROM mql.events AS e WHERE e.lead_id = 1) AS events
  FROM mql.leads WHERE lead_id = 1;
REVOKE ALL ON mql.leads, mql.events, mql.settings, mql.event_weights, mql.fit_rules
  FROM regress_mql_writer;
REVOKE ALL ON SEQUENCE mql.events_event_id_seq FROM regress_mql_writer;
REVOKE ALL ON SCHEMA mql FROM regress_mql_writer;
DROP ROLE regress_mql_writer;

------------------------------------------------------------------------
-- Levels combine, and revoking one keeps the schema for the others.
------------------------------------------------------------------------
SELECT mql.grant_app_access('regress_mql_bi_user');
SELECT mql.revoke_app_access('regress_mql_bi_user');
SELECT has_schema_privilege('regress_mql_bi_user', 'mql', 'USAGE') AS usage_kept_for_bi,
       has_table_privilege('regress_mql_bi_user', 'mql.funnel', 'SELECT') AS bi_kept,
       has_table_privilege('regress_mql_bi_user', 'mql.leads', 'SELECT') AS app_gone;
SELECT mql.revoke_bi_access('regress_mql_bi_user');
SELECT mql.revoke_app_access('regress_mql_app');
SELECT mql.revoke_ops_access('regress_mql_ops');
-- Nothing is left: no schema USAGE, no table, column, sequence or function
-- privilege for any of the three roles.
SELECT r.rolname,
       has_schema_privilege(r.oid, 'mql', 'USAGE') AS usage,
       (SELECT count(*) FROM pg_class AS c, aclexplode(c.relacl) AS a
         WHERE c.relnamespace = 'mql'::regnamespace AND a.grantee = r.oid) AS relation_grants,
       (SELECT count(*) FROM pg_attribute AS t JOIN pg_class AS c ON c.oid = t.attrelid,
               aclexplode(t.attacl) AS a
         WHERE c.relnamespace = 'mql'::regnamespace AND a.grantee = r.oid) AS column_grants,
       (SELECT count(*) FROM pg_proc AS p, aclexplode(p.proacl) AS a
         WHERE p.pronamespace = 'mql'::regnamespace AND a.grantee = r.oid) AS function_grants
  FROM pg_roles AS r
 WHERE r.rolname IN ('regress_mql_app', 'regress_mql_ops', 'regress_mql_bi_user')
 ORDER BY r.rolname;
-- An unknown role is refused by regrole (42704).
SELECT mql.grant_app_access('regress_mql_no_such_role');
DROP ROLE regress_mql_app;
DROP ROLE regress_mql_ops;
DROP ROLE regress_mql_bi_user;
