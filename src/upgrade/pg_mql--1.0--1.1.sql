-- pg_mql 1.0 -> 1.1 (ALTER EXTENSION pg_mql UPDATE TO '1.1').
-- What changed, in the order of the install script's parts; test
-- sql/upgrade.sql checks that an updated database has exactly the objects,
-- definitions, privileges and comments of a fresh 1.1 install.
\echo Use "ALTER EXTENSION pg_mql UPDATE TO '1.1'" to load this file. \quit

-- Bad input: a time window for events and stage changes, and consistent
-- lead times (docs/bad-input.md), which the lead triggers now check.
-- Existing leads whose times contradict each other make the update fail;
-- fix them and update again.
ALTER TABLE mql.settings ADD COLUMN future_tolerance interval DEFAULT '1 day';
COMMENT ON COLUMN mql.settings.future_tolerance IS 'How far after the statement''s start an event or a stage change may be dated; NULL means no limit.';
DO $$
DECLARE
  bad bigint;
BEGIN
  SELECT pg_catalog.count(*) INTO bad FROM mql.leads AS l
   WHERE l.stage_changed_at OPERATOR(pg_catalog.<) l.created_at
      OR l.first_mql_at OPERATOR(pg_catalog.<) l.created_at
      OR l.first_mql_at OPERATOR(pg_catalog.>) l.stage_changed_at;
  IF bad OPERATOR(pg_catalog.>) 0 THEN
    RAISE EXCEPTION '% lead(s) have contradictory times', bad
      USING ERRCODE = 'check_violation',
            DETAIL = 'Their stage_changed_at is before their created_at, or their first_mql_at is not between the two.',
            HINT = 'Correct those leads, then run ALTER EXTENSION pg_mql UPDATE again.';
  END IF;
END
$$;
-- Every event updates its lead: free space on each page lets the update
-- stay on the page (a HOT update, no index entries). Applies to pages
-- written from now on.
ALTER TABLE mql.leads SET (fillfactor = 50);

-- Functions whose definition changed: pinned search_path (set_stage,
-- force_stage, the C statement triggers), fully qualified inlined SQL
-- (rate, observed_days, lead_contributions), SECURITY DEFINER rollup
-- maintenance, input bounds (settings_guard, event_weights_check), the
-- and revoke_bi_access keeping USAGE
-- for another access level.
CREATE OR REPLACE FUNCTION mql.set_stage(lead_id bigint, stage mql.stage, reason text DEFAULT NULL,
                              at timestamptz DEFAULT pg_catalog.now())
  RETURNS mql.leads
  AS 'MODULE_PATHNAME', 'mql_set_stage' LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION mql.force_stage(lead_id bigint, stage mql.stage, reason text,
                                at timestamptz DEFAULT pg_catalog.now())
  RETURNS mql.leads
  AS 'MODULE_PATHNAME', 'mql_force_stage' LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION mql.events_after_insert() RETURNS trigger
  AS 'MODULE_PATHNAME', 'mql_events_after_insert' LANGUAGE C
  SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION mql.leads_after_insert() RETURNS trigger
  AS 'MODULE_PATHNAME', 'mql_leads_after_insert' LANGUAGE C
  SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION mql.settings_guard() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $$
  DECLARE
    cur mql.settings;
  BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
      RAISE EXCEPTION 'mql.settings cannot be truncated'
        USING ERRCODE = 'restrict_violation',
              HINT = 'UPDATE mql.settings to change the settings.';
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
      -- Only settings_guard itself may delete, when a restore replaces the
      -- untouched defaults (see below).
      IF pg_catalog.pg_trigger_depth() OPERATOR(pg_catalog.>) 1 THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'the row of mql.settings cannot be deleted'
        USING ERRCODE = 'restrict_violation',
              HINT = 'UPDATE mql.settings to change the settings.';
    END IF;
    IF NEW.threshold IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8) THEN
      RAISE EXCEPTION 'threshold must be a finite number, not %', NEW.threshold
        USING ERRCODE = 'numeric_value_out_of_range';
    END IF;
    -- Bounded so every sum of points stays far from double overflow.
    IF pg_catalog.abs(NEW.threshold) OPERATOR(pg_catalog.>) 1e9::float8 THEN
      RAISE EXCEPTION 'threshold must be between -1000000000 and 1000000000, not %', NEW.threshold
        USING ERRCODE = 'numeric_value_out_of_range';
    END IF;
    IF NEW.half_life IS NOT NULL AND NEW.half_life OPERATOR(pg_catalog.<=) '0'::interval THEN
      RAISE EXCEPTION 'half_life must be positive, not %', NEW.half_life
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Use NULL for no decay.';
    END IF;
    -- Beyond 100 years decay is indistinguishable from none, and far beyond
    -- it the interval no longer fits in microseconds.
    IF NEW.half_life OPERATOR(pg_catalog.>) '100 years'::interval THEN
      RAISE EXCEPTION 'half_life must be at most 100 years, not %', NEW.half_life
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Use NULL for no decay.';
    END IF;
    IF NEW.future_tolerance OPERATOR(pg_catalog.<) '0'::interval
       OR NEW.future_tolerance OPERATOR(pg_catalog.>) '100 years'::interval THEN
      RAISE EXCEPTION 'future_tolerance must be between 0 and 100 years, not %', NEW.future_tolerance
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Use NULL to accept times however far in the future.';
    END IF;
    IF NEW.report_timezone IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names AS z
                    WHERE z.name OPERATOR(pg_catalog.=) NEW.report_timezone)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_abbrevs AS a
                        WHERE pg_catalog.lower(a.abbrev) OPERATOR(pg_catalog.=) pg_catalog.lower(NEW.report_timezone)) THEN
      RAISE EXCEPTION 'report_timezone "%" is not a known time zone', NEW.report_timezone
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Use a name from pg_timezone_names, such as UTC or Europe/Berlin.';
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
      SELECT * INTO cur FROM mql.settings;
      IF FOUND THEN
        -- A restore (pg_dump data of this table) meets the defaults that
        -- CREATE EXTENSION wrote: those it may replace; anything else is a
        -- second row and is refused.
        IF cur.threshold OPERATOR(pg_catalog.=) 100
           AND cur.half_life IS NOT DISTINCT FROM '30 days'::interval
           AND cur.report_timezone OPERATOR(pg_catalog.=) 'UTC'
           AND cur.future_tolerance IS NOT DISTINCT FROM '1 day'::interval THEN
          DELETE FROM mql.settings;
        ELSE
          RAISE EXCEPTION 'mql.settings already has its row'
            USING ERRCODE = 'unique_violation',
                  DETAIL = 'mql.settings holds exactly one row.',
                  HINT = 'UPDATE mql.settings SET ... instead.';
        END IF;
      END IF;
    END IF;
    RETURN NEW;
  END
  $$;

CREATE OR REPLACE FUNCTION mql.event_weights_check() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $$
  BEGIN
    IF pg_catalog.btrim(NEW.event_type) OPERATOR(pg_catalog.=) '' THEN
      RAISE EXCEPTION 'event_type must not be empty'
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NEW.weight IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8) THEN
      RAISE EXCEPTION 'weight of event type "%" must be a finite number, not %', NEW.event_type, NEW.weight
        USING ERRCODE = 'numeric_value_out_of_range';
    END IF;
    IF pg_catalog.abs(NEW.weight) OPERATOR(pg_catalog.>) 1e9::float8 THEN
      RAISE EXCEPTION 'weight of event type "%" must be between -1000000000 and 1000000000, not %', NEW.event_type, NEW.weight
        USING ERRCODE = 'numeric_value_out_of_range';
    END IF;
    RETURN NEW;
  END
  $$;

-- rescore_leads reads the half-life after its locks, as it reads the weights.
CREATE OR REPLACE FUNCTION mql.rescore_leads(lead_ids bigint[]) RETURNS bigint
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $$
  DECLARE
    hl interval;
    n bigint;
  BEGIN
    -- Lock in lead_id order, as the event trigger does, so a rescore cannot
    -- deadlock with concurrent inserts.
    PERFORM 1 FROM mql.leads AS l
      WHERE lead_ids IS NULL OR l.lead_id OPERATOR(pg_catalog.=) ANY (lead_ids)
      ORDER BY l.lead_id FOR UPDATE;
    -- Read after the locks: a configuration change committed by a
    -- transaction the locks waited for is used whole (its half-life with its
    -- weights).
    SELECT s.half_life INTO hl FROM mql.settings AS s;
    WITH ev AS (
      SELECT e.lead_id, e.occurred_at, COALESCE(w.weight, 0) AS weight,
             pg_catalog.max(e.occurred_at) OVER (PARTITION BY e.lead_id) AS last_at
      FROM mql.events AS e
      LEFT JOIN mql.event_weights AS w ON w.event_type OPERATOR(pg_catalog.=) e.event_type
      WHERE lead_ids IS NULL OR e.lead_id OPERATOR(pg_catalog.=) ANY (lead_ids)),
    agg AS (
      SELECT ev.lead_id, pg_catalog.max(ev.last_at) AS last_at,
             pg_catalog.sum(mql.decayed(ev.weight, ev.occurred_at, ev.last_at, hl)) AS intent
      FROM ev GROUP BY ev.lead_id),
    target AS (
      SELECT l.lead_id, agg.intent, agg.last_at
      FROM mql.leads AS l LEFT JOIN agg ON agg.lead_id OPERATOR(pg_catalog.=) l.lead_id
      WHERE lead_ids IS NULL OR l.lead_id OPERATOR(pg_catalog.=) ANY (lead_ids))
    UPDATE mql.leads AS l
       SET fit_score = NULL,                 -- NULL asks the trigger to recompute fit
           intent_score = COALESCE(target.intent, 0),
           score_at = target.last_at
      FROM target
     WHERE l.lead_id OPERATOR(pg_catalog.=) target.lead_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
  END
  $$;

CREATE OR REPLACE FUNCTION mql.rate(num bigint, den bigint) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT $1::double precision OPERATOR(pg_catalog./)
           CASE WHEN $2 OPERATOR(pg_catalog.<>) 0 THEN $2::double precision END
  $$;

CREATE OR REPLACE FUNCTION mql.observed_days(period date, tz text) RETURNS integer
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT (pg_catalog.now() AT TIME ZONE $2)::pg_catalog.date OPERATOR(pg_catalog.-) $1 $$;

CREATE OR REPLACE FUNCTION mql.lead_contributions(f mql.lead_facts, tz text)
  RETURNS TABLE (family text, by_source boolean, metric text, period date, source text,
                 campaign text, hours integer, n bigint)
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT c.family, sc.by_source, c.metric, c.period,
           CASE WHEN sc.by_source THEN ($1).source END,
           CASE WHEN sc.by_source THEN ($1).campaign END,
           c.hours, c.n
      FROM (
    SELECT 'created'::pg_catalog.text, 'leads'::pg_catalog.text,
           pg_catalog.date_trunc('month', ($1).created_at AT TIME ZONE $2)::pg_catalog.date, NULL::integer, 1::bigint
    UNION ALL
    SELECT 'created', 'reached_' OPERATOR(pg_catalog.||) r.stage,
           pg_catalog.date_trunc('month', ($1).created_at AT TIME ZONE $2)::pg_catalog.date, NULL, 1
      FROM (VALUES (2, 'mql'), (3, 'sql'), (4, 'opportunity'), (5, 'customer')) AS r(rank, stage)
     WHERE ($1).max_rank OPERATOR(pg_catalog.>=) r.rank
    UNION ALL
    SELECT 'created', 'hours_to_mql',
           pg_catalog.date_trunc('month', ($1).created_at AT TIME ZONE $2)::pg_catalog.date,
           pg_catalog.floor(pg_catalog.date_part('epoch', ($1).first_mql_at OPERATOR(pg_catalog.-) ($1).created_at) OPERATOR(pg_catalog./) 3600)::integer, 1
     WHERE ($1).first_mql_at IS NOT NULL
    UNION ALL
    SELECT 'first_mql', m.metric,
           pg_catalog.date_trunc('month', ($1).first_mql_at AT TIME ZONE $2)::pg_catalog.date, m.hours, 1
      FROM (VALUES
              ('mqls', NULL::integer, true),
              ('sqls', NULL, ($1).sql_at IS NOT NULL),
              ('customers', NULL, ($1).customer_at IS NOT NULL),
              ('recycled', NULL, ($1).recycled_at IS NOT NULL),
              ('requalified', NULL, ($1).requalified_at IS NOT NULL),
              ('touched', NULL, ($1).touch_at IS NOT NULL),
              ('hours_to_sql', pg_catalog.floor(pg_catalog.date_part('epoch', ($1).sql_at OPERATOR(pg_catalog.-) ($1).first_mql_at) OPERATOR(pg_catalog./) 3600)::integer, ($1).sql_at IS NOT NULL),
              ('hours_to_customer', pg_catalog.floor(pg_catalog.date_part('epoch', ($1).customer_at OPERATOR(pg_catalog.-) ($1).first_mql_at) OPERATOR(pg_catalog./) 3600)::integer, ($1).customer_at IS NOT NULL),
              ('hours_to_touch', pg_catalog.floor(pg_catalog.date_part('epoch', ($1).touch_at OPERATOR(pg_catalog.-) ($1).first_mql_at) OPERATOR(pg_catalog./) 3600)::integer, ($1).touch_at IS NOT NULL)
           ) AS m(metric, hours, applies)
     WHERE ($1).first_mql_at IS NOT NULL AND m.applies
    UNION ALL
    SELECT 'day', 'new_leads', (($1).created_at AT TIME ZONE $2)::pg_catalog.date, NULL, 1
    UNION ALL
    SELECT 'day', 'new_leads_qualified', (($1).created_at AT TIME ZONE $2)::pg_catalog.date, NULL, 1
     WHERE ($1).first_mql_at IS NOT NULL
    UNION ALL
    SELECT 'day', CASE WHEN e.ord OPERATOR(pg_catalog.=) 1 THEN 'first_mqls' ELSE 'requalifications' END,
           (e.at AT TIME ZONE $2)::pg_catalog.date, NULL, 1
      FROM pg_catalog.unnest(($1).mql_entries) WITH ORDINALITY AS e(at, ord)
    UNION ALL
    SELECT 'stage', 'entries:' OPERATOR(pg_catalog.||) s.stage::pg_catalog.text, NULL, NULL, pg_catalog.count(*)
      FROM pg_catalog.unnest(($1).entry_stages) AS s(stage)
     GROUP BY s.stage
    UNION ALL
    SELECT 'stage', 'stay:' OPERATOR(pg_catalog.||) s.stage::pg_catalog.text, NULL, s.hours, pg_catalog.count(*)
      FROM ROWS FROM (pg_catalog.unnest(($1).stay_stages), pg_catalog.unnest(($1).stay_hours)) AS s(stage, hours)
     GROUP BY s.stage, s.hours
           ) AS c(family, metric, period, hours, n)
     CROSS JOIN (VALUES (false), (true)) AS sc(by_source)
  $$;

CREATE OR REPLACE FUNCTION mql.compact_rollups(wait boolean DEFAULT true) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  DECLARE
    folded bigint;
  BEGIN
    IF wait THEN
      PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pg_mql.compact_rollups'));
    ELSIF NOT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('pg_mql.compact_rollups')) THEN
      RETURN 0;
    END IF;
    WITH moved AS (
      DELETE FROM mql.rollup_delta RETURNING family, by_source, metric, period, source, campaign, hours, n),
    sums AS (
      SELECT m.family, m.by_source, m.metric, m.period, m.source, m.campaign, m.hours,
             pg_catalog.sum(m.n)::bigint AS n, pg_catalog.count(*) AS rows
        FROM moved AS m
       GROUP BY m.family, m.by_source, m.metric, m.period, m.source, m.campaign, m.hours),
    merged AS (
      INSERT INTO mql.rollup AS r (family, by_source, metric, period, source, campaign, hours, n)
      SELECT s.family, s.by_source, s.metric, s.period, s.source, s.campaign, s.hours, s.n
        FROM sums AS s
       ORDER BY s.family, s.by_source, s.metric, s.period, s.source, s.campaign, s.hours
      ON CONFLICT ON CONSTRAINT rollup_key DO UPDATE SET n = r.n OPERATOR(pg_catalog.+) excluded.n
      RETURNING 1)
    SELECT COALESCE(pg_catalog.sum(s.rows), 0) INTO folded FROM sums AS s;
    -- Keys whose sum fell to 0 stay (they add nothing); rebuild_rollups()
    -- drops them.
    RETURN folded;
  END
  $$;

-- The facts refresh is C (src/glue/lead_facts.cpp): it writes only what
-- changed, without planning PL/pgSQL queries at each call.
CREATE OR REPLACE FUNCTION mql.refresh_lead_facts(lead_ids bigint[]) RETURNS void
  AS 'MODULE_PATHNAME', 'mql_refresh_lead_facts' LANGUAGE C
  SET search_path = pg_catalog, pg_temp;
CREATE OR REPLACE FUNCTION mql.stage_history_refresh_facts() RETURNS trigger
  AS 'MODULE_PATHNAME', 'mql_stage_history_refresh_facts' LANGUAGE C SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION mql.rebuild_rollups() RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  SET jit = off
  AS $$
  DECLARE
    tz text;
    n bigint;
  BEGIN
    LOCK TABLE mql.lead_facts, mql.rollup, mql.rollup_delta IN EXCLUSIVE MODE;
    SELECT s.report_timezone INTO tz FROM mql.settings AS s;
    DELETE FROM mql.lead_facts;
    DELETE FROM mql.rollup;
    DELETE FROM mql.rollup_delta;
    INSERT INTO mql.lead_facts
    SELECT * FROM mql.compute_lead_facts(ARRAY(SELECT l.lead_id FROM mql.leads AS l));
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO mql.rollup (family, by_source, metric, period, source, campaign, hours, n)
    SELECT c.family, c.by_source, c.metric, c.period, c.source, c.campaign, c.hours,
           pg_catalog.sum(c.n)::bigint
      FROM mql.lead_facts AS f, mql.lead_contributions(f, tz) AS c
     GROUP BY 1, 2, 3, 4, 5, 6, 7;
    RETURN n;
  END
  $$;

-- The sales-touch refresh moved into the C event trigger (one fewer
-- trigger per event statement).
DROP TRIGGER events_score_touches ON mql.events;
DROP FUNCTION mql.events_refresh_touches();

CREATE OR REPLACE FUNCTION mql.revoke_bi_access(role regrole) RETURNS void
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

-- Restores run with session_replication_role = replica (docs/operations.md);
-- the settings table's guards still fire then.
ALTER TABLE mql.settings ENABLE ALWAYS TRIGGER settings_guard;
ALTER TABLE mql.settings ENABLE ALWAYS TRIGGER settings_no_truncate;

-- Contradictory fit rules are refused.
CREATE FUNCTION mql.fit_rules_consistent() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $$
  DECLARE
    r mql.fit_rules;
    o mql.fit_rules;
  BEGIN
    SELECT * INTO r FROM mql.fit_rules AS x WHERE x.rule_id OPERATOR(pg_catalog.=) NEW.rule_id;
    IF NOT FOUND OR r.effect OPERATOR(pg_catalog.=) 'score' THEN
      RETURN NULL;
    END IF;
    SELECT x.* INTO o
      FROM mql.fit_rules AS x,
           LATERAL (SELECT
             -- the lead must have the attribute / must not have it
             (x.effect OPERATOR(pg_catalog.=) 'require' AND x.op OPERATOR(pg_catalog.<>) 'not exists')
               OR (x.effect OPERATOR(pg_catalog.=) 'exclude' AND x.op OPERATOR(pg_catalog.=) 'not exists') AS x_present,
             (x.effect OPERATOR(pg_catalog.=) 'require' AND x.op OPERATOR(pg_catalog.=) 'not exists')
               OR (x.effect OPERATOR(pg_catalog.=) 'exclude' AND x.op OPERATOR(pg_catalog.=) 'exists') AS x_absent,
             (r.effect OPERATOR(pg_catalog.=) 'require' AND r.op OPERATOR(pg_catalog.<>) 'not exists')
               OR (r.effect OPERATOR(pg_catalog.=) 'exclude' AND r.op OPERATOR(pg_catalog.=) 'not exists') AS r_present,
             (r.effect OPERATOR(pg_catalog.=) 'require' AND r.op OPERATOR(pg_catalog.=) 'not exists')
               OR (r.effect OPERATOR(pg_catalog.=) 'exclude' AND r.op OPERATOR(pg_catalog.=) 'exists') AS r_absent,
             pg_catalog.jsonb_typeof(x.value) AS xt, pg_catalog.jsonb_typeof(r.value) AS rt,
             'ABCDEFGHIJKLMNOPQRSTUVWXYZ'::text AS upper, 'abcdefghijklmnopqrstuvwxyz'::text AS lower) AS k
     WHERE x.rule_id OPERATOR(pg_catalog.<>) r.rule_id
       AND x.attribute OPERATOR(pg_catalog.=) r.attribute
       AND x.effect OPERATOR(pg_catalog.<>) 'score'
       AND ((k.x_present AND k.r_absent) OR (k.x_absent AND k.r_present)
            OR (x.effect OPERATOR(pg_catalog.<>) r.effect AND x.op OPERATOR(pg_catalog.=) r.op
                AND x.value IS NOT DISTINCT FROM r.value)
            OR (x.effect OPERATOR(pg_catalog.=) 'require' AND r.effect OPERATOR(pg_catalog.=) 'require'
                AND x.value OPERATOR(pg_catalog.=) r.value
                AND ARRAY[x.op, r.op] OPERATOR(pg_catalog.<@) ARRAY['=', '<>', 'in', 'not in']
                AND x.op OPERATOR(pg_catalog.<>) r.op
                AND (x.op IN ('=', '<>')) OPERATOR(pg_catalog.=) (r.op IN ('=', '<>')))
            OR (x.effect OPERATOR(pg_catalog.=) 'require' AND r.effect OPERATOR(pg_catalog.=) 'require'
                AND x.op OPERATOR(pg_catalog.=) '=' AND r.op OPERATOR(pg_catalog.=) '='
                AND (-- a boolean equals only a boolean
                     ((k.xt OPERATOR(pg_catalog.=) 'boolean' OR k.rt OPERATOR(pg_catalog.=) 'boolean')
                      AND x.value OPERATOR(pg_catalog.<>) r.value)
                     -- numbers compare as double precision, as the matcher does
                     OR CASE WHEN k.xt OPERATOR(pg_catalog.=) 'number' AND k.rt OPERATOR(pg_catalog.=) 'number'
                             THEN x.value::pg_catalog.float8 OPERATOR(pg_catalog.<>) r.value::pg_catalog.float8
                             ELSE false END
                     -- strings compare ignoring ASCII case, as the matcher
                     -- does; one without a digit can never read as a number
                     OR (k.xt OPERATOR(pg_catalog.=) 'string' AND k.rt OPERATOR(pg_catalog.=) 'string'
                         AND pg_catalog.translate(x.value OPERATOR(pg_catalog.#>>) '{}', k.upper, k.lower)
                             OPERATOR(pg_catalog.<>) pg_catalog.translate(r.value OPERATOR(pg_catalog.#>>) '{}', k.upper, k.lower)
                         AND (x.value OPERATOR(pg_catalog.#>>) '{}') OPERATOR(pg_catalog.!~) '[0-9]'
                         AND (r.value OPERATOR(pg_catalog.#>>) '{}') OPERATOR(pg_catalog.!~) '[0-9]')
                     OR (k.xt OPERATOR(pg_catalog.=) 'number' AND k.rt OPERATOR(pg_catalog.=) 'string'
                         AND (r.value OPERATOR(pg_catalog.#>>) '{}') OPERATOR(pg_catalog.!~) '[0-9]')
                     OR (k.xt OPERATOR(pg_catalog.=) 'string' AND k.rt OPERATOR(pg_catalog.=) 'number'
                         AND (x.value OPERATOR(pg_catalog.#>>) '{}') OPERATOR(pg_catalog.!~) '[0-9]'))))
     ORDER BY x.rule_id
     LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'fit rule % contradicts fit rule %', r.rule_id, o.rule_id
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = pg_catalog.format('Rule %s (%s %s %s%s) and rule %s (%s %s %s%s) cannot both hold, so no lead could qualify automatically.',
                         o.rule_id, o.effect, o.attribute, o.op, COALESCE(' ' OPERATOR(pg_catalog.||) o.value::text, ''),
                         r.rule_id, r.effect, r.attribute, r.op, COALESCE(' ' OPERATOR(pg_catalog.||) r.value::text, '')),
              HINT = 'Change or delete one of them. To replace rules over several statements, run SET CONSTRAINTS mql.fit_rules_consistent DEFERRED in the transaction first.';
    END IF;
    RETURN NULL;
  END
  $$;

CREATE CONSTRAINT TRIGGER fit_rules_consistent
  AFTER INSERT OR UPDATE ON mql.fit_rules
  DEFERRABLE INITIALLY IMMEDIATE
  FOR EACH ROW EXECUTE FUNCTION mql.fit_rules_consistent();

-- Access levels for applications and marketing ops (docs/security.md).
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
REVOKE ALL ON FUNCTION mql.fit_rules_consistent() FROM PUBLIC;
