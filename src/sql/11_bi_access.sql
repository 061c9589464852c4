-- Read-only access for BI tools: exactly the outcome views, nothing that
-- writes. The views read the tables with their owner's rights, so the BI
-- role needs no privilege on any table.

CREATE FUNCTION mql.bi_views() RETURNS SETOF regclass
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT v::regclass FROM pg_catalog.unnest(ARRAY[
      'mql.funnel', 'mql.funnel_by_source', 'mql.time_to_mql', 'mql.time_to_mql_by_source',
      'mql.mql_to_sql_rate', 'mql.mql_to_sql_rate_by_source', 'mql.mql_to_customer_rate',
      'mql.mql_to_customer_rate_by_source', 'mql.recycle_rate', 'mql.recycle_rate_by_source',
      'mql.speed_to_lead', 'mql.speed_to_lead_by_source', 'mql.mql_volume',
      'mql.stage_durations', 'mql.stage_durations_by_source']) AS v
  $$;
COMMENT ON FUNCTION mql.bi_views() IS 'The views a BI role may read.';

CREATE FUNCTION mql.grant_bi_access(role regrole) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $$
  DECLARE
    v regclass;
  BEGIN
    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA mql TO %s', role);
    FOR v IN SELECT * FROM mql.bi_views() LOOP
      EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %s', v, role);
    END LOOP;
  END
  $$;
COMMENT ON FUNCTION mql.grant_bi_access(regrole) IS
  'Lets a role read the BI views (and nothing else of pg_mql): USAGE on schema mql and SELECT on each view.';

CREATE FUNCTION mql.revoke_bi_access(role regrole) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $$
  DECLARE
    v regclass;
  BEGIN
    FOR v IN SELECT * FROM mql.bi_views() LOOP
      EXECUTE pg_catalog.format('REVOKE SELECT ON %s FROM %s', v, role);
    END LOOP;
    -- (defined in 12_access_levels.sql) keeps USAGE for another level.
    PERFORM mql.revoke_schema_usage_if_unused(role);
  END
  $$;
COMMENT ON FUNCTION mql.revoke_bi_access(regrole) IS
  'Undoes mql.grant_bi_access (USAGE on schema mql stays if the role keeps another privilege in it).';

REVOKE ALL ON FUNCTION mql.grant_bi_access(regrole) FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.revoke_bi_access(regrole) FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.rebuild_rollups() FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.compact_rollups(boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.refresh_lead_facts(bigint[]) FROM PUBLIC;

-- Trigger functions: firing a trigger checks no privilege, but creating one
-- needs EXECUTE on its function. Revoked so nobody can attach pg_mql's
-- (some SECURITY DEFINER) trigger functions to a table of their own.
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p
            WHERE p.pronamespace OPERATOR(pg_catalog.=) 'mql'::regnamespace
              AND p.prorettype OPERATOR(pg_catalog.=) 'pg_catalog.trigger'::regtype LOOP
    EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END
$$;
