-- The BI views mql.mql_to_customer_rate and mql.recycle_rate, on a small
-- hand-made history whose every row is computed by hand below.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
RESET client_min_messages;
SET search_path = public, mql;
SET timezone = 'UTC';
\set VERBOSITY default

-- With no history at all, both views are empty (no cohort, no division by 0).
SELECT count(*) AS rows FROM mql.mql_to_customer_rate;
SELECT count(*) AS rows FROM mql.recycle_rate;

-- The history. No fit rules and no events, so nothing qualifies on its own:
-- every stage change below is made by hand at an explicit business time.
-- All times are 12:00 UTC (07:00 in New York, the same day) except lead 10.
INSERT INTO mql.leads (lead_id, email, created_at) VALUES
  (1,  'one@example.com',      '2026-01-02 12:00+00'),
  (2,  'two@example.com',      '2026-01-03 12:00+00'),
  (3,  'three@example.com',    '2026-01-04 12:00+00'),
  (4,  'four@example.com',     '2026-01-05 12:00+00'),
  (5,  'five@example.com',     '2026-01-10 12:00+00'),
  (6,  'six@example.com',      '2026-02-01 12:00+00'),
  (7,  'seven@example.com',    '2026-02-02 12:00+00'),
  (8,  'eight@example.com',    '2026-02-10 12:00+00'),
  (9,  'nine@example.com',     '2026-03-01 12:00+00'),
  (10, 'ten@example.com',      '2026-01-31 20:00+00'),
  (11, 'eleven@example.com',   '2026-03-05 12:00+00'),
  (12, 'twelve@example.com',   '2026-03-03 12:00+00'),
  (13, 'thirteen@example.com', '2026-01-02 12:00+00'),
  (14, 'fourteen@example.com', '2026-01-20 12:00+00');

-- Lead 1: the whole funnel, mql -> sql -> opportunity -> customer.
SELECT stage FROM mql.set_stage(1, 'mql',         'MQL',   '2026-01-05 12:00+00');
SELECT stage FROM mql.set_stage(1, 'sql',         'SQL',   '2026-01-10 12:00+00');
SELECT stage FROM mql.set_stage(1, 'opportunity', 'opp',   '2026-01-20 12:00+00');
SELECT stage FROM mql.set_stage(1, 'customer',    'won',   '2026-02-15 12:00+00');
-- Lead 2: skips stages, mql -> customer.
SELECT stage FROM mql.set_stage(2, 'mql',         'MQL',   '2026-01-08 12:00+00');
SELECT stage FROM mql.set_stage(2, 'customer',    'won',   '2026-03-01 12:00+00');
-- Lead 3: mql -> sql, never a customer.
SELECT stage FROM mql.set_stage(3, 'mql',         'MQL',   '2026-01-12 12:00+00');
SELECT stage FROM mql.set_stage(3, 'sql',         'SQL',   '2026-01-20 12:00+00');
-- Lead 4: lead -> sql -> customer without ever entering mql: in no cohort.
SELECT stage FROM mql.set_stage(4, 'sql',         'SDR',   '2026-01-06 12:00+00');
SELECT stage FROM mql.set_stage(4, 'customer',    'won',   '2026-01-25 12:00+00');
-- Lead 5: mql (January) -> recycled -> mql again (February) -> customer.
-- Its cohort is January, the month of its FIRST entry into mql.
SELECT stage FROM mql.set_stage(5, 'mql',         'MQL',   '2026-01-15 12:00+00');
SELECT stage FROM mql.set_stage(5, 'recycled',    'later', '2026-01-25 12:00+00');
SELECT stage FROM mql.set_stage(5, 'mql',         'back',  '2026-02-10 12:00+00');
SELECT stage FROM mql.set_stage(5, 'customer',    'won',   '2026-03-05 12:00+00');
-- Lead 6: mql -> recycled, never re-qualified.
SELECT stage FROM mql.set_stage(6, 'mql',         'MQL',   '2026-02-03 12:00+00');
SELECT stage FROM mql.set_stage(6, 'recycled',    'later', '2026-02-20 12:00+00');
-- Lead 7: recycled twice: mql -> recycled -> mql -> recycled (counted once).
SELECT stage FROM mql.set_stage(7, 'mql',         'MQL',   '2026-02-05 12:00+00');
SELECT stage FROM mql.set_stage(7, 'recycled',    'later', '2026-02-10 12:00+00');
SELECT stage FROM mql.set_stage(7, 'mql',         'back',  '2026-02-15 12:00+00');
SELECT stage FROM mql.set_stage(7, 'recycled',    'again', '2026-03-01 12:00+00');
-- Lead 8: mql (February) -> sql, sent back to mql in March by an override
-- (sql -> mql is a backward move), then customer. Cohort February only.
SELECT stage FROM mql.set_stage(8, 'mql',         'MQL',   '2026-02-12 12:00+00');
SELECT stage FROM mql.set_stage(8, 'sql',         'SQL',   '2026-02-20 12:00+00');
SELECT stage FROM mql.force_stage(8, 'mql',       'SDR rejected it', '2026-03-03 12:00+00');
SELECT stage FROM mql.set_stage(8, 'customer',    'won',   '2026-03-20 12:00+00');
-- Lead 9: mql -> disqualified.
SELECT stage FROM mql.set_stage(9, 'mql',         'MQL',   '2026-03-02 12:00+00');
SELECT stage FROM mql.set_stage(9, 'disqualified','spam',  '2026-03-10 12:00+00');
-- Lead 10: first mql at 2026-02-01 03:30 UTC = 2026-01-31 22:30 in New York.
SELECT stage FROM mql.set_stage(10, 'mql',        'MQL',   '2026-02-01 03:30+00');
SELECT stage FROM mql.set_stage(10, 'customer',   'won',   '2026-02-20 12:00+00');
-- Lead 11: stays a lead: in no cohort.
-- Lead 12: mql -> sql -> opportunity, never a customer.
SELECT stage FROM mql.set_stage(12, 'mql',        'MQL',   '2026-03-04 12:00+00');
SELECT stage FROM mql.set_stage(12, 'sql',        'SQL',   '2026-03-15 12:00+00');
SELECT stage FROM mql.set_stage(12, 'opportunity','opp',   '2026-03-25 12:00+00');
-- Lead 13: became a customer (January) BEFORE its first mql, which an admin
-- recorded in February: cohort February, but not a customer "later".
SELECT stage FROM mql.set_stage(13, 'customer',   'won',   '2026-01-10 12:00+00');
SELECT stage FROM mql.force_stage(13, 'mql',      'data fix', '2026-02-01 12:00+00');
-- Lead 14: lead -> disqualified, never an mql: in no cohort.
SELECT stage FROM mql.set_stage(14, 'disqualified','student', '2026-01-21 12:00+00');

-- The history as written (one row per transition; 'created' rows included).
SELECT lead_id, from_stage, to_stage, changed_at, is_override
  FROM mql.stage_history ORDER BY lead_id, history_id;

-- Each lead's first entry into mql (first_mql_at) is what defines its cohort.
SELECT lead_id, stage, first_mql_at FROM mql.leads ORDER BY lead_id;

-- Hand computation, report_timezone = UTC (the default):
--   cohort lead  first mql   later customer?  recycled after 1st mql?  mql again after recycle?
--   2026-01   1  01-05       yes (02-15)      no                       -
--   2026-01   2  01-08       yes (03-01)      no                       -
--   2026-01   3  01-12       no               no                       -
--   2026-01   5  01-15       yes (03-05)      yes (01-25)              yes (02-10)
--   2026-02   6  02-03       no               yes (02-20)              no
--   2026-02   7  02-05       no               yes (02-10, 03-01)       yes (02-15)
--   2026-02   8  02-12       yes (03-20)      no                       -
--   2026-02  10  02-01 03:30 yes (02-20)      no                       -
--   2026-02  13  02-01       no (customer was BEFORE its first mql)    -
--   2026-03   9  03-02       no               no                       -
--   2026-03  12  03-04       no               no                       -
--   leads 4, 11 and 14 never entered mql: in no cohort.
-- mql_to_customer_rate (median_days_to_customer: the median of whole hours
-- from first mql to customer, over the customers, divided by 24):
--   2026-01-01  mqls 4  customers 3  rate 3/4 = 0.75  leads 1, 5, 2: 984, 1176, 1248 h -> 1176 h = 49 days
--   2026-02-01  mqls 5  customers 2  rate 2/5 = 0.4   leads 10, 8: 464 h (19 d 8.5 h, rounded down), 864 h
--                                                       -> (464 + 864) / 2 = 664 h = 27.666... days
--   2026-03-01  mqls 2  customers 0  rate 0/2 = 0     no customer: NULL
-- recycle_rate:
--   2026-01-01  mqls 4  recycled 1  requalified 1  recycle_rate 1/4 = 0.25  requalify_rate 1/1 = 1
--   2026-02-01  mqls 5  recycled 2  requalified 1  recycle_rate 2/5 = 0.4   requalify_rate 1/2 = 0.5
--   2026-03-01  mqls 2  recycled 0  requalified 0  recycle_rate 0/2 = 0     requalify_rate NULL (0 recycled)
SELECT cohort_month, mqls, customers, rate, median_days_to_customer
  FROM mql.mql_to_customer_rate ORDER BY cohort_month;
SELECT cohort_month, mqls, recycled, requalified, recycle_rate, requalify_rate
  FROM mql.recycle_rate ORDER BY cohort_month;

-- The same, asserted: the views equal the hand numbers exactly (EXCEPT both
-- ways; EXCEPT treats two NULLs as equal, so the NULL rate is checked too).
WITH hand(cohort_month, mqls, customers, rate, median_days_to_customer) AS (VALUES
  ('2026-01-01'::date, 4::bigint, 3::bigint, 3.0::float8 / 4, 1176.0::float8 / 24),
  ('2026-02-01'::date, 5::bigint, 2::bigint, 2.0::float8 / 5, 664.0::float8 / 24),
  ('2026-03-01'::date, 2::bigint, 0::bigint, 0::float8, NULL::float8))
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT SELECT cohort_month, mqls, customers, rate, median_days_to_customer FROM mql.mql_to_customer_rate)
   AND NOT EXISTS (SELECT cohort_month, mqls, customers, rate, median_days_to_customer FROM mql.mql_to_customer_rate EXCEPT SELECT * FROM hand) AS ok;
WITH hand(cohort_month, mqls, recycled, requalified, recycle_rate, requalify_rate) AS (VALUES
  ('2026-01-01'::date, 4::bigint, 1::bigint, 1::bigint, 1.0::float8 / 4, 1.0::float8),
  ('2026-02-01'::date, 5::bigint, 2::bigint, 1::bigint, 2.0::float8 / 5, 1.0::float8 / 2),
  ('2026-03-01'::date, 2::bigint, 0::bigint, 0::bigint, 0::float8,       NULL::float8))
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT SELECT cohort_month, mqls, recycled, requalified, recycle_rate, requalify_rate FROM mql.recycle_rate)
   AND NOT EXISTS (SELECT cohort_month, mqls, recycled, requalified, recycle_rate, requalify_rate FROM mql.recycle_rate EXCEPT SELECT * FROM hand) AS ok;

-- A cohort with no recycled lead has requalify_rate NULL (not 0, no error).
SELECT cohort_month, recycled, requalify_rate IS NULL AS requalify_rate_is_null
  FROM mql.recycle_rate ORDER BY cohort_month;

-- Both views agree on the cohorts and their sizes.
SELECT bool_and(c.mqls = r.mqls) AND count(*) = 3 AS ok
  FROM mql.mql_to_customer_rate AS c FULL JOIN mql.recycle_rate AS r USING (cohort_month);

-- Every rate is a fraction in [0, 1] (or NULL).
SELECT bool_and(rate BETWEEN 0 AND 1) AS ok FROM mql.mql_to_customer_rate;
SELECT bool_and(recycle_rate BETWEEN 0 AND 1)
   AND bool_and(coalesce(requalify_rate, 0) BETWEEN 0 AND 1) AS ok FROM mql.recycle_rate;

-- observed_days counts the days from the cohort's first day to today, so
-- its value depends on the day the test runs: checked against that rule.
SELECT bool_and(observed_days = (now() AT TIME ZONE 'UTC')::date - cohort_month) AS ok
  FROM mql.mql_to_customer_rate;
SELECT bool_and(observed_days = (now() AT TIME ZONE 'UTC')::date - cohort_month) AS ok
  FROM mql.recycle_rate;
-- And the rollup behind the views equals a recomputation from the history.
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();

-- The session's TimeZone does not move cohorts: only report_timezone does.
SET timezone = 'Asia/Tokyo';
SELECT cohort_month, mqls, customers, rate, median_days_to_customer
  FROM mql.mql_to_customer_rate ORDER BY cohort_month;
SET timezone = 'UTC';

-- Time zones. Under UTC lead 10's first mql (2026-02-01 03:30 UTC) is in
-- February. In New York it is 2026-01-31 22:30, so with
-- report_timezone = 'America/New_York' lead 10 moves to the January cohort.
-- Every other time above is 12:00 UTC = 07:00 New York, the same day, so
-- nothing else moves. Hand computation for New York:
-- mql_to_customer_rate:
--   2026-01-01  mqls 5 (1, 2, 3, 5, 10)  customers 4 (1, 2, 5, 10)  rate 4/5 = 0.8
--               hours 464, 984, 1176, 1248 -> (984 + 1176) / 2 = 1080 h = 45 days
--   2026-02-01  mqls 4 (6, 7, 8, 13)     customers 1 (8)             rate 1/4 = 0.25  864 h = 36 days
--   2026-03-01  mqls 2 (9, 12)           customers 0                 rate 0           NULL
-- recycle_rate:
--   2026-01-01  mqls 5  recycled 1 (5)     requalified 1 (5)  recycle_rate 1/5 = 0.2  requalify_rate 1
--   2026-02-01  mqls 4  recycled 2 (6, 7)  requalified 1 (7)  recycle_rate 2/4 = 0.5  requalify_rate 0.5
--   2026-03-01  mqls 2  recycled 0         requalified 0      recycle_rate 0          requalify_rate NULL
SELECT (changed_at AT TIME ZONE 'America/New_York') AS new_york_time,
       (changed_at AT TIME ZONE 'UTC') AS utc_time
  FROM mql.stage_history WHERE lead_id = 10 AND to_stage = 'mql';
UPDATE mql.settings SET report_timezone = 'America/New_York';
SELECT cohort_month, mqls, customers, rate, median_days_to_customer
  FROM mql.mql_to_customer_rate ORDER BY cohort_month;
SELECT cohort_month, mqls, recycled, requalified, recycle_rate, requalify_rate
  FROM mql.recycle_rate ORDER BY cohort_month;
WITH hand(cohort_month, mqls, customers, rate, median_days_to_customer) AS (VALUES
  ('2026-01-01'::date, 5::bigint, 4::bigint, 4.0::float8 / 5, 1080.0::float8 / 24),
  ('2026-02-01'::date, 4::bigint, 1::bigint, 1.0::float8 / 4, 864.0::float8 / 24),
  ('2026-03-01'::date, 2::bigint, 0::bigint, 0::float8, NULL::float8))
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT SELECT cohort_month, mqls, customers, rate, median_days_to_customer FROM mql.mql_to_customer_rate)
   AND NOT EXISTS (SELECT cohort_month, mqls, customers, rate, median_days_to_customer FROM mql.mql_to_customer_rate EXCEPT SELECT * FROM hand) AS ok;
WITH hand(cohort_month, mqls, recycled, requalified, recycle_rate, requalify_rate) AS (VALUES
  ('2026-01-01'::date, 5::bigint, 1::bigint, 1::bigint, 1.0::float8 / 5, 1.0::float8),
  ('2026-02-01'::date, 4::bigint, 2::bigint, 1::bigint, 2.0::float8 / 4, 1.0::float8 / 2),
  ('2026-03-01'::date, 2::bigint, 0::bigint, 0::bigint, 0::float8,       NULL::float8))
SELECT NOT EXISTS (SELECT * FROM hand EXCEPT SELECT cohort_month, mqls, recycled, requalified, recycle_rate, requalify_rate FROM mql.recycle_rate)
   AND NOT EXISTS (SELECT cohort_month, mqls, recycled, requalified, recycle_rate, requalify_rate FROM mql.recycle_rate EXCEPT SELECT * FROM hand) AS ok;
SELECT count(*) AS rollup_differences FROM mql.verify_rollups();
-- Back to UTC: lead 10 is in February again.
UPDATE mql.settings SET report_timezone = 'UTC';
SELECT cohort_month, mqls FROM mql.mql_to_customer_rate ORDER BY cohort_month;

-- A later history row for a lead already counted changes its flags, not its
-- cohort: lead 6 (February, recycled) re-qualifies in March.
SELECT stage FROM mql.set_stage(6, 'mql', 'back', '2026-03-20 12:00+00');
--   2026-02-01  mqls 5  recycled 2  requalified 2  recycle_rate 0.4  requalify_rate 1
--   2026-03-01  unchanged: mqls 2
SELECT cohort_month, mqls, recycled, requalified, recycle_rate, requalify_rate
  FROM mql.recycle_rate ORDER BY cohort_month;

-- The output columns and their types are the documented ones.
SELECT table_name, column_name, data_type
  FROM information_schema.columns
 WHERE table_schema = 'mql' AND table_name IN ('mql_to_customer_rate', 'recycle_rate')
 ORDER BY table_name, ordinal_position;

-- Every view of the extension (mql_cohort included) and every view column
-- carries a comment: nothing missing.
SELECT c.relname AS view_without_comment
  FROM pg_class AS c
 WHERE c.relnamespace = 'mql'::regnamespace AND c.relkind = 'v'
   AND coalesce(obj_description(c.oid, 'pg_class'), '') = ''
 ORDER BY 1;
SELECT c.relname, a.attname AS column_without_comment
  FROM pg_class AS c
  JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = 'mql'::regnamespace AND c.relkind = 'v'
   AND coalesce(col_description(c.oid, a.attnum), '') = ''
 ORDER BY 1, 2;
-- The same through pg_description directly: 2 view comments, 6 + 7 column comments.
SELECT c.relname, count(*) FILTER (WHERE d.objsubid = 0) AS view_comments,
       count(*) FILTER (WHERE d.objsubid > 0) AS column_comments
  FROM pg_class AS c
  JOIN pg_description AS d ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid
 WHERE c.oid IN ('mql.mql_to_customer_rate'::regclass, 'mql.recycle_rate'::regclass)
 GROUP BY c.relname ORDER BY c.relname;

-- mql.mql_cohort, which both views build on: one row per lead that ever
-- entered mql (11 of the 14), at its first entry, in the report time zone
-- (UTC again by now: lead 10 is in February).
SELECT lead_id, first_mql_at, cohort_month FROM mql.mql_cohort ORDER BY lead_id;
