-- Comments for every BI view and column, from one table of definitions
-- (a column shared by several views is described once; view-specific
-- meanings override the default).
COMMENT ON VIEW mql.funnel IS
  'Per lead-creation cohort month: leads and how many reached each funnel stage (or a later one), with next-step and cumulative conversion rates.';
COMMENT ON VIEW mql.funnel_by_source IS 'mql.funnel per source and campaign.';
COMMENT ON VIEW mql.time_to_mql IS
  'Per lead-creation cohort month: leads that qualified, and the median and 90th-percentile hours from creation to first MQL.';
COMMENT ON VIEW mql.time_to_mql_by_source IS 'mql.time_to_mql per source and campaign.';
COMMENT ON VIEW mql.mql_to_sql_rate IS
  'Per first-MQL cohort month: how many MQLs reached sql (or later) afterwards, and the median days it took.';
COMMENT ON VIEW mql.mql_to_sql_rate_by_source IS 'mql.mql_to_sql_rate per source and campaign.';
COMMENT ON VIEW mql.mql_to_customer_rate IS
  'Per first-MQL cohort month: how many MQLs later became customers, and the median days it took.';
COMMENT ON VIEW mql.mql_to_customer_rate_by_source IS 'mql.mql_to_customer_rate per source and campaign.';
COMMENT ON VIEW mql.recycle_rate IS
  'Per first-MQL cohort month: how many MQLs were sent back to nurture, and how many of those qualified again.';
COMMENT ON VIEW mql.recycle_rate_by_source IS 'mql.recycle_rate per source and campaign.';
COMMENT ON VIEW mql.speed_to_lead IS
  'Per first-MQL cohort month: time from MQL to the first sales touch (an event of category sales_touch, or the move to sql or later, whichever is first).';
COMMENT ON VIEW mql.speed_to_lead_by_source IS 'mql.speed_to_lead per source and campaign.';
COMMENT ON VIEW mql.mql_volume IS
  'Per day (in settings.report_timezone), source and campaign: new leads, first MQLs and re-qualifications.';
COMMENT ON VIEW mql.stage_durations IS
  'Per stage: entries (re-entries counted) and the median and 90th-percentile hours of completed stays.';
COMMENT ON VIEW mql.stage_durations_by_source IS 'mql.stage_durations per source and campaign.';

DO $$
DECLARE
  r record;
BEGIN
  FOR r IN
    WITH defs(view_name, column_name, description) AS (VALUES
      (NULL, 'cohort_month', 'First day of the cohort month, in settings.report_timezone.'),
      (NULL, 'observed_days', 'Days from the start of the cohort month to today: a young cohort has had little time to convert.'),
      (NULL, 'source', 'The leads'' source (NULL when not set).'),
      (NULL, 'campaign', 'The leads'' campaign (NULL when not set).'),
      (NULL, 'leads', 'Leads created in the cohort month.'),
      (NULL, 'mqls', 'Leads whose first entry into mql fell in the cohort month.'),
      ('funnel', 'mqls', 'Cohort leads that reached mql or a later funnel stage.'),
      ('funnel', 'sqls', 'Cohort leads that reached sql or a later funnel stage.'),
      ('funnel', 'opportunities', 'Cohort leads that reached opportunity or customer.'),
      ('funnel', 'customers', 'Cohort leads that reached customer.'),
      ('funnel', 'lead_to_mql_rate', 'mqls / leads.'),
      ('funnel', 'mql_to_sql_rate', 'sqls / mqls.'),
      ('funnel', 'sql_to_opportunity_rate', 'opportunities / sqls.'),
      ('funnel', 'opportunity_to_customer_rate', 'customers / opportunities.'),
      ('funnel', 'lead_to_sql_rate', 'sqls / leads (cumulative).'),
      ('funnel', 'lead_to_opportunity_rate', 'opportunities / leads (cumulative).'),
      ('funnel', 'lead_to_customer_rate', 'customers / leads (cumulative).'),
      ('time_to_mql', 'qualified', 'Cohort leads that have entered mql.'),
      ('time_to_mql', 'median_hours_to_mql', 'Median whole hours from creation to first MQL, over the qualified leads.'),
      ('time_to_mql', 'p90_hours_to_mql', '90th percentile of whole hours from creation to first MQL.'),
      ('mql_to_sql_rate', 'sqls', 'Cohort leads that entered sql, opportunity or customer after their first mql.'),
      ('mql_to_sql_rate', 'rate', 'sqls / mqls.'),
      ('mql_to_sql_rate', 'median_days_to_sql', 'Median days (whole hours / 24) from first MQL to that entry.'),
      ('mql_to_customer_rate', 'customers', 'Cohort leads that entered customer after their first mql.'),
      ('mql_to_customer_rate', 'rate', 'customers / mqls.'),
      ('mql_to_customer_rate', 'median_days_to_customer', 'Median days (whole hours / 24) from first MQL to customer, over the customers.'),
      ('recycle_rate', 'recycled', 'Cohort leads that entered recycled after their first mql.'),
      ('recycle_rate', 'requalified', 'Recycled cohort leads that entered mql again after being recycled.'),
      ('recycle_rate', 'recycle_rate', 'recycled / mqls.'),
      ('recycle_rate', 'requalify_rate', 'requalified / recycled.'),
      ('speed_to_lead', 'touched', 'Cohort MQLs that have had a sales touch since their first MQL.'),
      ('speed_to_lead', 'untouched', 'Cohort MQLs with no sales touch yet.'),
      ('speed_to_lead', 'median_hours_to_touch', 'Median whole hours from first MQL to the first sales touch, over the touched.'),
      ('speed_to_lead', 'p95_hours_to_touch', '95th percentile of whole hours from first MQL to the first sales touch.'),
      ('mql_volume', 'day', 'Calendar day in settings.report_timezone.'),
      ('mql_volume', 'new_leads', 'Leads created that day.'),
      ('mql_volume', 'first_mqls', 'Leads whose first entry into mql was that day.'),
      ('mql_volume', 'requalifications', 'Entries into mql that day by leads that had been mql before.'),
      ('mql_volume', 'new_leads_qualified', 'Of the day''s new leads, those that have entered mql since.'),
      ('mql_volume', 'mql_rate', 'new_leads_qualified / new_leads: the share of the day''s new leads that have qualified since.'),
      ('stage_durations', 'stage', 'The stage.'),
      ('stage_durations', 'entries', 'Entries into the stage, re-entries counted (a lead''s creation counts as entering its first stage).'),
      ('stage_durations', 'completed_stays', 'Stays in the stage that have ended (the lead has moved on).'),
      ('stage_durations', 'median_hours', 'Median whole hours of the completed stays.'),
      ('stage_durations', 'p90_hours', '90th percentile of whole hours of the completed stays.'),
      (NULL, 'by_source', 'False for a total over all sources and campaigns; true for one source and campaign.'),
      (NULL, 'median_hours_to_sql', 'Median whole hours from first MQL to the first entry into sql or later.'),
      (NULL, 'median_hours_to_customer', 'Median whole hours from first MQL to customer.')),
    -- Internal views are described by the public views they feed.
    feeds(view_name, base, preference) AS (VALUES
      ('funnel_metrics', 'funnel', 1), ('time_to_mql_metrics', 'time_to_mql', 1),
      ('mql_cohort_metrics', 'mql_to_sql_rate', 1), ('mql_cohort_metrics', 'mql_to_customer_rate', 2),
      ('mql_cohort_metrics', 'recycle_rate', 3), ('mql_cohort_metrics', 'speed_to_lead', 4),
      ('stage_metrics', 'stage_durations', 1)),
    views AS (
      SELECT c.oid, c.relname, pg_catalog.regexp_replace(c.relname, '_by_source$', '') AS base
        FROM pg_catalog.pg_class AS c
       WHERE c.relnamespace OPERATOR(pg_catalog.=) 'mql'::regnamespace AND c.relkind OPERATOR(pg_catalog.=) 'v'
         AND c.relname IN ('funnel_metrics', 'time_to_mql_metrics', 'mql_cohort_metrics', 'stage_metrics', 'funnel', 'funnel_by_source', 'time_to_mql', 'time_to_mql_by_source',
                           'mql_to_sql_rate', 'mql_to_sql_rate_by_source', 'mql_to_customer_rate',
                           'mql_to_customer_rate_by_source', 'recycle_rate', 'recycle_rate_by_source',
                           'speed_to_lead', 'speed_to_lead_by_source', 'mql_volume',
                           'stage_durations', 'stage_durations_by_source'))
    SELECT v.relname, a.attname,
           COALESCE((SELECT d.description FROM defs AS d
                      WHERE d.view_name OPERATOR(pg_catalog.=) v.base AND d.column_name OPERATOR(pg_catalog.=) a.attname),
                    (SELECT d.description FROM feeds AS f
                       JOIN defs AS d ON d.view_name OPERATOR(pg_catalog.=) f.base
                      WHERE f.view_name OPERATOR(pg_catalog.=) v.relname AND d.column_name OPERATOR(pg_catalog.=) a.attname
                      ORDER BY f.preference LIMIT 1),
                    (SELECT d.description FROM defs AS d
                      WHERE d.view_name IS NULL AND d.column_name OPERATOR(pg_catalog.=) a.attname)) AS description
      FROM views AS v
      JOIN pg_catalog.pg_attribute AS a ON a.attrelid OPERATOR(pg_catalog.=) v.oid AND a.attnum OPERATOR(pg_catalog.>) 0
  LOOP
    IF r.description IS NULL THEN
      RAISE EXCEPTION 'pg_mql: no comment for column %.%', r.relname, r.attname;
    END IF;
    EXECUTE pg_catalog.format('COMMENT ON COLUMN mql.%I.%I IS %L', r.relname, r.attname, r.description);
  END LOOP;
END
$$;
