-- Privilege levels beyond BI (11_bi_access.sql): applications and sales
-- ("app"), and marketing operations ("ops"). pg_mql creates no role (roles
-- are cluster-wide); these functions grant to a role the caller names.
-- Both run with the caller's privileges, not SECURITY DEFINER: only a role
-- that may grant on pg_mql's objects (its owner, a superuser) can use them.

-- What each level holds, one GRANT per row: the single source for the grant
-- and revoke functions and for docs/security.md. ops includes app.
CREATE FUNCTION mql.access_privileges(level text)
  RETURNS TABLE (privilege text, object text)
  LANGUAGE plpgsql IMMUTABLE
  SET search_path = pg_catalog, pg_temp
  AS $$
  BEGIN
    IF level IS NULL OR level OPERATOR(pg_catalog.<>) ALL (ARRAY['app', 'ops']) THEN
      RAISE EXCEPTION 'unknown access level "%"', level
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'The levels are app and ops (BI: mql.grant_bi_access).';
    END IF;
    RETURN QUERY VALUES
      ('USAGE', 'SCHEMA mql'),
      ('SELECT, INSERT', 'TABLE mql.leads'),
      ('UPDATE (email, source, campaign, attributes, stage, stage_changed_at)', 'TABLE mql.leads'),
      ('SELECT, INSERT', 'TABLE mql.events'),
      ('USAGE', 'SEQUENCE mql.events_event_id_seq'),
      ('SELECT', 'TABLE mql.stage_history'),
      ('SELECT', 'TABLE mql.settings'),
      ('SELECT', 'TABLE mql.event_weights'),
      ('SELECT', 'TABLE mql.fit_rules'),
      ('EXECUTE', 'FUNCTION mql.set_stage(bigint, mql.stage, text, timestamptz)');
    IF level OPERATOR(pg_catalog.=) 'ops' THEN
      RETURN QUERY VALUES
        ('UPDATE, DELETE', 'TABLE mql.leads'),
        ('UPDATE, DELETE', 'TABLE mql.events'),
        ('UPDATE', 'TABLE mql.settings'),
        ('INSERT, UPDATE, DELETE', 'TABLE mql.event_weights'),
        ('INSERT, UPDATE, DELETE', 'TABLE mql.fit_rules'),
        ('USAGE', 'SEQUENCE mql.fit_rules_rule_id_seq'),
        ('SELECT', 'TABLE mql.lead_facts'),
        ('SELECT', 'TABLE mql.rollup'),
        ('SELECT', 'TABLE mql.rollup_delta'),
        ('EXECUTE', 'FUNCTION mql.force_stage(bigint, mql.stage, text, timestamptz)'),
        ('EXECUTE', 'FUNCTION mql.rescore(bigint)'),
        ('EXECUTE', 'FUNCTION mql.rescore_leads(bigint[])'),
        ('EXECUTE', 'FUNCTION mql.rebuild_rollups()'),
        ('EXECUTE', 'FUNCTION mql.compact_rollups(boolean)');
    END IF;
  END
  $$;
COMMENT ON FUNCTION mql.access_privileges(text) IS
  'The privileges of an access level (app or ops; ops includes app), one GRANT per row: what mql.grant_app_access and mql.grant_ops_access grant.';

-- Revokes USAGE on schema mql unless the role still holds a privilege on
-- something in it (another level, or a grant of its own).
CREATE FUNCTION mql.revoke_schema_usage_if_unused(role regrole) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $$
  BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class AS c, pg_catalog.aclexplode(c.relacl) AS a
                    WHERE c.relnamespace OPERATOR(pg_catalog.=) 'mql'::pg_catalog.regnamespace
                      AND a.grantee OPERATOR(pg_catalog.=) role::pg_catalog.oid)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class AS c
                         JOIN pg_catalog.pg_attribute AS t ON t.attrelid OPERATOR(pg_catalog.=) c.oid,
                              pg_catalog.aclexplode(t.attacl) AS a
                        WHERE c.relnamespace OPERATOR(pg_catalog.=) 'mql'::pg_catalog.regnamespace
                          AND a.grantee OPERATOR(pg_catalog.=) role::pg_catalog.oid)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc AS p, pg_catalog.aclexplode(p.proacl) AS a
                        WHERE p.pronamespace OPERATOR(pg_catalog.=) 'mql'::pg_catalog.regnamespace
                          AND a.grantee OPERATOR(pg_catalog.=) role::pg_catalog.oid) THEN
      EXECUTE pg_catalog.format('REVOKE USAGE ON SCHEMA mql FROM %s', role);
    END IF;
  END
  $$;
COMMENT ON FUNCTION mql.revoke_schema_usage_if_unused(regrole) IS
  'Revokes USAGE on schema mql from a role that holds no privilege on any table, view, sequence or function of it any more.';

-- Grants (or revokes) one level.
CREATE FUNCTION mql.change_access(role regrole, level text, grant_it boolean) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $$
  DECLARE
    p record;
  BEGIN
    IF role IS NULL THEN
      RAISE EXCEPTION 'role must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    FOR p IN SELECT * FROM mql.access_privileges(level) LOOP
      IF grant_it THEN
        EXECUTE pg_catalog.format('GRANT %s ON %s TO %s', p.privilege, p.object, role);
      ELSIF p.object OPERATOR(pg_catalog.<>) 'SCHEMA mql' THEN
        EXECUTE pg_catalog.format('REVOKE %s ON %s FROM %s', p.privilege, p.object, role);
      END IF;
    END LOOP;
    IF NOT grant_it THEN
      PERFORM mql.revoke_schema_usage_if_unused(role);
    END IF;
  END
  $$;
COMMENT ON FUNCTION mql.change_access(regrole, text, boolean) IS
  'Grants (true) or revokes (false) the privileges of mql.access_privileges(level) to or from a role.';

CREATE FUNCTION mql.grant_app_access(role regrole) RETURNS void
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT mql.change_access($1, 'app', true) $$;
COMMENT ON FUNCTION mql.grant_app_access(regrole) IS
  'Lets a role (an application, a sales tool) write leads and events, move stages with mql.set_stage and read leads, events, history and configuration: see mql.access_privileges(''app'').';

CREATE FUNCTION mql.revoke_app_access(role regrole) RETURNS void
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT mql.change_access($1, 'app', false) $$;
COMMENT ON FUNCTION mql.revoke_app_access(regrole) IS
  'Undoes mql.grant_app_access (USAGE on schema mql stays if the role keeps another privilege in it).';

CREATE FUNCTION mql.grant_ops_access(role regrole) RETURNS void
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT mql.change_access($1, 'ops', true) $$;
COMMENT ON FUNCTION mql.grant_ops_access(regrole) IS
  'Lets a role (marketing operations) do what the app level does and change weights, rules and settings, correct stages with mql.force_stage, rescore, delete leads and events and rebuild the rollups: see mql.access_privileges(''ops'').';

CREATE FUNCTION mql.revoke_ops_access(role regrole) RETURNS void
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT mql.change_access($1, 'ops', false) $$;
COMMENT ON FUNCTION mql.revoke_ops_access(regrole) IS
  'Undoes mql.grant_ops_access, the app-level privileges included (USAGE on schema mql stays if the role keeps another privilege in it).';

REVOKE ALL ON FUNCTION mql.revoke_schema_usage_if_unused(regrole) FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.change_access(regrole, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.grant_app_access(regrole) FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.revoke_app_access(regrole) FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.grant_ops_access(regrole) FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.revoke_ops_access(regrole) FROM PUBLIC;
