-- mql.mql_cohort: each lead's first entry into mql, computed on the fly
-- from the history (the rollup-backed BI views are in 09_funnel_views.sql).

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
