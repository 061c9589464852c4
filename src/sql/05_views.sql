-- Outcome views for BI tools. Cohorts are months of each lead's first entry
-- into mql, cut in settings.report_timezone; "later" means a later
-- history row of the same lead.

CREATE VIEW mql.mql_cohort AS
SELECT h.lead_id,
       h.history_id AS first_mql_id,
       h.changed_at AS first_mql_at,
       pg_catalog.date_trunc('month', h.changed_at AT TIME ZONE s.report_timezone)::date AS cohort_month
  FROM (SELECT f.lead_id, pg_catalog.min(f.history_id) AS history_id
          FROM mql.stage_history AS f
         WHERE f.to_stage = 'mql'
         GROUP BY f.lead_id) AS firsts
  JOIN mql.stage_history AS h ON h.lead_id = firsts.lead_id AND h.history_id = firsts.history_id
 CROSS JOIN mql.settings AS s;
COMMENT ON VIEW mql.mql_cohort IS
  'One row per lead that ever entered mql: its first entry, and the month (in settings.report_timezone) that puts it in a cohort.';
COMMENT ON COLUMN mql.mql_cohort.lead_id IS 'The lead.';
COMMENT ON COLUMN mql.mql_cohort.first_mql_id IS 'history_id of the lead''s first entry into mql; later rows of the lead have larger ids.';
COMMENT ON COLUMN mql.mql_cohort.first_mql_at IS 'Business time of the first entry into mql.';
COMMENT ON COLUMN mql.mql_cohort.cohort_month IS 'First day of the month of first_mql_at, in settings.report_timezone.';

CREATE VIEW mql.mql_to_customer_rate AS
WITH cohort AS (
  SELECT c.cohort_month,
         EXISTS (SELECT 1 FROM mql.stage_history AS h
                  WHERE h.lead_id = c.lead_id AND h.to_stage = 'customer'
                    AND h.history_id > c.first_mql_id) AS became_customer
    FROM mql.mql_cohort AS c)
SELECT cohort.cohort_month,
       pg_catalog.count(*) AS mqls,
       pg_catalog.count(*) FILTER (WHERE cohort.became_customer) AS customers,
       (pg_catalog.count(*) FILTER (WHERE cohort.became_customer))::double precision
         / NULLIF(pg_catalog.count(*), 0) AS rate
  FROM cohort
 GROUP BY cohort.cohort_month;
COMMENT ON VIEW mql.mql_to_customer_rate IS
  'Per cohort month of first MQL: how many of those MQLs later became customers.';
COMMENT ON COLUMN mql.mql_to_customer_rate.cohort_month IS 'Month (in settings.report_timezone) of the leads'' first entry into mql.';
COMMENT ON COLUMN mql.mql_to_customer_rate.mqls IS 'Leads whose first entry into mql fell in the cohort month.';
COMMENT ON COLUMN mql.mql_to_customer_rate.customers IS 'Cohort leads that entered customer after their first mql.';
COMMENT ON COLUMN mql.mql_to_customer_rate.rate IS 'customers / mqls, a fraction in [0, 1]; NULL when mqls is 0.';

CREATE VIEW mql.recycle_rate AS
WITH cohort AS (
  SELECT c.lead_id, c.cohort_month,
         (SELECT pg_catalog.min(r.history_id) FROM mql.stage_history AS r
           WHERE r.lead_id = c.lead_id AND r.to_stage = 'recycled'
             AND r.history_id > c.first_mql_id) AS first_recycle_id
    FROM mql.mql_cohort AS c),
flags AS (
  SELECT cohort.cohort_month,
         cohort.first_recycle_id IS NOT NULL AS recycled,
         cohort.first_recycle_id IS NOT NULL AND EXISTS (
           SELECT 1 FROM mql.stage_history AS q
            WHERE q.lead_id = cohort.lead_id AND q.to_stage = 'mql'
              AND q.history_id > cohort.first_recycle_id) AS requalified
    FROM cohort)
SELECT f.cohort_month,
       pg_catalog.count(*) AS mqls,
       pg_catalog.count(*) FILTER (WHERE f.recycled) AS recycled,
       pg_catalog.count(*) FILTER (WHERE f.requalified) AS requalified,
       (pg_catalog.count(*) FILTER (WHERE f.recycled))::double precision
         / NULLIF(pg_catalog.count(*), 0) AS recycle_rate,
       (pg_catalog.count(*) FILTER (WHERE f.requalified))::double precision
         / NULLIF(pg_catalog.count(*) FILTER (WHERE f.recycled), 0) AS requalify_rate
  FROM flags AS f
 GROUP BY f.cohort_month;
COMMENT ON VIEW mql.recycle_rate IS
  'Per cohort month of first MQL: how many were sent back to nurture, and how many of those qualified again.';
COMMENT ON COLUMN mql.recycle_rate.cohort_month IS 'Month (in settings.report_timezone) of the leads'' first entry into mql.';
COMMENT ON COLUMN mql.recycle_rate.mqls IS 'Leads whose first entry into mql fell in the cohort month.';
COMMENT ON COLUMN mql.recycle_rate.recycled IS 'Cohort leads that entered recycled after their first mql.';
COMMENT ON COLUMN mql.recycle_rate.requalified IS 'Recycled cohort leads that entered mql again after being recycled.';
COMMENT ON COLUMN mql.recycle_rate.recycle_rate IS 'recycled / mqls, a fraction in [0, 1]; NULL when mqls is 0.';
COMMENT ON COLUMN mql.recycle_rate.requalify_rate IS 'requalified / recycled, a fraction in [0, 1]; NULL when recycled is 0.';
