-- Users' triggers on mql.leads see pg_mql's writes of a lead's scores as
-- they see any UPDATE: row triggers (BEFORE, AFTER, UPDATE OF a column)
-- fire once per lead and event statement, a statement trigger once per
-- statement with its transition table, under READ COMMITTED (where the
-- one-lead statement updates the lead directly, without SPI) and
-- REPEATABLE READ alike. A BEFORE trigger that skips pg_mql's update is
-- refused, and nothing of the statement stays.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
RESET client_min_messages;
SET timezone = 'UTC';
\set VERBOSITY default

UPDATE mql.settings SET threshold = 100, half_life = '30 days', report_timezone = 'UTC',
  future_tolerance = NULL;
INSERT INTO mql.event_weights (event_type, weight) VALUES ('view', 1), ('demo', 60);
INSERT INTO mql.leads (lead_id, created_at) VALUES
  (1, '2026-01-01 00:00+00'), (2, '2026-01-01 00:00+00');

CREATE TABLE public.audit (seq serial, what text, lead_id bigint, old_intent float8,
                           new_intent float8, stage text);
CREATE FUNCTION public.audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.audit (what, lead_id, old_intent, new_intent, stage)
  VALUES (TG_WHEN || ' ' || TG_NAME, NEW.lead_id, OLD.intent_score, NEW.intent_score,
          NEW.stage::text);
  RETURN NEW;
END
$$;
CREATE TRIGGER audit_after AFTER UPDATE ON mql.leads
  FOR EACH ROW EXECUTE FUNCTION public.audit_row();
CREATE TRIGGER audit_intent BEFORE UPDATE OF intent_score ON mql.leads
  FOR EACH ROW EXECUTE FUNCTION public.audit_row();
-- Not fired: pg_mql's event updates set intent_score and score_at only.
CREATE TRIGGER audit_email BEFORE UPDATE OF email ON mql.leads
  FOR EACH ROW EXECUTE FUNCTION public.audit_row();

-- 1. One event: each row trigger once. The BEFORE trigger (fired before
-- pg_mql's leads_before_update, by name, so before any stage change) and
-- the AFTER trigger see the new intent.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, 'view', '2026-01-02 00:00+00');
SELECT what, lead_id, old_intent, new_intent, stage FROM public.audit ORDER BY seq;
TRUNCATE public.audit;

-- 2. Two leads in one statement, lead 2 qualifying: once per lead; the
-- AFTER trigger sees the stage pg_mql's trigger set.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (1, 'view', '2026-01-03 00:00+00'),
  (2, 'demo', '2026-01-02 00:00+00'), (2, 'demo', '2026-01-02 01:00+00');
SELECT what, lead_id, round(old_intent::numeric, 4) AS old_intent,
       round(new_intent::numeric, 4) AS new_intent, stage
  FROM public.audit ORDER BY seq;
TRUNCATE public.audit;

-- 3. A statement trigger with a transition table: one call per event
-- statement, seeing the lead's new row.
CREATE FUNCTION public.audit_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.audit (what, lead_id, new_intent)
  SELECT TG_NAME, n.lead_id, n.intent_score FROM new_rows AS n;
  RETURN NULL;
END
$$;
CREATE TRIGGER audit_statement AFTER UPDATE ON mql.leads
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION public.audit_statement();
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, 'view', '2026-01-04 00:00+00');
SELECT what, lead_id, round(new_intent::numeric, 4) AS new_intent FROM public.audit ORDER BY seq;
DROP TRIGGER audit_statement ON mql.leads;
TRUNCATE public.audit;

-- 4. REPEATABLE READ: the same triggers, the same scores.
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, 'view', '2026-01-05 00:00+00');
COMMIT;
SELECT what, lead_id, round(new_intent::numeric, 4) AS new_intent FROM public.audit ORDER BY seq;
TRUNCATE public.audit;

-- Lead 1's four views, each decayed to the last: the same as mql.score.
SELECT lead_id, round(intent_score::numeric, 4) AS intent, score_at, stage::text,
       round(mql.score(lead_id, score_at)::numeric, 4) AS recomputed
  FROM mql.leads ORDER BY lead_id;

-- 5. A BEFORE trigger that skips the update pg_mql makes: refused (the
-- lead's score would not match its events), nothing written.
-- skip_lead(id) skips the row of lead id, as an UPDATE or an INSERT trigger.
CREATE FUNCTION public.skip_lead() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.lead_id = TG_ARGV[0]::bigint THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER b_skip_lead_2 BEFORE UPDATE ON mql.leads
  FOR EACH ROW EXECUTE FUNCTION public.skip_lead(2);
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (2, 'view', '2026-01-06 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- The same through a statement of many leads, most of them new (created
-- and locked by one upsert, then read and updated directly)...
INSERT INTO mql.events (lead_id, event_type, occurred_at)
SELECT g, 'view', '2026-01-06 00:00+00' FROM generate_series(1, 100) AS g;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- ... and under REPEATABLE READ (the SPI update).
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO mql.events (lead_id, event_type, occurred_at)
SELECT g, 'view', '2026-01-06 00:00+00' FROM generate_series(1, 100) AS g;
ROLLBACK;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) AS events_of_jan_6 FROM mql.events WHERE occurred_at >= '2026-01-06';
SELECT count(*) AS leads FROM mql.leads;
SELECT count(*) AS audit_rows FROM public.audit;

-- 6. A BEFORE INSERT trigger that skips the creation of a lead an event
-- refers to: refused, nothing written, on both paths.
CREATE TRIGGER b_skip_new_lead_7 BEFORE INSERT ON mql.leads
  FOR EACH ROW EXECUTE FUNCTION public.skip_lead(7);
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (7, 'view', '2026-01-06 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.events (lead_id, event_type, occurred_at)
SELECT g, 'view', '2026-01-06 00:00+00' FROM generate_series(3, 20) AS g;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (7, 'view', '2026-01-06 00:00+00');
ROLLBACK;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) AS leads FROM mql.leads;
DROP TRIGGER b_skip_new_lead_7 ON mql.leads;

-- 7. A stored generated column over the scores (the SPI update, which
-- recomputes it): it follows every event.
DROP TRIGGER b_skip_lead_2 ON mql.leads;
ALTER TABLE mql.leads ADD COLUMN total double precision
  GENERATED ALWAYS AS (fit_score + intent_score) STORED;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, 'view', '2026-01-07 00:00+00');
SELECT lead_id, round(intent_score::numeric, 4) AS intent,
       total = fit_score + intent_score AS total_follows
  FROM mql.leads ORDER BY lead_id;
ALTER TABLE mql.leads DROP COLUMN total;

DROP TABLE public.audit;
DROP FUNCTION public.audit_row(), public.audit_statement(), public.skip_lead() CASCADE;
