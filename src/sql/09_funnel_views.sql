-- BI views over the rollup (08_lead_facts.sql). Cohorts and days are cut in
-- settings.report_timezone; rates are fractions in [0, 1], NULL where the
-- denominator is 0; durations are percentiles (percentile_cont) of whole
-- hours. Each group of metrics has one internal view over the rollup rows
-- it needs, grouped by (period, by_source, source, campaign); the public
-- views mql.X read its total rows (by_source false, kept as rows of their
-- own in the rollup) and mql.X_by_source its per-source rows.

-- num / den as a fraction, NULL when den is 0. This and observed_days are
-- inlined into the views (so no SET clause): every operator and type is
-- schema-qualified, as the body is planned with the reader's search_path
-- (NULLIF would look "=" up in it).
CREATE FUNCTION mql.rate(num bigint, den bigint) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT $1::double precision OPERATOR(pg_catalog./)
           CASE WHEN $2 OPERATOR(pg_catalog.<>) 0 THEN $2::double precision END
  $$;
COMMENT ON FUNCTION mql.rate(bigint, bigint) IS 'num / den, NULL when den is 0.';

-- Days a cohort that started on `period` has been observed, as of now in
-- the report time zone: how long its leads have had to convert.
CREATE FUNCTION mql.observed_days(period date, tz text) RETURNS integer
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT (pg_catalog.now() AT TIME ZONE $2)::pg_catalog.date OPERATOR(pg_catalog.-) $1 $$;
COMMENT ON FUNCTION mql.observed_days(date, text) IS
  'Days from the start of a cohort to today in the given time zone.';

-- The rollup's current totals: compacted sums plus pending deltas.
CREATE VIEW mql.rollup_totals AS
SELECT t.family, t.by_source, t.metric, t.period, t.source, t.campaign, t.hours,
       pg_catalog.sum(t.n)::bigint AS n
  FROM (SELECT r.family, r.by_source, r.metric, r.period, r.source, r.campaign, r.hours, r.n
          FROM mql.rollup AS r
        UNION ALL
        SELECT d.family, d.by_source, d.metric, d.period, d.source, d.campaign, d.hours, d.n
          FROM mql.rollup_delta AS d) AS t
 GROUP BY t.family, t.by_source, t.metric, t.period, t.source, t.campaign, t.hours
HAVING pg_catalog.sum(t.n) OPERATOR(pg_catalog.<>) 0;
COMMENT ON VIEW mql.rollup_totals IS
  'The rollup''s current sums: mql.rollup plus mql.rollup_delta (keys whose sum is 0, e.g. after a lead changed source, are left out).';
COMMENT ON COLUMN mql.rollup_totals.family IS 'created (lead-creation month), first_mql (first-MQL month), day, or stage.';
COMMENT ON COLUMN mql.rollup_totals.by_source IS 'False: a total over all sources and campaigns; true: one source and campaign.';
COMMENT ON COLUMN mql.rollup_totals.metric IS 'What is counted, e.g. leads, reached_sql, hours_to_mql, stay:mql.';
COMMENT ON COLUMN mql.rollup_totals.period IS 'Cohort month or day; NULL for the stage family.';
COMMENT ON COLUMN mql.rollup_totals.source IS 'The leads'' source.';
COMMENT ON COLUMN mql.rollup_totals.campaign IS 'The leads'' campaign.';
COMMENT ON COLUMN mql.rollup_totals.hours IS 'Whole hours, for duration histograms; NULL for counters.';
COMMENT ON COLUMN mql.rollup_totals.n IS 'Number of leads (or stays) counted.';

-- The same rows without summing equal keys: the metric views sum counters
-- themselves, and mql.percentile_hours nets equal hours, so they skip a
-- grouping over every histogram row.
CREATE VIEW mql.rollup_rows AS
SELECT r.family, r.by_source, r.metric, r.period, r.source, r.campaign, r.hours, r.n
  FROM mql.rollup AS r
UNION ALL
SELECT d.family, d.by_source, d.metric, d.period, d.source, d.campaign, d.hours, d.n
  FROM mql.rollup_delta AS d;
COMMENT ON VIEW mql.rollup_rows IS
  'Internal: mql.rollup and mql.rollup_delta rows together, not summed (the metric views read it).';
COMMENT ON COLUMN mql.rollup_rows.family IS 'created (lead-creation month), first_mql (first-MQL month), day, or stage.';
COMMENT ON COLUMN mql.rollup_rows.by_source IS 'False: a total over all sources and campaigns; true: one source and campaign.';
COMMENT ON COLUMN mql.rollup_rows.metric IS 'What is counted, e.g. leads, reached_sql, hours_to_mql, stay:mql.';
COMMENT ON COLUMN mql.rollup_rows.period IS 'Cohort month or day; NULL for the stage family.';
COMMENT ON COLUMN mql.rollup_rows.source IS 'The leads'' source.';
COMMENT ON COLUMN mql.rollup_rows.campaign IS 'The leads'' campaign.';
COMMENT ON COLUMN mql.rollup_rows.hours IS 'Whole hours, for duration histograms; NULL for counters.';
COMMENT ON COLUMN mql.rollup_rows.n IS 'Count added (negative: subtracted) by this row.';

------------------------------------------------------------------------------
-- Lead-creation cohorts: funnel and time to MQL.
------------------------------------------------------------------------------
CREATE VIEW mql.funnel_metrics AS
SELECT t.period AS cohort_month, t.by_source, t.source, t.campaign,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'leads'), 0)::bigint AS leads,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'reached_mql'), 0)::bigint AS mqls,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'reached_sql'), 0)::bigint AS sqls,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'reached_opportunity'), 0)::bigint AS opportunities,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'reached_customer'), 0)::bigint AS customers
  FROM mql.rollup_rows AS t
 WHERE t.family = 'created'
   AND t.metric IN ('leads', 'reached_mql', 'reached_sql', 'reached_opportunity', 'reached_customer')
 GROUP BY t.period, t.by_source, t.source, t.campaign
-- A group every lead has left nets to 0 leads: it is gone.
HAVING pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'leads') OPERATOR(pg_catalog.<>) 0;
COMMENT ON VIEW mql.funnel_metrics IS
  'Internal: funnel counts per lead-creation cohort, totals (by_source false) and per source and campaign. Read mql.funnel and mql.funnel_by_source.';

CREATE VIEW mql.time_to_mql_metrics AS
SELECT t.period AS cohort_month, t.by_source, t.source, t.campaign,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'leads'), 0)::bigint AS leads,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'hours_to_mql'), 0)::bigint AS qualified,
       mql.percentile_hours(t.hours, t.n, 0.5) FILTER (WHERE t.metric = 'hours_to_mql') AS median_hours_to_mql,
       mql.percentile_hours(t.hours, t.n, 0.9) FILTER (WHERE t.metric = 'hours_to_mql') AS p90_hours_to_mql
  FROM mql.rollup_rows AS t
 WHERE t.family = 'created' AND t.metric IN ('leads', 'hours_to_mql')
 GROUP BY t.period, t.by_source, t.source, t.campaign
HAVING pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'leads') OPERATOR(pg_catalog.<>) 0;
COMMENT ON VIEW mql.time_to_mql_metrics IS
  'Internal: time to first MQL per lead-creation cohort, totals (by_source false) and per source and campaign. Read mql.time_to_mql and mql.time_to_mql_by_source.';

CREATE VIEW mql.funnel AS
SELECT m.cohort_month, mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days,
       m.leads, m.mqls, m.sqls, m.opportunities, m.customers,
       mql.rate(m.mqls, m.leads) AS lead_to_mql_rate,
       mql.rate(m.sqls, m.mqls) AS mql_to_sql_rate,
       mql.rate(m.opportunities, m.sqls) AS sql_to_opportunity_rate,
       mql.rate(m.customers, m.opportunities) AS opportunity_to_customer_rate,
       mql.rate(m.sqls, m.leads) AS lead_to_sql_rate,
       mql.rate(m.opportunities, m.leads) AS lead_to_opportunity_rate,
       mql.rate(m.customers, m.leads) AS lead_to_customer_rate
  FROM mql.funnel_metrics AS m CROSS JOIN mql.settings AS s
 WHERE NOT m.by_source;

CREATE VIEW mql.funnel_by_source AS
SELECT m.cohort_month, m.source, m.campaign, mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days,
       m.leads, m.mqls, m.sqls, m.opportunities, m.customers,
       mql.rate(m.mqls, m.leads) AS lead_to_mql_rate,
       mql.rate(m.sqls, m.mqls) AS mql_to_sql_rate,
       mql.rate(m.opportunities, m.sqls) AS sql_to_opportunity_rate,
       mql.rate(m.customers, m.opportunities) AS opportunity_to_customer_rate,
       mql.rate(m.sqls, m.leads) AS lead_to_sql_rate,
       mql.rate(m.opportunities, m.leads) AS lead_to_opportunity_rate,
       mql.rate(m.customers, m.leads) AS lead_to_customer_rate
  FROM mql.funnel_metrics AS m CROSS JOIN mql.settings AS s
 WHERE m.by_source;

CREATE VIEW mql.time_to_mql AS
SELECT m.cohort_month, mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days,
       m.leads, m.qualified, m.median_hours_to_mql, m.p90_hours_to_mql
  FROM mql.time_to_mql_metrics AS m CROSS JOIN mql.settings AS s
 WHERE NOT m.by_source;

CREATE VIEW mql.time_to_mql_by_source AS
SELECT m.cohort_month, m.source, m.campaign, mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days,
       m.leads, m.qualified, m.median_hours_to_mql, m.p90_hours_to_mql
  FROM mql.time_to_mql_metrics AS m CROSS JOIN mql.settings AS s
 WHERE m.by_source;

------------------------------------------------------------------------------
-- First-MQL cohorts: MQL to SQL, MQL to customer, recycling, speed to lead.
------------------------------------------------------------------------------
CREATE VIEW mql.mql_cohort_metrics AS
SELECT t.period AS cohort_month, t.by_source, t.source, t.campaign,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'mqls'), 0)::bigint AS mqls,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'sqls'), 0)::bigint AS sqls,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'customers'), 0)::bigint AS customers,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'recycled'), 0)::bigint AS recycled,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'requalified'), 0)::bigint AS requalified,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'touched'), 0)::bigint AS touched,
       mql.percentile_hours(t.hours, t.n, 0.5) FILTER (WHERE t.metric = 'hours_to_sql') AS median_hours_to_sql,
       mql.percentile_hours(t.hours, t.n, 0.5) FILTER (WHERE t.metric = 'hours_to_customer') AS median_hours_to_customer,
       mql.percentile_hours(t.hours, t.n, 0.5) FILTER (WHERE t.metric = 'hours_to_touch') AS median_hours_to_touch,
       mql.percentile_hours(t.hours, t.n, 0.95) FILTER (WHERE t.metric = 'hours_to_touch') AS p95_hours_to_touch
  FROM mql.rollup_rows AS t
 WHERE t.family = 'first_mql'
 GROUP BY t.period, t.by_source, t.source, t.campaign
HAVING pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'mqls') OPERATOR(pg_catalog.<>) 0;
COMMENT ON VIEW mql.mql_cohort_metrics IS
  'Internal: first-MQL cohort metrics, totals (by_source false) and per source and campaign. Read mql.mql_to_sql_rate, mql.mql_to_customer_rate, mql.recycle_rate, mql.speed_to_lead and their _by_source views.';

CREATE VIEW mql.mql_to_sql_rate AS
SELECT m.cohort_month, mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days,
       m.mqls, m.sqls, mql.rate(m.sqls, m.mqls) AS rate,
       m.median_hours_to_sql / 24 AS median_days_to_sql
  FROM mql.mql_cohort_metrics AS m CROSS JOIN mql.settings AS s WHERE NOT m.by_source;

CREATE VIEW mql.mql_to_sql_rate_by_source AS
SELECT m.cohort_month, m.source, m.campaign, mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days,
       m.mqls, m.sqls, mql.rate(m.sqls, m.mqls) AS rate,
       m.median_hours_to_sql / 24 AS median_days_to_sql
  FROM mql.mql_cohort_metrics AS m CROSS JOIN mql.settings AS s WHERE m.by_source;

CREATE VIEW mql.mql_to_customer_rate AS
SELECT m.cohort_month, m.mqls, m.customers, mql.rate(m.customers, m.mqls) AS rate,
       m.median_hours_to_customer / 24 AS median_days_to_customer,
       mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days
  FROM mql.mql_cohort_metrics AS m CROSS JOIN mql.settings AS s WHERE NOT m.by_source;

CREATE VIEW mql.mql_to_customer_rate_by_source AS
SELECT m.cohort_month, m.source, m.campaign, m.mqls, m.customers, mql.rate(m.customers, m.mqls) AS rate,
       m.median_hours_to_customer / 24 AS median_days_to_customer,
       mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days
  FROM mql.mql_cohort_metrics AS m CROSS JOIN mql.settings AS s WHERE m.by_source;

CREATE VIEW mql.recycle_rate AS
SELECT m.cohort_month, m.mqls, m.recycled, m.requalified,
       mql.rate(m.recycled, m.mqls) AS recycle_rate,
       mql.rate(m.requalified, m.recycled) AS requalify_rate,
       mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days
  FROM mql.mql_cohort_metrics AS m CROSS JOIN mql.settings AS s WHERE NOT m.by_source;

CREATE VIEW mql.recycle_rate_by_source AS
SELECT m.cohort_month, m.source, m.campaign, m.mqls, m.recycled, m.requalified,
       mql.rate(m.recycled, m.mqls) AS recycle_rate,
       mql.rate(m.requalified, m.recycled) AS requalify_rate,
       mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days
  FROM mql.mql_cohort_metrics AS m CROSS JOIN mql.settings AS s WHERE m.by_source;

CREATE VIEW mql.speed_to_lead AS
SELECT m.cohort_month, mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days,
       m.mqls, m.touched, m.mqls OPERATOR(pg_catalog.-) m.touched AS untouched,
       m.median_hours_to_touch, m.p95_hours_to_touch
  FROM mql.mql_cohort_metrics AS m CROSS JOIN mql.settings AS s WHERE NOT m.by_source;

CREATE VIEW mql.speed_to_lead_by_source AS
SELECT m.cohort_month, m.source, m.campaign, mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days,
       m.mqls, m.touched, m.mqls OPERATOR(pg_catalog.-) m.touched AS untouched,
       m.median_hours_to_touch, m.p95_hours_to_touch
  FROM mql.mql_cohort_metrics AS m CROSS JOIN mql.settings AS s WHERE m.by_source;

------------------------------------------------------------------------------
-- Daily volume.
------------------------------------------------------------------------------
CREATE VIEW mql.mql_volume AS
SELECT t.period AS day, t.source, t.campaign,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'new_leads'), 0)::bigint AS new_leads,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'first_mqls'), 0)::bigint AS first_mqls,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'requalifications'), 0)::bigint AS requalifications,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'new_leads_qualified'), 0)::bigint AS new_leads_qualified,
       mql.rate(COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'new_leads_qualified'), 0)::bigint,
                COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'new_leads'), 0)::bigint) AS mql_rate
  FROM mql.rollup_rows AS t
 WHERE t.family = 'day' AND t.by_source
 GROUP BY t.period, t.source, t.campaign
-- Each metric nets to 0 or more, so a day whose counts all netted to 0 is gone.
HAVING pg_catalog.sum(t.n) FILTER (WHERE t.metric IN ('new_leads', 'first_mqls', 'requalifications'))
         OPERATOR(pg_catalog.<>) 0;

------------------------------------------------------------------------------
-- Time spent in each stage.
------------------------------------------------------------------------------
CREATE VIEW mql.stage_metrics AS
SELECT pg_catalog.split_part(t.metric, ':', 2)::mql.stage AS stage, t.by_source, t.source, t.campaign,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric LIKE 'entries:%'), 0)::bigint AS entries,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric LIKE 'stay:%'), 0)::bigint AS completed_stays,
       mql.percentile_hours(t.hours, t.n, 0.5) FILTER (WHERE t.metric LIKE 'stay:%') AS median_hours,
       mql.percentile_hours(t.hours, t.n, 0.9) FILTER (WHERE t.metric LIKE 'stay:%') AS p90_hours
  FROM mql.rollup_rows AS t
 WHERE t.family = 'stage'
 GROUP BY pg_catalog.split_part(t.metric, ':', 2), t.by_source, t.source, t.campaign
HAVING pg_catalog.sum(t.n) FILTER (WHERE t.metric LIKE 'entries:%') OPERATOR(pg_catalog.<>) 0;
COMMENT ON VIEW mql.stage_metrics IS
  'Internal: time in each stage, totals (by_source false) and per source and campaign. Read mql.stage_durations and mql.stage_durations_by_source.';

CREATE VIEW mql.stage_durations AS
SELECT m.stage, m.entries, m.completed_stays, m.median_hours, m.p90_hours
  FROM mql.stage_metrics AS m WHERE NOT m.by_source;

CREATE VIEW mql.stage_durations_by_source AS
SELECT m.stage, m.source, m.campaign, m.entries, m.completed_stays, m.median_hours, m.p90_hours
  FROM mql.stage_metrics AS m WHERE m.by_source;
