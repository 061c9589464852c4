-- peer_row: pg_mql's event path written as a competent user would write it
-- with an AFTER INSERT ... FOR EACH ROW PL/pgSQL trigger: one event at a
-- time, O(1) per event (fold the event into the stored intent, judge the
-- lead at it), plus a walk of the lead's history for late events. Needs
-- peer/common.sql. Benchmark code, not part of the extension.
--
-- Same semantics as pg_mql (docs/scoring-and-qualification.md) for what
-- the benchmark exercises: leads created by their first event, fit rules
-- (score, require, exclude), decayed intent kept as (intent_score,
-- score_at), qualification of leads in stage lead (level-triggered, judged
-- no earlier than stage_changed_at) and recycled (edge-triggered, events
-- after the recycling only), late events, history rows with pg_mql's
-- reasons. Not modelled (no row of the benchmark needs them): rescoring
-- on UPDATE/DELETE of events or leads, a lead whose fit alone reaches the
-- threshold at creation, guardrails for manual stage changes, and pg_mql's
-- funnel facts and rollups (mql.lead_facts, mql.rollup*), which are extra
-- work pg_mql does and the peers do not.
--
-- pg_mql judges the events of one statement as a set: in (occurred_at,
-- event_id) order, from the lead's state at the start of the statement. A
-- row trigger sees the events one by one in insertion order, so when an
-- out-of-order event arrives after the lead already crossed in the same
-- statement, the crossing may have to move (earlier, later, or away).
-- The trigger therefore keeps, per lead, its state at the start of the
-- current statement (stmt_* columns) and redoes the walk from it in that
-- case. A BEFORE STATEMENT trigger numbers the statements.

DROP SCHEMA IF EXISTS peer_row CASCADE;
CREATE SCHEMA peer_row;

CREATE TABLE peer_row.leads (
  lead_id bigint PRIMARY KEY,
  email text,
  source text,
  campaign text,
  attributes jsonb NOT NULL DEFAULT '{}',
  stage text NOT NULL DEFAULT 'lead',
  fit_score double precision NOT NULL DEFAULT 0,
  intent_score double precision NOT NULL DEFAULT 0,
  score_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  stage_changed_at timestamptz NOT NULL,
  first_mql_at timestamptz,
  -- The lead as it was when the current statement first touched it.
  stmt_id bigint,
  stmt_new boolean,            -- created by this statement
  stmt_from timestamptz,       -- earliest occurred_at among the statement's events so far
  stmt_stage text,
  stmt_changed_at timestamptz,
  stmt_first_mql_at timestamptz
);
CREATE INDEX leads_stage_idx ON peer_row.leads (stage);

CREATE TABLE peer_row.events (
  event_id bigserial,
  lead_id bigint NOT NULL,
  event_type text NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  properties jsonb,
  PRIMARY KEY (lead_id, event_id)
);

CREATE TABLE peer_row.stage_history (
  history_id bigserial,
  lead_id bigint NOT NULL,
  from_stage text,
  to_stage text NOT NULL,
  changed_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  reason text,
  score double precision,
  actor text NOT NULL DEFAULT CURRENT_USER,
  is_override boolean NOT NULL DEFAULT false,
  PRIMARY KEY (lead_id, history_id)
);
CREATE INDEX stage_history_to_stage_idx ON peer_row.stage_history (to_stage, changed_at);

CREATE SEQUENCE peer_row.statement_seq;

-- New lead: fit from the rules, no intent yet, the stage clock starts at
-- created_at.
CREATE FUNCTION peer_row.lead_defaults() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    NEW.fit_score := (peer_common.fit(NEW.attributes, NEW.email, NEW.source, NEW.campaign)).score;
    NEW.intent_score := 0;
    NEW.score_at := NULL;
    NEW.stage_changed_at := COALESCE(NEW.stage_changed_at, NEW.created_at);
    IF NEW.stage = 'mql' AND NEW.first_mql_at IS NULL THEN
      NEW.first_mql_at := NEW.stage_changed_at;
    END IF;
    RETURN NEW;
  END
  $$;
CREATE TRIGGER lead_defaults BEFORE INSERT ON peer_row.leads
  FOR EACH ROW EXECUTE FUNCTION peer_row.lead_defaults();

-- Every new lead gets its 'created' history row.
CREATE FUNCTION peer_row.lead_created() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    INSERT INTO peer_row.stage_history (lead_id, from_stage, to_stage, changed_at, reason, score, actor)
    VALUES (NEW.lead_id, NULL, NEW.stage, NEW.stage_changed_at, 'created', NEW.fit_score,
            COALESCE(NULLIF(current_setting('mql.actor', true), ''), CURRENT_USER));
    RETURN NULL;
  END
  $$;
CREATE TRIGGER lead_created AFTER INSERT ON peer_row.leads
  FOR EACH ROW EXECUTE FUNCTION peer_row.lead_created();

-- Numbers each INSERT or COPY into events, so the row trigger knows which
-- rows belong to the same statement.
CREATE FUNCTION peer_row.statement_start() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    PERFORM set_config('peer_row.statement', nextval('peer_row.statement_seq')::text, true);
    RETURN NULL;
  END
  $$;
CREATE TRIGGER events_statement BEFORE INSERT ON peer_row.events
  FOR EACH STATEMENT EXECUTE FUNCTION peer_row.statement_start();

-- The lead's crossing, found by walking its events (those inserted up to
-- event `upto`: an AFTER ROW trigger already sees the rows its statement
-- inserts after this one) in (occurred_at, event_id) order from the start,
-- judging after each event that occurred at or after `from_at`, for a lead
-- whose stage was `stage` since `changed_at`. Returns no row if none.
CREATE FUNCTION peer_row.walk(lead bigint, upto bigint, stage text, changed_at timestamptz,
                              fit double precision, from_at timestamptz,
                              threshold double precision, half_life double precision,
                              OUT at timestamptz, OUT score double precision, OUT requalification boolean)
  RETURNS SETOF record
  LANGUAGE plpgsql STABLE
  AS $$
  DECLARE
    e record;
    v double precision := 0;    -- running intent as of t
    t timestamptz;              -- latest occurred_at so far (NULL: no event yet)
    before_v double precision;
    before_t timestamptz;
    tau timestamptz;
    was double precision;
    now_score double precision;
  BEGIN
    FOR e IN
      SELECT x.occurred_at AS o, COALESCE(w.weight, 0) AS w,
             lead(x.occurred_at) OVER (ORDER BY x.occurred_at, x.event_id) AS next_o
        FROM peer_row.events AS x
        LEFT JOIN mql.event_weights AS w ON w.event_type = x.event_type
       WHERE x.lead_id = lead AND x.event_id <= upto
       ORDER BY x.occurred_at, x.event_id
    LOOP
      before_v := v;
      before_t := t;
      IF t IS NULL THEN
        v := e.w; t := e.o;
      ELSIF e.o <= t THEN
        v := v + e.w * peer_common.decay(peer_common.us(t, e.o), half_life);
      ELSE
        v := v * peer_common.decay(peer_common.us(e.o, t), half_life) + e.w; t := e.o;
      END IF;
      CONTINUE WHEN e.o < from_at;
      IF stage = 'recycled' THEN
        CONTINUE WHEN e.o <= changed_at;
        was := fit + CASE WHEN before_t IS NULL THEN 0
                          WHEN e.o <= before_t THEN before_v
                          ELSE before_v * peer_common.decay(peer_common.us(e.o, before_t), half_life) END;
        now_score := fit + v;
        IF was < threshold AND now_score >= threshold THEN
          at := e.o; score := now_score; requalification := true;
          RETURN NEXT;
          RETURN;
        END IF;
      ELSE
        tau := greatest(e.o, changed_at);
        -- An event before the stage began is judged at the stage's start,
        -- with every event up to then.
        CONTINUE WHEN tau > e.o AND e.next_o IS NOT NULL AND e.next_o <= tau;
        now_score := fit + v * peer_common.decay(peer_common.us(tau, t), half_life);
        IF now_score >= threshold THEN
          at := tau; score := now_score; requalification := false;
          RETURN NEXT;
          RETURN;
        END IF;
      END IF;
    END LOOP;
  END
  $$;

-- The row trigger: fold the event into the lead's intent and judge the lead.
CREATE FUNCTION peer_row.on_event() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  DECLARE
    stmt bigint := current_setting('peer_row.statement')::bigint;
    threshold double precision;
    half_life double precision;
    w double precision;
    l peer_row.leads%ROWTYPE;
    o timestamptz := NEW.occurred_at;
    before_v double precision;
    before_t timestamptz;
    crossed boolean;            -- qualified by an earlier event of this statement
    late boolean;               -- older than an event already folded in
    c record;
    found_crossing boolean := false;
    redo boolean := false;
    tau timestamptz;
    s double precision;
  BEGIN
    SELECT st.threshold, (EXTRACT(epoch FROM st.half_life) * 1000000)::double precision
      INTO threshold, half_life FROM mql.settings AS st;
    SELECT ew.weight INTO w FROM mql.event_weights AS ew WHERE ew.event_type = NEW.event_type;
    w := COALESCE(w, 0);

    SELECT * INTO l FROM peer_row.leads WHERE lead_id = NEW.lead_id FOR UPDATE;
    IF NOT FOUND THEN
      INSERT INTO peer_row.leads (lead_id, created_at) VALUES (NEW.lead_id, o) RETURNING * INTO l;
      l.stmt_id := NULL;
      l.stmt_new := true;
    ELSE
      l.stmt_new := l.stmt_id IS NOT DISTINCT FROM stmt AND l.stmt_new;
    END IF;
    IF l.stmt_id IS DISTINCT FROM stmt THEN
      l.stmt_id := stmt;
      l.stmt_from := o;
      l.stmt_stage := l.stage;
      l.stmt_changed_at := l.stage_changed_at;
      l.stmt_first_mql_at := l.first_mql_at;
    ELSIF o < l.stmt_from THEN
      l.stmt_from := o;
      IF l.stmt_new AND o < l.created_at THEN
        -- A lead created by this statement dates from its earliest event.
        l.created_at := o;
        l.stmt_changed_at := o;
        IF l.stage = l.stmt_stage THEN
          l.stage_changed_at := o;
        END IF;
        UPDATE peer_row.stage_history AS h SET changed_at = o
         WHERE h.lead_id = l.lead_id AND h.from_stage IS NULL;
      END IF;
    END IF;
    crossed := l.stage IS DISTINCT FROM l.stmt_stage;

    -- Fold the event into (intent_score, score_at): O(1).
    before_v := l.intent_score;
    before_t := l.score_at;
    late := before_t IS NOT NULL AND o < before_t;
    IF before_t IS NULL THEN
      l.intent_score := w; l.score_at := o;
    ELSIF o <= before_t THEN
      l.intent_score := before_v + w * peer_common.decay(peer_common.us(before_t, o), half_life);
    ELSE
      l.intent_score := before_v * peer_common.decay(peer_common.us(o, before_t), half_life) + w;
      l.score_at := o;
    END IF;

    IF l.stmt_stage IN ('lead', 'recycled') THEN
      IF crossed THEN
        -- Already qualified by this statement: an event dated at or before
        -- the crossing changes it; walk again from the statement's start.
        redo := o <= l.stage_changed_at;
        IF redo THEN
          SELECT * INTO c FROM peer_row.walk(l.lead_id, NEW.event_id, l.stmt_stage, l.stmt_changed_at,
                                             l.fit_score, l.stmt_from, threshold, half_life);
          found_crossing := FOUND;
        END IF;
      ELSIF late THEN
        -- Late event: the score at later, stored events changed; judge
        -- from this event on over the lead's whole history.
        SELECT * INTO c FROM peer_row.walk(l.lead_id, NEW.event_id, l.stmt_stage, l.stmt_changed_at,
                                           l.fit_score, o, threshold, half_life);
        found_crossing := FOUND;
      ELSIF l.stmt_stage = 'recycled' THEN
        IF o > l.stmt_changed_at THEN
          s := l.fit_score + CASE WHEN before_t IS NULL THEN 0
                                  WHEN o <= before_t THEN before_v
                                  ELSE before_v * peer_common.decay(peer_common.us(o, before_t), half_life) END;
          IF s < threshold AND l.fit_score + l.intent_score >= threshold THEN
            SELECT o AS at, l.fit_score + l.intent_score AS score, true AS requalification INTO c;
            found_crossing := true;
          END IF;
        END IF;
      ELSE
        tau := greatest(o, l.stmt_changed_at);
        s := l.fit_score + l.intent_score * peer_common.decay(peer_common.us(tau, l.score_at), half_life);
        IF s >= threshold THEN
          SELECT tau AS at, s AS score, false AS requalification INTO c;
          found_crossing := true;
        END IF;
      END IF;
      IF found_crossing AND NOT (peer_common.fit(l.attributes, l.email, l.source, l.campaign)).eligible THEN
        found_crossing := false;
      END IF;

      IF found_crossing AND crossed THEN
        -- The crossing moved: fix the lead and its history row.
        l.stage_changed_at := c.at;
        l.first_mql_at := COALESCE(l.stmt_first_mql_at, c.at);
        UPDATE peer_row.stage_history AS h SET changed_at = c.at, score = c.score
         WHERE h.lead_id = l.lead_id
           AND h.history_id = (SELECT max(x.history_id) FROM peer_row.stage_history AS x WHERE x.lead_id = l.lead_id);
      ELSIF found_crossing THEN
        l.stage := 'mql';
        l.stage_changed_at := c.at;
        l.first_mql_at := COALESCE(l.first_mql_at, c.at);
        INSERT INTO peer_row.stage_history (lead_id, from_stage, to_stage, changed_at, reason, score, actor)
        VALUES (l.lead_id, l.stmt_stage, 'mql', c.at,
                CASE WHEN c.requalification THEN 're-qualified: score reached the threshold after recycling'
                     ELSE 'qualified: score reached the threshold' END,
                c.score, 'pg_mql');
      ELSIF redo THEN
        -- The crossing went away: back to the state before the statement.
        l.stage := l.stmt_stage;
        l.stage_changed_at := l.stmt_changed_at;
        l.first_mql_at := l.stmt_first_mql_at;
        DELETE FROM peer_row.stage_history AS h
         WHERE h.lead_id = l.lead_id
           AND h.history_id = (SELECT max(x.history_id) FROM peer_row.stage_history AS x WHERE x.lead_id = l.lead_id);
      END IF;
    END IF;

    UPDATE peer_row.leads AS x
       SET intent_score = l.intent_score, score_at = l.score_at, stage = l.stage,
           created_at = l.created_at, stage_changed_at = l.stage_changed_at,
           first_mql_at = l.first_mql_at, stmt_id = l.stmt_id, stmt_new = l.stmt_new,
           stmt_from = l.stmt_from, stmt_stage = l.stmt_stage,
           stmt_changed_at = l.stmt_changed_at, stmt_first_mql_at = l.stmt_first_mql_at
     WHERE x.lead_id = l.lead_id;
    RETURN NULL;
  END
  $$;
CREATE TRIGGER events_score AFTER INSERT ON peer_row.events
  FOR EACH ROW EXECUTE FUNCTION peer_row.on_event();
