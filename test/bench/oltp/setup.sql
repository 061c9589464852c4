-- OLTP benchmark set-up: pg_mql with the benchmark configuration and
-- :leads existing leads, and the floor: a table of the same shape and
-- indexes as mql.events with no trigger at all.
\set ON_ERROR_STOP 1
\if :{?leads}
\else
\set leads 100000
\endif
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS floor CASCADE;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
UPDATE mql.settings SET threshold = 100, half_life = '21 days';
INSERT INTO mql.event_weights (event_type, weight, category) VALUES
  ('page_view', 1, 'web'), ('pricing_page_view', 12, 'web'), ('email_click', 4, 'email'),
  ('webinar_attended', 18, 'event'), ('demo_request', 60, 'web'), ('unsubscribe', -25, 'email'),
  ('sales_call', 0, 'sales_touch');
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES
  ('employees', '>=', '200', 15, 'score'), ('role', '=', '"student"', NULL, 'exclude');
INSERT INTO mql.leads (lead_id, source, attributes, created_at)
SELECT i, (ARRAY['organic', 'paid_search', 'linkedin', 'referral', 'event'])[1 + i % 5],
       jsonb_build_object('employees', (ARRAY[5, 40, 150, 400, 1200])[1 + (i * 7) % 5],
                          'role', (ARRAY['engineer', 'manager', 'vp', 'student'])[1 + (i * 3) % 4]),
       now() - interval '90 days'
FROM generate_series(1, :leads) AS i;

CREATE SCHEMA floor;
CREATE TABLE floor.events (
  event_id bigserial,
  lead_id bigint NOT NULL,
  event_type text NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  properties jsonb,
  PRIMARY KEY (lead_id, event_id)
);
-- The floor of any design that keeps a score per lead: the event insert
-- and an update of its lead's row, in one statement, with no logic at all.
CREATE TABLE floor.leads (LIKE mql.leads INCLUDING DEFAULTS INCLUDING INDEXES);
INSERT INTO floor.leads SELECT * FROM mql.leads;
VACUUM ANALYZE;
CHECKPOINT;
