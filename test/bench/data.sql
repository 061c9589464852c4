-- Bulk benchmark data: a deterministic staging table of events and the
-- leads that exist before the load, plus the configuration every
-- contender runs with. Needs pg_mql installed (the configuration lives in
-- its tables; the peers read the same rows).
--
--   psql -v leads=100000 -v events=1000000 [-v touch_category=sales_touch] -f test/bench/data.sql
--
-- bench.events_staging (seq, lead_id, event_type, occurred_at, properties):
-- the events in arrival order (seq). occurred_at spreads over 90 days;
-- each lead is active over a stretch of them; about 5% of events arrive
-- after a later event of the same lead (late integrations, offline
-- devices). Every lead has at least one event; activity is skewed (a few
-- leads have hundreds of events, most a handful).
-- bench.leads_seed: the ~70% of leads the CRM created before the load,
-- with attributes the fit rules read (size, industry, role, country),
-- students and competitors the exclude rules catch, a few without email
-- (the require rule), a few recycled (re-qualification) or already in
-- sql/disqualified, and a created_at that is sometimes after the lead's
-- first events (judged at the stage's start). The other ~30% are created by
-- their first event, with no attributes: they never qualify (no email).
\set ON_ERROR_STOP 1
\if :{?leads}
\else
\set leads 100000
\endif
\if :{?events}
\else
\set events 1000000
\endif
-- Category of the sales_call event type: sales_touch makes it a sales touch
-- for the funnel views (pg_mql then maintains touch facts on insert).
\if :{?touch_category}
\else
\set touch_category sales_touch
\endif
SET client_min_messages = warning;

-- Configuration, identical for every contender.
UPDATE mql.settings SET threshold = 100, half_life = '21 days', report_timezone = 'UTC';
DELETE FROM mql.event_weights;
INSERT INTO mql.event_weights (event_type, weight, category) VALUES
  ('page_view',             1, 'web'),
  ('blog_read',             2, 'web'),
  ('pricing_page_view',    12, 'web'),
  ('email_click',           4, 'email'),
  ('whitepaper_download',  10, 'content'),
  ('webinar_attended',     18, 'event'),
  ('product_signup',       35, 'product'),
  ('trial_active_day',      6, 'product'),
  ('demo_request',         60, 'web'),
  ('unsubscribe',         -25, 'email'),
  ('sales_call',            0, :'touch_category');
-- ('email_open' is not listed: it weighs 0 and is kept.)
DELETE FROM mql.fit_rules;
INSERT INTO mql.fit_rules (attribute, op, value, points, effect, description) VALUES
  ('employees', '>=', '200', 15, 'score', 'mid-market and up'),
  ('employees', '>=', '1000', 10, 'score', 'enterprise bonus'),
  ('industry', 'in', '["software", "fintech", "healthcare"]', 10, 'score', 'target industries'),
  ('role', 'in', '["vp", "director", "c-level"]', 15, 'score', 'decision makers'),
  ('role', '=', '"student"', NULL, 'exclude', 'students never qualify'),
  ('email', 'ends_with', '"@competitor.example"', NULL, 'exclude', 'competitors'),
  ('email', 'exists', NULL, NULL, 'require', 'sales needs an address');

DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
SELECT setseed(0.4242) AS seeded \gset
SET max_parallel_workers_per_gather = 0;  -- one random() stream, in order

-- Per lead: when its activity starts (days 0..85 of the window) and how long
-- it lasts (mostly a couple of weeks, sometimes the whole quarter).
CREATE TABLE bench.lead_profile AS
SELECT i AS lead_id,
       timestamptz '2026-01-01 00:00+00' + random() * interval '85 days' AS start_at,
       interval '1 day' + power(random(), 2) * interval '60 days' AS span
  FROM generate_series(1, :leads) AS i;

-- Events: one per lead, then the rest skewed towards a scattered set of
-- heavy leads; occurred_at within the lead's active stretch (clipped to the
-- 90-day window); 8% of events arrive up to 4 days late.
CREATE TABLE bench.events_raw AS
SELECT k,
       CASE WHEN k <= :leads THEN k
            ELSE 1 + (floor(:leads * power(random(), 1.7))::bigint * 7919) % :leads
       END AS lead_id,
       random() AS r_type, random() AS r_time, random() AS r_late, random() AS r_delay
  FROM generate_series(1, :events) AS k;

CREATE TABLE bench.events_staging AS
SELECT row_number() OVER (ORDER BY x.arrival, x.k) AS seq, x.lead_id, x.event_type, x.occurred_at,
       CASE x.event_type
         WHEN 'page_view' THEN jsonb_build_object('path', '/docs/' || (x.k % 40), 'utm_source', 'newsletter')
         WHEN 'pricing_page_view' THEN jsonb_build_object('path', '/pricing', 'plan', (ARRAY['team', 'business', 'enterprise'])[1 + x.k % 3])
         WHEN 'email_click' THEN jsonb_build_object('campaign', 'q1-nurture-' || (x.k % 6))
         WHEN 'trial_active_day' THEN jsonb_build_object('seats', 1 + x.k % 12)
       END AS properties
  FROM (
    SELECT e.k, e.lead_id, t.event_type, o.occurred_at,
           o.occurred_at + CASE WHEN e.r_late < 0.08 THEN e.r_delay * interval '4 days' ELSE interval '0' END AS arrival
      FROM bench.events_raw AS e
      JOIN bench.lead_profile AS p ON p.lead_id = e.lead_id
     CROSS JOIN LATERAL (SELECT CASE
               WHEN e.r_type < 0.34 THEN 'page_view'
               WHEN e.r_type < 0.46 THEN 'blog_read'
               WHEN e.r_type < 0.55 THEN 'email_open'
               WHEN e.r_type < 0.65 THEN 'email_click'
               WHEN e.r_type < 0.73 THEN 'pricing_page_view'
               WHEN e.r_type < 0.78 THEN 'whitepaper_download'
               WHEN e.r_type < 0.81 THEN 'webinar_attended'
               WHEN e.r_type < 0.89 THEN 'trial_active_day'
               WHEN e.r_type < 0.915 THEN 'product_signup'
               WHEN e.r_type < 0.935 THEN 'demo_request'
               WHEN e.r_type < 0.95 THEN 'unsubscribe'
               WHEN e.r_type < 0.955 THEN 'sales_call'
               ELSE 'page_view' END AS event_type) AS t
     CROSS JOIN LATERAL (SELECT least(p.start_at + e.r_time * p.span,
                                      timestamptz '2026-04-01 00:00+00' - interval '1 second' * (1 + e.k % 3600))
                                  AS occurred_at) AS o
  ) AS x
 ORDER BY seq;
DROP TABLE bench.events_raw;
ALTER TABLE bench.events_staging ADD PRIMARY KEY (seq);

-- Leads that exist before the load.
CREATE TABLE bench.leads_seed AS
SELECT p.lead_id,
       CASE WHEN p.a < 0.03 THEN NULL
            WHEN p.a < 0.04 THEN 'buyer' || p.lead_id || '@competitor.example'
            ELSE 'user' || p.lead_id || '@example.com' END AS email,
       (ARRAY['organic', 'paid_search', 'linkedin', 'referral', 'event'])[1 + p.lead_id % 5] AS source,
       (ARRAY['q1_launch', 'webinar_series', 'retargeting', NULL])[1 + (p.lead_id / 5) % 4] AS campaign,
       jsonb_build_object(
         'employees', (ARRAY[5, 40, 150, 400, 1200, 5000])[1 + floor(p.b * 6)::int],
         'industry', (ARRAY['software', 'retail', 'fintech', 'education', 'healthcare'])[1 + floor(p.c * 5)::int],
         'role', CASE WHEN p.d < 0.05 THEN 'student'
                      ELSE (ARRAY['engineer', 'manager', 'director', 'vp', 'c-level'])[1 + floor(p.d * 5)::int] END,
         'country', (ARRAY['DE', 'US', 'GB', 'BR', 'FR', 'IN', 'CA'])[1 + p.lead_id % 7]) AS attributes,
       CASE WHEN p.e < 0.025 THEN 'recycled' WHEN p.e < 0.035 THEN 'sql'
            WHEN p.e < 0.04 THEN 'disqualified' ELSE 'lead' END AS stage,
       CASE WHEN p.e < 0.04 THEN timestamptz '2025-10-01 00:00+00' + p.f * interval '90 days'
            -- sometimes created after the first events (the CRM synced late)
            ELSE p.start_at + (p.f * 10 - 4) * interval '1 day' END AS created_at,
       CASE WHEN p.e < 0.04 THEN p.start_at + (p.f * 30 - 10) * interval '1 day' END AS stage_changed_at,
       CASE WHEN p.e < 0.035 THEN p.start_at + (p.f * 30 - 14) * interval '1 day' END AS first_mql_at
  FROM (SELECT q.*, random() AS pick, random() AS a, random() AS b, random() AS c,
              random() AS d, random() AS e, random() AS f
         FROM bench.lead_profile AS q ORDER BY q.lead_id) AS p
 WHERE p.pick < 0.7
 ORDER BY p.lead_id;
ALTER TABLE bench.leads_seed ADD PRIMARY KEY (lead_id);
DROP TABLE bench.lead_profile;
ANALYZE bench.events_staging, bench.leads_seed;

-- What was generated.
SELECT count(*) AS events, count(DISTINCT lead_id) AS leads,
       (SELECT count(*) FROM bench.leads_seed) AS seeded_leads,
       min(occurred_at) AS first_event, max(occurred_at) AS last_event,
       round(100.0 * count(*) FILTER (WHERE late) / count(*), 2) AS pct_out_of_order
  FROM (SELECT s.lead_id, s.occurred_at,
               s.occurred_at < max(s.occurred_at) OVER (PARTITION BY s.lead_id ORDER BY s.seq
                                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS late
          FROM bench.events_staging AS s) AS x;
