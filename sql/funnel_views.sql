-- The BI views of issue 3 (mql.funnel, mql.time_to_mql, mql.mql_to_sql_rate,
-- mql.mql_to_customer_rate, mql.recycle_rate, mql.speed_to_lead,
-- mql.mql_volume, mql.stage_durations and the _by_source companions) on a
-- small hand-made history whose every row is computed by hand below.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
RESET client_min_messages;
SET search_path = public, mql;
SET timezone = 'UTC';
\set VERBOSITY default

-- With no lead at all every BI view is empty (no cohort, no division by 0).
SELECT (SELECT count(*) FROM mql.funnel) + (SELECT count(*) FROM mql.funnel_by_source)
     + (SELECT count(*) FROM mql.time_to_mql) + (SELECT count(*) FROM mql.time_to_mql_by_source)
     + (SELECT count(*) FROM mql.mql_to_sql_rate) + (SELECT count(*) FROM mql.mql_to_sql_rate_by_source)
     + (SELECT count(*) FROM mql.mql_to_customer_rate) + (SELECT count(*) FROM mql.mql_to_customer_rate_by_source)
     + (SELECT count(*) FROM mql.recycle_rate) + (SELECT count(*) FROM mql.recycle_rate_by_source)
     + (SELECT count(*) FROM mql.speed_to_lead) + (SELECT count(*) FROM mql.speed_to_lead_by_source)
     + (SELECT count(*) FROM mql.mql_volume)
     + (SELECT count(*) FROM mql.stage_durations) + (SELECT count(*) FROM mql.stage_durations_by_source)
       AS rows_in_all_views;

---------------------------------------------------------------------------
-- The history.
--
-- Event weights first: a sales_touch weight rebuilds the rollup (empty now),
-- so nothing is rebuilt in the middle of the history. sales_call weighs 0
-- and email_open 5, so neither ever qualifies a lead; demo_request (150)
-- qualifies a lead at once (threshold 100). No fit rules.
INSERT INTO mql.event_weights (event_type, weight, category) VALUES
  ('sales_call', 0, 'sales_touch'),
  ('email_open', 5, 'email'),
  ('demo_request', 150, 'web');

-- 15 leads; created in January (1-7), February (8-12) and March (13-15) UTC.
-- Every time is 12:00 UTC (07:00 in New York, the same day) except:
-- lead 6's qualifying demo_request at 2026-01-31 23:30 UTC (18:30 in New
-- York, still January 31), lead 7's first mql at 2026-02-01 03:30 UTC
-- (2026-01-31 22:30 in New York), lead 7's sales call at 2026-02-01 05:00
-- UTC and lead 13's creation at 2026-03-01 03:30 UTC (2026-02-28 22:30 in
-- New York). Sources and campaigns, NULL included, form five groups:
-- (web, c1): 1 2 11 12   (ads, c2): 3 4 8 13   (NULL, NULL): 5 9 10
-- (web, NULL): 6 7 15    (NULL, c1): 14
INSERT INTO mql.leads (lead_id, source, campaign, created_at) VALUES
  (1,  'web', 'c1', '2026-01-02 12:00+00'),
  (2,  'web', 'c1', '2026-01-03 12:00+00'),
  (3,  'ads', 'c2', '2026-01-04 12:00+00'),
  (4,  'ads', 'c2', '2026-01-05 12:00+00'),
  (5,  NULL,  NULL, '2026-01-10 12:00+00'),
  (6,  'web', NULL, '2026-01-20 12:00+00'),
  (7,  'web', NULL, '2026-01-25 12:00+00'),
  (8,  'ads', 'c2', '2026-02-02 12:00+00'),
  (9,  NULL,  NULL, '2026-02-03 12:00+00'),
  (10, NULL,  NULL, '2026-02-05 12:00+00'),
  (11, 'web', 'c1', '2026-02-10 12:00+00'),
  (12, 'web', 'c1', '2026-02-14 12:00+00'),
  (13, 'ads', 'c2', '2026-03-01 03:30+00'),
  (14, NULL,  'c1', '2026-03-03 12:00+00'),
  (15, 'web', NULL, '2026-03-04 12:00+00');

-- The events. Only lead 6's demo_request qualifies anyone (lead 6, at
-- 2026-01-31 23:30). Sales touches: lead 4's call is before its first mql
-- (not a touch), lead 5 never qualifies, lead 8 has two calls (the first
-- counts), lead 10's call comes after its move to customer (so sql_at is its
-- first touch); email_open is not a sales touch.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (1,  'sales_call',   '2026-01-07 12:00+00'),
  (4,  'sales_call',   '2026-01-10 12:00+00'),
  (4,  'email_open',   '2026-01-16 12:00+00'),
  (5,  'sales_call',   '2026-01-12 12:00+00'),
  (6,  'demo_request', '2026-01-31 23:30+00'),
  (6,  'sales_call',   '2026-02-01 12:00+00'),
  (7,  'sales_call',   '2026-02-01 05:00+00'),
  (8,  'sales_call',   '2026-02-06 12:00+00'),
  (8,  'sales_call',   '2026-02-07 12:00+00'),
  (10, 'sales_call',   '2026-03-25 12:00+00'),
  (11, 'email_open',   '2026-03-06 12:00+00');

-- Stage changes, each lead's in time order, at explicit business times.
-- Lead 1: the whole funnel.
SELECT stage FROM mql.set_stage(1, 'mql',          'MQL',  '2026-01-05 12:00+00');
SELECT stage FROM mql.set_stage(1, 'sql',          'SQL',  '2026-01-10 12:00+00');
SELECT stage FROM mql.set_stage(1, 'opportunity',  'opp',  '2026-01-20 12:00+00');
SELECT stage FROM mql.set_stage(1, 'customer',     'won',  '2026-02-15 12:00+00');
-- Lead 2: skips stages, mql -> customer.
SELECT stage FROM mql.set_stage(2, 'mql',          'MQL',  '2026-01-08 12:00+00');
SELECT stage FROM mql.set_stage(2, 'customer',     'won',  '2026-03-01 12:00+00');
-- Lead 3: skips mql, lead -> sql -> customer (never an mql).
SELECT stage FROM mql.set_stage(3, 'sql',          'SDR',  '2026-01-06 12:00+00');
SELECT stage FROM mql.set_stage(3, 'customer',     'won',  '2026-01-25 12:00+00');
-- Lead 4: mql -> recycled -> mql again -> sql.
SELECT stage FROM mql.set_stage(4, 'mql',          'MQL',  '2026-01-15 12:00+00');
SELECT stage FROM mql.set_stage(4, 'recycled',     'later','2026-01-25 12:00+00');
SELECT stage FROM mql.set_stage(4, 'mql',          'back', '2026-02-10 12:00+00');
SELECT stage FROM mql.set_stage(4, 'sql',          'SQL',  '2026-02-20 12:00+00');
-- Lead 5: never qualifies. Lead 6: qualified by its event, stays mql.
-- Lead 7: first mql across the month boundary, then recycled for good.
SELECT stage FROM mql.set_stage(7, 'mql',          'MQL',  '2026-02-01 03:30+00');
SELECT stage FROM mql.set_stage(7, 'recycled',     'later','2026-02-10 12:00+00');
-- Lead 8: the whole funnel.
SELECT stage FROM mql.set_stage(8, 'mql',          'MQL',  '2026-02-05 12:00+00');
SELECT stage FROM mql.set_stage(8, 'sql',          'SQL',  '2026-02-08 12:00+00');
SELECT stage FROM mql.set_stage(8, 'opportunity',  'opp',  '2026-02-15 12:00+00');
SELECT stage FROM mql.set_stage(8, 'customer',     'won',  '2026-03-10 12:00+00');
-- Lead 9: mql -> sql, sent back to mql by an override (a re-entry into mql
-- that is not a re-qualification out of recycled), then disqualified.
SELECT stage FROM mql.set_stage(9, 'mql',          'MQL',  '2026-02-10 12:00+00');
SELECT stage FROM mql.set_stage(9, 'sql',          'SQL',  '2026-02-14 12:00+00');
SELECT stage FROM mql.force_stage(9, 'mql',        'SDR rejected it', '2026-02-18 12:00+00');
SELECT stage FROM mql.set_stage(9, 'disqualified', 'spam', '2026-02-20 12:00+00');
-- Lead 10: mql -> recycled -> mql again (March) -> customer (skips sql).
SELECT stage FROM mql.set_stage(10, 'mql',         'MQL',  '2026-02-12 12:00+00');
SELECT stage FROM mql.set_stage(10, 'recycled',    'later','2026-02-15 12:00+00');
SELECT stage FROM mql.set_stage(10, 'mql',         'back', '2026-03-01 12:00+00');
SELECT stage FROM mql.set_stage(10, 'customer',    'won',  '2026-03-20 12:00+00');
-- Leads 11 and 12: created in February, first mql in March, no further.
SELECT stage FROM mql.set_stage(11, 'mql',         'MQL',  '2026-03-05 12:00+00');
SELECT stage FROM mql.set_stage(12, 'mql',         'MQL',  '2026-03-02 12:00+00');
-- Leads 13 and 14 stay leads; lead 15 is disqualified straight away.
SELECT stage FROM mql.set_stage(15, 'disqualified','student', '2026-03-06 12:00+00');

-- The history as written (every lead has its 'created' row at created_at).
SELECT lead_id, from_stage, to_stage, changed_at, is_override
  FROM mql.stage_history ORDER BY lead_id, history_id;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- Hand computation of every lead's facts (UTC). Whole hours: a day is 24 h;
-- 2026-01-20 12:00 -> 01-31 23:30 is 275.5 h -> 275; 01-25 12:00 -> 02-01
-- 03:30 is 159.5 h -> 159; 02-01 03:30 -> 02-10 12:00 is 224.5 h -> 224;
-- 01-31 23:30 -> 02-01 12:00 is 12.5 h -> 12; 02-01 03:30 -> 05:00 is 1.5 h -> 1.
--  lead max  first mql     h to  sql_at  h to  cust.  h to   recycled requal.  touch  h to
--       rank (UTC)         mql           sql   at     cust.                           touch
--   1   5    01-05         72    01-10   120   02-15  984    -        -        01-07  48
--   2   5    01-08         120   03-01   1248  03-01  1248   -        -        03-01  1248
--   3   5    -   (lead -> sql -> customer: no first mql, no first-MQL cohort)
--   4   3    01-15         240   02-20   864   -             01-25    02-10    02-20  864
--   5   1    -
--   6   2    01-31 23:30   275   -             -             -        -        02-01  12
--   7   2    02-01 03:30   159   -             -             02-10    -        05:00  1
--   8   5    02-05         72    02-08   72    03-10  792    -        -        02-06  24
--   9   3    02-10         168   02-14   96    -             -        -        02-14  96
--  10   5    02-12         168   03-20   864   03-20  864    02-15    03-01    03-20  864
--  11   2    03-05         552   -             -             -        -        -
--  12   2    03-02         384   -             -             -        -        -
--  13   1    -    14   1    -    15   1 (disqualified has no rank)    -
-- Completed stays (hours until the next history row):
--   1: lead 72, mql 120, sql 240, opportunity 624      2: lead 120, mql 1248
--   3: lead 48, sql 456                                 4: lead 240, mql 240, recycled 384, mql 240
--   6: lead 275     7: lead 159, mql 224                8: lead 72, mql 72, sql 168, opportunity 552
--   9: lead 168, mql 96, sql 96, mql 48                 10: lead 168, mql 72, recycled 336, mql 456
--  11: lead 552    12: lead 384    15: lead 48          (5, 13, 14: none)

-- The views as read in the rest of this file: explicit columns, never
-- observed_days (checked separately), fractions rounded to 6 places.
CREATE TEMP VIEW p_funnel AS
SELECT cohort_month, leads, mqls, sqls, opportunities, customers,
       round(lead_to_mql_rate::numeric, 6) AS lead_to_mql, round(mql_to_sql_rate::numeric, 6) AS mql_to_sql,
       round(sql_to_opportunity_rate::numeric, 6) AS sql_to_opp,
       round(opportunity_to_customer_rate::numeric, 6) AS opp_to_cust,
       round(lead_to_sql_rate::numeric, 6) AS lead_to_sql, round(lead_to_opportunity_rate::numeric, 6) AS lead_to_opp,
       round(lead_to_customer_rate::numeric, 6) AS lead_to_cust
  FROM mql.funnel;
CREATE TEMP VIEW p_funnel_by_source AS
SELECT cohort_month, source, campaign, leads, mqls, sqls, opportunities, customers,
       round(lead_to_mql_rate::numeric, 6) AS lead_to_mql, round(mql_to_sql_rate::numeric, 6) AS mql_to_sql,
       round(sql_to_opportunity_rate::numeric, 6) AS sql_to_opp,
       round(opportunity_to_customer_rate::numeric, 6) AS opp_to_cust,
       round(lead_to_sql_rate::numeric, 6) AS lead_to_sql, round(lead_to_opportunity_rate::numeric, 6) AS lead_to_opp,
       round(lead_to_customer_rate::numeric, 6) AS lead_to_cust
  FROM mql.funnel_by_source;
CREATE TEMP VIEW p_time_to_mql AS
SELECT cohort_month, leads, qualified,
       round(median_hours_to_mql::numeric, 6) AS median_hours, round(p90_hours_to_mql::numeric, 6) AS p90_hours
  FROM mql.time_to_mql;
CREATE TEMP VIEW p_time_to_mql_by_source AS
SELECT cohort_month, source, campaign, leads, qualified,
       round(median_hours_to_mql::numeric, 6) AS median_hours, round(p90_hours_to_mql::numeric, 6) AS p90_hours
  FROM mql.time_to_mql_by_source;
CREATE TEMP VIEW p_mql_to_sql_rate AS
SELECT cohort_month, mqls, sqls, round(rate::numeric, 6) AS rate,
       round(median_days_to_sql::numeric, 6) AS median_days
  FROM mql.mql_to_sql_rate;
CREATE TEMP VIEW p_mql_to_sql_rate_by_source AS
SELECT cohort_month, source, campaign, mqls, sqls, round(rate::numeric, 6) AS rate,
       round(median_days_to_sql::numeric, 6) AS median_days
  FROM mql.mql_to_sql_rate_by_source;
CREATE TEMP VIEW p_mql_to_customer_rate AS
SELECT cohort_month, mqls, customers, round(rate::numeric, 6) AS rate,
       round(median_days_to_customer::numeric, 6) AS median_days
  FROM mql.mql_to_customer_rate;
CREATE TEMP VIEW p_mql_to_customer_rate_by_source AS
SELECT cohort_month, source, campaign, mqls, customers, round(rate::numeric, 6) AS rate,
       round(median_days_to_customer::numeric, 6) AS median_days
  FROM mql.mql_to_customer_rate_by_source;
CREATE TEMP VIEW p_recycle_rate AS
SELECT cohort_month, mqls, recycled, requalified,
       round(recycle_rate::numeric, 6) AS recycle_rate, round(requalify_rate::numeric, 6) AS requalify_rate
  FROM mql.recycle_rate;
CREATE TEMP VIEW p_recycle_rate_by_source AS
SELECT cohort_month, source, campaign, mqls, recycled, requalified,
       round(recycle_rate::numeric, 6) AS recycle_rate, round(requalify_rate::numeric, 6) AS requalify_rate
  FROM mql.recycle_rate_by_source;
CREATE TEMP VIEW p_speed_to_lead AS
SELECT cohort_month, mqls, touched, untouched,
       round(median_hours_to_touch::numeric, 6) AS median_hours, round(p95_hours_to_touch::numeric, 6) AS p95_hours
  FROM mql.speed_to_lead;
CREATE TEMP VIEW p_speed_to_lead_by_source AS
SELECT cohort_month, source, campaign, mqls, touched, untouched,
       round(median_hours_to_touch::numeric, 6) AS median_hours, round(p95_hours_to_touch::numeric, 6) AS p95_hours
  FROM mql.speed_to_lead_by_source;
CREATE TEMP VIEW p_mql_volume AS
SELECT day, source, campaign, new_leads, first_mqls, requalifications, round(mql_rate::numeric, 6) AS mql_rate
  FROM mql.mql_volume;
CREATE TEMP VIEW p_stage_durations AS
SELECT stage, entries, completed_stays,
       round(median_hours::numeric, 6) AS median_hours, round(p90_hours::numeric, 6) AS p90_hours
  FROM mql.stage_durations;
CREATE TEMP VIEW p_stage_durations_by_source AS
SELECT stage, source, campaign, entries, completed_stays,
       round(median_hours::numeric, 6) AS median_hours, round(p90_hours::numeric, 6) AS p90_hours
  FROM mql.stage_durations_by_source;

---------------------------------------------------------------------------
-- mql.funnel (UTC). Creation cohorts; a lead counts for every stage up to
-- its max rank, even the ones it skipped (lead 3 counts as an mql).
--   2026-01  leads 7 (1-7)  mqls 6 (all but 5)  sqls 4 (1 2 3 4)  opportunities 3 (1 2 3)  customers 3 (1 2 3)
--            rates: lead->mql 6/7, mql->sql 4/6, sql->opp 3/4, opp->cust 3/3,
--                   lead->sql 4/7, lead->opp 3/7, lead->cust 3/7
--   2026-02  leads 5 (8-12) mqls 5  sqls 3 (8 9 10)  opportunities 2 (8 10)  customers 2 (8 10)
--            rates: 5/5, 3/5, 2/3, 2/2, 3/5, 2/5, 2/5
--   2026-03  leads 3 (13-15), nobody qualified: lead->mql 0/3 = 0, and the
--            rates over 0 mqls / sqls / opportunities are NULL, not 0;
--            lead->sql, lead->opp, lead->cust 0/3 = 0
CREATE TEMP TABLE h_funnel AS
SELECT c, l, m, s, o, cu, round(r1, 6) r1, round(r2, 6) r2, round(r3, 6) r3, round(r4, 6) r4,
       round(r5, 6) r5, round(r6, 6) r6, round(r7, 6) r7
  FROM (VALUES
    ('2026-01-01'::date, 7::bigint, 6::bigint, 4::bigint, 3::bigint, 3::bigint,
     6/7.0, 4/6.0, 3/4.0, 3/3.0, 4/7.0, 3/7.0, 3/7.0),
    ('2026-02-01', 5, 5, 3, 2, 2, 5/5.0, 3/5.0, 2/3.0, 2/2.0, 3/5.0, 2/5.0, 2/5.0),
    ('2026-03-01', 3, 0, 0, 0, 0, 0/3.0, NULL, NULL, NULL, 0/3.0, 0/3.0, 0/3.0)
  ) AS v(c, l, m, s, o, cu, r1, r2, r3, r4, r5, r6, r7);
SELECT * FROM p_funnel ORDER BY cohort_month;
SELECT NOT EXISTS (SELECT * FROM h_funnel EXCEPT ALL SELECT * FROM p_funnel)
   AND NOT EXISTS (SELECT * FROM p_funnel EXCEPT ALL SELECT * FROM h_funnel) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.funnel_by_source (UTC): one row per cohort, source and campaign.
--   2026-01 web  c1    leads 2 (1 2): mqls 2 sqls 2 opps 2 custs 2   rates 1 1 1 1 1 1 1
--   2026-01 ads  c2    leads 2 (3 4): mqls 2 sqls 2 opps 1 custs 1   rates 1, 1, 1/2, 1, 1, 1/2, 1/2
--   2026-01 NULL NULL  leads 1 (5):   0 0 0 0                        rates 0, NULL, NULL, NULL, 0, 0, 0
--   2026-01 web  NULL  leads 2 (6 7): mqls 2 sqls 0 opps 0 custs 0   rates 1, 0, NULL, NULL, 0, 0, 0
--   2026-02 ads  c2    leads 1 (8):   1 1 1 1                        rates 1 1 1 1 1 1 1
--   2026-02 NULL NULL  leads 2 (9 10): mqls 2 sqls 2 opps 1 custs 1  rates 1, 1, 1/2, 1, 1, 1/2, 1/2
--   2026-02 web  c1    leads 2 (11 12): mqls 2 sqls 0 opps 0 custs 0 rates 1, 0, NULL, NULL, 0, 0, 0
--   2026-03 ads  c2    leads 1 (13):  0 0 0 0                        rates 0, NULL, NULL, NULL, 0, 0, 0
--   2026-03 NULL c1    leads 1 (14):  the same
--   2026-03 web  NULL  leads 1 (15):  the same
CREATE TEMP TABLE h_funnel_by_source AS
SELECT c, src, camp, l, m, s, o, cu, round(r1, 6) r1, round(r2, 6) r2, round(r3, 6) r3, round(r4, 6) r4,
       round(r5, 6) r5, round(r6, 6) r6, round(r7, 6) r7
  FROM (VALUES
    ('2026-01-01'::date, 'web'::text, 'c1'::text, 2::bigint, 2::bigint, 2::bigint, 2::bigint, 2::bigint,
     1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    ('2026-01-01', 'ads', 'c2', 2, 2, 2, 1, 1, 1.0, 1.0, 1/2.0, 1.0, 1.0, 1/2.0, 1/2.0),
    ('2026-01-01', NULL,  NULL, 1, 0, 0, 0, 0, 0.0, NULL, NULL, NULL, 0.0, 0.0, 0.0),
    ('2026-01-01', 'web', NULL, 2, 2, 0, 0, 0, 1.0, 0.0, NULL, NULL, 0.0, 0.0, 0.0),
    ('2026-02-01', 'ads', 'c2', 1, 1, 1, 1, 1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    ('2026-02-01', NULL,  NULL, 2, 2, 2, 1, 1, 1.0, 1.0, 1/2.0, 1.0, 1.0, 1/2.0, 1/2.0),
    ('2026-02-01', 'web', 'c1', 2, 2, 0, 0, 0, 1.0, 0.0, NULL, NULL, 0.0, 0.0, 0.0),
    ('2026-03-01', 'ads', 'c2', 1, 0, 0, 0, 0, 0.0, NULL, NULL, NULL, 0.0, 0.0, 0.0),
    ('2026-03-01', NULL,  'c1', 1, 0, 0, 0, 0, 0.0, NULL, NULL, NULL, 0.0, 0.0, 0.0),
    ('2026-03-01', 'web', NULL, 1, 0, 0, 0, 0, 0.0, NULL, NULL, NULL, 0.0, 0.0, 0.0)
  ) AS v(c, src, camp, l, m, s, o, cu, r1, r2, r3, r4, r5, r6, r7);
SELECT * FROM p_funnel_by_source ORDER BY cohort_month, source, campaign;
SELECT NOT EXISTS (SELECT * FROM h_funnel_by_source EXCEPT ALL SELECT * FROM p_funnel_by_source)
   AND NOT EXISTS (SELECT * FROM p_funnel_by_source EXCEPT ALL SELECT * FROM h_funnel_by_source) AS ok;
-- The groups add up to the totals.
SELECT bool_and(f.leads = s.leads AND f.mqls = s.mqls AND f.sqls = s.sqls
                AND f.opportunities = s.opportunities AND f.customers = s.customers) AS ok
  FROM mql.funnel AS f
  JOIN (SELECT cohort_month, sum(leads) AS leads, sum(mqls) AS mqls, sum(sqls) AS sqls,
               sum(opportunities) AS opportunities, sum(customers) AS customers
          FROM mql.funnel_by_source GROUP BY cohort_month) AS s USING (cohort_month);
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.time_to_mql (UTC): qualified = leads of the creation cohort with a
-- first mql (lead 3 reached sql without one: not qualified); percentile_cont
-- over whole hours.
--   2026-01  leads 7  qualified 5: 72 120 159 240 275  median 159
--            p90: position 0.9 * 4 = 3.6 -> 240 + 0.6 * (275 - 240) = 261
--   2026-02  leads 5  qualified 5: 72 168 168 384 552  median 168
--            p90: 3.6 -> 384 + 0.6 * (552 - 384) = 484.8
--   2026-03  leads 3  qualified 0  median NULL  p90 NULL
CREATE TEMP TABLE h_time_to_mql AS
SELECT c, l, q, round(med, 6) med, round(p90, 6) p90 FROM (VALUES
    ('2026-01-01'::date, 7::bigint, 5::bigint, 159.0, 261.0),
    ('2026-02-01', 5, 5, 168.0, 484.8),
    ('2026-03-01', 3, 0, NULL, NULL)) AS v(c, l, q, med, p90);
SELECT * FROM p_time_to_mql ORDER BY cohort_month;
SELECT NOT EXISTS (SELECT * FROM h_time_to_mql EXCEPT ALL SELECT * FROM p_time_to_mql)
   AND NOT EXISTS (SELECT * FROM p_time_to_mql EXCEPT ALL SELECT * FROM h_time_to_mql) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.time_to_mql_by_source (UTC):
--   2026-01 web  c1    leads 2 qualified 2: 72 120  median 96   p90 72 + 0.9 * 48 = 115.2
--   2026-01 ads  c2    leads 2 qualified 1: 240     median 240  p90 240
--   2026-01 NULL NULL  leads 1 qualified 0          NULL NULL
--   2026-01 web  NULL  leads 2 qualified 2: 159 275 median 217  p90 159 + 0.9 * 116 = 263.4
--   2026-02 ads  c2    leads 1 qualified 1: 72      72 72
--   2026-02 NULL NULL  leads 2 qualified 2: 168 168 168 168
--   2026-02 web  c1    leads 2 qualified 2: 384 552 median 468  p90 384 + 0.9 * 168 = 535.2
--   2026-03 ads c2 / NULL c1 / web NULL: leads 1 qualified 0, NULL NULL
CREATE TEMP TABLE h_time_to_mql_by_source AS
SELECT c, src, camp, l, q, round(med, 6) med, round(p90, 6) p90 FROM (VALUES
    ('2026-01-01'::date, 'web'::text, 'c1'::text, 2::bigint, 2::bigint, 96.0, 115.2),
    ('2026-01-01', 'ads', 'c2', 2, 1, 240.0, 240.0),
    ('2026-01-01', NULL,  NULL, 1, 0, NULL, NULL),
    ('2026-01-01', 'web', NULL, 2, 2, 217.0, 263.4),
    ('2026-02-01', 'ads', 'c2', 1, 1, 72.0, 72.0),
    ('2026-02-01', NULL,  NULL, 2, 2, 168.0, 168.0),
    ('2026-02-01', 'web', 'c1', 2, 2, 468.0, 535.2),
    ('2026-03-01', 'ads', 'c2', 1, 0, NULL, NULL),
    ('2026-03-01', NULL,  'c1', 1, 0, NULL, NULL),
    ('2026-03-01', 'web', NULL, 1, 0, NULL, NULL)) AS v(c, src, camp, l, q, med, p90);
SELECT * FROM p_time_to_mql_by_source ORDER BY cohort_month, source, campaign;
SELECT NOT EXISTS (SELECT * FROM h_time_to_mql_by_source EXCEPT ALL SELECT * FROM p_time_to_mql_by_source)
   AND NOT EXISTS (SELECT * FROM p_time_to_mql_by_source EXCEPT ALL SELECT * FROM h_time_to_mql_by_source) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.mql_to_sql_rate (UTC): first-MQL cohorts. January: 1 2 4 6;
-- February: 7 (03:30 UTC on the 1st) 8 9 10; March: 11 12. sql_at is the
-- first move to sql or later after the first mql (lead 2: its customer row).
--   2026-01  mqls 4  sqls 3 (1 2 4)   rate 3/4  hours 120 864 1248 -> median 864 h = 36 days
--   2026-02  mqls 4  sqls 3 (8 9 10)  rate 3/4  hours 72 96 864    -> median 96 h = 4 days
--   2026-03  mqls 2  sqls 0           rate 0/2 = 0 (not NULL)  median NULL
CREATE TEMP TABLE h_mql_to_sql_rate AS
SELECT c, m, s, round(r, 6) r, round(d, 6) d FROM (VALUES
    ('2026-01-01'::date, 4::bigint, 3::bigint, 3/4.0, 864/24.0),
    ('2026-02-01', 4, 3, 3/4.0, 96/24.0),
    ('2026-03-01', 2, 0, 0.0, NULL)) AS v(c, m, s, r, d);
SELECT * FROM p_mql_to_sql_rate ORDER BY cohort_month;
SELECT NOT EXISTS (SELECT * FROM h_mql_to_sql_rate EXCEPT ALL SELECT * FROM p_mql_to_sql_rate)
   AND NOT EXISTS (SELECT * FROM p_mql_to_sql_rate EXCEPT ALL SELECT * FROM h_mql_to_sql_rate) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.mql_to_sql_rate_by_source (UTC):
--   2026-01 web  c1    mqls 2 (1 2) sqls 2  rate 1  hours 120 1248 -> 684 h = 28.5 days
--   2026-01 ads  c2    mqls 1 (4)   sqls 1  rate 1  864 h = 36 days
--   2026-01 web  NULL  mqls 1 (6)   sqls 0  rate 0  NULL
--   2026-02 web  NULL  mqls 1 (7)   sqls 0  rate 0  NULL
--   2026-02 ads  c2    mqls 1 (8)   sqls 1  rate 1  72 h = 3 days
--   2026-02 NULL NULL  mqls 2 (9 10) sqls 2 rate 1  hours 96 864 -> 480 h = 20 days
--   2026-03 web  c1    mqls 2 (11 12) sqls 0 rate 0 NULL
CREATE TEMP TABLE h_mql_to_sql_rate_by_source AS
SELECT c, src, camp, m, s, round(r, 6) r, round(d, 6) d FROM (VALUES
    ('2026-01-01'::date, 'web'::text, 'c1'::text, 2::bigint, 2::bigint, 1.0, 684/24.0),
    ('2026-01-01', 'ads', 'c2', 1, 1, 1.0, 864/24.0),
    ('2026-01-01', 'web', NULL, 1, 0, 0.0, NULL),
    ('2026-02-01', 'web', NULL, 1, 0, 0.0, NULL),
    ('2026-02-01', 'ads', 'c2', 1, 1, 1.0, 72/24.0),
    ('2026-02-01', NULL,  NULL, 2, 2, 1.0, 480/24.0),
    ('2026-03-01', 'web', 'c1', 2, 0, 0.0, NULL)) AS v(c, src, camp, m, s, r, d);
SELECT * FROM p_mql_to_sql_rate_by_source ORDER BY cohort_month, source, campaign;
SELECT NOT EXISTS (SELECT * FROM h_mql_to_sql_rate_by_source EXCEPT ALL SELECT * FROM p_mql_to_sql_rate_by_source)
   AND NOT EXISTS (SELECT * FROM p_mql_to_sql_rate_by_source EXCEPT ALL SELECT * FROM h_mql_to_sql_rate_by_source) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.mql_to_customer_rate (UTC): customers after the first mql.
--   2026-01  mqls 4  customers 2 (1: 984 h, 2: 1248 h)  rate 1/2  median 1116 h = 46.5 days
--   2026-02  mqls 4  customers 2 (8: 792 h, 10: 864 h)  rate 1/2  median 828 h = 34.5 days
--   2026-03  mqls 2  customers 0  rate 0  median NULL
CREATE TEMP TABLE h_mql_to_customer_rate AS
SELECT c, m, cu, round(r, 6) r, round(d, 6) d FROM (VALUES
    ('2026-01-01'::date, 4::bigint, 2::bigint, 1/2.0, 1116/24.0),
    ('2026-02-01', 4, 2, 1/2.0, 828/24.0),
    ('2026-03-01', 2, 0, 0.0, NULL)) AS v(c, m, cu, r, d);
SELECT * FROM p_mql_to_customer_rate ORDER BY cohort_month;
SELECT NOT EXISTS (SELECT * FROM h_mql_to_customer_rate EXCEPT ALL SELECT * FROM p_mql_to_customer_rate)
   AND NOT EXISTS (SELECT * FROM p_mql_to_customer_rate EXCEPT ALL SELECT * FROM h_mql_to_customer_rate) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.mql_to_customer_rate_by_source (UTC):
--   2026-01 web  c1    mqls 2 customers 2  rate 1  median 1116 h = 46.5 days
--   2026-01 ads  c2    mqls 1 customers 0  rate 0  NULL
--   2026-01 web  NULL  mqls 1 customers 0  rate 0  NULL
--   2026-02 web  NULL  mqls 1 customers 0  rate 0  NULL
--   2026-02 ads  c2    mqls 1 customers 1  rate 1  792 h = 33 days
--   2026-02 NULL NULL  mqls 2 customers 1 (10)  rate 1/2  864 h = 36 days
--   2026-03 web  c1    mqls 2 customers 0  rate 0  NULL
CREATE TEMP TABLE h_mql_to_customer_rate_by_source AS
SELECT c, src, camp, m, cu, round(r, 6) r, round(d, 6) d FROM (VALUES
    ('2026-01-01'::date, 'web'::text, 'c1'::text, 2::bigint, 2::bigint, 1.0, 1116/24.0),
    ('2026-01-01', 'ads', 'c2', 1, 0, 0.0, NULL),
    ('2026-01-01', 'web', NULL, 1, 0, 0.0, NULL),
    ('2026-02-01', 'web', NULL, 1, 0, 0.0, NULL),
    ('2026-02-01', 'ads', 'c2', 1, 1, 1.0, 792/24.0),
    ('2026-02-01', NULL,  NULL, 2, 1, 1/2.0, 864/24.0),
    ('2026-03-01', 'web', 'c1', 2, 0, 0.0, NULL)) AS v(c, src, camp, m, cu, r, d);
SELECT * FROM p_mql_to_customer_rate_by_source ORDER BY cohort_month, source, campaign;
SELECT NOT EXISTS (SELECT * FROM h_mql_to_customer_rate_by_source EXCEPT ALL SELECT * FROM p_mql_to_customer_rate_by_source)
   AND NOT EXISTS (SELECT * FROM p_mql_to_customer_rate_by_source EXCEPT ALL SELECT * FROM h_mql_to_customer_rate_by_source) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.recycle_rate (UTC): recycled after the first mql; requalified = back
-- in mql after that. Lead 9's return to mql came from sql, not recycled: it
-- is neither.
--   2026-01  mqls 4  recycled 1 (4)     requalified 1 (4)   recycle_rate 1/4  requalify_rate 1/1
--   2026-02  mqls 4  recycled 2 (7 10)  requalified 1 (10)  recycle_rate 2/4  requalify_rate 1/2
--   2026-03  mqls 2  recycled 0         requalified 0       recycle_rate 0    requalify_rate NULL
CREATE TEMP TABLE h_recycle_rate AS
SELECT c, m, rc, rq, round(r1, 6) r1, round(r2, 6) r2 FROM (VALUES
    ('2026-01-01'::date, 4::bigint, 1::bigint, 1::bigint, 1/4.0, 1/1.0),
    ('2026-02-01', 4, 2, 1, 2/4.0, 1/2.0),
    ('2026-03-01', 2, 0, 0, 0.0, NULL)) AS v(c, m, rc, rq, r1, r2);
SELECT * FROM p_recycle_rate ORDER BY cohort_month;
SELECT NOT EXISTS (SELECT * FROM h_recycle_rate EXCEPT ALL SELECT * FROM p_recycle_rate)
   AND NOT EXISTS (SELECT * FROM p_recycle_rate EXCEPT ALL SELECT * FROM h_recycle_rate) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.recycle_rate_by_source (UTC):
--   2026-01 web  c1    mqls 2 recycled 0 requalified 0  0    NULL
--   2026-01 ads  c2    mqls 1 recycled 1 requalified 1  1    1
--   2026-01 web  NULL  mqls 1 recycled 0 requalified 0  0    NULL
--   2026-02 web  NULL  mqls 1 recycled 1 requalified 0  1    0
--   2026-02 ads  c2    mqls 1 recycled 0 requalified 0  0    NULL
--   2026-02 NULL NULL  mqls 2 recycled 1 requalified 1  1/2  1
--   2026-03 web  c1    mqls 2 recycled 0 requalified 0  0    NULL
CREATE TEMP TABLE h_recycle_rate_by_source AS
SELECT c, src, camp, m, rc, rq, round(r1, 6) r1, round(r2, 6) r2 FROM (VALUES
    ('2026-01-01'::date, 'web'::text, 'c1'::text, 2::bigint, 0::bigint, 0::bigint, 0.0, NULL::numeric),
    ('2026-01-01', 'ads', 'c2', 1, 1, 1, 1.0, 1.0),
    ('2026-01-01', 'web', NULL, 1, 0, 0, 0.0, NULL),
    ('2026-02-01', 'web', NULL, 1, 1, 0, 1.0, 0.0),
    ('2026-02-01', 'ads', 'c2', 1, 0, 0, 0.0, NULL),
    ('2026-02-01', NULL,  NULL, 2, 1, 1, 1/2.0, 1.0),
    ('2026-03-01', 'web', 'c1', 2, 0, 0, 0.0, NULL)) AS v(c, src, camp, m, rc, rq, r1, r2);
SELECT * FROM p_recycle_rate_by_source ORDER BY cohort_month, source, campaign;
SELECT NOT EXISTS (SELECT * FROM h_recycle_rate_by_source EXCEPT ALL SELECT * FROM p_recycle_rate_by_source)
   AND NOT EXISTS (SELECT * FROM p_recycle_rate_by_source EXCEPT ALL SELECT * FROM h_recycle_rate_by_source) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.speed_to_lead (UTC): first touch = the first sales_call at or after
-- the first mql, or sql_at if earlier; p95 per percentile_cont.
--   2026-01  mqls 4  touched 4: 12 (6) 48 (1) 864 (4) 1248 (2)  untouched 0
--            median (48 + 864) / 2 = 456; p95: 0.95 * 3 = 2.85 -> 864 + 0.85 * 384 = 1190.4
--   2026-02  mqls 4  touched 4: 1 (7) 24 (8) 96 (9) 864 (10)  untouched 0
--            median (24 + 96) / 2 = 60; p95: 2.85 -> 96 + 0.85 * 768 = 748.8
--   2026-03  mqls 2  touched 0  untouched 2  median NULL  p95 NULL
CREATE TEMP TABLE h_speed_to_lead AS
SELECT c, m, t, u, round(med, 6) med, round(p95, 6) p95 FROM (VALUES
    ('2026-01-01'::date, 4::bigint, 4::bigint, 0::bigint, 456.0, 1190.4),
    ('2026-02-01', 4, 4, 0, 60.0, 748.8),
    ('2026-03-01', 2, 0, 2, NULL, NULL)) AS v(c, m, t, u, med, p95);
SELECT * FROM p_speed_to_lead ORDER BY cohort_month;
SELECT NOT EXISTS (SELECT * FROM h_speed_to_lead EXCEPT ALL SELECT * FROM p_speed_to_lead)
   AND NOT EXISTS (SELECT * FROM p_speed_to_lead EXCEPT ALL SELECT * FROM h_speed_to_lead) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.speed_to_lead_by_source (UTC):
--   2026-01 web  c1    mqls 2 touched 2 untouched 0: 48 1248  median 648  p95 48 + 0.95 * 1200 = 1188
--   2026-01 ads  c2    mqls 1 touched 1 untouched 0: 864      864 864
--   2026-01 web  NULL  mqls 1 touched 1 untouched 0: 12       12 12
--   2026-02 web  NULL  mqls 1 touched 1 untouched 0: 1        1 1
--   2026-02 ads  c2    mqls 1 touched 1 untouched 0: 24       24 24
--   2026-02 NULL NULL  mqls 2 touched 2 untouched 0: 96 864   median 480  p95 96 + 0.95 * 768 = 825.6
--   2026-03 web  c1    mqls 2 touched 0 untouched 2           NULL NULL
CREATE TEMP TABLE h_speed_to_lead_by_source AS
SELECT c, src, camp, m, t, u, round(med, 6) med, round(p95, 6) p95 FROM (VALUES
    ('2026-01-01'::date, 'web'::text, 'c1'::text, 2::bigint, 2::bigint, 0::bigint, 648.0, 1188.0),
    ('2026-01-01', 'ads', 'c2', 1, 1, 0, 864.0, 864.0),
    ('2026-01-01', 'web', NULL, 1, 1, 0, 12.0, 12.0),
    ('2026-02-01', 'web', NULL, 1, 1, 0, 1.0, 1.0),
    ('2026-02-01', 'ads', 'c2', 1, 1, 0, 24.0, 24.0),
    ('2026-02-01', NULL,  NULL, 2, 2, 0, 480.0, 825.6),
    ('2026-03-01', 'web', 'c1', 2, 0, 2, NULL, NULL)) AS v(c, src, camp, m, t, u, med, p95);
SELECT * FROM p_speed_to_lead_by_source ORDER BY cohort_month, source, campaign;
SELECT NOT EXISTS (SELECT * FROM h_speed_to_lead_by_source EXCEPT ALL SELECT * FROM p_speed_to_lead_by_source)
   AND NOT EXISTS (SELECT * FROM p_speed_to_lead_by_source EXCEPT ALL SELECT * FROM h_speed_to_lead_by_source) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.mql_volume (UTC): per day, source and campaign. new_leads by creation
-- day; first_mqls by the day of the first entry into mql; requalifications
-- = later entries into mql (4 and 10 out of recycled, 9 by the override);
-- mql_rate = that day's new leads that ever qualified / new leads (NULL on
-- a day without new leads; lead 3 never entered mql: 0).
--   01-02 web c1  1 0 0  1      01-03 web c1  1 0 0  1      01-04 ads c2  1 0 0  0 (lead 3)
--   01-05 ads c2  1 0 0  1      01-05 web c1  0 1 0  NULL   01-08 web c1  0 1 0  NULL
--   01-10 NULL NULL 1 0 0 0     01-15 ads c2  0 1 0  NULL   01-20 web NULL 1 0 0 1
--   01-25 web NULL 1 0 0 1      01-31 web NULL 0 1 0 NULL (6, 23:30 UTC)
--   02-01 web NULL 0 1 0 NULL (7, 03:30 UTC)                02-02 ads c2  1 0 0  1
--   02-03 NULL NULL 1 0 0 1     02-05 ads c2  0 1 0  NULL   02-05 NULL NULL 1 0 0 1
--   02-10 ads c2  0 0 1  NULL (4)   02-10 NULL NULL 0 1 0 NULL (9)   02-10 web c1 1 0 0 1 (11)
--   02-12 NULL NULL 0 1 0 NULL  02-14 web c1  1 0 0  1      02-18 NULL NULL 0 0 1 NULL (9)
--   03-01 ads c2  1 0 0  0 (13) 03-01 NULL NULL 0 0 1 NULL (10)      03-02 web c1 0 1 0 NULL
--   03-03 NULL c1 1 0 0  0      03-04 web NULL 1 0 0 0      03-05 web c1  0 1 0  NULL
CREATE TEMP TABLE h_mql_volume AS
SELECT d, src, camp, n, f, rq, round(r, 6) r FROM (VALUES
    ('2026-01-02'::date, 'web'::text, 'c1'::text, 1::bigint, 0::bigint, 0::bigint, 1.0),
    ('2026-01-03', 'web', 'c1', 1, 0, 0, 1.0),
    ('2026-01-04', 'ads', 'c2', 1, 0, 0, 0.0),
    ('2026-01-05', 'ads', 'c2', 1, 0, 0, 1.0),
    ('2026-01-05', 'web', 'c1', 0, 1, 0, NULL),
    ('2026-01-08', 'web', 'c1', 0, 1, 0, NULL),
    ('2026-01-10', NULL,  NULL, 1, 0, 0, 0.0),
    ('2026-01-15', 'ads', 'c2', 0, 1, 0, NULL),
    ('2026-01-20', 'web', NULL, 1, 0, 0, 1.0),
    ('2026-01-25', 'web', NULL, 1, 0, 0, 1.0),
    ('2026-01-31', 'web', NULL, 0, 1, 0, NULL),
    ('2026-02-01', 'web', NULL, 0, 1, 0, NULL),
    ('2026-02-02', 'ads', 'c2', 1, 0, 0, 1.0),
    ('2026-02-03', NULL,  NULL, 1, 0, 0, 1.0),
    ('2026-02-05', 'ads', 'c2', 0, 1, 0, NULL),
    ('2026-02-05', NULL,  NULL, 1, 0, 0, 1.0),
    ('2026-02-10', 'ads', 'c2', 0, 0, 1, NULL),
    ('2026-02-10', NULL,  NULL, 0, 1, 0, NULL),
    ('2026-02-10', 'web', 'c1', 1, 0, 0, 1.0),
    ('2026-02-12', NULL,  NULL, 0, 1, 0, NULL),
    ('2026-02-14', 'web', 'c1', 1, 0, 0, 1.0),
    ('2026-02-18', NULL,  NULL, 0, 0, 1, NULL),
    ('2026-03-01', 'ads', 'c2', 1, 0, 0, 0.0),
    ('2026-03-01', NULL,  NULL, 0, 0, 1, NULL),
    ('2026-03-02', 'web', 'c1', 0, 1, 0, NULL),
    ('2026-03-03', NULL,  'c1', 1, 0, 0, 0.0),
    ('2026-03-04', 'web', NULL, 1, 0, 0, 0.0),
    ('2026-03-05', 'web', 'c1', 0, 1, 0, NULL)) AS v(d, src, camp, n, f, rq, r);
SELECT * FROM p_mql_volume ORDER BY day, source, campaign;
SELECT NOT EXISTS (SELECT * FROM h_mql_volume EXCEPT ALL SELECT * FROM p_mql_volume)
   AND NOT EXISTS (SELECT * FROM p_mql_volume EXCEPT ALL SELECT * FROM h_mql_volume) AS ok;
-- In total: 15 new leads, 10 first mqls, 3 re-entries into mql.
SELECT sum(new_leads) AS new_leads, sum(first_mqls) AS first_mqls, sum(requalifications) AS requalifications
  FROM mql.mql_volume;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.stage_durations: entries count every history row into the stage
-- (creation rows and re-entries included); completed stays are the ones the
-- lead has left; percentiles over their whole hours.
--   lead          entries 15  stays 12: 48 48 72 72 120 159 168 168 240 275 384 552
--                 median (159 + 168) / 2 = 163.5; p90: 0.9 * 11 = 9.9 -> 275 + 0.9 * 109 = 373.1
--   mql           entries 13 (4, 9, 10 twice)  stays 10: 48 72 72 96 120 224 240 240 456 1248
--                 median (120 + 224) / 2 = 172; p90: 8.1 -> 456 + 0.1 * 792 = 535.2
--   sql           entries 5 (1 3 4 8 9)  stays 4: 96 168 240 456  median 204; p90: 2.7 -> 240 + 0.7 * 216 = 391.2
--   opportunity   entries 2  stays 2: 552 624  median 588  p90 552 + 0.9 * 72 = 616.8
--   customer      entries 5 (1 2 3 8 10)  stays 0  NULL NULL
--   recycled      entries 3 (4 7 10)  stays 2: 336 384  median 360  p90 336 + 0.9 * 48 = 379.2
--   disqualified  entries 2 (9 15)  stays 0  NULL NULL
CREATE TEMP TABLE h_stage_durations AS
SELECT st, e, cs, round(med, 6) med, round(p90, 6) p90 FROM (VALUES
    ('lead'::mql.stage, 15::bigint, 12::bigint, 163.5, 373.1),
    ('mql', 13, 10, 172.0, 535.2),
    ('sql', 5, 4, 204.0, 391.2),
    ('opportunity', 2, 2, 588.0, 616.8),
    ('customer', 5, 0, NULL, NULL),
    ('recycled', 3, 2, 360.0, 379.2),
    ('disqualified', 2, 0, NULL, NULL)) AS v(st, e, cs, med, p90);
SELECT * FROM p_stage_durations ORDER BY stage;
SELECT NOT EXISTS (SELECT * FROM h_stage_durations EXCEPT ALL SELECT * FROM p_stage_durations)
   AND NOT EXISTS (SELECT * FROM p_stage_durations EXCEPT ALL SELECT * FROM h_stage_durations) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.stage_durations_by_source:
--   web c1 (1 2 11 12):   lead 4, stays 72 120 384 552 -> 252, p90 2.7 -> 384 + 0.7 * 168 = 501.6
--                         mql 4, stays 120 1248 -> 684, p90 120 + 0.9 * 1128 = 1135.2
--                         sql 1, 240 -> 240 240;  opportunity 1, 624 -> 624 624;  customer 2, 0 stays
--   ads c2 (3 4 8 13):    lead 4, stays 48 72 240 -> 72, p90 1.8 -> 72 + 0.8 * 168 = 206.4
--                         mql 3, stays 72 240 240 -> 240, p90 240
--                         sql 3, stays 168 456 -> 312, p90 168 + 0.9 * 288 = 427.2
--                         opportunity 1, 552;  customer 2, 0 stays;  recycled 1, 384
--   NULL NULL (5 9 10):   lead 3, stays 168 168 -> 168 168
--                         mql 4, stays 48 72 96 456 -> 84, p90 2.7 -> 96 + 0.7 * 360 = 348
--                         sql 1, 96;  customer 1, 0 stays;  recycled 1, 336;  disqualified 1, 0 stays
--   web NULL (6 7 15):    lead 3, stays 48 159 275 -> 159, p90 1.8 -> 159 + 0.8 * 116 = 251.8
--                         mql 2, stays 224 -> 224 224;  recycled 1, 0 stays;  disqualified 1, 0 stays
--   NULL c1 (14):         lead 1, 0 stays
CREATE TEMP TABLE h_stage_durations_by_source AS
SELECT st, src, camp, e, cs, round(med, 6) med, round(p90, 6) p90 FROM (VALUES
    ('lead'::mql.stage, 'web'::text, 'c1'::text, 4::bigint, 4::bigint, 252.0, 501.6),
    ('mql',          'web', 'c1', 4, 2, 684.0, 1135.2),
    ('sql',          'web', 'c1', 1, 1, 240.0, 240.0),
    ('opportunity',  'web', 'c1', 1, 1, 624.0, 624.0),
    ('customer',     'web', 'c1', 2, 0, NULL, NULL),
    ('lead',         'ads', 'c2', 4, 3, 72.0, 206.4),
    ('mql',          'ads', 'c2', 3, 3, 240.0, 240.0),
    ('sql',          'ads', 'c2', 3, 2, 312.0, 427.2),
    ('opportunity',  'ads', 'c2', 1, 1, 552.0, 552.0),
    ('customer',     'ads', 'c2', 2, 0, NULL, NULL),
    ('recycled',     'ads', 'c2', 1, 1, 384.0, 384.0),
    ('lead',         NULL,  NULL, 3, 2, 168.0, 168.0),
    ('mql',          NULL,  NULL, 4, 4, 84.0, 348.0),
    ('sql',          NULL,  NULL, 1, 1, 96.0, 96.0),
    ('customer',     NULL,  NULL, 1, 0, NULL, NULL),
    ('recycled',     NULL,  NULL, 1, 1, 336.0, 336.0),
    ('disqualified', NULL,  NULL, 1, 0, NULL, NULL),
    ('lead',         'web', NULL, 3, 3, 159.0, 251.8),
    ('mql',          'web', NULL, 2, 1, 224.0, 224.0),
    ('recycled',     'web', NULL, 1, 0, NULL, NULL),
    ('disqualified', 'web', NULL, 1, 0, NULL, NULL),
    ('lead',         NULL,  'c1', 1, 0, NULL, NULL)) AS v(st, src, camp, e, cs, med, p90);
SELECT * FROM p_stage_durations_by_source ORDER BY stage, source, campaign;
SELECT NOT EXISTS (SELECT * FROM h_stage_durations_by_source EXCEPT ALL SELECT * FROM p_stage_durations_by_source)
   AND NOT EXISTS (SELECT * FROM p_stage_durations_by_source EXCEPT ALL SELECT * FROM h_stage_durations_by_source) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- observed_days depends on the day the test runs: every cohort view gives
-- today (in the report time zone) minus the cohort month.
SELECT bool_and(ok) AND count(*) = 3 * 6 + 10 * 2 + 7 * 4 AS ok FROM (
  SELECT observed_days = (now() AT TIME ZONE 'UTC')::date - cohort_month AS ok FROM mql.funnel
  UNION ALL SELECT observed_days = (now() AT TIME ZONE 'UTC')::date - cohort_month FROM mql.funnel_by_source
  UNION ALL SELECT observed_days = (now() AT TIME ZONE 'UTC')::date - cohort_month FROM mql.time_to_mql
  UNION ALL SELECT observed_days = (now() AT TIME ZONE 'UTC')::date - cohort_month FROM mql.time_to_mql_by_source
  UNION ALL SELECT observed_days = (now() AT TIME ZONE 'UTC')::date - cohort_month FROM mql.mql_to_sql_rate
  UNION ALL SELECT observed_days = (now() AT TIME ZONE 'UTC')::date - cohort_month FROM mql.mql_to_sql_rate_by_source
  UNION ALL SELECT observed_days = (now() AT TIME ZONE 'UTC')::date - cohort_month FROM mql.mql_to_customer_rate
  UNION ALL SELECT observed_days = (now() AT TIME ZONE 'UTC')::date - cohort_month FROM mql.mql_to_customer_rate_by_source
  UNION ALL SELECT observed_days = (now() AT TIME ZONE 'UTC')::date - cohort_month FROM mql.recycle_rate
  UNION ALL SELECT observed_days = (now() AT TIME ZONE 'UTC')::date - cohort_month FROM mql.recycle_rate_by_source
  UNION ALL SELECT observed_days = (now() AT TIME ZONE 'UTC')::date - cohort_month FROM mql.speed_to_lead
  UNION ALL SELECT observed_days = (now() AT TIME ZONE 'UTC')::date - cohort_month FROM mql.speed_to_lead_by_source) AS t;

-- The session's TimeZone moves nothing: only report_timezone does.
SET timezone = 'Asia/Tokyo';
SELECT NOT EXISTS (SELECT * FROM h_funnel EXCEPT ALL SELECT * FROM p_funnel)
   AND NOT EXISTS (SELECT * FROM p_funnel EXCEPT ALL SELECT * FROM h_funnel)
   AND NOT EXISTS (SELECT * FROM h_mql_volume EXCEPT ALL SELECT * FROM p_mql_volume)
   AND NOT EXISTS (SELECT * FROM p_mql_volume EXCEPT ALL SELECT * FROM h_mql_volume)
   AND NOT EXISTS (SELECT * FROM h_speed_to_lead EXCEPT ALL SELECT * FROM p_speed_to_lead)
   AND NOT EXISTS (SELECT * FROM p_speed_to_lead EXCEPT ALL SELECT * FROM h_speed_to_lead) AS ok;
SET timezone = 'UTC';

---------------------------------------------------------------------------
-- Time-zone boundaries. Lead 6 qualified at 2026-01-31 23:30 UTC, still
-- January 31 in New York (18:30). Lead 7's first mql at 2026-02-01 03:30 UTC
-- is 2026-01-31 22:30 in New York; lead 13 was created at 2026-03-01 03:30
-- UTC = 2026-02-28 22:30 in New York.
SELECT h.lead_id, h.to_stage, h.changed_at,
       (h.changed_at AT TIME ZONE 'UTC')::date AS utc_day,
       (h.changed_at AT TIME ZONE 'America/New_York')::date AS new_york_day,
       date_trunc('month', h.changed_at AT TIME ZONE 'UTC')::date AS utc_month,
       date_trunc('month', h.changed_at AT TIME ZONE 'America/New_York')::date AS new_york_month
  FROM mql.stage_history AS h
 WHERE (h.lead_id, h.to_stage) IN ((6, 'mql'), (7, 'mql'), (13, 'lead'))
 ORDER BY h.lead_id;

-- An UPDATE of report_timezone rebuilds the rollup, so the views cut in the
-- new zone at once. Under New York:
--   lead 6 stays in the January first-MQL cohort and on day 01-31;
--   lead 7 moves from the February to the January first-MQL cohort, and its
--   first mql from day 02-01 to day 01-31 (its creation stays in January);
--   lead 13 moves from the March to the February creation cohort, and its
--   creation from day 03-01 to day 02-28.
-- Durations do not depend on the zone; nothing else moves (12:00 UTC is
-- 07:00 in New York, the same day).
UPDATE mql.settings SET report_timezone = 'America/New_York';
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.funnel (New York): February gains lead 13, March loses it.
--   2026-01  unchanged
--   2026-02  leads 6  mqls 5  sqls 3  opps 2  custs 2  rates 5/6, 3/5, 2/3, 2/2, 3/6, 2/6, 2/6
--   2026-03  leads 2  0 0 0 0  rates 0, NULL, NULL, NULL, 0, 0, 0
SELECT * FROM p_funnel ORDER BY cohort_month;
WITH hand AS (
  SELECT c, l, m, s, o, cu, round(r1, 6) r1, round(r2, 6) r2, round(r3, 6) r3, round(r4, 6) r4,
         round(r5, 6) r5, round(r6, 6) r6, round(r7, 6) r7
    FROM (VALUES
      ('2026-01-01'::date, 7::bigint, 6::bigint, 4::bigint, 3::bigint, 3::bigint,
       6/7.0, 4/6.0, 3/4.0, 3/3.0, 4/7.0, 3/7.0, 3/7.0),
      ('2026-02-01', 6, 5, 3, 2, 2, 5/6.0, 3/5.0, 2/3.0, 2/2.0, 3/6.0, 2/6.0, 2/6.0),
      ('2026-03-01', 2, 0, 0, 0, 0, 0/2.0, NULL, NULL, NULL, 0/2.0, 0/2.0, 0/2.0)
    ) AS v(c, l, m, s, o, cu, r1, r2, r3, r4, r5, r6, r7))
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT ALL SELECT * FROM p_funnel)
   AND NOT EXISTS (SELECT * FROM p_funnel EXCEPT ALL SELECT * FROM hand) AS ok;

-- mql.funnel_by_source (New York): (2026-02, ads, c2) now holds 8 and 13:
-- leads 2, mqls 1, sqls 1, opps 1, custs 1, rates 1/2, 1, 1, 1, 1/2, 1/2, 1/2;
-- the (2026-03, ads, c2) row is gone; every other row is unchanged.
SELECT * FROM p_funnel_by_source ORDER BY cohort_month, source, campaign;
WITH hand AS (
  SELECT * FROM h_funnel_by_source
   WHERE (c, src, camp) IS DISTINCT FROM ('2026-02-01'::date, 'ads', 'c2')
     AND (c, src, camp) IS DISTINCT FROM ('2026-03-01'::date, 'ads', 'c2')
  UNION ALL
  SELECT '2026-02-01'::date, 'ads', 'c2', 2, 1, 1, 1, 1, round(1/2.0, 6), 1, 1, 1, round(1/2.0, 6),
         round(1/2.0, 6), round(1/2.0, 6))
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT ALL SELECT * FROM p_funnel_by_source)
   AND NOT EXISTS (SELECT * FROM p_funnel_by_source EXCEPT ALL SELECT * FROM hand)
   AND (SELECT count(*) FROM hand) = 9 AS ok;

-- mql.time_to_mql (New York): 2026-02 leads 6 (13 never qualifies) qualified
-- 5, median 168, p90 484.8; 2026-03 leads 2 qualified 0; January unchanged.
SELECT * FROM p_time_to_mql ORDER BY cohort_month;
WITH hand(c, l, q, med, p90) AS (VALUES
    ('2026-01-01'::date, 7::bigint, 5::bigint, 159.0, 261.0),
    ('2026-02-01', 6, 5, 168.0, 484.8),
    ('2026-03-01', 2, 0, NULL, NULL))
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT ALL SELECT * FROM p_time_to_mql)
   AND NOT EXISTS (SELECT * FROM p_time_to_mql EXCEPT ALL SELECT * FROM hand) AS ok;

-- mql.time_to_mql_by_source (New York): (2026-02, ads, c2) leads 2 (8 13)
-- qualified 1: 72 72; (2026-03, ads, c2) gone; the rest unchanged.
SELECT * FROM p_time_to_mql_by_source ORDER BY cohort_month, source, campaign;
WITH hand AS (
  SELECT * FROM h_time_to_mql_by_source
   WHERE (c, src, camp) IS DISTINCT FROM ('2026-02-01'::date, 'ads', 'c2')
     AND (c, src, camp) IS DISTINCT FROM ('2026-03-01'::date, 'ads', 'c2')
  UNION ALL
  SELECT '2026-02-01'::date, 'ads', 'c2', 2, 1, 72.0, 72.0)
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT ALL SELECT * FROM p_time_to_mql_by_source)
   AND NOT EXISTS (SELECT * FROM p_time_to_mql_by_source EXCEPT ALL SELECT * FROM hand)
   AND (SELECT count(*) FROM hand) = 9 AS ok;

-- mql.mql_to_sql_rate (New York): January 1 2 4 6 7, February 8 9 10.
--   2026-01  mqls 5  sqls 3  rate 3/5  hours 120 864 1248 -> 864 h = 36 days
--   2026-02  mqls 3  sqls 3  rate 1    hours 72 96 864    -> 96 h = 4 days
--   2026-03  unchanged: mqls 2  sqls 0  rate 0  NULL
SELECT * FROM p_mql_to_sql_rate ORDER BY cohort_month;
WITH hand(c, m, s, r, d) AS (
  SELECT c, m, s, round(r, 6), round(d, 6) FROM (VALUES
    ('2026-01-01'::date, 5::bigint, 3::bigint, 3/5.0, 864/24.0),
    ('2026-02-01', 3, 3, 1.0, 96/24.0),
    ('2026-03-01', 2, 0, 0.0, NULL)) AS v(c, m, s, r, d))
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT ALL SELECT * FROM p_mql_to_sql_rate)
   AND NOT EXISTS (SELECT * FROM p_mql_to_sql_rate EXCEPT ALL SELECT * FROM hand) AS ok;

-- mql.mql_to_sql_rate_by_source (New York): (2026-01, web, NULL) holds 6 and
-- 7: mqls 2, sqls 0, rate 0, NULL; (2026-02, web, NULL) is gone.
SELECT * FROM p_mql_to_sql_rate_by_source ORDER BY cohort_month, source, campaign;
WITH hand AS (
  SELECT * FROM h_mql_to_sql_rate_by_source
   WHERE (src, camp) IS DISTINCT FROM ('web', NULL)
  UNION ALL
  SELECT '2026-01-01'::date, 'web', NULL, 2, 0, 0.0, NULL)
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT ALL SELECT * FROM p_mql_to_sql_rate_by_source)
   AND NOT EXISTS (SELECT * FROM p_mql_to_sql_rate_by_source EXCEPT ALL SELECT * FROM hand)
   AND (SELECT count(*) FROM hand) = 6 AS ok;

-- mql.mql_to_customer_rate (New York):
--   2026-01  mqls 5  customers 2  rate 2/5  median 1116 h = 46.5 days
--   2026-02  mqls 3  customers 2  rate 2/3  median 828 h = 34.5 days
--   2026-03  unchanged
SELECT * FROM p_mql_to_customer_rate ORDER BY cohort_month;
WITH hand(c, m, cu, r, d) AS (
  SELECT c, m, cu, round(r, 6), round(d, 6) FROM (VALUES
    ('2026-01-01'::date, 5::bigint, 2::bigint, 2/5.0, 1116/24.0),
    ('2026-02-01', 3, 2, 2/3.0, 828/24.0),
    ('2026-03-01', 2, 0, 0.0, NULL)) AS v(c, m, cu, r, d))
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT ALL SELECT * FROM p_mql_to_customer_rate)
   AND NOT EXISTS (SELECT * FROM p_mql_to_customer_rate EXCEPT ALL SELECT * FROM hand) AS ok;

-- mql.mql_to_customer_rate_by_source (New York): (2026-01, web, NULL) mqls 2
-- customers 0 rate 0 NULL; (2026-02, web, NULL) gone.
SELECT * FROM p_mql_to_customer_rate_by_source ORDER BY cohort_month, source, campaign;
WITH hand AS (
  SELECT * FROM h_mql_to_customer_rate_by_source
   WHERE (src, camp) IS DISTINCT FROM ('web', NULL)
  UNION ALL
  SELECT '2026-01-01'::date, 'web', NULL, 2, 0, 0.0, NULL)
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT ALL SELECT * FROM p_mql_to_customer_rate_by_source)
   AND NOT EXISTS (SELECT * FROM p_mql_to_customer_rate_by_source EXCEPT ALL SELECT * FROM hand)
   AND (SELECT count(*) FROM hand) = 6 AS ok;

-- mql.recycle_rate (New York):
--   2026-01  mqls 5  recycled 2 (4 7)  requalified 1 (4)   2/5  1/2
--   2026-02  mqls 3  recycled 1 (10)   requalified 1 (10)  1/3  1
--   2026-03  unchanged
SELECT * FROM p_recycle_rate ORDER BY cohort_month;
WITH hand(c, m, rc, rq, r1, r2) AS (
  SELECT c, m, rc, rq, round(r1, 6), round(r2, 6) FROM (VALUES
    ('2026-01-01'::date, 5::bigint, 2::bigint, 1::bigint, 2/5.0, 1/2.0),
    ('2026-02-01', 3, 1, 1, 1/3.0, 1.0),
    ('2026-03-01', 2, 0, 0, 0.0, NULL)) AS v(c, m, rc, rq, r1, r2))
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT ALL SELECT * FROM p_recycle_rate)
   AND NOT EXISTS (SELECT * FROM p_recycle_rate EXCEPT ALL SELECT * FROM hand) AS ok;

-- mql.recycle_rate_by_source (New York): (2026-01, web, NULL) mqls 2
-- recycled 1 (7) requalified 0: 1/2, 0; (2026-02, web, NULL) gone.
SELECT * FROM p_recycle_rate_by_source ORDER BY cohort_month, source, campaign;
WITH hand AS (
  SELECT * FROM h_recycle_rate_by_source
   WHERE (src, camp) IS DISTINCT FROM ('web', NULL)
  UNION ALL
  SELECT '2026-01-01'::date, 'web', NULL, 2, 1, 0, round(1/2.0, 6), 0.0)
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT ALL SELECT * FROM p_recycle_rate_by_source)
   AND NOT EXISTS (SELECT * FROM p_recycle_rate_by_source EXCEPT ALL SELECT * FROM hand)
   AND (SELECT count(*) FROM hand) = 6 AS ok;

-- mql.speed_to_lead (New York):
--   2026-01  mqls 5 touched 5: 1 12 48 864 1248  median 48; p95: 0.95 * 4 = 3.8 -> 864 + 0.8 * 384 = 1171.2
--   2026-02  mqls 3 touched 3: 24 96 864  median 96; p95: 1.9 -> 96 + 0.9 * 768 = 787.2
--   2026-03  unchanged
SELECT * FROM p_speed_to_lead ORDER BY cohort_month;
WITH hand(c, m, t, u, med, p95) AS (VALUES
    ('2026-01-01'::date, 5::bigint, 5::bigint, 0::bigint, 48.0, 1171.2),
    ('2026-02-01', 3, 3, 0, 96.0, 787.2),
    ('2026-03-01', 2, 0, 2, NULL, NULL))
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT ALL SELECT * FROM p_speed_to_lead)
   AND NOT EXISTS (SELECT * FROM p_speed_to_lead EXCEPT ALL SELECT * FROM hand) AS ok;

-- mql.speed_to_lead_by_source (New York): (2026-01, web, NULL) mqls 2
-- touched 2: 1 12 -> median 6.5, p95 1 + 0.95 * 11 = 11.45; (2026-02, web,
-- NULL) gone.
SELECT * FROM p_speed_to_lead_by_source ORDER BY cohort_month, source, campaign;
WITH hand AS (
  SELECT * FROM h_speed_to_lead_by_source
   WHERE (src, camp) IS DISTINCT FROM ('web', NULL)
  UNION ALL
  SELECT '2026-01-01'::date, 'web', NULL, 2, 2, 0, 6.5, 11.45)
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT ALL SELECT * FROM p_speed_to_lead_by_source)
   AND NOT EXISTS (SELECT * FROM p_speed_to_lead_by_source EXCEPT ALL SELECT * FROM hand)
   AND (SELECT count(*) FROM hand) = 6 AS ok;

-- mql.mql_volume (New York): lead 7's first mql joins lead 6's on 01-31
-- (web, NULL: first_mqls 2) and the 02-01 row is gone; lead 13's creation
-- moves from 03-01 to 02-28 (ads, c2: 1 0 0 0). The rest is unchanged.
SELECT * FROM p_mql_volume ORDER BY day, source, campaign;
WITH hand AS (
  SELECT * FROM h_mql_volume
   WHERE (d, src, camp) IS DISTINCT FROM ('2026-01-31'::date, 'web', NULL)
     AND (d, src, camp) IS DISTINCT FROM ('2026-02-01'::date, 'web', NULL)
     AND (d, src, camp) IS DISTINCT FROM ('2026-03-01'::date, 'ads', 'c2')
  UNION ALL VALUES ('2026-01-31'::date, 'web', NULL, 0::bigint, 2::bigint, 0::bigint, NULL::numeric),
                   ('2026-02-28', 'ads', 'c2', 1, 0, 0, 0.0))
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT ALL SELECT * FROM p_mql_volume)
   AND NOT EXISTS (SELECT * FROM p_mql_volume EXCEPT ALL SELECT * FROM hand)
   AND (SELECT count(*) FROM hand) = 27 AS ok;

-- mql.stage_durations and mql.stage_durations_by_source do not depend on
-- the time zone: unchanged.
SELECT NOT EXISTS (SELECT * FROM h_stage_durations EXCEPT ALL SELECT * FROM p_stage_durations)
   AND NOT EXISTS (SELECT * FROM p_stage_durations EXCEPT ALL SELECT * FROM h_stage_durations)
   AND NOT EXISTS (SELECT * FROM h_stage_durations_by_source EXCEPT ALL SELECT * FROM p_stage_durations_by_source)
   AND NOT EXISTS (SELECT * FROM p_stage_durations_by_source EXCEPT ALL SELECT * FROM h_stage_durations_by_source) AS ok;

-- observed_days is counted in the report time zone now.
SELECT bool_and(observed_days = (now() AT TIME ZONE 'America/New_York')::date - cohort_month) AS ok
  FROM (SELECT cohort_month, observed_days FROM mql.funnel
        UNION ALL SELECT cohort_month, observed_days FROM mql.speed_to_lead_by_source) AS t;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- Back to UTC: every view equals its UTC hand table again.
UPDATE mql.settings SET report_timezone = 'UTC';
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

---------------------------------------------------------------------------
-- Every view's rows (observed_days left out), to compare the rollup's
-- states below.
CREATE TEMP VIEW all_view_rows AS
          SELECT 'funnel' AS v, to_jsonb(t) AS r FROM p_funnel AS t
UNION ALL SELECT 'funnel_by_source', to_jsonb(t) FROM p_funnel_by_source AS t
UNION ALL SELECT 'time_to_mql', to_jsonb(t) FROM p_time_to_mql AS t
UNION ALL SELECT 'time_to_mql_by_source', to_jsonb(t) FROM p_time_to_mql_by_source AS t
UNION ALL SELECT 'mql_to_sql_rate', to_jsonb(t) FROM p_mql_to_sql_rate AS t
UNION ALL SELECT 'mql_to_sql_rate_by_source', to_jsonb(t) FROM p_mql_to_sql_rate_by_source AS t
UNION ALL SELECT 'mql_to_customer_rate', to_jsonb(t) FROM p_mql_to_customer_rate AS t
UNION ALL SELECT 'mql_to_customer_rate_by_source', to_jsonb(t) FROM p_mql_to_customer_rate_by_source AS t
UNION ALL SELECT 'recycle_rate', to_jsonb(t) FROM p_recycle_rate AS t
UNION ALL SELECT 'recycle_rate_by_source', to_jsonb(t) FROM p_recycle_rate_by_source AS t
UNION ALL SELECT 'speed_to_lead', to_jsonb(t) FROM p_speed_to_lead AS t
UNION ALL SELECT 'speed_to_lead_by_source', to_jsonb(t) FROM p_speed_to_lead_by_source AS t
UNION ALL SELECT 'mql_volume', to_jsonb(t) FROM p_mql_volume AS t
UNION ALL SELECT 'stage_durations', to_jsonb(t) FROM p_stage_durations AS t
UNION ALL SELECT 'stage_durations_by_source', to_jsonb(t) FROM p_stage_durations_by_source AS t;
-- The same rows built from the UTC hand tables (same column names).
CREATE TEMP VIEW all_hand_rows_utc AS
          SELECT 'funnel' AS v, to_jsonb(t) AS r FROM (SELECT c AS cohort_month, l AS leads, m AS mqls, s AS sqls,
            o AS opportunities, cu AS customers, r1 AS lead_to_mql, r2 AS mql_to_sql, r3 AS sql_to_opp,
            r4 AS opp_to_cust, r5 AS lead_to_sql, r6 AS lead_to_opp, r7 AS lead_to_cust FROM h_funnel) AS t
UNION ALL SELECT 'funnel_by_source', to_jsonb(t) FROM (SELECT c AS cohort_month, src AS source, camp AS campaign,
            l AS leads, m AS mqls, s AS sqls, o AS opportunities, cu AS customers, r1 AS lead_to_mql,
            r2 AS mql_to_sql, r3 AS sql_to_opp, r4 AS opp_to_cust, r5 AS lead_to_sql, r6 AS lead_to_opp,
            r7 AS lead_to_cust FROM h_funnel_by_source) AS t
UNION ALL SELECT 'time_to_mql', to_jsonb(t) FROM (SELECT c AS cohort_month, l AS leads, q AS qualified,
            med AS median_hours, p90 AS p90_hours FROM h_time_to_mql) AS t
UNION ALL SELECT 'time_to_mql_by_source', to_jsonb(t) FROM (SELECT c AS cohort_month, src AS source,
            camp AS campaign, l AS leads, q AS qualified, med AS median_hours, p90 AS p90_hours
            FROM h_time_to_mql_by_source) AS t
UNION ALL SELECT 'mql_to_sql_rate', to_jsonb(t) FROM (SELECT c AS cohort_month, m AS mqls, s AS sqls, r AS rate,
            d AS median_days FROM h_mql_to_sql_rate) AS t
UNION ALL SELECT 'mql_to_sql_rate_by_source', to_jsonb(t) FROM (SELECT c AS cohort_month, src AS source,
            camp AS campaign, m AS mqls, s AS sqls, r AS rate, d AS median_days FROM h_mql_to_sql_rate_by_source) AS t
UNION ALL SELECT 'mql_to_customer_rate', to_jsonb(t) FROM (SELECT c AS cohort_month, m AS mqls, cu AS customers,
            r AS rate, d AS median_days FROM h_mql_to_customer_rate) AS t
UNION ALL SELECT 'mql_to_customer_rate_by_source', to_jsonb(t) FROM (SELECT c AS cohort_month, src AS source,
            camp AS campaign, m AS mqls, cu AS customers, r AS rate, d AS median_days
            FROM h_mql_to_customer_rate_by_source) AS t
UNION ALL SELECT 'recycle_rate', to_jsonb(t) FROM (SELECT c AS cohort_month, m AS mqls, rc AS recycled,
            rq AS requalified, r1 AS recycle_rate, r2 AS requalify_rate FROM h_recycle_rate) AS t
UNION ALL SELECT 'recycle_rate_by_source', to_jsonb(t) FROM (SELECT c AS cohort_month, src AS source,
            camp AS campaign, m AS mqls, rc AS recycled, rq AS requalified, r1 AS recycle_rate,
            r2 AS requalify_rate FROM h_recycle_rate_by_source) AS t
UNION ALL SELECT 'speed_to_lead', to_jsonb(t) FROM (SELECT c AS cohort_month, m AS mqls, t AS touched,
            u AS untouched, med AS median_hours, p95 AS p95_hours FROM h_speed_to_lead) AS t
UNION ALL SELECT 'speed_to_lead_by_source', to_jsonb(t) FROM (SELECT c AS cohort_month, src AS source,
            camp AS campaign, m AS mqls, t AS touched, u AS untouched, med AS median_hours, p95 AS p95_hours
            FROM h_speed_to_lead_by_source) AS t
UNION ALL SELECT 'mql_volume', to_jsonb(t) FROM (SELECT d AS day, src AS source, camp AS campaign,
            n AS new_leads, f AS first_mqls, rq AS requalifications, r AS mql_rate FROM h_mql_volume) AS t
UNION ALL SELECT 'stage_durations', to_jsonb(t) FROM (SELECT st AS stage, e AS entries, cs AS completed_stays,
            med AS median_hours, p90 AS p90_hours FROM h_stage_durations) AS t
UNION ALL SELECT 'stage_durations_by_source', to_jsonb(t) FROM (SELECT st AS stage, src AS source,
            camp AS campaign, e AS entries, cs AS completed_stays, med AS median_hours, p90 AS p90_hours
            FROM h_stage_durations_by_source) AS t;
-- Back in UTC every view equals its hand table: no row differs either way
-- (123 rows in all).
SELECT v, r FROM (SELECT * FROM all_hand_rows_utc EXCEPT ALL SELECT * FROM all_view_rows) AS missing ORDER BY v, r::text COLLATE "C";
SELECT v, r FROM (SELECT * FROM all_view_rows EXCEPT ALL SELECT * FROM all_hand_rows_utc) AS unexpected ORDER BY v, r::text COLLATE "C";
SELECT count(*) AS view_rows FROM all_view_rows;

-- mql.rebuild_rollups() recomputes facts and rollup from the history: one
-- row per lead (15), and every view's output is identical.
CREATE TEMP TABLE before_rebuild AS SELECT * FROM all_view_rows;
SELECT mql.rebuild_rollups() AS leads;
SELECT NOT EXISTS (SELECT * FROM before_rebuild EXCEPT ALL SELECT * FROM all_view_rows)
   AND NOT EXISTS (SELECT * FROM all_view_rows EXCEPT ALL SELECT * FROM before_rebuild) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- mql.compact_rollups() folds mql.rollup_delta into mql.rollup. The
-- rebuild above left the delta empty; to have something to fold, move
-- the 'day' and 'stage' rows of the rollup into the delta, splitting each
-- in two (n - 1 and 1): the sums, and so the views, are unchanged.
SELECT count(*) AS pending_deltas FROM mql.rollup_delta;
CREATE TEMP TABLE moved AS
WITH m AS (DELETE FROM mql.rollup WHERE family IN ('day', 'stage') RETURNING *)
SELECT * FROM m;
INSERT INTO mql.rollup_delta
SELECT family, by_source, metric, period, source, campaign, hours, n - 1 FROM moved
UNION ALL
SELECT family, by_source, metric, period, source, campaign, hours, 1 FROM moved;
SELECT (SELECT count(*) FROM mql.rollup_delta) = 2 * (SELECT count(*) FROM moved) AS ok;
SELECT NOT EXISTS (SELECT * FROM before_rebuild EXCEPT ALL SELECT * FROM all_view_rows)
   AND NOT EXISTS (SELECT * FROM all_view_rows EXCEPT ALL SELECT * FROM before_rebuild) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();
-- It returns the number of delta rows folded, and empties the delta.
SELECT mql.compact_rollups() = 2 * (SELECT count(*) FROM moved) AS ok;
SELECT count(*) AS pending_deltas FROM mql.rollup_delta;
SELECT NOT EXISTS (SELECT * FROM before_rebuild EXCEPT ALL SELECT * FROM all_view_rows)
   AND NOT EXISTS (SELECT * FROM all_view_rows EXCEPT ALL SELECT * FROM before_rebuild) AS ok;
-- The folded rows are the original ones again.
SELECT NOT EXISTS (SELECT * FROM moved EXCEPT ALL SELECT * FROM mql.rollup WHERE family IN ('day', 'stage'))
   AND NOT EXISTS (SELECT * FROM mql.rollup WHERE family IN ('day', 'stage') EXCEPT ALL SELECT * FROM moved) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();
-- Nothing left to fold: 0.
SELECT mql.compact_rollups() AS folded;

---------------------------------------------------------------------------
-- Changing a lead's source or campaign moves it between the _by_source
-- groups; the totals do not move. A group a lead leaves keeps only its other
-- leads, and a group left empty is no longer a row at all (exactly what a
-- computation from the history gives).
--
-- Lead 11 (created 2026-02-10, first mql 2026-03-05, never touched, one
-- completed stay: lead 552 h; now in mql) goes from (web, c1) to (ads, c2).
-- Its score is 5 (one email_open): the update re-judges it, nothing else
-- changes, it stays in mql.
UPDATE mql.leads SET source = 'ads', campaign = 'c2' WHERE lead_id = 11;
SELECT lead_id, source, campaign, stage FROM mql.leads WHERE lead_id = 11;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();
-- The hand tables, changed by hand:
-- funnel_by_source: 2026-02 ads c2: leads 2 (8 11) mqls 2 sqls 1 opps 1 custs 1,
--   rates 1, 1/2, 1, 1, 1/2, 1/2, 1/2; 2026-02 web c1: leads 1 (12) mqls 1,
--   sqls opps custs 0, rates 1, 0, NULL, NULL, 0, 0, 0.
UPDATE h_funnel_by_source SET l = 2, m = 2, s = 1, o = 1, cu = 1, r1 = 1, r2 = round(1/2.0, 6), r3 = 1,
       r4 = 1, r5 = round(1/2.0, 6), r6 = round(1/2.0, 6), r7 = round(1/2.0, 6)
 WHERE c = '2026-02-01' AND src = 'ads' AND camp = 'c2';
UPDATE h_funnel_by_source SET l = 1, m = 1 WHERE c = '2026-02-01' AND src = 'web' AND camp = 'c1';
-- time_to_mql_by_source: 2026-02 ads c2: leads 2 qualified 2: 72 552 ->
--   median 312, p90 72 + 0.9 * 480 = 504; 2026-02 web c1: leads 1
--   qualified 1: 384 -> 384 384.
UPDATE h_time_to_mql_by_source SET l = 2, q = 2, med = 312, p90 = 504
 WHERE c = '2026-02-01' AND src = 'ads' AND camp = 'c2';
UPDATE h_time_to_mql_by_source SET l = 1, q = 1, med = 384, p90 = 384
 WHERE c = '2026-02-01' AND src = 'web' AND camp = 'c1';
-- The first-MQL views: March (web, c1) keeps lead 12 alone and a new March
-- (ads, c2) row holds lead 11; each: mqls 1, sqls 0, customers 0, recycled 0,
-- requalified 0, touched 0, untouched 1 (rates 0, the rest NULL).
UPDATE h_mql_to_sql_rate_by_source SET m = 1 WHERE c = '2026-03-01' AND src = 'web' AND camp = 'c1';
INSERT INTO h_mql_to_sql_rate_by_source VALUES ('2026-03-01', 'ads', 'c2', 1, 0, 0, NULL);
UPDATE h_mql_to_customer_rate_by_source SET m = 1 WHERE c = '2026-03-01' AND src = 'web' AND camp = 'c1';
INSERT INTO h_mql_to_customer_rate_by_source VALUES ('2026-03-01', 'ads', 'c2', 1, 0, 0, NULL);
UPDATE h_recycle_rate_by_source SET m = 1 WHERE c = '2026-03-01' AND src = 'web' AND camp = 'c1';
INSERT INTO h_recycle_rate_by_source VALUES ('2026-03-01', 'ads', 'c2', 1, 0, 0, 0, NULL);
UPDATE h_speed_to_lead_by_source SET m = 1, u = 1 WHERE c = '2026-03-01' AND src = 'web' AND camp = 'c1';
INSERT INTO h_speed_to_lead_by_source VALUES ('2026-03-01', 'ads', 'c2', 1, 0, 1, NULL, NULL);
-- mql_volume: 02-10 (ads, c2) gains lead 11's creation next to lead 4's
--   re-qualification: 1 0 1, mql_rate 1/1; the 02-10 (web, c1) row held only
--   lead 11: gone; lead 11's first mql on 03-05 moves to (ads, c2).
UPDATE h_mql_volume SET n = 1, r = 1 WHERE d = '2026-02-10' AND src = 'ads' AND camp = 'c2';
DELETE FROM h_mql_volume WHERE d = '2026-02-10' AND src = 'web' AND camp = 'c1';
UPDATE h_mql_volume SET src = 'ads', camp = 'c2' WHERE d = '2026-03-05' AND src = 'web' AND camp = 'c1';
-- stage_durations_by_source: (lead, ads, c2): entries 5, stays 48 72 240 552
--   -> median 156, p90 2.7 -> 240 + 0.7 * 312 = 458.4; (mql, ads, c2):
--   entries 4, stays unchanged; (lead, web, c1): entries 3, stays 72 120 384
--   -> 120, p90 1.8 -> 120 + 0.8 * 264 = 331.2; (mql, web, c1): entries 3.
UPDATE h_stage_durations_by_source SET e = 5, cs = 4, med = 156, p90 = 458.4
 WHERE st = 'lead' AND src = 'ads' AND camp = 'c2';
UPDATE h_stage_durations_by_source SET e = 4 WHERE st = 'mql' AND src = 'ads' AND camp = 'c2';
UPDATE h_stage_durations_by_source SET e = 3, cs = 3, med = 120, p90 = 331.2
 WHERE st = 'lead' AND src = 'web' AND camp = 'c1';
UPDATE h_stage_durations_by_source SET e = 3 WHERE st = 'mql' AND src = 'web' AND camp = 'c1';
-- The rows that changed, as the views give them:
SELECT * FROM p_funnel_by_source WHERE cohort_month = '2026-02-01' ORDER BY source, campaign;
SELECT * FROM p_time_to_mql_by_source WHERE cohort_month = '2026-02-01' ORDER BY source, campaign;
SELECT * FROM p_mql_to_sql_rate_by_source WHERE cohort_month = '2026-03-01' ORDER BY source, campaign;
SELECT * FROM p_speed_to_lead_by_source WHERE cohort_month = '2026-03-01' ORDER BY source, campaign;
SELECT * FROM p_mql_volume WHERE day IN ('2026-02-10', '2026-03-05') ORDER BY day, source, campaign;
SELECT * FROM p_stage_durations_by_source WHERE stage IN ('lead', 'mql')
   AND (source, campaign) IN (('ads', 'c2'), ('web', 'c1')) ORDER BY stage, source, campaign;
-- Every view against the changed hand tables (the totals' are unchanged):
-- no row missing, no row unexpected.
SELECT v, r FROM (SELECT * FROM all_hand_rows_utc EXCEPT ALL SELECT * FROM all_view_rows) AS missing ORDER BY v, r::text COLLATE "C";
SELECT v, r FROM (SELECT * FROM all_view_rows EXCEPT ALL SELECT * FROM all_hand_rows_utc) AS unexpected ORDER BY v, r::text COLLATE "C";

-- Lead 5, the only (NULL, NULL) lead created in January (never qualified,
-- no completed stay), becomes (web, c1): the (2026-01, NULL, NULL) group of
-- the creation-cohort views is gone, (2026-01, web, c1) has 3 leads.
UPDATE mql.leads SET source = 'web', campaign = 'c1' WHERE lead_id = 5;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();
-- funnel_by_source: 2026-01 web c1: leads 3 mqls 2 sqls 2 opps 2 custs 2,
--   rates 2/3, 1, 1, 1, 2/3, 2/3, 2/3.
UPDATE h_funnel_by_source SET l = 3, r1 = round(2/3.0, 6), r5 = round(2/3.0, 6), r6 = round(2/3.0, 6),
       r7 = round(2/3.0, 6)
 WHERE c = '2026-01-01' AND src = 'web' AND camp = 'c1';
DELETE FROM h_funnel_by_source WHERE c = '2026-01-01' AND src IS NULL AND camp IS NULL;
-- time_to_mql_by_source: 2026-01 web c1: leads 3 qualified 2, 96 115.2.
UPDATE h_time_to_mql_by_source SET l = 3 WHERE c = '2026-01-01' AND src = 'web' AND camp = 'c1';
DELETE FROM h_time_to_mql_by_source WHERE c = '2026-01-01' AND src IS NULL AND camp IS NULL;
-- mql_volume: the 01-10 row becomes (web, c1): 1 0 0 0.
UPDATE h_mql_volume SET src = 'web', camp = 'c1' WHERE d = '2026-01-10';
-- stage_durations_by_source: (lead, web, c1) entries 4, (lead, NULL, NULL)
--   entries 2 (9 10); stays unchanged.
UPDATE h_stage_durations_by_source SET e = 4 WHERE st = 'lead' AND src = 'web' AND camp = 'c1';
UPDATE h_stage_durations_by_source SET e = 2 WHERE st = 'lead' AND src IS NULL AND camp IS NULL;
SELECT * FROM p_funnel_by_source WHERE cohort_month = '2026-01-01' ORDER BY source, campaign;
SELECT * FROM p_time_to_mql_by_source WHERE cohort_month = '2026-01-01' ORDER BY source, campaign;
SELECT * FROM p_mql_volume WHERE day = '2026-01-10' ORDER BY source, campaign;
SELECT v, r FROM (SELECT * FROM all_hand_rows_utc EXCEPT ALL SELECT * FROM all_view_rows) AS missing ORDER BY v, r::text COLLATE "C";
SELECT v, r FROM (SELECT * FROM all_view_rows EXCEPT ALL SELECT * FROM all_hand_rows_utc) AS unexpected ORDER BY v, r::text COLLATE "C";
-- The totals have not moved.
SELECT NOT EXISTS (SELECT * FROM before_rebuild WHERE v NOT LIKE '%by_source' AND v <> 'mql_volume'
                   EXCEPT ALL SELECT * FROM all_view_rows WHERE v NOT LIKE '%by_source' AND v <> 'mql_volume')
   AND NOT EXISTS (SELECT * FROM all_view_rows WHERE v NOT LIKE '%by_source' AND v <> 'mql_volume'
                   EXCEPT ALL SELECT * FROM before_rebuild WHERE v NOT LIKE '%by_source' AND v <> 'mql_volume') AS ok;

-- A rebuild from the history gives exactly the same views as the
-- incremental maintenance did.
CREATE TEMP TABLE before_second_rebuild AS SELECT * FROM all_view_rows;
SELECT mql.rebuild_rollups() AS leads;
SELECT v, r FROM (SELECT * FROM before_second_rebuild EXCEPT ALL SELECT * FROM all_view_rows) AS only_before ORDER BY v, r::text COLLATE "C";
SELECT v, r FROM (SELECT * FROM all_view_rows EXCEPT ALL SELECT * FROM before_second_rebuild) AS only_after ORDER BY v, r::text COLLATE "C";
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();
