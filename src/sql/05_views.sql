-- Outcome views for BI tools. Cohorts are months of each lead's first entry
-- into mql, cut in settings.report_timezone; "later" means a later
-- history row of the same lead.

CREATE VIEW mql.mql_to_customer_rate AS
WITH firsts AS (
  SELECT h.lead_id, pg_catalog.min(h.history_id) AS first_mql_id
    FROM mql.stage_history AS h
   WHERE h.to_stage = 'mql'
   GROUP BY h.lead_id),
cohort AS (
  SELECT f.lead_id, f.first_mql_id,
         pg_catalog.date_trunc('month', h.changed_at AT TIME ZONE s.report_timezone)::date AS cohort_month
    FROM firsts AS f
    JOIN mql.stage_history AS h ON h.lead_id = f.lead_id AND h.history_id = f.first_mql_id
    CROSS JOIN mql.settings AS s)
SELECT c.cohort_month,
       pg_catalog.count(*) AS mqls,
       pg_catalog.count(*) FILTER (WHERE EXISTS (
         SELECT 1 FROM mql.stage_history AS h
          WHERE h.lead_id = c.lead_id AND h.to_stage = 'customer'
            AND h.history_id > c.first_mql_id)) AS customers,
       (pg_catalog.count(*) FILTER (WHERE EXISTS (
         SELECT 1 FROM mql.stage_history AS h
          WHERE h.lead_id = c.lead_id AND h.to_stage = 'customer'
            AND h.history_id > c.first_mql_id)))::double precision
         / NULLIF(pg_catalog.count(*), 0) AS rate
  FROM cohort AS c
 GROUP BY c.cohort_month;
COMMENT ON VIEW mql.mql_to_customer_rate IS
  'Per cohort month of first MQL: how many of those MQLs later became customers.';
COMMENT ON COLUMN mql.mql_to_customer_rate.cohort_month IS 'Month (in settings.report_timezone) of the leads'' first entry into mql.';
COMMENT ON COLUMN mql.mql_to_customer_rate.mqls IS 'Leads whose first entry into mql fell in the cohort month.';
COMMENT ON COLUMN mql.mql_to_customer_rate.customers IS 'Cohort leads that entered customer after their first mql.';
COMMENT ON COLUMN mql.mql_to_customer_rate.rate IS 'customers / mqls, a fraction in [0, 1]; NULL when mqls is 0.';

CREATE VIEW mql.recycle_rate AS
WITH firsts AS (
  SELECT h.lead_id, pg_catalog.min(h.history_id) AS first_mql_id
    FROM mql.stage_history AS h
   WHERE h.to_stage = 'mql'
   GROUP BY h.lead_id),
cohort AS (
  SELECT f.lead_id, f.first_mql_id,
         pg_catalog.date_trunc('month', h.changed_at AT TIME ZONE s.report_timezone)::date AS cohort_month,
         (SELECT pg_catalog.min(r.history_id) FROM mql.stage_history AS r
           WHERE r.lead_id = f.lead_id AND r.to_stage = 'recycled'
             AND r.history_id > f.first_mql_id) AS first_recycle_id
    FROM firsts AS f
    JOIN mql.stage_history AS h ON h.lead_id = f.lead_id AND h.history_id = f.first_mql_id
    CROSS JOIN mql.settings AS s),
flags AS (
  SELECT c.cohort_month,
         c.first_recycle_id IS NOT NULL AS recycled,
         c.first_recycle_id IS NOT NULL AND EXISTS (
           SELECT 1 FROM mql.stage_history AS q
            WHERE q.lead_id = c.lead_id AND q.to_stage = 'mql'
              AND q.history_id > c.first_recycle_id) AS requalified
    FROM cohort AS c)
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
