-- pg_mql demo: a realistic sample of 2,000 leads and ~40,000 events over
-- 120 days, scored and qualified by the extension as they are inserted,
-- then worked by "sales" through the funnel.
\set ON_ERROR_STOP 1
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_mql;
SET search_path = public, mql;
SELECT setseed(0.42);

-- Marketing ops: weights, fit rules, settings.
UPDATE mql.settings SET threshold = 100, half_life = '21 days', report_timezone = 'Europe/Berlin';
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
  ('sales_call',            0, 'sales_touch');
INSERT INTO mql.fit_rules (attribute, op, value, points, effect, description) VALUES
  ('employees', '>=', '200', 15, 'score', 'mid-market and up'),
  ('employees', '>=', '1000', 10, 'score', 'enterprise bonus'),
  ('industry', 'in', '["software", "fintech", "healthcare"]', 10, 'score', 'target industries'),
  ('role', 'in', '["vp", "director", "c-level"]', 15, 'score', 'decision makers'),
  ('role', '=', '"student"', NULL, 'exclude', 'students never qualify'),
  ('email', 'ends_with', '"@competitor.example"', NULL, 'exclude', 'competitors'),
  ('country', 'in', '["DE", "FR", "GB", "US", "CA", "NL", "SE"]', NULL, 'require', 'served regions');

-- The CRM app creates leads as they sign up.
INSERT INTO mql.leads (lead_id, email, source, campaign, attributes, created_at)
SELECT i,
       'user' || i || CASE WHEN i % 97 = 0 THEN '@competitor.example' ELSE '@example.com' END,
       (ARRAY['organic', 'paid_search', 'linkedin', 'referral', 'event'])[1 + (i % 5)],
       (ARRAY['spring_launch', 'webinar_series', 'retargeting', NULL])[1 + (i % 4)],
       jsonb_build_object(
         'employees', (ARRAY[5, 40, 150, 400, 1200, 5000])[1 + (i * 7 % 6)],
         'industry', (ARRAY['software', 'retail', 'fintech', 'education', 'healthcare'])[1 + (i * 3 % 5)],
         'role', (ARRAY['engineer', 'manager', 'director', 'vp', 'student', 'c-level'])[1 + (i * 11 % 6)],
         'country', (ARRAY['DE', 'US', 'GB', 'BR', 'FR', 'IN', 'CA'])[1 + (i * 5 % 7)]),
       timestamptz '2026-05-01 08:00+00' + (i % 120) * interval '1 day' + (i % 13) * interval '1 hour'
FROM generate_series(1, 2000) AS i;

-- The website and product stream events with plain INSERTs; a third of
-- leads are engaged, a few very much so.
INSERT INTO mql.events (lead_id, event_type, occurred_at)
SELECT l.lead_id,
       (ARRAY['page_view', 'page_view', 'blog_read', 'email_click', 'pricing_page_view',
              'whitepaper_download', 'webinar_attended', 'trial_active_day', 'product_signup',
              'demo_request', 'unsubscribe'])[1 + floor(random() * random() * 11)::int],
       l.created_at + random() * interval '45 days'
FROM mql.leads AS l,
     LATERAL generate_series(1, CASE WHEN l.lead_id % 3 = 0 THEN 50 ELSE 6 END) AS n
ORDER BY random();

-- Sales works the MQLs: some become SQLs, opportunities and customers;
-- others go back to nurture or are disqualified.
SELECT count(*) AS sales_actions FROM (
  SELECT mql.set_stage(l.lead_id, 'sql', 'discovery call held', l.first_mql_at + interval '2 days')
  FROM mql.leads AS l WHERE l.stage = 'mql' AND l.lead_id % 10 < 6
  UNION ALL
  SELECT mql.set_stage(l.lead_id, 'recycled', 'not ready, nurture', l.first_mql_at + interval '3 days')
  FROM mql.leads AS l WHERE l.stage = 'mql' AND l.lead_id % 10 IN (6, 7)
  UNION ALL
  SELECT mql.set_stage(l.lead_id, 'disqualified', 'no budget', l.first_mql_at + interval '1 day')
  FROM mql.leads AS l WHERE l.stage = 'mql' AND l.lead_id % 10 = 8) AS s;
SELECT count(*) AS opportunities FROM (
  SELECT mql.set_stage(l.lead_id, 'opportunity', 'proposal sent', l.stage_changed_at + interval '10 days')
  FROM mql.leads AS l WHERE l.stage = 'sql' AND l.lead_id % 3 <> 0) AS s;
SELECT count(*) AS customers FROM (
  SELECT mql.set_stage(l.lead_id, 'customer', 'contract signed', l.stage_changed_at + interval '20 days')
  FROM mql.leads AS l WHERE l.stage = 'opportunity' AND l.lead_id % 2 = 0) AS s;

-- Recycled leads that come back: new activity after recycling.
INSERT INTO mql.events (lead_id, event_type, occurred_at)
SELECT l.lead_id, e.t, l.stage_changed_at + interval '40 days' + n * interval '1 hour'
FROM mql.leads AS l
CROSS JOIN (VALUES ('demo_request'), ('pricing_page_view'), ('webinar_attended')) AS e(t)
CROSS JOIN generate_series(1, 2) AS n
WHERE l.stage = 'recycled' AND l.lead_id % 2 = 0;

\echo
\echo '== Leads per stage'
SELECT stage, count(*) AS leads, round(avg(mql.score(l, l.score_at))::numeric, 1) AS avg_score_at_last_event
FROM mql.leads AS l GROUP BY stage ORDER BY stage;

\echo '== Top five leads by current score'
SELECT lead_id, stage, round(mql.score(l, timestamptz '2026-10-01')::numeric, 1) AS score_oct_1,
       attributes->>'role' AS role, attributes->>'employees' AS employees
FROM mql.leads AS l ORDER BY mql.score(l, timestamptz '2026-10-01') DESC, lead_id LIMIT 5;

\echo '== Why lead 3 scores what it does (as of its first MQL)'
SELECT kind, item, detail, round(points::numeric, 2) AS points
FROM mql.explain(3, (SELECT coalesce(first_mql_at, score_at) FROM mql.leads WHERE lead_id = 3))
ORDER BY kind, points DESC;

\echo '== Lead 3 stage history'
SELECT from_stage, to_stage, changed_at, reason, round(score::numeric, 1) AS score, actor
FROM mql.stage_history WHERE lead_id = 3 ORDER BY history_id;

-- Sales logs calls as events; the first one after an MQL is its first touch.
INSERT INTO mql.events (lead_id, event_type, occurred_at)
SELECT l.lead_id, 'sales_call', l.first_mql_at + (l.lead_id % 72) * interval '1 hour'
FROM mql.leads AS l WHERE l.first_mql_at IS NOT NULL AND l.lead_id % 4 <> 0;

\echo '== Funnel by lead-creation cohort (Europe/Berlin months)'
SELECT cohort_month, observed_days, leads, mqls, sqls, opportunities, customers,
       round(lead_to_mql_rate::numeric, 3) AS lead_to_mql, round(mql_to_sql_rate::numeric, 3) AS mql_to_sql,
       round(lead_to_customer_rate::numeric, 3) AS lead_to_customer
FROM mql.funnel ORDER BY cohort_month;

\echo '== Time to MQL by lead-creation cohort'
SELECT cohort_month, leads, qualified, median_hours_to_mql, p90_hours_to_mql
FROM mql.time_to_mql ORDER BY cohort_month;

\echo '== MQL-to-SQL and MQL-to-customer by first-MQL cohort'
SELECT s.cohort_month, s.mqls, s.sqls, round(s.rate::numeric, 3) AS mql_to_sql,
       round(s.median_days_to_sql::numeric, 1) AS median_days_to_sql,
       c.customers, round(c.rate::numeric, 3) AS mql_to_customer,
       round(c.median_days_to_customer::numeric, 1) AS median_days_to_customer
FROM mql.mql_to_sql_rate AS s JOIN mql.mql_to_customer_rate AS c USING (cohort_month)
ORDER BY s.cohort_month;

\echo '== Speed to lead by first-MQL cohort'
SELECT cohort_month, mqls, touched, untouched, median_hours_to_touch, p95_hours_to_touch
FROM mql.speed_to_lead ORDER BY cohort_month;

\echo '== Time in stage'
SELECT stage, entries, completed_stays, median_hours, p90_hours FROM mql.stage_durations ORDER BY stage;

\echo '== Funnel by source (latest complete cohort)'
SELECT source, coalesce(campaign, '(none)') AS campaign, leads, mqls, round(lead_to_mql_rate::numeric, 3) AS lead_to_mql
FROM mql.funnel_by_source
WHERE cohort_month = (SELECT max(cohort_month) FROM mql.funnel WHERE observed_days > 31)
ORDER BY lead_to_mql DESC NULLS LAST, source, campaign LIMIT 8;

\echo '== Recycle rate by first-MQL cohort'
SELECT cohort_month, mqls, recycled, requalified,
       round(recycle_rate::numeric, 3) AS recycle_rate, round(requalify_rate::numeric, 3) AS requalify_rate
FROM mql.recycle_rate ORDER BY cohort_month;

\echo '== The rollup behind every view equals a recomputation from the history'
SELECT count(*) AS differences FROM mql.verify_rollups();
