-- pg_mql 1.0 as released: kept so that CREATE EXTENSION pg_mql VERSION '1.0' and
-- the update path to 1.1 can be tested (sql/upgrade.sql). Never edit it.
-- mql.stage: a one-byte base type whose order is the funnel order
-- lead < mql < sql < opportunity < customer < recycled < disqualified.

CREATE TYPE mql.stage;

CREATE FUNCTION mql.stage_in(cstring) RETURNS mql.stage
  AS 'MODULE_PATHNAME', 'mql_stage_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mql.stage_out(mql.stage) RETURNS cstring
  AS 'MODULE_PATHNAME', 'mql_stage_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mql.stage_recv(internal) RETURNS mql.stage
  AS 'MODULE_PATHNAME', 'mql_stage_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mql.stage_send(mql.stage) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mql_stage_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE mql.stage (
  INPUT = mql.stage_in,
  OUTPUT = mql.stage_out,
  RECEIVE = mql.stage_recv,
  SEND = mql.stage_send,
  INTERNALLENGTH = 1,
  PASSEDBYVALUE,
  ALIGNMENT = char,
  STORAGE = plain
);
COMMENT ON TYPE mql.stage IS
  'Lifecycle stage of a lead: lead, mql, sql, opportunity, customer, recycled, disqualified (in that sort order).';

CREATE FUNCTION mql.stage_eq(mql.stage, mql.stage) RETURNS boolean
  AS 'MODULE_PATHNAME', 'mql_stage_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION mql.stage_ne(mql.stage, mql.stage) RETURNS boolean
  AS 'MODULE_PATHNAME', 'mql_stage_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION mql.stage_lt(mql.stage, mql.stage) RETURNS boolean
  AS 'MODULE_PATHNAME', 'mql_stage_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION mql.stage_le(mql.stage, mql.stage) RETURNS boolean
  AS 'MODULE_PATHNAME', 'mql_stage_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION mql.stage_gt(mql.stage, mql.stage) RETURNS boolean
  AS 'MODULE_PATHNAME', 'mql_stage_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION mql.stage_ge(mql.stage, mql.stage) RETURNS boolean
  AS 'MODULE_PATHNAME', 'mql_stage_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION mql.stage_cmp(mql.stage, mql.stage) RETURNS integer
  AS 'MODULE_PATHNAME', 'mql_stage_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION mql.stage_hash(mql.stage) RETURNS integer
  AS 'MODULE_PATHNAME', 'mql_stage_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION mql.stage_hash_extended(mql.stage, bigint) RETURNS bigint
  AS 'MODULE_PATHNAME', 'mql_stage_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE OPERATOR mql.= (
  LEFTARG = mql.stage, RIGHTARG = mql.stage, FUNCTION = mql.stage_eq,
  COMMUTATOR = OPERATOR(mql.=), NEGATOR = OPERATOR(mql.<>),
  RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR mql.<> (
  LEFTARG = mql.stage, RIGHTARG = mql.stage, FUNCTION = mql.stage_ne,
  COMMUTATOR = OPERATOR(mql.<>), NEGATOR = OPERATOR(mql.=),
  RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR mql.< (
  LEFTARG = mql.stage, RIGHTARG = mql.stage, FUNCTION = mql.stage_lt,
  COMMUTATOR = OPERATOR(mql.>), NEGATOR = OPERATOR(mql.>=),
  RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR mql.<= (
  LEFTARG = mql.stage, RIGHTARG = mql.stage, FUNCTION = mql.stage_le,
  COMMUTATOR = OPERATOR(mql.>=), NEGATOR = OPERATOR(mql.>),
  RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR mql.> (
  LEFTARG = mql.stage, RIGHTARG = mql.stage, FUNCTION = mql.stage_gt,
  COMMUTATOR = OPERATOR(mql.<), NEGATOR = OPERATOR(mql.<=),
  RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR mql.>= (
  LEFTARG = mql.stage, RIGHTARG = mql.stage, FUNCTION = mql.stage_ge,
  COMMUTATOR = OPERATOR(mql.<=), NEGATOR = OPERATOR(mql.<),
  RESTRICT = scalargesel, JOIN = scalargejoinsel);

CREATE OPERATOR CLASS mql.stage_ops DEFAULT FOR TYPE mql.stage USING btree AS
  OPERATOR 1 mql.<,
  OPERATOR 2 mql.<=,
  OPERATOR 3 mql.=,
  OPERATOR 4 mql.>=,
  OPERATOR 5 mql.>,
  FUNCTION 1 mql.stage_cmp(mql.stage, mql.stage);

CREATE OPERATOR CLASS mql.stage_hash_ops DEFAULT FOR TYPE mql.stage USING hash AS
  OPERATOR 1 mql.=,
  FUNCTION 1 mql.stage_hash(mql.stage),
  FUNCTION 2 mql.stage_hash_extended(mql.stage, bigint);

CREATE FUNCTION mql.stage_smaller(mql.stage, mql.stage) RETURNS mql.stage
  AS 'MODULE_PATHNAME', 'mql_stage_smaller' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mql.stage_larger(mql.stage, mql.stage) RETURNS mql.stage
  AS 'MODULE_PATHNAME', 'mql_stage_larger' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE mql.min(mql.stage) (
  SFUNC = mql.stage_smaller, STYPE = mql.stage, COMBINEFUNC = mql.stage_smaller,
  SORTOP = OPERATOR(mql.<), PARALLEL = SAFE);
CREATE AGGREGATE mql.max(mql.stage) (
  SFUNC = mql.stage_larger, STYPE = mql.stage, COMBINEFUNC = mql.stage_larger,
  SORTOP = OPERATOR(mql.>), PARALLEL = SAFE);
COMMENT ON AGGREGATE mql.min(mql.stage) IS 'Earliest stage in funnel order.';
COMMENT ON AGGREGATE mql.max(mql.stage) IS 'Latest stage in funnel order (recycled and disqualified sort after customer).';

CREATE CAST (mql.stage AS text) WITH INOUT AS ASSIGNMENT;
CREATE CAST (text AS mql.stage) WITH INOUT AS ASSIGNMENT;

CREATE FUNCTION mql.stage_rank(mql.stage) RETURNS integer
  AS 'MODULE_PATHNAME', 'mql_stage_rank' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mql.stage_rank(mql.stage) IS
  'Position along the funnel: lead 1, mql 2, sql 3, opportunity 4, customer 5; NULL for recycled and disqualified.';

CREATE FUNCTION mql.can_transition("from" mql.stage, "to" mql.stage) RETURNS boolean
  AS 'MODULE_PATHNAME', 'mql_can_transition' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mql.can_transition(mql.stage, mql.stage) IS
  'The stage guardrails: whether a lead may move from the first stage to the second.';
-- User data. Every unique key of leads, events and stage_history includes
-- lead_id, so the three can be distributed by lead_id and co-located; the
-- configuration tables are small enough to be reference tables.

CREATE TABLE mql.settings (
  singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT settings_singleton CHECK (singleton),
  threshold double precision NOT NULL DEFAULT 100,
  half_life interval DEFAULT '30 days',
  report_timezone text NOT NULL DEFAULT 'UTC'
);
COMMENT ON TABLE mql.settings IS 'pg_mql settings: exactly one row.';
COMMENT ON COLUMN mql.settings.singleton IS 'Always true: keeps the table to one row.';
COMMENT ON COLUMN mql.settings.threshold IS 'Score (fit + decayed intent) at or above which a lead qualifies as an MQL.';
COMMENT ON COLUMN mql.settings.half_life IS 'Time for an event''s contribution to halve; NULL means no decay.';
COMMENT ON COLUMN mql.settings.report_timezone IS 'Time zone in which the views cut months.';
INSERT INTO mql.settings DEFAULT VALUES;

CREATE TABLE mql.event_weights (
  event_type text PRIMARY KEY,
  weight double precision NOT NULL,
  category text
);
COMMENT ON TABLE mql.event_weights IS 'Intent points per event type; an event type not listed weighs 0.';
COMMENT ON COLUMN mql.event_weights.weight IS 'Points one event adds when it occurs (may be negative), before decay.';
COMMENT ON COLUMN mql.event_weights.category IS 'Free grouping, e.g. web, email, sales_touch.';

CREATE TABLE mql.fit_rules (
  rule_id bigserial PRIMARY KEY,
  attribute text NOT NULL,
  op text NOT NULL,
  value jsonb,
  points double precision,
  effect text NOT NULL DEFAULT 'score',
  description text
);
COMMENT ON TABLE mql.fit_rules IS 'Rules on who a lead is: score rules add points, require rules must match, exclude rules must not.';
COMMENT ON COLUMN mql.fit_rules.attribute IS 'A key of leads.attributes, or email, source or campaign.';
COMMENT ON COLUMN mql.fit_rules.op IS '=, <>, in, not in, <, <=, >, >=, exists, not exists, ends_with.';
COMMENT ON COLUMN mql.fit_rules.value IS 'JSON value compared with the attribute; an array for in / not in; NULL for exists / not exists.';
COMMENT ON COLUMN mql.fit_rules.points IS 'Points a matching score rule adds; NULL for require and exclude rules.';
COMMENT ON COLUMN mql.fit_rules.effect IS 'score, require or exclude.';

CREATE TABLE mql.leads (
  lead_id bigint PRIMARY KEY,
  email text,
  source text,
  campaign text,
  attributes jsonb NOT NULL DEFAULT '{}',
  stage mql.stage NOT NULL DEFAULT 'lead',
  fit_score double precision NOT NULL DEFAULT 0,
  intent_score double precision NOT NULL DEFAULT 0,
  score_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  stage_changed_at timestamptz NOT NULL,
  first_mql_at timestamptz
);
COMMENT ON TABLE mql.leads IS 'One row per lead; created by INSERT or by its first event.';
COMMENT ON COLUMN mql.leads.attributes IS 'Who the lead is, as a JSON object: read by the fit rules.';
COMMENT ON COLUMN mql.leads.stage IS 'Current lifecycle stage; every change is recorded in mql.stage_history.';
COMMENT ON COLUMN mql.leads.fit_score IS 'Sum of the points of the matching score rules (maintained by pg_mql).';
COMMENT ON COLUMN mql.leads.intent_score IS 'Decayed intent as of score_at (maintained by pg_mql).';
COMMENT ON COLUMN mql.leads.score_at IS 'Latest occurred_at of the lead''s events; NULL before its first event.';
COMMENT ON COLUMN mql.leads.created_at IS 'When the lead appeared (for a lead created by an event: that event''s occurred_at).';
COMMENT ON COLUMN mql.leads.stage_changed_at IS 'Business time of the latest stage change.';
COMMENT ON COLUMN mql.leads.first_mql_at IS 'Business time of the lead''s first entry into mql.';
CREATE INDEX leads_stage_idx ON mql.leads (stage);

CREATE TABLE mql.events (
  event_id bigserial,
  lead_id bigint NOT NULL,
  event_type text NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  properties jsonb,
  PRIMARY KEY (lead_id, event_id)
);
COMMENT ON TABLE mql.events IS 'What leads do; inserting an event scores (and may qualify) its lead in the same transaction.';
COMMENT ON COLUMN mql.events.event_type IS 'Looked up in mql.event_weights; an unknown type weighs 0 and is kept.';
COMMENT ON COLUMN mql.events.occurred_at IS 'Business time of the event; decay is measured from it.';

CREATE SEQUENCE mql.stage_history_history_id_seq;
CREATE TABLE mql.stage_history (
  history_id bigint NOT NULL DEFAULT pg_catalog.nextval('mql.stage_history_history_id_seq'),
  lead_id bigint NOT NULL,
  from_stage mql.stage,
  to_stage mql.stage NOT NULL,
  changed_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  reason text,
  score double precision,
  actor text NOT NULL DEFAULT CURRENT_USER,
  is_override boolean NOT NULL DEFAULT false,
  PRIMARY KEY (lead_id, history_id)
);
ALTER SEQUENCE mql.stage_history_history_id_seq OWNED BY mql.stage_history.history_id;
COMMENT ON TABLE mql.stage_history IS 'Append-only log of every stage change, one row per real transition (from_stage NULL: creation).';
COMMENT ON COLUMN mql.stage_history.history_id IS 'Increases in the order each lead''s transitions happened.';
COMMENT ON COLUMN mql.stage_history.changed_at IS 'Business time of the change (the qualifying event''s occurred_at, or the time given).';
COMMENT ON COLUMN mql.stage_history.recorded_at IS 'Time of the transaction that recorded the change.';
COMMENT ON COLUMN mql.stage_history.score IS 'The lead''s score (fit + intent) as of changed_at.';
COMMENT ON COLUMN mql.stage_history.actor IS 'pg_mql for automatic qualification, else the role (or mql.actor) that made the change.';
COMMENT ON COLUMN mql.stage_history.is_override IS 'True when mql.force_stage bypassed the guardrails.';
CREATE INDEX stage_history_to_stage_idx ON mql.stage_history (to_stage, changed_at);

SELECT pg_catalog.pg_extension_config_dump('mql.settings', '');
SELECT pg_catalog.pg_extension_config_dump('mql.event_weights', '');
SELECT pg_catalog.pg_extension_config_dump('mql.fit_rules', '');
SELECT pg_catalog.pg_extension_config_dump('mql.fit_rules_rule_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('mql.leads', '');
SELECT pg_catalog.pg_extension_config_dump('mql.events', '');
SELECT pg_catalog.pg_extension_config_dump('mql.events_event_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('mql.stage_history', '');
SELECT pg_catalog.pg_extension_config_dump('mql.stage_history_history_id_seq', '');
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
    SELECT s.half_life INTO hl FROM mql.settings AS s;
    -- Lock in lead_id order, as the event trigger does, so a rescore cannot
    -- deadlock with concurrent inserts.
    PERFORM 1 FROM mql.leads AS l
      WHERE lead_ids IS NULL OR l.lead_id OPERATOR(pg_catalog.=) ANY (lead_ids)
      ORDER BY l.lead_id FOR UPDATE;
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
  AS 'MODULE_PATHNAME', 'mql_set_stage' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION mql.set_stage(bigint, mql.stage, text, timestamptz) IS
  'Moves a lead to a stage through the guardrails and records it in mql.stage_history; the same stage is a no-op. Returns the lead.';

CREATE FUNCTION mql.force_stage(lead_id bigint, stage mql.stage, reason text,
                                at timestamptz DEFAULT pg_catalog.now())
  RETURNS mql.leads
  AS 'MODULE_PATHNAME', 'mql_force_stage' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION mql.force_stage(bigint, mql.stage, text, timestamptz) IS
  'Administrator''s correction: moves a lead to any stage, bypassing the guardrails; needs a reason; recorded with is_override.';

CREATE FUNCTION mql.core_selftest(kind text) RETURNS text
  AS 'MODULE_PATHNAME', 'mql_core_selftest' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mql.core_selftest(text) IS
  'Test hook: makes the C++ core throw (runtime, bad_alloc, other) to prove exceptions become clean errors.';
-- Triggers: scoring and qualification on events, bookkeeping and guardrails
-- on leads, validation of the configuration, an append-only history.

CREATE FUNCTION mql.events_after_insert() RETURNS trigger
  AS 'MODULE_PATHNAME', 'mql_events_after_insert' LANGUAGE C;
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
  AS 'MODULE_PATHNAME', 'mql_leads_after_insert' LANGUAGE C;
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
-- mql.mql_cohort: each lead's first entry into mql, computed on the fly
-- from the history (the rollup-backed BI views are in 09_funnel_views.sql).

CREATE VIEW mql.mql_cohort AS
SELECT h.lead_id,
       h.history_id AS first_mql_id,
       h.changed_at AS first_mql_at,
       pg_catalog.date_trunc('month', h.changed_at AT TIME ZONE s.report_timezone)::date AS cohort_month
  FROM (SELECT f.lead_id, pg_catalog.min(f.history_id) AS history_id
          FROM mql.stage_history AS f
         WHERE f.to_stage = 'mql'
         GROUP BY f.lead_id) AS firsts
  JOIN mql.stage_history AS h ON h.lead_id = firsts.lead_id AND h.history_id = firsts.history_id
 CROSS JOIN mql.settings AS s;
COMMENT ON VIEW mql.mql_cohort IS
  'One row per lead that ever entered mql: its first entry, and the month (in settings.report_timezone) that puts it in a cohort.';
COMMENT ON COLUMN mql.mql_cohort.lead_id IS 'The lead.';
COMMENT ON COLUMN mql.mql_cohort.first_mql_id IS 'history_id of the lead''s first entry into mql; later rows of the lead have larger ids.';
COMMENT ON COLUMN mql.mql_cohort.first_mql_at IS 'Business time of the first entry into mql.';
COMMENT ON COLUMN mql.mql_cohort.cohort_month IS 'First day of the month of first_mql_at, in settings.report_timezone.';
-- Nothing that writes is executable by PUBLIC. The tables and views grant
-- nothing to PUBLIC by default; see docs/sql-reference.md for granting.
REVOKE ALL ON FUNCTION mql.set_stage(bigint, mql.stage, text, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.force_stage(bigint, mql.stage, text, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.rescore(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.rescore_leads(bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.core_selftest(text) FROM PUBLIC;
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
-- lead's source and campaign. Pure and inlinable: every name is qualified.
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
    SELECT 'created'::text, 'leads'::text,
           pg_catalog.date_trunc('month', ($1).created_at AT TIME ZONE $2)::date, NULL::integer, 1::bigint
    UNION ALL
    SELECT 'created', 'reached_' || r.stage,
           pg_catalog.date_trunc('month', ($1).created_at AT TIME ZONE $2)::date, NULL, 1
      FROM (VALUES (2, 'mql'), (3, 'sql'), (4, 'opportunity'), (5, 'customer')) AS r(rank, stage)
     WHERE ($1).max_rank OPERATOR(pg_catalog.>=) r.rank
    UNION ALL
    SELECT 'created', 'hours_to_mql',
           pg_catalog.date_trunc('month', ($1).created_at AT TIME ZONE $2)::date,
           pg_catalog.floor(pg_catalog.date_part('epoch', ($1).first_mql_at OPERATOR(pg_catalog.-) ($1).created_at) / 3600)::integer, 1
     WHERE ($1).first_mql_at IS NOT NULL
    UNION ALL
    SELECT 'first_mql', m.metric,
           pg_catalog.date_trunc('month', ($1).first_mql_at AT TIME ZONE $2)::date, m.hours, 1
      FROM (VALUES
              ('mqls', NULL::integer, true),
              ('sqls', NULL, ($1).sql_at IS NOT NULL),
              ('customers', NULL, ($1).customer_at IS NOT NULL),
              ('recycled', NULL, ($1).recycled_at IS NOT NULL),
              ('requalified', NULL, ($1).requalified_at IS NOT NULL),
              ('touched', NULL, ($1).touch_at IS NOT NULL),
              ('hours_to_sql', pg_catalog.floor(pg_catalog.date_part('epoch', ($1).sql_at OPERATOR(pg_catalog.-) ($1).first_mql_at) / 3600)::integer, ($1).sql_at IS NOT NULL),
              ('hours_to_customer', pg_catalog.floor(pg_catalog.date_part('epoch', ($1).customer_at OPERATOR(pg_catalog.-) ($1).first_mql_at) / 3600)::integer, ($1).customer_at IS NOT NULL),
              ('hours_to_touch', pg_catalog.floor(pg_catalog.date_part('epoch', ($1).touch_at OPERATOR(pg_catalog.-) ($1).first_mql_at) / 3600)::integer, ($1).touch_at IS NOT NULL)
           ) AS m(metric, hours, applies)
     WHERE ($1).first_mql_at IS NOT NULL AND m.applies
    UNION ALL
    SELECT 'day', 'new_leads', (($1).created_at AT TIME ZONE $2)::date, NULL, 1
    UNION ALL
    SELECT 'day', 'new_leads_qualified', (($1).created_at AT TIME ZONE $2)::date, NULL, 1
     WHERE ($1).first_mql_at IS NOT NULL
    UNION ALL
    SELECT 'day', CASE WHEN e.ord OPERATOR(pg_catalog.=) 1 THEN 'first_mqls' ELSE 'requalifications' END,
           (e.at AT TIME ZONE $2)::date, NULL, 1
      FROM pg_catalog.unnest(($1).mql_entries) WITH ORDINALITY AS e(at, ord)
    UNION ALL
    SELECT 'stage', 'entries:' || s.stage::text, NULL, NULL, pg_catalog.count(*)
      FROM pg_catalog.unnest(($1).entry_stages) AS s(stage)
     GROUP BY s.stage
    UNION ALL
    SELECT 'stage', 'stay:' || s.stage::text, NULL, s.hours, pg_catalog.count(*)
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
-- advisory lock); readers see the same sums before and after.
CREATE FUNCTION mql.compact_rollups(wait boolean DEFAULT true) RETURNS bigint
  LANGUAGE plpgsql
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
-- contributions as deltas. Called by pg_mql's triggers whenever a lead's
-- facts may have changed, in the same transaction.
CREATE FUNCTION mql.refresh_lead_facts(lead_ids bigint[]) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $$
  DECLARE
    tz text;
  BEGIN
    IF lead_ids IS NULL OR pg_catalog.cardinality(lead_ids) OPERATOR(pg_catalog.=) 0 THEN
      RETURN;
    END IF;
    SELECT s.report_timezone INTO tz FROM mql.settings AS s;
    -- One statement: every part reads lead_facts as it was before it, so
    -- the old contributions are subtracted and the new ones added exactly.
    WITH fresh AS (
      SELECT * FROM mql.compute_lead_facts(lead_ids)),
    delta AS (
      INSERT INTO mql.rollup_delta (family, by_source, metric, period, source, campaign, hours, n)
      SELECT d.family, d.by_source, d.metric, d.period, d.source, d.campaign, d.hours,
             pg_catalog.sum(d.n)::bigint
        FROM (SELECT c.family, c.by_source, c.metric, c.period, c.source, c.campaign, c.hours,
                     OPERATOR(pg_catalog.-) c.n AS n
                FROM mql.lead_facts AS o, mql.lead_contributions(o, tz) AS c
               WHERE o.lead_id OPERATOR(pg_catalog.=) ANY (lead_ids)
              UNION ALL
              SELECT c.*
                FROM fresh AS f, mql.lead_contributions(f::mql.lead_facts, tz) AS c) AS d
       GROUP BY 1, 2, 3, 4, 5, 6, 7
      HAVING pg_catalog.sum(d.n) OPERATOR(pg_catalog.<>) 0
      RETURNING 1),
    gone AS (
      -- Deleted leads: their old contributions were subtracted above.
      DELETE FROM mql.lead_facts AS g
       WHERE g.lead_id OPERATOR(pg_catalog.=) ANY (lead_ids)
         AND NOT EXISTS (SELECT 1 FROM fresh AS f WHERE f.lead_id OPERATOR(pg_catalog.=) g.lead_id)
      RETURNING 1)
    INSERT INTO mql.lead_facts SELECT * FROM fresh
    ON CONFLICT (lead_id) DO UPDATE SET
      source = excluded.source, campaign = excluded.campaign, created_at = excluded.created_at,
      max_rank = excluded.max_rank, first_mql_at = excluded.first_mql_at, sql_at = excluded.sql_at,
      customer_at = excluded.customer_at, recycled_at = excluded.recycled_at,
      requalified_at = excluded.requalified_at, touch_at = excluded.touch_at,
      mql_entries = excluded.mql_entries, entry_stages = excluded.entry_stages,
      stay_stages = excluded.stay_stages, stay_hours = excluded.stay_hours;
    -- Fold deltas now and then, but only in READ COMMITTED: a REPEATABLE
    -- READ or SERIALIZABLE writer would fail on rows another compaction
    -- changed after its snapshot. Their deltas are folded by a later writer.
    IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.=) 'read committed' THEN
      PERFORM mql.compact_rollups(false);
    END IF;
  END
  $$;
COMMENT ON FUNCTION mql.refresh_lead_facts(bigint[]) IS
  'Recomputes the facts of the given leads and adds the change of their contributions to the rollup (pg_mql''s triggers call it).';

-- Rebuilds facts and rollup from the history, e.g. after report_timezone
-- or an event type's category changed. Blocks writers while it runs.
CREATE FUNCTION mql.rebuild_rollups() RETURNS bigint
  LANGUAGE plpgsql
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

-- Every history insert statement: the leads it touched.
CREATE FUNCTION mql.stage_history_refresh_facts() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  BEGIN
    PERFORM mql.refresh_lead_facts(ARRAY(SELECT DISTINCT n.lead_id FROM new_rows AS n ORDER BY 1));
    RETURN NULL;
  END
  $$;
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

-- Sales touches: events of category sales_touch for leads that reached mql.
CREATE FUNCTION mql.events_refresh_touches() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  DECLARE
    touch_types text[];
  BEGIN
    touch_types := ARRAY(SELECT w.event_type FROM mql.event_weights AS w
                          WHERE w.category OPERATOR(pg_catalog.=) 'sales_touch');
    IF pg_catalog.cardinality(touch_types) OPERATOR(pg_catalog.=) 0 THEN
      RETURN NULL;
    END IF;
    PERFORM mql.refresh_lead_facts(ARRAY(
      SELECT DISTINCT e.lead_id
        FROM new_events AS e
        JOIN mql.lead_facts AS f ON f.lead_id OPERATOR(pg_catalog.=) e.lead_id
       WHERE e.event_type OPERATOR(pg_catalog.=) ANY (touch_types)
         AND f.first_mql_at IS NOT NULL
         AND e.occurred_at OPERATOR(pg_catalog.>=) f.first_mql_at
         AND (f.touch_at IS NULL OR e.occurred_at OPERATOR(pg_catalog.<) f.touch_at)
       ORDER BY 1));
    RETURN NULL;
  END
  $$;
-- Named to fire after events_score (triggers fire in name order), which
-- creates, locks and qualifies the statement's leads first.
CREATE TRIGGER events_score_touches
  AFTER INSERT ON mql.events
  REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION mql.events_refresh_touches();

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
-- BI views over the rollup (08_lead_facts.sql). Cohorts and days are cut in
-- settings.report_timezone; rates are fractions in [0, 1], NULL where the
-- denominator is 0; durations are percentiles (percentile_cont) of whole
-- hours. Each group of metrics has one internal view over the rollup rows
-- it needs, grouped by (period, by_source, source, campaign); the public
-- views mql.X read its total rows (by_source false, kept as rows of their
-- own in the rollup) and mql.X_by_source its per-source rows.

-- num / den as a fraction, NULL when den is 0.
CREATE FUNCTION mql.rate(num bigint, den bigint) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT $1::double precision OPERATOR(pg_catalog./) NULLIF($2, 0)::double precision $$;
COMMENT ON FUNCTION mql.rate(bigint, bigint) IS 'num / den, NULL when den is 0.';

-- Days a cohort that started on `period` has been observed, as of now in
-- the report time zone: how long its leads have had to convert.
CREATE FUNCTION mql.observed_days(period date, tz text) RETURNS integer
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT (pg_catalog.now() AT TIME ZONE $2)::date OPERATOR(pg_catalog.-) $1 $$;
COMMENT ON FUNCTION mql.observed_days(date, text) IS
  'Days from the start of a cohort to today in the given time zone.';

-- The rollup's current totals: compacted sums plus pending deltas.
CREATE VIEW mql.rollup_totals AS
SELECT t.family, t.by_source, t.metric, t.period, t.source, t.campaign, t.hours,
       pg_catalog.sum(t.n)::bigint AS n
  FROM (SELECT r.family, r.by_source, r.metric, r.period, r.source, r.campaign, r.hours, r.n
          FROM mql.rollup AS r
        UNION ALL
        SELECT d.family, d.by_source, d.metric, d.period, d.source, d.campaign, d.hours, d.n
          FROM mql.rollup_delta AS d) AS t
 GROUP BY t.family, t.by_source, t.metric, t.period, t.source, t.campaign, t.hours
HAVING pg_catalog.sum(t.n) OPERATOR(pg_catalog.<>) 0;
COMMENT ON VIEW mql.rollup_totals IS
  'The rollup''s current sums: mql.rollup plus mql.rollup_delta (keys whose sum is 0, e.g. after a lead changed source, are left out).';
COMMENT ON COLUMN mql.rollup_totals.family IS 'created (lead-creation month), first_mql (first-MQL month), day, or stage.';
COMMENT ON COLUMN mql.rollup_totals.by_source IS 'False: a total over all sources and campaigns; true: one source and campaign.';
COMMENT ON COLUMN mql.rollup_totals.metric IS 'What is counted, e.g. leads, reached_sql, hours_to_mql, stay:mql.';
COMMENT ON COLUMN mql.rollup_totals.period IS 'Cohort month or day; NULL for the stage family.';
COMMENT ON COLUMN mql.rollup_totals.source IS 'The leads'' source.';
COMMENT ON COLUMN mql.rollup_totals.campaign IS 'The leads'' campaign.';
COMMENT ON COLUMN mql.rollup_totals.hours IS 'Whole hours, for duration histograms; NULL for counters.';
COMMENT ON COLUMN mql.rollup_totals.n IS 'Number of leads (or stays) counted.';

-- The same rows without summing equal keys: the metric views sum counters
-- themselves, and mql.percentile_hours nets equal hours, so they skip a
-- grouping over every histogram row.
CREATE VIEW mql.rollup_rows AS
SELECT r.family, r.by_source, r.metric, r.period, r.source, r.campaign, r.hours, r.n
  FROM mql.rollup AS r
UNION ALL
SELECT d.family, d.by_source, d.metric, d.period, d.source, d.campaign, d.hours, d.n
  FROM mql.rollup_delta AS d;
COMMENT ON VIEW mql.rollup_rows IS
  'Internal: mql.rollup and mql.rollup_delta rows together, not summed (the metric views read it).';
COMMENT ON COLUMN mql.rollup_rows.family IS 'created (lead-creation month), first_mql (first-MQL month), day, or stage.';
COMMENT ON COLUMN mql.rollup_rows.by_source IS 'False: a total over all sources and campaigns; true: one source and campaign.';
COMMENT ON COLUMN mql.rollup_rows.metric IS 'What is counted, e.g. leads, reached_sql, hours_to_mql, stay:mql.';
COMMENT ON COLUMN mql.rollup_rows.period IS 'Cohort month or day; NULL for the stage family.';
COMMENT ON COLUMN mql.rollup_rows.source IS 'The leads'' source.';
COMMENT ON COLUMN mql.rollup_rows.campaign IS 'The leads'' campaign.';
COMMENT ON COLUMN mql.rollup_rows.hours IS 'Whole hours, for duration histograms; NULL for counters.';
COMMENT ON COLUMN mql.rollup_rows.n IS 'Count added (negative: subtracted) by this row.';

------------------------------------------------------------------------------
-- Lead-creation cohorts: funnel and time to MQL.
------------------------------------------------------------------------------
CREATE VIEW mql.funnel_metrics AS
SELECT t.period AS cohort_month, t.by_source, t.source, t.campaign,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'leads'), 0)::bigint AS leads,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'reached_mql'), 0)::bigint AS mqls,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'reached_sql'), 0)::bigint AS sqls,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'reached_opportunity'), 0)::bigint AS opportunities,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'reached_customer'), 0)::bigint AS customers
  FROM mql.rollup_rows AS t
 WHERE t.family = 'created'
   AND t.metric IN ('leads', 'reached_mql', 'reached_sql', 'reached_opportunity', 'reached_customer')
 GROUP BY t.period, t.by_source, t.source, t.campaign
-- A group every lead has left nets to 0 leads: it is gone.
HAVING pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'leads') OPERATOR(pg_catalog.<>) 0;
COMMENT ON VIEW mql.funnel_metrics IS
  'Internal: funnel counts per lead-creation cohort, totals (by_source false) and per source and campaign. Read mql.funnel and mql.funnel_by_source.';

CREATE VIEW mql.time_to_mql_metrics AS
SELECT t.period AS cohort_month, t.by_source, t.source, t.campaign,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'leads'), 0)::bigint AS leads,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'hours_to_mql'), 0)::bigint AS qualified,
       mql.percentile_hours(t.hours, t.n, 0.5) FILTER (WHERE t.metric = 'hours_to_mql') AS median_hours_to_mql,
       mql.percentile_hours(t.hours, t.n, 0.9) FILTER (WHERE t.metric = 'hours_to_mql') AS p90_hours_to_mql
  FROM mql.rollup_rows AS t
 WHERE t.family = 'created' AND t.metric IN ('leads', 'hours_to_mql')
 GROUP BY t.period, t.by_source, t.source, t.campaign
HAVING pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'leads') OPERATOR(pg_catalog.<>) 0;
COMMENT ON VIEW mql.time_to_mql_metrics IS
  'Internal: time to first MQL per lead-creation cohort, totals (by_source false) and per source and campaign. Read mql.time_to_mql and mql.time_to_mql_by_source.';

CREATE VIEW mql.funnel AS
SELECT m.cohort_month, mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days,
       m.leads, m.mqls, m.sqls, m.opportunities, m.customers,
       mql.rate(m.mqls, m.leads) AS lead_to_mql_rate,
       mql.rate(m.sqls, m.mqls) AS mql_to_sql_rate,
       mql.rate(m.opportunities, m.sqls) AS sql_to_opportunity_rate,
       mql.rate(m.customers, m.opportunities) AS opportunity_to_customer_rate,
       mql.rate(m.sqls, m.leads) AS lead_to_sql_rate,
       mql.rate(m.opportunities, m.leads) AS lead_to_opportunity_rate,
       mql.rate(m.customers, m.leads) AS lead_to_customer_rate
  FROM mql.funnel_metrics AS m CROSS JOIN mql.settings AS s
 WHERE NOT m.by_source;

CREATE VIEW mql.funnel_by_source AS
SELECT m.cohort_month, m.source, m.campaign, mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days,
       m.leads, m.mqls, m.sqls, m.opportunities, m.customers,
       mql.rate(m.mqls, m.leads) AS lead_to_mql_rate,
       mql.rate(m.sqls, m.mqls) AS mql_to_sql_rate,
       mql.rate(m.opportunities, m.sqls) AS sql_to_opportunity_rate,
       mql.rate(m.customers, m.opportunities) AS opportunity_to_customer_rate,
       mql.rate(m.sqls, m.leads) AS lead_to_sql_rate,
       mql.rate(m.opportunities, m.leads) AS lead_to_opportunity_rate,
       mql.rate(m.customers, m.leads) AS lead_to_customer_rate
  FROM mql.funnel_metrics AS m CROSS JOIN mql.settings AS s
 WHERE m.by_source;

CREATE VIEW mql.time_to_mql AS
SELECT m.cohort_month, mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days,
       m.leads, m.qualified, m.median_hours_to_mql, m.p90_hours_to_mql
  FROM mql.time_to_mql_metrics AS m CROSS JOIN mql.settings AS s
 WHERE NOT m.by_source;

CREATE VIEW mql.time_to_mql_by_source AS
SELECT m.cohort_month, m.source, m.campaign, mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days,
       m.leads, m.qualified, m.median_hours_to_mql, m.p90_hours_to_mql
  FROM mql.time_to_mql_metrics AS m CROSS JOIN mql.settings AS s
 WHERE m.by_source;

------------------------------------------------------------------------------
-- First-MQL cohorts: MQL to SQL, MQL to customer, recycling, speed to lead.
------------------------------------------------------------------------------
CREATE VIEW mql.mql_cohort_metrics AS
SELECT t.period AS cohort_month, t.by_source, t.source, t.campaign,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'mqls'), 0)::bigint AS mqls,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'sqls'), 0)::bigint AS sqls,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'customers'), 0)::bigint AS customers,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'recycled'), 0)::bigint AS recycled,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'requalified'), 0)::bigint AS requalified,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'touched'), 0)::bigint AS touched,
       mql.percentile_hours(t.hours, t.n, 0.5) FILTER (WHERE t.metric = 'hours_to_sql') AS median_hours_to_sql,
       mql.percentile_hours(t.hours, t.n, 0.5) FILTER (WHERE t.metric = 'hours_to_customer') AS median_hours_to_customer,
       mql.percentile_hours(t.hours, t.n, 0.5) FILTER (WHERE t.metric = 'hours_to_touch') AS median_hours_to_touch,
       mql.percentile_hours(t.hours, t.n, 0.95) FILTER (WHERE t.metric = 'hours_to_touch') AS p95_hours_to_touch
  FROM mql.rollup_rows AS t
 WHERE t.family = 'first_mql'
 GROUP BY t.period, t.by_source, t.source, t.campaign
HAVING pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'mqls') OPERATOR(pg_catalog.<>) 0;
COMMENT ON VIEW mql.mql_cohort_metrics IS
  'Internal: first-MQL cohort metrics, totals (by_source false) and per source and campaign. Read mql.mql_to_sql_rate, mql.mql_to_customer_rate, mql.recycle_rate, mql.speed_to_lead and their _by_source views.';

CREATE VIEW mql.mql_to_sql_rate AS
SELECT m.cohort_month, mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days,
       m.mqls, m.sqls, mql.rate(m.sqls, m.mqls) AS rate,
       m.median_hours_to_sql / 24 AS median_days_to_sql
  FROM mql.mql_cohort_metrics AS m CROSS JOIN mql.settings AS s WHERE NOT m.by_source;

CREATE VIEW mql.mql_to_sql_rate_by_source AS
SELECT m.cohort_month, m.source, m.campaign, mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days,
       m.mqls, m.sqls, mql.rate(m.sqls, m.mqls) AS rate,
       m.median_hours_to_sql / 24 AS median_days_to_sql
  FROM mql.mql_cohort_metrics AS m CROSS JOIN mql.settings AS s WHERE m.by_source;

CREATE VIEW mql.mql_to_customer_rate AS
SELECT m.cohort_month, m.mqls, m.customers, mql.rate(m.customers, m.mqls) AS rate,
       m.median_hours_to_customer / 24 AS median_days_to_customer,
       mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days
  FROM mql.mql_cohort_metrics AS m CROSS JOIN mql.settings AS s WHERE NOT m.by_source;

CREATE VIEW mql.mql_to_customer_rate_by_source AS
SELECT m.cohort_month, m.source, m.campaign, m.mqls, m.customers, mql.rate(m.customers, m.mqls) AS rate,
       m.median_hours_to_customer / 24 AS median_days_to_customer,
       mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days
  FROM mql.mql_cohort_metrics AS m CROSS JOIN mql.settings AS s WHERE m.by_source;

CREATE VIEW mql.recycle_rate AS
SELECT m.cohort_month, m.mqls, m.recycled, m.requalified,
       mql.rate(m.recycled, m.mqls) AS recycle_rate,
       mql.rate(m.requalified, m.recycled) AS requalify_rate,
       mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days
  FROM mql.mql_cohort_metrics AS m CROSS JOIN mql.settings AS s WHERE NOT m.by_source;

CREATE VIEW mql.recycle_rate_by_source AS
SELECT m.cohort_month, m.source, m.campaign, m.mqls, m.recycled, m.requalified,
       mql.rate(m.recycled, m.mqls) AS recycle_rate,
       mql.rate(m.requalified, m.recycled) AS requalify_rate,
       mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days
  FROM mql.mql_cohort_metrics AS m CROSS JOIN mql.settings AS s WHERE m.by_source;

CREATE VIEW mql.speed_to_lead AS
SELECT m.cohort_month, mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days,
       m.mqls, m.touched, m.mqls OPERATOR(pg_catalog.-) m.touched AS untouched,
       m.median_hours_to_touch, m.p95_hours_to_touch
  FROM mql.mql_cohort_metrics AS m CROSS JOIN mql.settings AS s WHERE NOT m.by_source;

CREATE VIEW mql.speed_to_lead_by_source AS
SELECT m.cohort_month, m.source, m.campaign, mql.observed_days(m.cohort_month, s.report_timezone) AS observed_days,
       m.mqls, m.touched, m.mqls OPERATOR(pg_catalog.-) m.touched AS untouched,
       m.median_hours_to_touch, m.p95_hours_to_touch
  FROM mql.mql_cohort_metrics AS m CROSS JOIN mql.settings AS s WHERE m.by_source;

------------------------------------------------------------------------------
-- Daily volume.
------------------------------------------------------------------------------
CREATE VIEW mql.mql_volume AS
SELECT t.period AS day, t.source, t.campaign,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'new_leads'), 0)::bigint AS new_leads,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'first_mqls'), 0)::bigint AS first_mqls,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'requalifications'), 0)::bigint AS requalifications,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'new_leads_qualified'), 0)::bigint AS new_leads_qualified,
       mql.rate(COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'new_leads_qualified'), 0)::bigint,
                COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric = 'new_leads'), 0)::bigint) AS mql_rate
  FROM mql.rollup_rows AS t
 WHERE t.family = 'day' AND t.by_source
 GROUP BY t.period, t.source, t.campaign
-- Each metric nets to 0 or more, so a day whose counts all netted to 0 is gone.
HAVING pg_catalog.sum(t.n) FILTER (WHERE t.metric IN ('new_leads', 'first_mqls', 'requalifications'))
         OPERATOR(pg_catalog.<>) 0;

------------------------------------------------------------------------------
-- Time spent in each stage.
------------------------------------------------------------------------------
CREATE VIEW mql.stage_metrics AS
SELECT pg_catalog.split_part(t.metric, ':', 2)::mql.stage AS stage, t.by_source, t.source, t.campaign,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric LIKE 'entries:%'), 0)::bigint AS entries,
       COALESCE(pg_catalog.sum(t.n) FILTER (WHERE t.metric LIKE 'stay:%'), 0)::bigint AS completed_stays,
       mql.percentile_hours(t.hours, t.n, 0.5) FILTER (WHERE t.metric LIKE 'stay:%') AS median_hours,
       mql.percentile_hours(t.hours, t.n, 0.9) FILTER (WHERE t.metric LIKE 'stay:%') AS p90_hours
  FROM mql.rollup_rows AS t
 WHERE t.family = 'stage'
 GROUP BY pg_catalog.split_part(t.metric, ':', 2), t.by_source, t.source, t.campaign
HAVING pg_catalog.sum(t.n) FILTER (WHERE t.metric LIKE 'entries:%') OPERATOR(pg_catalog.<>) 0;
COMMENT ON VIEW mql.stage_metrics IS
  'Internal: time in each stage, totals (by_source false) and per source and campaign. Read mql.stage_durations and mql.stage_durations_by_source.';

CREATE VIEW mql.stage_durations AS
SELECT m.stage, m.entries, m.completed_stays, m.median_hours, m.p90_hours
  FROM mql.stage_metrics AS m WHERE NOT m.by_source;

CREATE VIEW mql.stage_durations_by_source AS
SELECT m.stage, m.source, m.campaign, m.entries, m.completed_stays, m.median_hours, m.p90_hours
  FROM mql.stage_metrics AS m WHERE m.by_source;
-- Comments for every BI view and column, from one table of definitions
-- (a column shared by several views is described once; view-specific
-- meanings override the default).
COMMENT ON VIEW mql.funnel IS
  'Per lead-creation cohort month: leads and how many reached each funnel stage (or a later one), with next-step and cumulative conversion rates.';
COMMENT ON VIEW mql.funnel_by_source IS 'mql.funnel per source and campaign.';
COMMENT ON VIEW mql.time_to_mql IS
  'Per lead-creation cohort month: leads that qualified, and the median and 90th-percentile hours from creation to first MQL.';
COMMENT ON VIEW mql.time_to_mql_by_source IS 'mql.time_to_mql per source and campaign.';
COMMENT ON VIEW mql.mql_to_sql_rate IS
  'Per first-MQL cohort month: how many MQLs reached sql (or later) afterwards, and the median days it took.';
COMMENT ON VIEW mql.mql_to_sql_rate_by_source IS 'mql.mql_to_sql_rate per source and campaign.';
COMMENT ON VIEW mql.mql_to_customer_rate IS
  'Per first-MQL cohort month: how many MQLs later became customers, and the median days it took.';
COMMENT ON VIEW mql.mql_to_customer_rate_by_source IS 'mql.mql_to_customer_rate per source and campaign.';
COMMENT ON VIEW mql.recycle_rate IS
  'Per first-MQL cohort month: how many MQLs were sent back to nurture, and how many of those qualified again.';
COMMENT ON VIEW mql.recycle_rate_by_source IS 'mql.recycle_rate per source and campaign.';
COMMENT ON VIEW mql.speed_to_lead IS
  'Per first-MQL cohort month: time from MQL to the first sales touch (an event of category sales_touch, or the move to sql or later, whichever is first).';
COMMENT ON VIEW mql.speed_to_lead_by_source IS 'mql.speed_to_lead per source and campaign.';
COMMENT ON VIEW mql.mql_volume IS
  'Per day (in settings.report_timezone), source and campaign: new leads, first MQLs and re-qualifications.';
COMMENT ON VIEW mql.stage_durations IS
  'Per stage: entries (re-entries counted) and the median and 90th-percentile hours of completed stays.';
COMMENT ON VIEW mql.stage_durations_by_source IS 'mql.stage_durations per source and campaign.';

DO $$
DECLARE
  r record;
BEGIN
  FOR r IN
    WITH defs(view_name, column_name, description) AS (VALUES
      (NULL, 'cohort_month', 'First day of the cohort month, in settings.report_timezone.'),
      (NULL, 'observed_days', 'Days from the start of the cohort month to today: a young cohort has had little time to convert.'),
      (NULL, 'source', 'The leads'' source (NULL when not set).'),
      (NULL, 'campaign', 'The leads'' campaign (NULL when not set).'),
      (NULL, 'leads', 'Leads created in the cohort month.'),
      (NULL, 'mqls', 'Leads whose first entry into mql fell in the cohort month.'),
      ('funnel', 'mqls', 'Cohort leads that reached mql or a later funnel stage.'),
      ('funnel', 'sqls', 'Cohort leads that reached sql or a later funnel stage.'),
      ('funnel', 'opportunities', 'Cohort leads that reached opportunity or customer.'),
      ('funnel', 'customers', 'Cohort leads that reached customer.'),
      ('funnel', 'lead_to_mql_rate', 'mqls / leads.'),
      ('funnel', 'mql_to_sql_rate', 'sqls / mqls.'),
      ('funnel', 'sql_to_opportunity_rate', 'opportunities / sqls.'),
      ('funnel', 'opportunity_to_customer_rate', 'customers / opportunities.'),
      ('funnel', 'lead_to_sql_rate', 'sqls / leads (cumulative).'),
      ('funnel', 'lead_to_opportunity_rate', 'opportunities / leads (cumulative).'),
      ('funnel', 'lead_to_customer_rate', 'customers / leads (cumulative).'),
      ('time_to_mql', 'qualified', 'Cohort leads that have entered mql.'),
      ('time_to_mql', 'median_hours_to_mql', 'Median whole hours from creation to first MQL, over the qualified leads.'),
      ('time_to_mql', 'p90_hours_to_mql', '90th percentile of whole hours from creation to first MQL.'),
      ('mql_to_sql_rate', 'sqls', 'Cohort leads that entered sql, opportunity or customer after their first mql.'),
      ('mql_to_sql_rate', 'rate', 'sqls / mqls.'),
      ('mql_to_sql_rate', 'median_days_to_sql', 'Median days (whole hours / 24) from first MQL to that entry.'),
      ('mql_to_customer_rate', 'customers', 'Cohort leads that entered customer after their first mql.'),
      ('mql_to_customer_rate', 'rate', 'customers / mqls.'),
      ('mql_to_customer_rate', 'median_days_to_customer', 'Median days (whole hours / 24) from first MQL to customer, over the customers.'),
      ('recycle_rate', 'recycled', 'Cohort leads that entered recycled after their first mql.'),
      ('recycle_rate', 'requalified', 'Recycled cohort leads that entered mql again after being recycled.'),
      ('recycle_rate', 'recycle_rate', 'recycled / mqls.'),
      ('recycle_rate', 'requalify_rate', 'requalified / recycled.'),
      ('speed_to_lead', 'touched', 'Cohort MQLs that have had a sales touch since their first MQL.'),
      ('speed_to_lead', 'untouched', 'Cohort MQLs with no sales touch yet.'),
      ('speed_to_lead', 'median_hours_to_touch', 'Median whole hours from first MQL to the first sales touch, over the touched.'),
      ('speed_to_lead', 'p95_hours_to_touch', '95th percentile of whole hours from first MQL to the first sales touch.'),
      ('mql_volume', 'day', 'Calendar day in settings.report_timezone.'),
      ('mql_volume', 'new_leads', 'Leads created that day.'),
      ('mql_volume', 'first_mqls', 'Leads whose first entry into mql was that day.'),
      ('mql_volume', 'requalifications', 'Entries into mql that day by leads that had been mql before.'),
      ('mql_volume', 'new_leads_qualified', 'Of the day''s new leads, those that have entered mql since.'),
      ('mql_volume', 'mql_rate', 'new_leads_qualified / new_leads: the share of the day''s new leads that have qualified since.'),
      ('stage_durations', 'stage', 'The stage.'),
      ('stage_durations', 'entries', 'Entries into the stage, re-entries counted (a lead''s creation counts as entering its first stage).'),
      ('stage_durations', 'completed_stays', 'Stays in the stage that have ended (the lead has moved on).'),
      ('stage_durations', 'median_hours', 'Median whole hours of the completed stays.'),
      ('stage_durations', 'p90_hours', '90th percentile of whole hours of the completed stays.'),
      (NULL, 'by_source', 'False for a total over all sources and campaigns; true for one source and campaign.'),
      (NULL, 'median_hours_to_sql', 'Median whole hours from first MQL to the first entry into sql or later.'),
      (NULL, 'median_hours_to_customer', 'Median whole hours from first MQL to customer.')),
    -- Internal views are described by the public views they feed.
    feeds(view_name, base, preference) AS (VALUES
      ('funnel_metrics', 'funnel', 1), ('time_to_mql_metrics', 'time_to_mql', 1),
      ('mql_cohort_metrics', 'mql_to_sql_rate', 1), ('mql_cohort_metrics', 'mql_to_customer_rate', 2),
      ('mql_cohort_metrics', 'recycle_rate', 3), ('mql_cohort_metrics', 'speed_to_lead', 4),
      ('stage_metrics', 'stage_durations', 1)),
    views AS (
      SELECT c.oid, c.relname, pg_catalog.regexp_replace(c.relname, '_by_source$', '') AS base
        FROM pg_catalog.pg_class AS c
       WHERE c.relnamespace OPERATOR(pg_catalog.=) 'mql'::regnamespace AND c.relkind OPERATOR(pg_catalog.=) 'v'
         AND c.relname IN ('funnel_metrics', 'time_to_mql_metrics', 'mql_cohort_metrics', 'stage_metrics', 'funnel', 'funnel_by_source', 'time_to_mql', 'time_to_mql_by_source',
                           'mql_to_sql_rate', 'mql_to_sql_rate_by_source', 'mql_to_customer_rate',
                           'mql_to_customer_rate_by_source', 'recycle_rate', 'recycle_rate_by_source',
                           'speed_to_lead', 'speed_to_lead_by_source', 'mql_volume',
                           'stage_durations', 'stage_durations_by_source'))
    SELECT v.relname, a.attname,
           COALESCE((SELECT d.description FROM defs AS d
                      WHERE d.view_name OPERATOR(pg_catalog.=) v.base AND d.column_name OPERATOR(pg_catalog.=) a.attname),
                    (SELECT d.description FROM feeds AS f
                       JOIN defs AS d ON d.view_name OPERATOR(pg_catalog.=) f.base
                      WHERE f.view_name OPERATOR(pg_catalog.=) v.relname AND d.column_name OPERATOR(pg_catalog.=) a.attname
                      ORDER BY f.preference LIMIT 1),
                    (SELECT d.description FROM defs AS d
                      WHERE d.view_name IS NULL AND d.column_name OPERATOR(pg_catalog.=) a.attname)) AS description
      FROM views AS v
      JOIN pg_catalog.pg_attribute AS a ON a.attrelid OPERATOR(pg_catalog.=) v.oid AND a.attnum OPERATOR(pg_catalog.>) 0
  LOOP
    IF r.description IS NULL THEN
      RAISE EXCEPTION 'pg_mql: no comment for column %.%', r.relname, r.attname;
    END IF;
    EXECUTE pg_catalog.format('COMMENT ON COLUMN mql.%I.%I IS %L', r.relname, r.attname, r.description);
  END LOOP;
END
$$;
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
    EXECUTE pg_catalog.format('REVOKE USAGE ON SCHEMA mql FROM %s', role);
  END
  $$;
COMMENT ON FUNCTION mql.revoke_bi_access(regrole) IS 'Undoes mql.grant_bi_access.';

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
