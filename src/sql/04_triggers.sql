-- Triggers: scoring and qualification on events, bookkeeping and guardrails
-- on leads, validation of the configuration, an append-only history.

-- The C trigger functions that run SQL (SPI) write every name in it
-- schema-qualified, operators included, so the caller's search_path cannot
-- change what they do. The statement-level ones also pin search_path (one
-- SET per statement costs nothing measurable); the row-level ones do not,
-- as a SET clause costs about 1 us per row (docs/security.md).
CREATE FUNCTION mql.events_after_insert() RETURNS trigger
  AS 'MODULE_PATHNAME', 'mql_events_after_insert' LANGUAGE C
  SET search_path = pg_catalog, pg_temp;
CREATE TRIGGER events_score
  AFTER INSERT ON mql.events
  REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION mql.events_after_insert();

-- UPDATE or DELETE of events: recompute the intent of the leads involved
-- (a stage already reached is never taken back).
-- SECURITY DEFINER (pinned search_path; a trigger function cannot be
-- called directly): a role allowed to change events needs no privilege on
-- the derived data, and can only rescore the leads of the changed events.
CREATE FUNCTION mql.events_after_change() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  DECLARE
    ids bigint[];
  BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
      ids := ARRAY(SELECT DISTINCT o.lead_id FROM old_events AS o ORDER BY 1);
    ELSE
      ids := ARRAY(SELECT o.lead_id FROM old_events AS o
                   UNION SELECT n.lead_id FROM new_events AS n ORDER BY 1);
    END IF;
    PERFORM mql.rescore_leads(ids);
    -- Sales touches may have changed (the funnel facts read events too).
    PERFORM mql.refresh_lead_facts(ids);
    RETURN NULL;
  END
  $$;
CREATE TRIGGER events_rescore_on_update
  AFTER UPDATE ON mql.events
  REFERENCING OLD TABLE AS old_events NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION mql.events_after_change();
CREATE TRIGGER events_rescore_on_delete
  AFTER DELETE ON mql.events
  REFERENCING OLD TABLE AS old_events
  FOR EACH STATEMENT EXECUTE FUNCTION mql.events_after_change();

CREATE FUNCTION mql.leads_before_insert() RETURNS trigger
  AS 'MODULE_PATHNAME', 'mql_leads_before_insert' LANGUAGE C;
CREATE TRIGGER leads_before_insert
  BEFORE INSERT ON mql.leads
  FOR EACH ROW EXECUTE FUNCTION mql.leads_before_insert();

CREATE FUNCTION mql.leads_before_update() RETURNS trigger
  AS 'MODULE_PATHNAME', 'mql_leads_before_update' LANGUAGE C;
CREATE TRIGGER leads_before_update
  BEFORE UPDATE ON mql.leads
  FOR EACH ROW EXECUTE FUNCTION mql.leads_before_update();

-- New leads: one 'created' history row each, written in one statement; a
-- lead whose fit alone reaches the threshold is then re-judged (and
-- qualified) by the update trigger.
CREATE FUNCTION mql.leads_after_insert() RETURNS trigger
  AS 'MODULE_PATHNAME', 'mql_leads_after_insert' LANGUAGE C
  SET search_path = pg_catalog, pg_temp;
CREATE TRIGGER leads_after_insert
  AFTER INSERT ON mql.leads
  REFERENCING NEW TABLE AS new_leads
  FOR EACH STATEMENT EXECUTE FUNCTION mql.leads_after_insert();

-- mql.stage_history is append-only, for everyone including its owner.
CREATE FUNCTION mql.stage_history_append_only() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $$
  BEGIN
    RAISE EXCEPTION 'mql.stage_history is append-only: % is not allowed', TG_OP
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'Stage history is an audit trail; every row stays as it was written.',
            HINT = 'To correct a stage, call mql.force_stage() with a reason: it adds a row.';
  END
  $$;
CREATE TRIGGER stage_history_no_update_delete
  BEFORE UPDATE OR DELETE ON mql.stage_history
  FOR EACH ROW EXECUTE FUNCTION mql.stage_history_append_only();
CREATE FUNCTION mql.stage_history_guard() RETURNS trigger
  AS 'MODULE_PATHNAME', 'mql_stage_history_guard' LANGUAGE C;
CREATE TRIGGER stage_history_written_by_pg_mql
  BEFORE INSERT ON mql.stage_history
  FOR EACH ROW EXECUTE FUNCTION mql.stage_history_guard();
CREATE TRIGGER stage_history_no_truncate
  BEFORE TRUNCATE ON mql.stage_history
  FOR EACH STATEMENT EXECUTE FUNCTION mql.stage_history_append_only();

-- mql.settings: exactly one valid row.
CREATE FUNCTION mql.settings_guard() RETURNS trigger
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
CREATE TRIGGER settings_guard
  BEFORE INSERT OR UPDATE OR DELETE ON mql.settings
  FOR EACH ROW EXECUTE FUNCTION mql.settings_guard();
CREATE TRIGGER settings_no_truncate
  BEFORE TRUNCATE ON mql.settings
  FOR EACH STATEMENT EXECUTE FUNCTION mql.settings_guard();
-- A restore loads rows with session_replication_role = replica, which
-- silences pg_mql's other triggers (docs/operations.md). These two still
-- fire then: the dumped settings row replaces the defaults that CREATE
-- EXTENSION wrote, and the table still holds exactly one valid row.
ALTER TABLE mql.settings ENABLE ALWAYS TRIGGER settings_guard;
ALTER TABLE mql.settings ENABLE ALWAYS TRIGGER settings_no_truncate;

CREATE FUNCTION mql.event_weights_check() RETURNS trigger
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
CREATE TRIGGER event_weights_check
  BEFORE INSERT OR UPDATE ON mql.event_weights
  FOR EACH ROW EXECUTE FUNCTION mql.event_weights_check();

CREATE FUNCTION mql.fit_rules_check() RETURNS trigger
  AS 'MODULE_PATHNAME', 'mql_fit_rules_check' LANGUAGE C;
CREATE TRIGGER fit_rules_check
  BEFORE INSERT OR UPDATE ON mql.fit_rules
  FOR EACH ROW EXECUTE FUNCTION mql.fit_rules_check();

-- Two require/exclude rules that no lead can satisfy together would silently
-- stop every automatic qualification: refused. Only certain contradictions
-- are detected (no false alarm): one needs the attribute present and the
-- other absent; one requires what the other excludes; a condition and its
-- negation both required; two required '=' values no attribute can equal
-- both. A constraint trigger, so it judges the statement's final rules, and
-- SET CONSTRAINTS mql.fit_rules_consistent DEFERRED moves it to COMMIT.
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

-- Any change to the configuration: the next scoring reloads it.
CREATE FUNCTION mql.config_changed() RETURNS trigger
  AS 'MODULE_PATHNAME', 'mql_config_changed' LANGUAGE C;
CREATE TRIGGER settings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mql.settings
  FOR EACH STATEMENT EXECUTE FUNCTION mql.config_changed();
CREATE TRIGGER event_weights_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mql.event_weights
  FOR EACH STATEMENT EXECUTE FUNCTION mql.config_changed();
CREATE TRIGGER fit_rules_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mql.fit_rules
  FOR EACH STATEMENT EXECUTE FUNCTION mql.config_changed();
