-- BI view latency at scale: 1,000,000 leads, 10,000,000 events, sales
-- stage changes; then every BI view is read 7 times and the median time
-- printed. Scale with psql variables: -v leads=... -v events_per_lead=...
\set ON_ERROR_STOP 1
\if :{?leads}
\else
\set leads 1000000
\endif
\if :{?events_per_lead}
\else
\set events_per_lead 10
\endif
\if :{?stage_changes}
\else
\set stage_changes 20000
\endif
-- verify=0 skips the final exactness check (it recomputes every lead).
\if :{?verify}
\else
\set verify 1
\endif
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_mql;
SET search_path = public, mql;
\timing on
UPDATE mql.settings SET threshold = 100, half_life = '21 days', report_timezone = 'Europe/Berlin';
INSERT INTO mql.event_weights (event_type, weight, category) VALUES
  ('page_view', 1, 'web'), ('pricing_page_view', 12, 'web'), ('email_click', 4, 'email'),
  ('webinar_attended', 18, 'event'), ('demo_request', 60, 'web'), ('unsubscribe', -25, 'email'),
  ('sales_call', 0, 'sales_touch');
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES
  ('employees', '>=', '200', 15, 'score'), ('role', '=', '"student"', NULL, 'exclude');

\echo == leads
INSERT INTO mql.leads (lead_id, source, campaign, attributes, created_at)
SELECT i, (ARRAY['organic', 'paid_search', 'linkedin', 'referral', 'event'])[1 + i % 5],
       (ARRAY['spring', 'webinars', 'retargeting', 'partners', NULL])[1 + (i / 5) % 5],
       jsonb_build_object('employees', (ARRAY[5, 40, 150, 400, 1200])[1 + (i * 7) % 5],
                          'role', (ARRAY['engineer', 'manager', 'vp', 'student'])[1 + (i * 3) % 4]),
       -- created over a year ending 90 days ago: every event (up to 60 days
       -- after creation) and stage change (up to 22 days after the first
       -- MQL) stays in the past, whatever the date of the run
       date_trunc('day', now()) - interval '455 days'
         + ((i::bigint * 7919) % (365 * 86400)) * interval '1 second'
FROM generate_series(1, :leads) AS i;

\echo == events, in batches of one event per lead
SELECT format('INSERT INTO mql.events (lead_id, event_type, occurred_at)
               SELECT l.lead_id,
                      (ARRAY[''page_view'', ''demo_request'', ''email_click'', ''pricing_page_view'',
                             ''webinar_attended'', ''demo_request'', ''unsubscribe'', ''page_view''])[1 + (l.lead_id * %s) %% 8],
                      l.created_at + ((l.lead_id * %s) %% (60 * 86400)) * interval ''1 second''
                 FROM mql.leads AS l', b, b * 31 + 7)
FROM generate_series(1, :events_per_lead) AS b \gexec

ANALYZE;
\echo == sales works some MQLs
SELECT count(*) FROM (
  SELECT mql.set_stage(l.lead_id,
                       (ARRAY['sql', 'sql', 'recycled', 'disqualified'])[1 + l.lead_id % 4]::mql.stage,
                       'sales', l.first_mql_at + interval '2 days')
    FROM mql.leads AS l WHERE l.stage = 'mql' ORDER BY l.lead_id LIMIT :stage_changes) AS s;
INSERT INTO mql.events (lead_id, event_type, occurred_at)
SELECT l.lead_id, 'sales_call', l.first_mql_at + interval '5 hours'
  FROM mql.leads AS l WHERE l.stage = 'sql';
SELECT count(*) FROM (
  SELECT mql.set_stage(l.lead_id, 'customer', 'won', l.stage_changed_at + interval '20 days')
    FROM mql.leads AS l WHERE l.stage = 'sql' AND l.lead_id % 3 = 0) AS s;
SELECT mql.compact_rollups();
VACUUM ANALYZE;
\timing off

\echo == sizes
SELECT (SELECT count(*) FROM mql.leads) AS leads, (SELECT count(*) FROM mql.events) AS events,
       (SELECT count(*) FROM mql.stage_history) AS history_rows,
       (SELECT count(*) FROM mql.rollup) AS rollup_rows, (SELECT count(*) FROM mql.rollup_delta) AS delta_rows;

\echo == view latency (median of 7 reads, ms)
CREATE TEMP TABLE view_times (view_name text, ms double precision);
DO $$
DECLARE
  v regclass;
  t0 timestamptz;
  i int;
BEGIN
  FOR v IN SELECT * FROM mql.bi_views() LOOP
    FOR i IN 1..7 LOOP
      t0 := clock_timestamp();
      EXECUTE format('SELECT count(*) FROM (SELECT * FROM %s) AS s', v);
      INSERT INTO view_times VALUES (v::text, 1000 * extract(epoch FROM clock_timestamp() - t0));
    END LOOP;
  END LOOP;
END $$;
SELECT view_name, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS median_ms,
       round(max(ms)::numeric, 1) AS max_ms
  FROM view_times GROUP BY view_name ORDER BY view_name;
\if :{?tsv_file}
\pset format unaligned
\pset tuples_only on
\pset fieldsep '\t'
\o :tsv_file
SELECT 'views', :leads, view_name, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2)
  FROM view_times GROUP BY view_name ORDER BY view_name;
\o
\pset format aligned
\pset tuples_only off
\endif

\if :verify
\echo == exactness
\timing on
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();
\endif
