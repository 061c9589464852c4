-- Source data for scripts/dump-restore-test.sh: every table of pg_mql with
-- varied, deterministic content (no random(), explicit business times).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION pg_mql;
SET timezone = 'UTC';
SET search_path = public, mql;             -- mql.stage's operators live in mql

-- Non-default settings, weights (one negative, two sales touches) and fit
-- rules of every effect; a deleted rule leaves a gap in rule_id.
UPDATE mql.settings SET threshold = 80, half_life = '14 days', report_timezone = 'America/New_York';
INSERT INTO mql.event_weights (event_type, weight, category) VALUES
  ('page_view', 1.5, 'web'), ('pricing_page_view', 12, 'web'), ('webinar_attended', 18, 'event'),
  ('demo_request', 60, 'web'), ('unsubscribe', -25, 'email'),
  ('sales_call', 0, 'sales_touch'), ('sales_email', 0.25, 'sales_touch');
INSERT INTO mql.fit_rules (attribute, op, value, points, effect, description) VALUES
  ('employees', '>=', '200', 15, 'score', 'mid-market'),
  ('employees', '>=', '1000', 10, 'score', NULL),
  ('temporary', 'exists', NULL, 99, 'score', 'deleted below'),
  ('role', 'in', '["vp", "director"]', 20.5, 'score', 'decision makers'),
  ('role', '=', '"student"', NULL, 'exclude', 'students never qualify'),
  ('country', 'in', '["DE", "US", "GB"]', NULL, 'require', 'served regions');
DELETE FROM mql.fit_rules WHERE attribute = 'temporary';

-- Grants on pg_mql's objects: a BI role (a cluster-wide role, made once).
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mqldump_bi') THEN
    CREATE ROLE mqldump_bi;
  END IF;
END $$;
SELECT mql.grant_bi_access('mqldump_bi');

-- Leads inserted by the CRM, with attributes; more leads arrive by events.
INSERT INTO mql.leads (lead_id, email, source, campaign, attributes, created_at)
SELECT i, 'user' || i || '@example.com',
       (ARRAY['organic', 'paid', 'referral', NULL])[1 + i % 4],
       (ARRAY['spring', NULL, 'webinars'])[1 + i % 3],
       jsonb_build_object('employees', (ARRAY[10, 250, 1500])[1 + i % 3],
                          'role', (ARRAY['engineer', 'vp', 'student', 'director'])[1 + i % 4],
                          'country', (ARRAY['DE', 'US', 'BR', 'GB', 'FR'])[1 + i % 5]),
       timestamptz '2026-01-05 09:00+00' + (i % 90) * interval '1 day' + (i % 7) * interval '1 hour'
  FROM generate_series(1, 400) AS i;

-- Events in three batches: the second and third hold late arrivals (older
-- than the leads' latest events) and events of leads not yet known.
INSERT INTO mql.events (lead_id, event_type, occurred_at, properties)
SELECT 1 + (n * 37) % 450,
       (ARRAY['page_view', 'pricing_page_view', 'webinar_attended', 'page_view', 'demo_request',
              'unknown_type'])[1 + n % 6],
       timestamptz '2026-01-06 00:00+00' + (n % 97) * interval '1 day' + (n % 23) * interval '1 hour',
       CASE WHEN n % 5 = 0 THEN jsonb_build_object('url', '/p/' || n) END
  FROM generate_series(1, 3000) AS n;
INSERT INTO mql.events (lead_id, event_type, occurred_at)
SELECT 1 + (n * 53) % 450, (ARRAY['pricing_page_view', 'unsubscribe', 'page_view'])[1 + n % 3],
       timestamptz '2026-01-06 00:00+00' + (n % 41) * interval '1 day'
  FROM generate_series(1, 1500) AS n;
-- An event changed and events deleted: their leads are rescored.
UPDATE mql.events SET occurred_at = occurred_at - interval '3 days'
 WHERE lead_id = 7 AND event_type = 'pricing_page_view';
DELETE FROM mql.events WHERE lead_id = 11 AND event_type = 'demo_request';

-- Sales works the MQLs (numbered by lead_id): set_stage with reasons and
-- business times, a plain UPDATE with mql.change_reason and mql.actor,
-- force_stage overrides.
CREATE TEMP TABLE worked AS
SELECT lead_id, row_number() OVER (ORDER BY lead_id) AS n FROM mql.leads WHERE stage = 'mql';
SELECT count(mql.set_stage(l.lead_id, 'sql', 'discovery call', l.first_mql_at + interval '2 days'))
  FROM mql.leads AS l JOIN worked USING (lead_id) WHERE n % 6 IN (0, 3);
SELECT count(mql.set_stage(l.lead_id, 'recycled', 'not ready, nurture', l.first_mql_at + interval '3 days'))
  FROM mql.leads AS l JOIN worked USING (lead_id) WHERE n % 6 = 1;
SELECT count(mql.set_stage(l.lead_id, 'disqualified', 'no budget', l.first_mql_at + interval '1 day'))
  FROM mql.leads AS l JOIN worked USING (lead_id) WHERE n % 6 = 2;
BEGIN;
SET LOCAL mql.change_reason = 'imported from the CRM';
SET LOCAL mql.actor = 'crm-sync';
UPDATE mql.leads AS l SET stage = 'opportunity', stage_changed_at = l.stage_changed_at + interval '10 days'
  FROM worked WHERE worked.lead_id = l.lead_id AND n % 6 = 0;
COMMIT;
SET mql.actor = 'ops-admin';
SELECT count(mql.force_stage(l.lead_id, 'lead', 'wrongly disqualified, reopened', l.stage_changed_at + interval '1 hour'))
  FROM mql.leads AS l JOIN worked USING (lead_id) WHERE n % 12 = 2;
RESET mql.actor;
SELECT count(mql.set_stage(l.lead_id, 'customer', 'contract signed', l.stage_changed_at + interval '20 days'))
  FROM mql.leads AS l JOIN worked USING (lead_id) WHERE n % 12 = 0;
-- Recycled leads come back with new activity (re-qualification), and sales
-- touches after the first MQL.
INSERT INTO mql.events (lead_id, event_type, occurred_at)
SELECT l.lead_id, e.t, l.stage_changed_at + interval '5 days' + n * interval '1 hour'
  FROM mql.leads AS l
 CROSS JOIN (VALUES ('demo_request'), ('pricing_page_view')) AS e(t)
 CROSS JOIN generate_series(1, 2) AS n
 WHERE l.stage = 'recycled' AND l.lead_id % 2 = 0;
INSERT INTO mql.events (lead_id, event_type, occurred_at)
SELECT l.lead_id, CASE WHEN l.lead_id % 2 = 0 THEN 'sales_call' ELSE 'sales_email' END,
       l.first_mql_at + (l.lead_id % 72) * interval '1 hour'
  FROM mql.leads AS l WHERE l.first_mql_at IS NOT NULL AND l.lead_id % 3 <> 0;
-- A configuration change after scoring, with a rescore of some leads.
UPDATE mql.event_weights SET weight = 14 WHERE event_type = 'pricing_page_view';
SELECT mql.rescore(lead_id) FROM mql.leads WHERE lead_id % 50 = 0 ORDER BY lead_id;
-- A REPEATABLE READ writer leaves its rollup contributions in
-- mql.rollup_delta (uncompacted), so the dump holds some.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(mql.set_stage(l.lead_id, 'sql', 'inbound call', l.stage_changed_at + interval '1 day'))
  FROM mql.leads AS l JOIN worked USING (lead_id) WHERE n % 6 = 4;
COMMIT;
