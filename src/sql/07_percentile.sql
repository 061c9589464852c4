-- Percentiles over histograms: BI views keep durations as (whole hours,
-- count) rows; mql.percentile_hours gives exactly what percentile_cont
-- would over the expanded rows, without expanding them.

CREATE FUNCTION mql.percentile_hours_trans(internal, integer, bigint, double precision)
  RETURNS internal
  AS 'MODULE_PATHNAME', 'mql_percentile_hours_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION mql.percentile_hours_trans(internal, integer, bigint, double precision) IS
  'Transition function of mql.percentile_hours: collects (value, count) rows.';

CREATE FUNCTION mql.percentile_hours_final(internal) RETURNS double precision
  AS 'MODULE_PATHNAME', 'mql_percentile_hours_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION mql.percentile_hours_final(internal) IS
  'Final function of mql.percentile_hours: the interpolated percentile, NULL without rows.';

CREATE AGGREGATE mql.percentile_hours(integer, bigint, double precision) (
  SFUNC = mql.percentile_hours_trans,
  STYPE = internal,
  FINALFUNC = mql.percentile_hours_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE mql.percentile_hours(integer, bigint, double precision) IS
  'percentile_cont(fraction) WITHIN GROUP (ORDER BY value) over rows (value, count, fraction), each value counted count times; rows with a NULL value or count, or count <= 0, are skipped; fraction from the first row where it is not NULL, each in [0, 1]; NULL when no row counts.';
