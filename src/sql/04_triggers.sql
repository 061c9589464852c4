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
    IF NEW.half_life IS NOT NULL AND NEW.half_life OPERATOR(pg_catalog.<=) '0'::interval THEN
      RAISE EXCEPTION 'half_life must be positive, not %', NEW.half_life
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Use NULL for no decay.';
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
           AND cur.report_timezone OPERATOR(pg_catalog.=) 'UTC' THEN
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

-- Any change to the configuration: the next scoring reloads it.
CREATE FUNCTION mql.config_changed() RETURNS trigger
  AS 'MODULE_PATHNAME', 'mql_config_changed' LANGUAGE C;
CREATE TRIGGER settings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mql.settings
  FOR EACH STATEMENT EXECUTE FUNCTION mql.config_changed();
CREATE TRIGGER event_weights_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mql.event_weights
  FOR EACH STATEMENT EXECUTE FUNCTION mql.config_changed();
CREATE TRIGGER fit_rules_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mql.fit_rules
  FOR EACH STATEMENT EXECUTE FUNCTION mql.config_changed();
