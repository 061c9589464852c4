-- peer_set: pg_mql's event path as the best set-based PL/pgSQL we could
-- write: one AFTER INSERT ... FOR EACH STATEMENT trigger with a transition
-- table, two SQL statements per INSERT or COPY whatever its size. Needs
-- peer/common.sql. Benchmark code, not part of the extension.
--
-- Same semantics as pg_mql (docs/scoring-and-qualification.md) for what
-- the benchmark exercises, see peer/row_trigger.sql for the list and for
-- what is not modelled (no funnel facts or rollups, no rescoring on
-- UPDATE/DELETE, no fit-alone qualification at creation).
--
-- How it stays fast:
-- * intent is summed in closed form: with a reference time r,
--   sum w_i 2^(-(t - o_i)/h) = 2^(-(t - r)/h) * sum w_i 2^((o_i - r)/h), so a
--   running sum over the lead's events in (occurred_at, event_id) order
--   (one window sort) gives the score after every event. For the walk, r
--   is the lead's earliest new event: then a lead that crosses at that
--   event (say fit 40 + one demo request of 60 = threshold 100) scores it
--   exactly, as pg_mql does; with any other r the factors round and such
--   exact ties can fall just below the threshold (we saw two in 100,000
--   leads with the statement's earliest event as r). For the stored
--   intent, r is the statement's earliest event. The factors
--   2^((o - r)/h) overflow past ~1000 half-lives between events of one
--   statement: refused below.
-- * only leads that can cross are walked: in stage lead or recycled, and
--   either late (an event older than score_at: walked over their whole
--   history, as pg_mql does) or with fit + max(intent, 0) + the positive
--   weights of the statement's events reaching the threshold (no decay can
--   make the score larger than that).
-- * every lead's new (intent_score, score_at) comes from one hash
--   aggregate of the statement's events.

DROP SCHEMA IF EXISTS peer_set CASCADE;
CREATE SCHEMA peer_set;

CREATE TABLE peer_set.leads (
  lead_id bigint PRIMARY KEY,
  email text,
  source text,
  campaign text,
  attributes jsonb NOT NULL DEFAULT '{}',
  stage text NOT NULL DEFAULT 'lead',
  fit_score double precision NOT NULL,   -- set by lead_defaults unless the INSERT gives it
  intent_score double precision NOT NULL DEFAULT 0,
  score_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  stage_changed_at timestamptz NOT NULL,
  first_mql_at timestamptz
);
CREATE INDEX leads_stage_idx ON peer_set.leads (stage);

CREATE TABLE peer_set.events (
  event_id bigserial,
  lead_id bigint NOT NULL,
  event_type text NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  properties jsonb,
  PRIMARY KEY (lead_id, event_id)
);

CREATE TABLE peer_set.stage_history (
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
CREATE INDEX stage_history_to_stage_idx ON peer_set.stage_history (to_stage, changed_at);

-- A lead inserted by hand: fit from the rules, the stage clock from
-- created_at. (The event trigger gives both for the leads it creates, so
-- the WHEN clause skips this function for them.)
CREATE FUNCTION peer_set.lead_defaults() RETURNS trigger
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
CREATE TRIGGER lead_defaults BEFORE INSERT ON peer_set.leads
  FOR EACH ROW WHEN (NEW.fit_score IS NULL OR NEW.stage_changed_at IS NULL)
  EXECUTE FUNCTION peer_set.lead_defaults();

-- New leads: their 'created' history rows, in one statement.
CREATE FUNCTION peer_set.leads_created() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    INSERT INTO peer_set.stage_history (lead_id, from_stage, to_stage, changed_at, reason, score, actor)
    SELECT n.lead_id, NULL, n.stage, n.stage_changed_at, 'created', n.fit_score,
           COALESCE(NULLIF(current_setting('mql.actor', true), ''), CURRENT_USER)
      FROM new_leads AS n
     ORDER BY n.lead_id;
    RETURN NULL;
  END
  $$;
CREATE TRIGGER leads_created AFTER INSERT ON peer_set.leads
  REFERENCING NEW TABLE AS new_leads
  FOR EACH STATEMENT EXECUTE FUNCTION peer_set.leads_created();

-- (work_mem: the walk sorts the events of the leads that can cross; a
-- million-event COPY needs some 30 MB to sort them in memory, as pg_mql's
-- C trigger does.)
CREATE FUNCTION peer_set.on_events() RETURNS trigger
  LANGUAGE plpgsql
  SET work_mem = '64MB'
  AS $$
  DECLARE
    threshold double precision;
    half_life double precision;  -- microseconds; NULL: no decay
    ref timestamptz;             -- reference time of the closed-form sums
    last timestamptz;
    fit0 double precision;
  BEGIN
    SELECT s.threshold, (EXTRACT(epoch FROM s.half_life) * 1000000)::double precision
      INTO threshold, half_life FROM mql.settings AS s;
    SELECT min(n.occurred_at), max(n.occurred_at) INTO ref, last FROM new_events AS n;
    IF ref IS NULL THEN
      RETURN NULL;
    END IF;
    IF peer_common.us(last, ref) / half_life > 1000 THEN
      RAISE EXCEPTION 'peer_set: the events of one statement span more than 1000 half-lives';
    END IF;

    -- 1. One pass over the statement's events: per lead, its earliest and
    -- latest occurred_at, the closed-form sum of its weights and the sum of
    -- its positive weights. Kept in a temporary table (analyzed) rather
    -- than a CTE: the planner estimates any aggregate of a transition table
    -- at 200 groups, and chose nested loops over 100,000 leads.
    IF to_regclass('pg_temp.peer_set_statement') IS NULL THEN
      CREATE TEMP TABLE peer_set_statement (lead_id bigint, from_at timestamptz, last_at timestamptz,
                                            scaled double precision, pos double precision);
    ELSE
      TRUNCATE pg_temp.peer_set_statement;
    END IF;
    INSERT INTO pg_temp.peer_set_statement
    SELECT n.lead_id, min(n.occurred_at), max(n.occurred_at),
           sum(COALESCE(w.weight, 0) * peer_common.decay(peer_common.us(ref, n.occurred_at), half_life)),
           sum(greatest(COALESCE(w.weight, 0), 0))
      FROM new_events AS n
      LEFT JOIN mql.event_weights AS w ON w.event_type = n.event_type
     GROUP BY n.lead_id;
    ANALYZE pg_temp.peer_set_statement;

    -- 2. Leads seen for the first time, dated by their earliest event (the
    -- fit of a lead with no attributes, computed once).
    fit0 := (peer_common.fit('{}', NULL, NULL, NULL)).score;
    INSERT INTO peer_set.leads AS l (lead_id, created_at, stage_changed_at, fit_score)
    SELECT p.lead_id, p.from_at, p.from_at, fit0
      FROM pg_temp.peer_set_statement AS p
     ORDER BY p.lead_id
    ON CONFLICT (lead_id) DO NOTHING;

    -- 3. Score every lead of the statement, walk those that can cross,
    -- apply the crossings and record them.
    WITH st AS (
      SELECT p.lead_id, p.from_at, p.pos, l.stage, l.fit_score AS fit, l.intent_score AS v0,
             l.score_at AS t0, l.stage_changed_at AS c0,
             greatest(l.score_at, p.last_at) AS t1,
             CASE WHEN l.score_at IS NULL THEN 0
                  ELSE l.intent_score * peer_common.decay(peer_common.us(greatest(l.score_at, p.last_at), l.score_at), half_life)
             END + p.scaled * peer_common.decay(peer_common.us(greatest(l.score_at, p.last_at), ref), half_life) AS v1,
             l.stage IN ('lead', 'recycled') AND l.score_at IS NOT NULL AND p.from_at < l.score_at AS late
        FROM pg_temp.peer_set_statement AS p
        JOIN peer_set.leads AS l ON l.lead_id = p.lead_id),
    cand AS (
      SELECT * FROM st
       WHERE st.stage IN ('lead', 'recycled')
         AND (st.late OR st.fit + greatest(st.v0, 0) + st.pos >= threshold)),
    walk AS (
      -- In-time leads: the statement's events, after the stored intent
      -- (a pseudo event of weight intent_score at score_at, not judged).
      -- Each row carries what judging it needs.
      SELECT n.lead_id, n.occurred_at AS o, n.event_id, COALESCE(w.weight, 0) AS w, true AS judged,
             c.stage, c.c0, c.fit, c.from_at AS ref
        FROM new_events AS n
        JOIN cand AS c ON c.lead_id = n.lead_id AND NOT c.late
        LEFT JOIN mql.event_weights AS w ON w.event_type = n.event_type
      UNION ALL
      SELECT c.lead_id, c.t0, -1, c.v0, false, c.stage, c.c0, c.fit, c.from_at
        FROM cand AS c
       WHERE NOT c.late AND c.t0 IS NOT NULL
      UNION ALL
      -- Late leads: their whole history, judged from the earliest new event.
      SELECT e.lead_id, e.occurred_at, e.event_id, COALESCE(w.weight, 0), e.occurred_at >= c.from_at,
             c.stage, c.c0, c.fit, c.from_at
        FROM cand AS c
        JOIN peer_set.events AS e ON e.lead_id = c.lead_id
        LEFT JOIN mql.event_weights AS w ON w.event_type = e.event_type
       WHERE c.late),
    scaled AS (
      SELECT x.*, x.w * peer_common.decay(peer_common.us(x.ref, x.o), half_life) AS own
        FROM walk AS x),
    sums AS (
      SELECT x.*, sum(x.own) OVER run AS cum, lead(x.o) OVER run AS next_o
        FROM scaled AS x
      WINDOW run AS (PARTITION BY x.lead_id ORDER BY x.o, x.event_id ROWS UNBOUNDED PRECEDING)),
    judged AS (
      SELECT s.*, j.tau,
             s.fit + s.cum * peer_common.decay(peer_common.us(j.tau, s.ref), half_life) AS score,
             s.fit + (s.cum - s.own) * peer_common.decay(peer_common.us(s.o, s.ref), half_life) AS was
        FROM sums AS s
       CROSS JOIN LATERAL (SELECT CASE WHEN s.stage = 'lead' THEN greatest(s.o, s.c0) ELSE s.o END AS tau) AS j
       WHERE s.judged),
    hits AS (
      -- The first event after which the lead qualifies.
      SELECT DISTINCT ON (j.lead_id) j.lead_id, j.stage AS from_stage, j.tau AS at, j.score,
             j.stage = 'recycled' AS requalification
        FROM judged AS j
       WHERE CASE WHEN j.stage = 'lead'
                  -- an event before the stage began is judged at the
                  -- stage's start, with every event up to then
                  THEN NOT (j.tau > j.o AND j.next_o IS NOT NULL AND j.next_o <= j.tau)
                       AND j.score >= threshold
                  ELSE j.o > j.c0 AND j.was < threshold AND j.score >= threshold
             END
       ORDER BY j.lead_id, j.o, j.event_id),
    checked AS MATERIALIZED (
      -- Require and exclude rules, evaluated once per lead that crosses:
      -- eligible unless a require rule fails or an exclude rule matches.
      SELECT h.lead_id, h.from_stage, h.at, h.score, h.requalification,
             NOT EXISTS (
               SELECT 1
                 FROM mql.fit_rules AS r
                CROSS JOIN LATERAL (SELECT peer_common.attribute(l.attributes, l.email, l.source, l.campaign,
                                                                 r.attribute) AS a
                                    OFFSET 0) AS x  -- a column, so that rule_matches is inlined
                WHERE r.effect IN ('require', 'exclude')
                  AND peer_common.rule_matches(r.op, r.value, x.a) = (r.effect = 'exclude')) AS eligible
        FROM hits AS h
        JOIN peer_set.leads AS l ON l.lead_id = h.lead_id),
    crossing AS (
      SELECT * FROM checked WHERE checked.eligible),
    upd AS (
      UPDATE peer_set.leads AS l
         SET intent_score = s.v1, score_at = s.t1,
             stage = CASE WHEN x.lead_id IS NULL THEN l.stage ELSE 'mql' END,
             stage_changed_at = COALESCE(x.at, l.stage_changed_at),
             first_mql_at = CASE WHEN x.lead_id IS NULL THEN l.first_mql_at
                                 ELSE COALESCE(l.first_mql_at, x.at) END
        FROM st AS s
        LEFT JOIN crossing AS x ON x.lead_id = s.lead_id
       WHERE l.lead_id = s.lead_id)
    INSERT INTO peer_set.stage_history (lead_id, from_stage, to_stage, changed_at, reason, score, actor)
    SELECT x.lead_id, x.from_stage, 'mql', x.at,
           CASE WHEN x.requalification THEN 're-qualified: score reached the threshold after recycling'
                ELSE 'qualified: score reached the threshold' END,
           x.score, 'pg_mql'
      FROM crossing AS x
     ORDER BY x.lead_id;
    RETURN NULL;
  END
  $$;
CREATE TRIGGER events_score AFTER INSERT ON peer_set.events
  REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION peer_set.on_events();
