-- Update path 1.0 -> 1.1 on a database with data in it: the data stays and
-- keeps scoring, and the updated extension has exactly the members,
-- definitions, privileges, triggers and comments of a fresh 1.1 install.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
SET timezone = 'UTC';
CREATE EXTENSION pg_mql VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'pg_mql';

-- A 1.0 database in use (scored by this library while still at 1.0).
UPDATE mql.settings SET threshold = 50, half_life = '10 days';
INSERT INTO mql.event_weights VALUES ('demo_request', 60, 'web'), ('visit', 5, 'web'),
  ('sales_call', 0, 'sales_touch');
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('employees', '>=', '100', 10);
INSERT INTO mql.leads (lead_id, source, attributes, created_at)
VALUES (1, 'web', '{"employees": 500}', '2026-01-01'), (2, 'ads', '{}', '2026-01-01');
INSERT INTO mql.events (lead_id, event_type, occurred_at)
VALUES (1, 'demo_request', '2026-01-02'), (2, 'visit', '2026-01-02'), (3, 'visit', '2026-01-03');
SELECT stage::text FROM mql.set_stage(1, 'sql', 'call booked', '2026-01-05');
-- The 1.0 library accepted a stage clock before the lead existed (written
-- here past the insert trigger, which is this library's); 1.1 refuses such
-- times, and so does the update while a lead has them (23514).
ALTER TABLE mql.leads DISABLE TRIGGER leads_before_insert;
INSERT INTO mql.leads (lead_id, created_at, stage_changed_at) VALUES (9, '2026-01-10', '2026-01-01');
ALTER TABLE mql.leads ENABLE TRIGGER leads_before_insert;
ALTER EXTENSION pg_mql UPDATE TO '1.1';
SELECT extversion FROM pg_extension WHERE extname = 'pg_mql';
UPDATE mql.leads SET created_at = '2026-01-01' WHERE lead_id = 9;
CREATE TEMP TABLE leads_before AS SELECT * FROM mql.leads;
CREATE TEMP TABLE history_before AS SELECT * FROM mql.stage_history;

ALTER EXTENSION pg_mql UPDATE TO '1.1';
SELECT extversion FROM pg_extension WHERE extname = 'pg_mql';

-- Nothing lost or changed; the new setting has its default.
SELECT count(*) AS leads_changed FROM (
  SELECT * FROM leads_before EXCEPT SELECT * FROM mql.leads) AS d;
SELECT count(*) AS history_changed FROM (
  SELECT * FROM history_before EXCEPT SELECT * FROM mql.stage_history) AS d;
SELECT threshold, half_life, report_timezone, future_tolerance FROM mql.settings;

-- It keeps scoring: lead 2 qualifies (5 decayed + 60 >= 50), facts follow.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (2, 'demo_request', '2026-01-06');
SELECT lead_id, stage::text, fit_score, round(intent_score::numeric, 4) AS intent
  FROM mql.leads ORDER BY lead_id;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();
-- And 1.1's checks apply.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (2, 'visit', '20225-01-01');

-- Everything that defines the extension, as text without OIDs.
CREATE FUNCTION pg_temp.extension_catalog() RETURNS TABLE (kind text, object text, detail text)
LANGUAGE sql AS $$
  WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'pg_mql'),
  members AS (
    SELECT d.classid, d.objid FROM pg_depend AS d, ext
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
  rels AS (
    SELECT c.oid, c.oid::regclass::text AS name FROM pg_class AS c
      JOIN members AS m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid)
  SELECT 'member', pg_describe_object(m.classid, m.objid, 0), ''::text FROM members AS m
  UNION ALL
  SELECT 'function', p.oid::regprocedure::text,
         md5(pg_get_functiondef(p.oid)) || ' acl=' || coalesce(p.proacl::text, 'default')
         || ' comment=' || coalesce(obj_description(p.oid, 'pg_proc'), '')
    FROM pg_proc AS p JOIN members AS m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
   WHERE p.prokind IN ('f', 'p')
  UNION ALL
  SELECT 'relation', r.name, c.relkind::text || ' options=' || coalesce(c.reloptions::text, '')
         || ' acl=' || coalesce(c.relacl::text, 'default')
         || ' comment=' || coalesce(obj_description(c.oid, 'pg_class'), '')
         || ' view=' || coalesce(md5(pg_get_viewdef(c.oid)), '')
    FROM rels AS r JOIN pg_class AS c ON c.oid = r.oid
  UNION ALL
  SELECT 'column', r.name || '.' || a.attname,
         a.attnum || ' ' || format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull
         || ' default=' || coalesce(pg_get_expr(ad.adbin, ad.adrelid), '')
         || ' comment=' || coalesce(col_description(r.oid, a.attnum), '')
    FROM rels AS r JOIN pg_attribute AS a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef AS ad ON ad.adrelid = r.oid AND ad.adnum = a.attnum
  UNION ALL
  SELECT 'constraint', r.name || '.' || co.conname,
         pg_get_constraintdef(co.oid) || ' deferrable=' || co.condeferrable
         || ' validated=' || co.convalidated
    FROM rels AS r JOIN pg_constraint AS co ON co.conrelid = r.oid
  UNION ALL
  SELECT 'index', r.name, pg_get_indexdef(i.indexrelid)
    FROM rels AS r JOIN pg_index AS i ON i.indrelid = r.oid
  UNION ALL
  SELECT 'trigger', r.name || '.' || t.tgname, pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
    FROM rels AS r JOIN pg_trigger AS t ON t.tgrelid = r.oid
  UNION ALL
  SELECT 'dumped', x.rel::regclass::text, '' FROM pg_extension AS e, unnest(e.extconfig) AS x(rel)
   WHERE e.extname = 'pg_mql'
  UNION ALL
  SELECT 'schema', n.nspname, coalesce(n.nspacl::text, 'default') FROM pg_namespace AS n
   WHERE n.nspname = 'mql'
$$;
CREATE TEMP TABLE updated AS SELECT * FROM pg_temp.extension_catalog();

DROP EXTENSION pg_mql CASCADE;
CREATE EXTENSION pg_mql;
SELECT extversion FROM pg_extension WHERE extname = 'pg_mql';
CREATE TEMP TABLE fresh AS SELECT * FROM pg_temp.extension_catalog();

-- Both ways, nothing differs (and there is plenty to compare).
SELECT 'only after the update' AS side, * FROM (SELECT * FROM updated EXCEPT SELECT * FROM fresh) AS a
UNION ALL
SELECT 'only in a fresh install', * FROM (SELECT * FROM fresh EXCEPT SELECT * FROM updated) AS b
ORDER BY 2, 3, 1;
SELECT kind, count(*) FROM fresh GROUP BY kind ORDER BY kind;
