-- Scoring, explanation, rescoring and stage changes.

CREATE FUNCTION mql.decayed(weight double precision, occurred_at timestamptz,
                            at timestamptz, half_life interval)
  RETURNS double precision
  AS 'MODULE_PATHNAME', 'mql_decayed' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION mql.decayed(double precision, timestamptz, timestamptz, interval) IS
  'weight * 2^(-(at - occurred_at) / half_life); 0 when occurred_at is after at; no decay when half_life is NULL.';

CREATE FUNCTION mql.fit_rule_matches(op text, value jsonb, attribute jsonb) RETURNS boolean
  AS 'MODULE_PATHNAME', 'mql_fit_rule_matches' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION mql.fit_rule_matches(text, jsonb, jsonb) IS
  'Whether a fit rule (op, value) matches an attribute value (NULL when the lead lacks it).';

CREATE FUNCTION mql.lead_attribute(lead mql.leads, attribute text) RETURNS jsonb
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT CASE $2
             WHEN 'email' THEN pg_catalog.to_jsonb(($1).email)
             WHEN 'source' THEN pg_catalog.to_jsonb(($1).source)
             WHEN 'campaign' THEN pg_catalog.to_jsonb(($1).campaign)
             ELSE ($1).attributes OPERATOR(pg_catalog.->) $2
           END
  $$;
COMMENT ON FUNCTION mql.lead_attribute(mql.leads, text) IS
  'The value a fit rule on this attribute sees for a lead.';

CREATE FUNCTION mql.score(lead mql.leads, at timestamptz DEFAULT pg_catalog.now())
  RETURNS double precision
  AS 'MODULE_PATHNAME', 'mql_score_row' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION mql.score(mql.leads, timestamptz) IS
  'A lead''s score (fit + decayed intent) as of at, from its row: no query per row when at >= score_at.';

CREATE FUNCTION mql.score(lead_id bigint, at timestamptz DEFAULT pg_catalog.now())
  RETURNS double precision
  LANGUAGE sql STABLE PARALLEL RESTRICTED
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT mql.score(l, $2) FROM mql.leads AS l WHERE l.lead_id OPERATOR(pg_catalog.=) $1
  $$;
COMMENT ON FUNCTION mql.score(bigint, timestamptz) IS
  'A lead''s score (fit + decayed intent) as of at; NULL for an unknown lead.';

CREATE FUNCTION mql.explain(lead_id bigint, at timestamptz DEFAULT pg_catalog.now())
  RETURNS TABLE (kind text, item text, detail text, points double precision)
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
  AS $$
    WITH l AS (SELECT * FROM mql.leads AS x WHERE x.lead_id OPERATOR(pg_catalog.=) $1),
    rules AS (
      SELECT r.rule_id, r.attribute, r.op, r.value, r.points, r.effect, r.description,
             mql.fit_rule_matches(r.op, r.value, mql.lead_attribute(l, r.attribute)) AS matched
      FROM l, mql.fit_rules AS r)
    SELECT 'fit'::text,
           rules.attribute || ' ' || rules.op || COALESCE(' ' || rules.value::text, ''),
           CASE rules.effect
             WHEN 'score' THEN 'score rule ' || rules.rule_id
             WHEN 'require' THEN CASE WHEN rules.matched THEN 'required: met' ELSE 'required: NOT met (cannot qualify)' END
             ELSE 'excluded (cannot qualify)'
           END || COALESCE(' - ' || rules.description, ''),
           CASE WHEN rules.effect OPERATOR(pg_catalog.=) 'score' THEN rules.points ELSE 0 END
    FROM rules
    WHERE (rules.effect OPERATOR(pg_catalog.<>) 'require' AND rules.matched)
       OR rules.effect OPERATOR(pg_catalog.=) 'require'
    UNION ALL
    SELECT 'intent'::text, e.event_type,
           pg_catalog.count(*) || ' event(s), weight ' || COALESCE(pg_catalog.max(w.weight), 0),
           pg_catalog.sum(mql.decayed(COALESCE(w.weight, 0), e.occurred_at, $2, s.half_life))
    FROM mql.events AS e
    LEFT JOIN mql.event_weights AS w ON w.event_type OPERATOR(pg_catalog.=) e.event_type
    CROSS JOIN mql.settings AS s
    WHERE e.lead_id OPERATOR(pg_catalog.=) $1 AND e.occurred_at OPERATOR(pg_catalog.<=) $2
    GROUP BY e.event_type
  $$;
COMMENT ON FUNCTION mql.explain(bigint, timestamptz) IS
  'Why a lead scores what it does as of at: one row per matching fit rule (and every require rule) and per event type; points sum to the score.';

CREATE FUNCTION mql.rescore_leads(lead_ids bigint[]) RETURNS bigint
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
COMMENT ON FUNCTION mql.rescore_leads(bigint[]) IS
  'Recomputes fit and intent of the given leads (all when NULL) from their stored events and the current rules; qualifies leads in stage lead that now reach the threshold. Returns the number of leads rescored.';

CREATE FUNCTION mql.rescore(lead_id bigint DEFAULT NULL) RETURNS bigint
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT mql.rescore_leads(CASE WHEN $1 IS NULL THEN NULL ELSE ARRAY[$1] END)
  $$;
COMMENT ON FUNCTION mql.rescore(bigint) IS
  'Recomputes one lead (or every lead when NULL) from its stored events after weights or rules change; returns the number of leads rescored.';

CREATE FUNCTION mql.set_stage(lead_id bigint, stage mql.stage, reason text DEFAULT NULL,
                              at timestamptz DEFAULT pg_catalog.now())
  RETURNS mql.leads
  AS 'MODULE_PATHNAME', 'mql_set_stage' LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION mql.set_stage(bigint, mql.stage, text, timestamptz) IS
  'Moves a lead to a stage through the guardrails and records it in mql.stage_history; the same stage is a no-op. Returns the lead.';

CREATE FUNCTION mql.force_stage(lead_id bigint, stage mql.stage, reason text,
                                at timestamptz DEFAULT pg_catalog.now())
  RETURNS mql.leads
  AS 'MODULE_PATHNAME', 'mql_force_stage' LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION mql.force_stage(bigint, mql.stage, text, timestamptz) IS
  'Administrator''s correction: moves a lead to any stage, bypassing the guardrails; needs a reason; recorded with is_override.';

CREATE FUNCTION mql.core_selftest(kind text) RETURNS text
  AS 'MODULE_PATHNAME', 'mql_core_selftest' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mql.core_selftest(text) IS
  'Test hook: makes the C++ core throw (runtime, bad_alloc, other) to prove exceptions become clean errors.';
