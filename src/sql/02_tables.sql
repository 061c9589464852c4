-- User data. Every unique key of leads, events and stage_history includes
-- lead_id, so the three can be distributed by lead_id and co-located; the
-- configuration tables are small enough to be reference tables.

CREATE TABLE mql.settings (
  singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT settings_singleton CHECK (singleton),
  threshold double precision NOT NULL DEFAULT 100,
  half_life interval DEFAULT '30 days',
  report_timezone text NOT NULL DEFAULT 'UTC',
  future_tolerance interval DEFAULT '1 day'
);
COMMENT ON TABLE mql.settings IS 'pg_mql settings: exactly one row.';
COMMENT ON COLUMN mql.settings.singleton IS 'Always true: keeps the table to one row.';
COMMENT ON COLUMN mql.settings.threshold IS 'Score (fit + decayed intent) at or above which a lead qualifies as an MQL.';
COMMENT ON COLUMN mql.settings.half_life IS 'Time for an event''s contribution to halve; NULL means no decay.';
COMMENT ON COLUMN mql.settings.report_timezone IS 'Time zone in which the views cut months.';
COMMENT ON COLUMN mql.settings.future_tolerance IS 'How far after the statement''s start an event or a stage change may be dated; NULL means no limit.';
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
  -- A stage clock before the lead existed, or a first MQL outside the
  -- lead's life so far, is contradictory input (an import mistake): the
  -- lead triggers refuse it (23514). Not CHECK constraints: PostgreSQL
  -- parses those again for every statement that writes the table, a tenth
  -- of the cost of the update each event makes.
)
-- Every event updates its lead, and a bulk load updates each of its leads
-- once: half of each page left free lets those updates stay on the page
-- (HOT updates, which write no index entries). The BI views do not scan
-- this table.
WITH (fillfactor = 50);
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
