-- Funnel analytics at scale: per-lead facts derived from mql.stage_history,
-- and a small rollup of their contributions that the BI views read.
--
-- mql.lead_facts holds, per lead, what the funnel metrics need (first MQL,
-- first SQL after it, first sales touch, every stay in a stage...).
-- mql.lead_contributions() turns one facts row into the counter and
-- histogram rows it adds to the rollup. Whenever a lead's facts change
-- (a history row, a sales touch, a change of source, campaign or
-- created_at), mql.refresh_lead_facts() subtracts the lead's old
-- contributions and adds its new ones, in the same transaction. Writers only
-- ever INSERT into mql.rollup_delta (no row locks, so concurrent writers
-- neither wait for nor deadlock with each other); mql.compact_rollups()
-- folds committed deltas into mql.rollup, and runs opportunistically after a
-- refresh. Sums over mql.rollup plus mql.rollup_delta are exact at every
-- snapshot; mql.verify_rollups() recomputes them from the history.
--
-- Durations are kept in whole hours (rounded down): the percentiles of the
-- views are defined over whole hours, on the rollup and in a recomputation
-- alike.

CREATE TABLE mql.lead_facts (
  lead_id bigint PRIMARY KEY,
  source text,
  campaign text,
  created_at timestamptz NOT NULL,
  max_rank integer NOT NULL,
  first_mql_at timestamptz,
  sql_at timestamptz,
  customer_at timestamptz,
  recycled_at timestamptz,
  requalified_at timestamptz,
  touch_at timestamptz,
  mql_entries timestamptz[] NOT NULL,
  entry_stages mql.stage[] NOT NULL,
  stay_stages mql.stage[] NOT NULL,
  stay_hours integer[] NOT NULL
);
COMMENT ON TABLE mql.lead_facts IS
  'Per lead, the funnel facts derived from its stage history (maintained by pg_mql; mql.verify_rollups() checks it).';
COMMENT ON COLUMN mql.lead_facts.max_rank IS 'Highest funnel rank reached (mql.stage_rank): the funnel counts a lead for every stage up to it.';
COMMENT ON COLUMN mql.lead_facts.first_mql_at IS 'First entry into mql.';
COMMENT ON COLUMN mql.lead_facts.sql_at IS 'First entry into sql, opportunity or customer after the first mql.';
COMMENT ON COLUMN mql.lead_facts.customer_at IS 'First entry into customer after the first mql.';
COMMENT ON COLUMN mql.lead_facts.recycled_at IS 'First entry into recycled after the first mql.';
COMMENT ON COLUMN mql.lead_facts.requalified_at IS 'First entry into mql after recycled_at.';
COMMENT ON COLUMN mql.lead_facts.touch_at IS 'First sales touch after the first mql: an event of category sales_touch, or sql_at, whichever is first.';
COMMENT ON COLUMN mql.lead_facts.mql_entries IS 'Every entry into mql, in order (the first, then re-qualifications).';
COMMENT ON COLUMN mql.lead_facts.entry_stages IS 'The to_stage of every history row, in order.';
COMMENT ON COLUMN mql.lead_facts.stay_stages IS 'The stage of every completed stay (a stage the lead has since left), in order.';
COMMENT ON COLUMN mql.lead_facts.stay_hours IS 'Whole hours of each completed stay, parallel to stay_stages.';

-- The rollup: counters (hours NULL) and whole-hour histograms (hours set),
-- each once per source and campaign and once as a total.
-- family: created (lead-creation month), first_mql (first-MQL month), day
-- (calendar day) or stage (no period).
-- by_source false: totals over all sources and campaigns (source and
-- campaign NULL), kept apart so a total view reads only its own rows.
CREATE TABLE mql.rollup (
  family text NOT NULL,
  by_source boolean NOT NULL,
  metric text NOT NULL,
  period date,
  source text,
  campaign text,
  hours integer,
  n bigint NOT NULL,
  CONSTRAINT rollup_key UNIQUE NULLS NOT DISTINCT (family, by_source, metric, period, source, campaign, hours)
);
COMMENT ON TABLE mql.rollup IS
  'Compacted sums of every lead''s contributions to the funnel metrics; add mql.rollup_delta for the current totals.';

CREATE TABLE mql.rollup_delta (
  family text NOT NULL,
  by_source boolean NOT NULL,
  metric text NOT NULL,
  period date,
  source text,
  campaign text,
  hours integer,
  n bigint NOT NULL
);
COMMENT ON TABLE mql.rollup_delta IS
  'Contributions added since the last compaction (append-only; folded into mql.rollup by mql.compact_rollups()).';

-- One row per metric a lead counts in, plus one per histogram bucket, each
-- twice: in the total (by_source false, no source or campaign) and in the
-- lead's source and campaign. Pure and inlinable (no SET clause), so every
-- name, operator and type in it is schema-qualified: it is planned with the
-- search_path of whatever query calls it.
CREATE FUNCTION mql.lead_contributions(f mql.lead_facts, tz text)
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
COMMENT ON FUNCTION mql.lead_contributions(mql.lead_facts, text) IS
  'The rollup rows one lead contributes (as a total and in its source and campaign), with cohorts cut in the given time zone.';

-- The facts of the given leads, recomputed from their stage history, their
-- row in mql.leads and their sales-touch events. (Every lead: pass
-- ARRAY(SELECT lead_id FROM mql.leads).)
CREATE FUNCTION mql.compute_lead_facts(lead_ids bigint[]) RETURNS SETOF mql.lead_facts
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
  AS $$
  BEGIN
    -- PL/pgSQL rather than SQL: its plan is cached for the session, where a
    -- SQL function with a SET clause would be planned again on every call.
    RETURN QUERY
    WITH h AS (
      SELECT h.lead_id, h.history_id, h.to_stage, h.changed_at,
             pg_catalog.lead(h.changed_at) OVER (PARTITION BY h.lead_id ORDER BY h.history_id) AS next_at,
             pg_catalog.min(h.history_id) FILTER (WHERE h.to_stage OPERATOR(mql.=) 'mql')
               OVER (PARTITION BY h.lead_id) AS first_mql_id
        FROM (SELECT DISTINCT u.lead_id FROM pg_catalog.unnest(lead_ids) AS u(lead_id)) AS ids
        JOIN mql.stage_history AS h ON h.lead_id OPERATOR(pg_catalog.=) ids.lead_id),
    h2 AS (
      SELECT h.*,
             pg_catalog.min(h.history_id) FILTER (WHERE h.to_stage OPERATOR(mql.=) 'recycled'
                                                    AND h.history_id OPERATOR(pg_catalog.>) h.first_mql_id)
               OVER (PARTITION BY h.lead_id) AS first_recycle_id
        FROM h),
    agg AS (
      SELECT h2.lead_id,
             COALESCE(pg_catalog.max(mql.stage_rank(h2.to_stage)), 0) AS max_rank, -- 0: only detour stages
             pg_catalog.min(h2.changed_at) FILTER (WHERE h2.history_id OPERATOR(pg_catalog.=) h2.first_mql_id) AS first_mql_at,
             pg_catalog.min(h2.changed_at) FILTER (WHERE h2.history_id OPERATOR(pg_catalog.>) h2.first_mql_id
                                                 AND mql.stage_rank(h2.to_stage) OPERATOR(pg_catalog.>=) 3) AS sql_at,
             pg_catalog.min(h2.changed_at) FILTER (WHERE h2.history_id OPERATOR(pg_catalog.>) h2.first_mql_id
                                                 AND h2.to_stage OPERATOR(mql.=) 'customer') AS customer_at,
             pg_catalog.min(h2.changed_at) FILTER (WHERE h2.history_id OPERATOR(pg_catalog.=) h2.first_recycle_id) AS recycled_at,
             pg_catalog.min(h2.changed_at) FILTER (WHERE h2.history_id OPERATOR(pg_catalog.>) h2.first_recycle_id
                                                 AND h2.to_stage OPERATOR(mql.=) 'mql') AS requalified_at,
             COALESCE(pg_catalog.array_agg(h2.changed_at ORDER BY h2.history_id)
                        FILTER (WHERE h2.to_stage OPERATOR(mql.=) 'mql'), '{}') AS mql_entries,
             pg_catalog.array_agg(h2.to_stage ORDER BY h2.history_id) AS entry_stages,
             COALESCE(pg_catalog.array_agg(h2.to_stage ORDER BY h2.history_id)
                        FILTER (WHERE h2.next_at IS NOT NULL), '{}') AS stay_stages,
             COALESCE(pg_catalog.array_agg(pg_catalog.floor(pg_catalog.date_part('epoch', h2.next_at OPERATOR(pg_catalog.-) h2.changed_at) / 3600)::integer
                                           ORDER BY h2.history_id)
                        FILTER (WHERE h2.next_at IS NOT NULL), '{}') AS stay_hours
        FROM h2
       GROUP BY h2.lead_id)
    SELECT a.lead_id, l.source, l.campaign, l.created_at, a.max_rank, a.first_mql_at, a.sql_at,
           a.customer_at, a.recycled_at, a.requalified_at,
           CASE WHEN a.first_mql_at IS NOT NULL THEN
             LEAST(a.sql_at,
                   (SELECT pg_catalog.min(e.occurred_at)
                      FROM mql.events AS e
                      JOIN mql.event_weights AS w ON w.event_type OPERATOR(pg_catalog.=) e.event_type
                     WHERE e.lead_id OPERATOR(pg_catalog.=) a.lead_id
                       AND w.category OPERATOR(pg_catalog.=) 'sales_touch'
                       AND e.occurred_at OPERATOR(pg_catalog.>=) a.first_mql_at))
           END,
           a.mql_entries, a.entry_stages, a.stay_stages, a.stay_hours
      FROM agg AS a
      JOIN mql.leads AS l ON l.lead_id OPERATOR(pg_catalog.=) a.lead_id;
  END
  $$;
COMMENT ON FUNCTION mql.compute_lead_facts(bigint[]) IS
  'The funnel facts of the given leads, recomputed from mql.stage_history, mql.leads and sales-touch events.';

-- Folds committed deltas into mql.rollup. One compaction at a time (an
-- advisory lock); readers see the same sums before and after. SECURITY
-- DEFINER: it takes nothing from the caller but a flag and only moves
-- derived rows, so an operator needs no privilege on the derived tables.
CREATE FUNCTION mql.compact_rollups(wait boolean DEFAULT true) RETURNS bigint
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
COMMENT ON FUNCTION mql.compact_rollups(boolean) IS
  'Folds the contributions in mql.rollup_delta into mql.rollup; returns the number of delta rows folded. With wait = false it gives up at once if another compaction runs.';

-- Recomputes the facts of the given leads and records the change of their
-- contributions as deltas; once the backend has written
-- mql.rollup_compact_after deltas, it folds the committed ones
-- (compact_rollups(false), READ COMMITTED only). Called by pg_mql's
-- triggers whenever a lead's facts may have changed, in the same
-- transaction. In C
-- (src/glue/lead_facts.cpp): it computes what compute_lead_facts and
-- lead_contributions define, writes only the facts and rollup rows that
-- changed, and is checked against those SQL definitions by verify_rollups().
CREATE FUNCTION mql.refresh_lead_facts(lead_ids bigint[]) RETURNS void
  AS 'MODULE_PATHNAME', 'mql_refresh_lead_facts' LANGUAGE C
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION mql.refresh_lead_facts(bigint[]) IS
  'Recomputes the facts of the given leads and adds the change of their contributions to the rollup (pg_mql''s triggers call it).';

-- Rebuilds facts and rollup from the history, e.g. after report_timezone
-- or an event type's category changed. Blocks writers while it runs.
-- SECURITY DEFINER: no argument, and it only recomputes derived rows from
-- pg_mql's own tables, so an operator needs no privilege on those rows.
CREATE FUNCTION mql.rebuild_rollups() RETURNS bigint
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
COMMENT ON FUNCTION mql.rebuild_rollups() IS
  'Recomputes every lead''s facts and the whole rollup from mql.stage_history; returns the number of leads.';

-- Differences between the rollup and a recomputation from the history:
-- no rows means the views are exact.
CREATE FUNCTION mql.verify_rollups()
  RETURNS TABLE (family text, by_source boolean, metric text, period date, source text,
                 campaign text, hours integer, rollup_n bigint, recomputed_n bigint)
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
  SET jit = off -- row estimates are guesses here; compiling costs more than the query
  AS $$
    WITH tz AS (SELECT s.report_timezone AS tz FROM mql.settings AS s),
    stored AS (
      SELECT r.family, r.by_source, r.metric, r.period, r.source, r.campaign, r.hours,
             pg_catalog.sum(r.n)::bigint AS n
        FROM (SELECT * FROM mql.rollup UNION ALL SELECT * FROM mql.rollup_delta) AS r
       GROUP BY r.family, r.by_source, r.metric, r.period, r.source, r.campaign, r.hours
      HAVING pg_catalog.sum(r.n) OPERATOR(pg_catalog.<>) 0),
    fresh AS (
      SELECT c.family, c.by_source, c.metric, c.period, c.source, c.campaign, c.hours,
             pg_catalog.sum(c.n)::bigint AS n
        FROM mql.compute_lead_facts(ARRAY(SELECT l.lead_id FROM mql.leads AS l)) AS f, tz,
             mql.lead_contributions(f, tz.tz) AS c
       GROUP BY 1, 2, 3, 4, 5, 6, 7)
    SELECT COALESCE(s.family, f.family), COALESCE(s.by_source, f.by_source),
           COALESCE(s.metric, f.metric), COALESCE(s.period, f.period),
           COALESCE(s.source, f.source), COALESCE(s.campaign, f.campaign), COALESCE(s.hours, f.hours),
           COALESCE(s.n, 0), COALESCE(f.n, 0)
      FROM stored AS s
      FULL JOIN fresh AS f
        ON s.family OPERATOR(pg_catalog.=) f.family AND s.by_source OPERATOR(pg_catalog.=) f.by_source
       AND s.metric OPERATOR(pg_catalog.=) f.metric
       AND s.period IS NOT DISTINCT FROM f.period AND s.source IS NOT DISTINCT FROM f.source
       AND s.campaign IS NOT DISTINCT FROM f.campaign AND s.hours IS NOT DISTINCT FROM f.hours
     WHERE s.n IS DISTINCT FROM f.n
  $$;
COMMENT ON FUNCTION mql.verify_rollups() IS
  'Rows where the rollup differs from a recomputation from mql.stage_history; none means every view is exact.';

-- Triggers that keep the facts current. Their functions are SECURITY
-- DEFINER (with a pinned search_path): a role that may insert events or
-- change stages needs no privilege on lead_facts or the rollup, and a
-- trigger function cannot be called directly, so they allow nothing but
-- the maintenance of the derived rows of the statement's leads.

-- Every history insert statement: the leads it touched (in C, as it runs
-- for every qualification; while the event trigger scores a chunk it only
-- collects the leads, whose facts the event trigger refreshes once at the
-- end of the chunk).
CREATE FUNCTION mql.stage_history_refresh_facts() RETURNS trigger
  AS 'MODULE_PATHNAME', 'mql_stage_history_refresh_facts' LANGUAGE C SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp;
CREATE TRIGGER stage_history_refresh_facts
  AFTER INSERT ON mql.stage_history
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mql.stage_history_refresh_facts();

-- A lead's cohort keys changed.
CREATE FUNCTION mql.leads_refresh_facts() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  BEGIN
    PERFORM mql.refresh_lead_facts(ARRAY[NEW.lead_id]);
    RETURN NULL;
  END
  $$;
CREATE TRIGGER leads_refresh_facts
  AFTER UPDATE OF source, campaign, created_at ON mql.leads
  FOR EACH ROW
  WHEN (OLD.source IS DISTINCT FROM NEW.source OR OLD.campaign IS DISTINCT FROM NEW.campaign
        OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION mql.leads_refresh_facts();

-- Deleted leads take their contributions with them.
CREATE FUNCTION mql.leads_deleted_refresh_facts() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  BEGIN
    PERFORM mql.refresh_lead_facts(ARRAY(SELECT o.lead_id FROM old_leads AS o ORDER BY 1));
    RETURN NULL;
  END
  $$;
CREATE TRIGGER leads_deleted_refresh_facts
  AFTER DELETE ON mql.leads
  REFERENCING OLD TABLE AS old_leads
  FOR EACH STATEMENT EXECUTE FUNCTION mql.leads_deleted_refresh_facts();

-- Sales touches (events of category sales_touch for leads that reached
-- mql) refresh their leads' facts from the event trigger itself
-- (src/glue/event_trigger.cpp), after it has qualified the statement's leads.

-- What every lead's facts depend on globally: the report time zone, and
-- which event types are sales touches.
CREATE FUNCTION mql.rollups_rebuild_on_change() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  BEGIN
    PERFORM mql.rebuild_rollups();
    RETURN NULL;
  END
  $$;
CREATE TRIGGER settings_rebuild_rollups
  AFTER UPDATE OF report_timezone ON mql.settings
  FOR EACH ROW WHEN (OLD.report_timezone IS DISTINCT FROM NEW.report_timezone)
  EXECUTE FUNCTION mql.rollups_rebuild_on_change();
-- (An INSERT replaces the default row, e.g. on restore, with any zone.)
CREATE TRIGGER settings_insert_rebuild_rollups
  AFTER INSERT ON mql.settings
  FOR EACH STATEMENT EXECUTE FUNCTION mql.rollups_rebuild_on_change();

CREATE FUNCTION mql.event_weights_touch_change() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  DECLARE
    involved boolean := false;
  BEGIN
    IF TG_OP OPERATOR(pg_catalog.<>) 'INSERT' THEN
      SELECT involved OR EXISTS (SELECT 1 FROM old_weights AS o
                                  WHERE o.category OPERATOR(pg_catalog.=) 'sales_touch') INTO involved;
    END IF;
    IF TG_OP OPERATOR(pg_catalog.<>) 'DELETE' THEN
      SELECT involved OR EXISTS (SELECT 1 FROM new_weights AS n
                                  WHERE n.category OPERATOR(pg_catalog.=) 'sales_touch') INTO involved;
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' AND involved THEN
      -- Only a change of which types are touches matters, not of weights.
      SELECT EXISTS (SELECT 1 FROM old_weights AS o
                       FULL JOIN new_weights AS n ON n.event_type OPERATOR(pg_catalog.=) o.event_type
                      WHERE o.event_type IS NULL OR n.event_type IS NULL
                         OR (o.category OPERATOR(pg_catalog.=) 'sales_touch')
                            IS DISTINCT FROM (n.category OPERATOR(pg_catalog.=) 'sales_touch'))
        INTO involved;
    END IF;
    IF involved THEN
      PERFORM mql.rebuild_rollups();
    END IF;
    RETURN NULL;
  END
  $$;
CREATE TRIGGER event_weights_touch_insert AFTER INSERT ON mql.event_weights
  REFERENCING NEW TABLE AS new_weights
  FOR EACH STATEMENT EXECUTE FUNCTION mql.event_weights_touch_change();
CREATE TRIGGER event_weights_touch_update AFTER UPDATE ON mql.event_weights
  REFERENCING OLD TABLE AS old_weights NEW TABLE AS new_weights
  FOR EACH STATEMENT EXECUTE FUNCTION mql.event_weights_touch_change();
CREATE TRIGGER event_weights_touch_delete AFTER DELETE ON mql.event_weights
  REFERENCING OLD TABLE AS old_weights
  FOR EACH STATEMENT EXECUTE FUNCTION mql.event_weights_touch_change();
CREATE TRIGGER event_weights_touch_truncate AFTER TRUNCATE ON mql.event_weights
  FOR EACH STATEMENT EXECUTE FUNCTION mql.rollups_rebuild_on_change();

SELECT pg_catalog.pg_extension_config_dump('mql.lead_facts', '');
SELECT pg_catalog.pg_extension_config_dump('mql.rollup', '');
SELECT pg_catalog.pg_extension_config_dump('mql.rollup_delta', '');
