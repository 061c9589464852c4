-- mql.percentile_hours(value, count, fraction): percentile_cont over a
-- histogram of (whole hours, count) rows, equal to percentile_cont over the
-- expanded rows, without expanding them.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
RESET client_min_messages;
SET search_path = public, mql;
\set VERBOSITY default

---------------------------------------------------------------------------
-- Small histograms, checked by hand.
-- 1, 2, 3, 4: median at position 1.5, between 2 and 3.
SELECT mql.percentile_hours(h, c, 0.5) AS median
FROM (VALUES (4, 1), (2, 1), (1, 1), (3, 1)) AS t(h, c);
-- 10, 10, 10, 20: median 10; p90 at position 2.7, 10 + 0.7 * 10 (rounded).
SELECT mql.percentile_hours(h, c, 0.5) AS median,
       round(mql.percentile_hours(h, c, 0.9)::numeric, 10) AS p90,
       mql.percentile_hours(h, c, 0) AS p0,
       mql.percentile_hours(h, c, 1) AS p100
FROM (VALUES (20, 1), (10, 3)) AS t(h, c);
-- Zero and negative counts contribute no row: 1, 1, 5.
SELECT mql.percentile_hours(h, c, 0.5) AS median
FROM (VALUES (1, 2), (3, 0), (5, 1), (7, -4)) AS t(h, c);
-- Negative values: -5, -5, 3, 3.
SELECT mql.percentile_hours(h, c, 0.5) AS median
FROM (VALUES (3, 2), (-5, 2)) AS t(h, c);
-- Grouped, as a BI view uses it.
SELECT g, mql.percentile_hours(h, c, 0.5) AS median
FROM (VALUES ('a', 1, 1), ('a', 2, 1), ('b', 7, 5), ('c', 0, 0)) AS t(g, h, c)
GROUP BY g ORDER BY g;

---------------------------------------------------------------------------
-- Generated histograms against percentile_cont over the expanded rows.
-- Case k has 1 + k % 11 buckets; values repeat across buckets, are scaled
-- by 1, 7, 1000 or 123457, and counts run from -1 to 7 (<= 0: no row).
CREATE TEMP TABLE hist AS
SELECT k, b,
       (((b * 37 + k * 11) % 23) - 5)
         * (CASE k % 4 WHEN 0 THEN 1 WHEN 1 THEN 7 WHEN 2 THEN 1000 ELSE 123457 END) AS hours,
       ((b * 13 + k * 7) % 9 - 1)::bigint AS cnt
FROM generate_series(1, 200) AS k, generate_series(1, 1 + k % 11) AS b;
-- Histograms whose counts are all <= 0 (the result is NULL), a single bucket,
-- and large counts (a hundred thousand expanded rows).
INSERT INTO hist VALUES (201, 1, 5, 0), (201, 2, 9, -3),
                        (202, 1, 42, 1),
                        (203, 1, 3, 50000), (203, 2, 7, 50001), (203, 3, 11, 1),
                        (204, 1, 2147483647, 3), (204, 2, -2147483648, 2), (204, 3, 0, 1);
CREATE TEMP TABLE fractions AS
SELECT p::double precision AS p
FROM unnest(ARRAY[0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1]) AS p
UNION ALL SELECT 1.0::double precision / 3;
CREATE TEMP TABLE ours AS
SELECT k, p, mql.percentile_hours(hours, cnt, p) AS v
FROM hist CROSS JOIN fractions GROUP BY k, p;
-- A bucket with cnt <= 0 still yields one row, with a NULL value, which
-- percentile_cont ignores: such a case gives NULL, as ours does.
CREATE TEMP TABLE reference AS
SELECT k, p, percentile_cont(p) WITHIN GROUP (ORDER BY CASE WHEN g IS NOT NULL THEN hours END) AS v
FROM hist LEFT JOIN LATERAL generate_series(1, cnt) AS g ON true CROSS JOIN fractions
GROUP BY k, p;
SELECT count(*) AS cases,
       count(*) FILTER (WHERE o.p IS NULL OR r.p IS NULL OR o.v IS DISTINCT FROM r.v) AS mismatches,
       count(*) FILTER (WHERE o.v IS NULL) AS null_results,
       count(*) FILTER (WHERE o.v <> trunc(o.v)) AS interpolated
FROM ours AS o FULL JOIN reference AS r USING (k, p);
-- The large and extreme cases, by value.
SELECT k, p, o.v AS ours, r.v AS percentile_cont
FROM ours AS o JOIN reference AS r USING (k, p)
WHERE k IN (203, 204) AND p IN (0, 0.5, 0.95, 1)
ORDER BY k, p;

---------------------------------------------------------------------------
-- NULLs and empty input.
-- Rows with a NULL value or count are skipped: 1, 5.
SELECT mql.percentile_hours(h, c, 0.5) AS median
FROM (VALUES (1, 1), (NULL, 5), (3, NULL), (5, 1)) AS t(h, c);
-- No rows, only NULL rows, only zero counts: NULL.
SELECT mql.percentile_hours(hours, cnt, 0.5) IS NULL AS no_rows FROM hist WHERE false;
SELECT mql.percentile_hours(h, c, 0.5) IS NULL AS null_rows
FROM (VALUES (NULL::integer, NULL::bigint), (NULL, 1), (1, NULL)) AS t(h, c);
SELECT mql.percentile_hours(h, c, 0.5) IS NULL AS zero_counts
FROM (VALUES (1, 0), (2, 0)) AS t(h, c);
-- A NULL fraction on every row: NULL, as percentile_cont(NULL).
SELECT mql.percentile_hours(h, c, NULL) IS NULL AS null_fraction
FROM (VALUES (1, 1), (2, 1)) AS t(h, c);
-- The fraction is the first non-NULL one, in aggregation order.
SELECT mql.percentile_hours(h, c, f ORDER BY i) AS first_fraction_is_0
FROM (VALUES (1, 3, 1, NULL), (2, 1, 1, 0), (3, 2, 1, 1)) AS t(i, h, c, f);

-- As a window function: the final function runs after every row, and the
-- transition function keeps going after it.
SELECT i, h, c, mql.percentile_hours(h, c, 0.5) OVER (ORDER BY i) AS running_median
FROM (VALUES (1, 9, 1), (2, 1, 1), (3, 5, 2), (4, 3, 0), (5, 2, 1),
            (6, 0, 3)) AS t(i, h, c)
ORDER BY i;

---------------------------------------------------------------------------
-- Errors: a fraction outside [0, 1] or NaN (22003), and a total count
-- beyond bigint (22003).
SELECT mql.percentile_hours(h, c, 1.5) FROM (VALUES (1, 1)) AS t(h, c);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.percentile_hours(h, c, -0.1) FROM (VALUES (1, 1)) AS t(h, c);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.percentile_hours(h, c, 'NaN') FROM (VALUES (1, 1)) AS t(h, c);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.percentile_hours(h, c, '-Infinity') FROM (VALUES (1, 1)) AS t(h, c);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- Checked on rows whose value or count is NULL too.
SELECT mql.percentile_hours(h, c, 2) FROM (VALUES (NULL::integer, NULL::bigint)) AS t(h, c);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.percentile_hours(h, c, 0.5)
FROM (VALUES (1, 9223372036854775807), (2, 1)) AS t(h, c);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- The largest total is accepted.
SELECT mql.percentile_hours(h, c, 1)
FROM (VALUES (1, 9223372036854775806), (2, 1)) AS t(h, c);
