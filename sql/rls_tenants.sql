-- Multi-tenant row-level security, the example of docs/security.md: two
-- tenants share one pg_mql; each tenant's role sees, scores and moves only
-- its own leads, events and history. A lead's tenant is its attribute
-- "tenant", which names the tenant's role. pg_mql's owner-run parts
-- (history rows, score columns, analytics) bypass row-level security, so
-- the test also shows they cannot be used to reach the other tenant.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
DROP ROLE IF EXISTS regress_mql_tenant_a;
DROP ROLE IF EXISTS regress_mql_tenant_b;
DROP ROLE IF EXISTS regress_mql_tenants;
CREATE EXTENSION pg_mql;
RESET client_min_messages;

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

------------------------------------------------------------------------
-- The setup (as in docs/security.md).
------------------------------------------------------------------------
-- One group role holds the app level; each tenant is a member.
CREATE ROLE regress_mql_tenants NOLOGIN;
CREATE ROLE regress_mql_tenant_a IN ROLE regress_mql_tenants;
CREATE ROLE regress_mql_tenant_b IN ROLE regress_mql_tenants;
SELECT mql.grant_app_access('regress_mql_tenants');

-- Leads: a tenant sees, inserts, updates only leads tagged with its role.
ALTER TABLE mql.leads ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_leads ON mql.leads TO regress_mql_tenants
  USING (attributes ->> 'tenant' = current_user);
-- Events and history: those of the leads the tenant sees (the subquery is
-- itself filtered by the policy on mql.leads).
ALTER TABLE mql.events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_events ON mql.events TO regress_mql_tenants
  USING (EXISTS (SELECT 1 FROM mql.leads AS l WHERE l.lead_id = events.lead_id));
ALTER TABLE mql.stage_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_history ON mql.stage_history FOR SELECT TO regress_mql_tenants
  USING (EXISTS (SELECT 1 FROM mql.leads AS l WHERE l.lead_id = stage_history.lead_id));
CREATE INDEX leads_tenant_idx ON mql.leads ((attributes ->> 'tenant'));

------------------------------------------------------------------------
-- Each tenant works on its own leads.
------------------------------------------------------------------------
SET ROLE regress_mql_tenant_a;
INSERT INTO mql.leads (lead_id, email, source, attributes, created_at) VALUES
  (101, 'a1@a.example', 'web', '{"tenant": "regress_mql_tenant_a", "employees": 500}', '2026-01-01 00:00+00'),
  (102, 'a2@a.example', 'ads', '{"tenant": "regress_mql_tenant_a"}', '2026-01-01 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (101, 'demo_request', '2026-01-02 00:00+00'), (101, 'page_view', '2026-01-03 00:00+00'),
  (102, 'page_view', '2026-01-02 00:00+00');
SELECT lead_id, stage FROM mql.set_stage(101, 'sql', 'call booked', '2026-01-04 00:00+00');
RESET ROLE;

SET ROLE regress_mql_tenant_b;
INSERT INTO mql.leads (lead_id, email, attributes, created_at) VALUES
  (201, 'b1@b.example', '{"tenant": "regress_mql_tenant_b"}', '2026-01-01 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (201, 'demo_request', '2026-01-02 00:00+00'), (201, 'demo_request', '2026-01-02 01:00+00');
-- Tenant b sees only its own lead, events and history...
SELECT lead_id, stage, fit_score, round(intent_score::numeric, 3) AS intent FROM mql.leads ORDER BY lead_id;
SELECT lead_id, event_type FROM mql.events ORDER BY lead_id, event_id;
SELECT lead_id, from_stage, to_stage, reason, actor FROM mql.stage_history ORDER BY lead_id, history_id;
-- ... scores only its own (another tenant's lead is like an unknown one) ...
SELECT round(mql.score(201::bigint, '2026-01-03 00:00+00')::numeric, 3) AS own_score,
       mql.score(101::bigint, '2026-01-03 00:00+00') AS other_score;
SELECT count(*) AS other_explain_rows FROM mql.explain(101);
-- ... and cannot reach tenant a's leads in any way (each refused before
-- any owner-run part of pg_mql acts on them).
SELECT s AS statement, pg_temp.try(s) AS result FROM (VALUES
  ('INSERT INTO mql.events (lead_id, event_type) VALUES (101, ''demo_request'')'),
  ('INSERT INTO mql.events (lead_id, event_type) VALUES (201, ''page_view''), (102, ''demo_request'')'),
  ('INSERT INTO mql.events (lead_id, event_type) VALUES (999, ''page_view'')'),
  ('INSERT INTO mql.leads (lead_id, attributes) VALUES (103, ''{"tenant": "regress_mql_tenant_a"}'')'),
  ('INSERT INTO mql.leads (lead_id, attributes) VALUES (101, ''{"tenant": "regress_mql_tenant_b"}'') ON CONFLICT DO NOTHING'),
  ('UPDATE mql.leads SET stage = ''disqualified'' WHERE lead_id = 101'),
  ('UPDATE mql.leads SET attributes = ''{"tenant": "regress_mql_tenant_a"}'' WHERE lead_id = 201'),
  ('UPDATE mql.leads SET attributes = ''{"employees": 5000}'' WHERE lead_id = 201'),
  ('SELECT mql.set_stage(101, ''disqualified'', ''from b'')')) AS t(s);
RESET ROLE;

-- Defence in depth: with a lax policy that lets tenants insert any event,
-- the event trigger (which creates and locks the statement's leads as the
-- owner) still refuses events for leads the tenant cannot see, and keeps
-- nothing of the statement: no lead 999, no event for 101.
CREATE POLICY lax_events ON mql.events FOR INSERT TO regress_mql_tenants WITH CHECK (true);
SET ROLE regress_mql_tenant_b;
SELECT s AS statement, pg_temp.try(s) AS result FROM (VALUES
  ('INSERT INTO mql.events (lead_id, event_type) VALUES (101, ''demo_request'')'),
  ('INSERT INTO mql.events (lead_id, event_type) VALUES (201, ''page_view''), (999, ''page_view'')')) AS t(s);
RESET ROLE;
DROP POLICY lax_events ON mql.events;
SELECT count(*) AS lead_999 FROM mql.leads WHERE lead_id = 999;

------------------------------------------------------------------------
-- As the owner: both tenants' data, each as its tenant left it; every
-- history row names the tenant's role; the rollup is exact.
------------------------------------------------------------------------
SELECT lead_id, attributes ->> 'tenant' AS tenant, stage, fit_score, intent_score OPERATOR(pg_catalog.>) 0 AS scored
  FROM mql.leads ORDER BY lead_id;
SELECT lead_id, count(*) AS events FROM mql.events GROUP BY lead_id ORDER BY lead_id;
SELECT lead_id, from_stage, to_stage, changed_at, reason, actor
  FROM mql.stage_history ORDER BY lead_id, history_id;
SELECT count(*) AS rollup_diffs FROM mql.verify_rollups();

-- The BI views aggregate over every tenant (the rollup has no tenant):
-- they are for the operator of the database, not for tenants. A tenant
-- role holding only the app level cannot read them.
SELECT cohort_month, leads, mqls, sqls FROM mql.funnel;
SET ROLE regress_mql_tenant_a;
SELECT pg_temp.try('SELECT * FROM mql.funnel') AS tenant_reads_funnel;
-- Tenant a still sees exactly its own two leads.
SELECT lead_id, stage FROM mql.leads ORDER BY lead_id;
RESET ROLE;

-- Clean up.
DROP POLICY tenant_leads ON mql.leads;
DROP POLICY tenant_events ON mql.events;
DROP POLICY tenant_history ON mql.stage_history;
ALTER TABLE mql.leads DISABLE ROW LEVEL SECURITY;
ALTER TABLE mql.events DISABLE ROW LEVEL SECURITY;
ALTER TABLE mql.stage_history DISABLE ROW LEVEL SECURITY;
DROP INDEX mql.leads_tenant_idx;
SELECT mql.revoke_app_access('regress_mql_tenants');
DROP ROLE regress_mql_tenant_a;
DROP ROLE regress_mql_tenant_b;
DROP ROLE regress_mql_tenants;
