-- Out-of-range numbers and oversized documents: weights, points and the
-- threshold beyond +/-1e9 (22003 / 22023), half-lives beyond 100 years,
-- mql.decayed() arguments, hand-written NaN scores, blank event types,
-- attributes and properties over 1 MB (54000), and error messages that
-- quote user text without cutting a character. Each refusal writes nothing.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
RESET client_min_messages;
SET search_path = public, mql;
SET timezone = 'UTC';
\set VERBOSITY default

CREATE TEMP VIEW counts AS
SELECT (SELECT count(*) FROM mql.leads) AS leads,
       (SELECT count(*) FROM mql.events) AS events,
       (SELECT count(*) FROM mql.stage_history) AS history,
       (SELECT count(*) FROM mql.event_weights) AS weights,
       (SELECT count(*) FROM mql.fit_rules) AS rules;
CREATE TEMP VIEW lead1 AS
SELECT lead_id, stage, attributes, fit_score, intent_score, score_at
  FROM mql.leads WHERE lead_id = 1;

-- Set-up: one weight, one rule, lead 1 (fit 20) with one event (intent 10),
-- lead 2 without events.
INSERT INTO mql.event_weights (event_type, weight) VALUES ('visit', 10);
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('country', '=', '"DE"', 20);
INSERT INTO mql.leads (lead_id, attributes, created_at) VALUES
  (1, '{"country": "DE"}', '2026-01-01 00:00+00'), (2, '{}', '2026-01-01 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, 'visit', '2026-01-02 00:00+00');
SELECT * FROM counts;
SELECT * FROM lead1;

---------------------------------------------------------------------------
-- Weights beyond +/-1e9: 22003. Two events of weight 1e308 would make the
-- intent Infinity; one of -1e10 is a typo. The bound itself is accepted.
INSERT INTO mql.event_weights (event_type, weight) VALUES ('huge', 1e308);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.event_weights (event_type, weight) VALUES ('ok', 5), ('typo', -1e10);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.event_weights SET weight = 1000000001 WHERE event_type = 'visit';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT event_type, weight FROM mql.event_weights ORDER BY event_type;
INSERT INTO mql.event_weights (event_type, weight) VALUES ('max', 1e9), ('min', -1e9);
SELECT event_type, weight FROM mql.event_weights ORDER BY event_type;
DELETE FROM mql.event_weights WHERE event_type IN ('max', 'min');

-- An event type too long for the primary key's index (PostgreSQL's own
-- limit, about 2.7 kB after compression): 54000.
\set VERBOSITY terse
INSERT INTO mql.event_weights (event_type, weight)
  SELECT string_agg(md5(i::text), '' ORDER BY i), 1 FROM generate_series(1, 100) AS i;
\set VERBOSITY default
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;

-- Threshold beyond +/-1e9: 22003; the row is unchanged.
UPDATE mql.settings SET threshold = 1e10;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.settings SET threshold = -1e300;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT threshold FROM mql.settings;

-- Fit rule points beyond +/-1e9: 22023 like every malformed rule.
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('employees', '>=', '500', 1e308);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES
  ('employees', '>=', '500', 10), ('employees', '>=', '5000', -2e9);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.fit_rules SET points = 1e12 WHERE attribute = 'country';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT attribute, op, value, points FROM mql.fit_rules ORDER BY rule_id;

-- half_life beyond 100 years: 22023 (far beyond, it would not even fit in
-- microseconds); 100 years and one microsecond are accepted.
UPDATE mql.settings SET half_life = '101 years';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.settings SET half_life = '178000000 years';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT half_life FROM mql.settings;
UPDATE mql.settings SET half_life = '100 years';
UPDATE mql.settings SET half_life = '1 microsecond';
SELECT half_life FROM mql.settings;
UPDATE mql.settings SET half_life = '30 days';
SELECT * FROM counts;
SELECT * FROM lead1;

---------------------------------------------------------------------------
-- mql.decayed() checks its arguments as the tables do: a non-finite weight
-- 22003; a half-life that is zero, negative or beyond 100 years 22023 (NULL
-- still means no decay).
SELECT mql.decayed('NaN', '2026-01-01 00:00+00', '2026-02-01 00:00+00', '30 days');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.decayed('-Infinity', '2026-01-01 00:00+00', '2026-02-01 00:00+00', '30 days');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.decayed(10, '2026-01-01 00:00+00', '2026-02-01 00:00+00', '0');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.decayed(10, '2026-01-01 00:00+00', '2026-02-01 00:00+00', '-1 day');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.decayed(10, '2026-01-01 00:00+00', '2026-02-01 00:00+00', '178000000 years');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.decayed(10, '2026-01-01 00:00+00', '2026-01-31 00:00+00', '30 days') AS half,
       mql.decayed(10, '2026-01-01 00:00+00', '2126-01-01 00:00+00', NULL) AS no_decay,
       mql.decayed(10, '2026-01-01 00:00+00', '2026-01-01 00:00+00', '100 years') AS at_bound;

---------------------------------------------------------------------------
-- Hand-written scores (pg_mql maintains them): NaN or infinite intent_score
-- 22003, infinite score_at 22008, also when one row of many is bad.
UPDATE mql.leads SET intent_score = 'NaN' WHERE lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.leads SET intent_score = '-Infinity' WHERE lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.leads SET score_at = 'infinity' WHERE lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.leads SET intent_score = CASE lead_id WHEN 1 THEN 5 ELSE 'Infinity'::float8 END
 WHERE lead_id IN (1, 2);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT lead_id, intent_score, score_at FROM mql.leads ORDER BY lead_id;

---------------------------------------------------------------------------
-- An empty or blank event_type in mql.events: 22023 (an unknown type weighs
-- 0 and is kept, but a blank one is a bug), also within a multi-row INSERT.
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES (1, '', '2026-01-03 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.events (lead_id, event_type, occurred_at) VALUES
  (1, 'visit', '2026-01-03 00:00+00'),
  (3, '   ', '2026-01-03 00:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM counts;
SELECT * FROM lead1;

---------------------------------------------------------------------------
-- Oversized documents: more than 1 MB (1048576 bytes of jsonb, as
-- pg_column_size measures a fresh value) of attributes or properties is
-- refused with 54000. The limit counts the uncompressed size, so a highly
-- compressible document is refused as well.
SELECT pg_column_size(jsonb_build_object('blob', repeat('x', 1048576))) AS too_big,
       pg_column_size(jsonb_build_object('blob', repeat('x', 1048000))) AS fits;
INSERT INTO mql.leads (lead_id, attributes) VALUES (4, jsonb_build_object('blob', repeat('x', 1048576)));
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.leads SET attributes = attributes || jsonb_build_object('blob', repeat('x', 1048576))
 WHERE lead_id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.events (lead_id, event_type, occurred_at, properties) VALUES
  (1, 'visit', '2026-01-03 00:00+00', '{"page": "/pricing"}'),
  (5, 'visit', '2026-01-03 00:00+00', jsonb_build_object('blob', repeat('x', 1048576)));
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- Many small keys add up the same way.
INSERT INTO mql.leads (lead_id, attributes)
  SELECT 6, jsonb_object_agg('key' || i, i) FROM generate_series(1, 100000) AS i;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM counts;
SELECT * FROM lead1;
-- Just under the limit is accepted.
INSERT INTO mql.leads (lead_id, attributes) VALUES (4, jsonb_build_object('blob', repeat('x', 1048000)));
INSERT INTO mql.events (lead_id, event_type, occurred_at, properties)
  VALUES (4, 'visit', '2026-01-03 00:00+00', jsonb_build_object('blob', repeat('x', 1048000)));
SELECT lead_id, pg_column_size(attributes) < 1048576 AS compressed, intent_score
  FROM mql.leads WHERE lead_id = 4;
SELECT * FROM counts;

---------------------------------------------------------------------------
-- Error messages quote user text without cutting a multibyte character: a
-- stage text's first 200 bytes, an unknown operator's or effect's first 64
-- bytes (then "..."). Checked in a UTF8 database; in other encodings there
-- is nothing to cut, and the checks are skipped (true).
DO $$
DECLARE
  skip boolean := current_setting('server_encoding') <> 'UTF8';
  msg text;
BEGIN
  BEGIN
    PERFORM (repeat('a', 199) || 'é')::mql.stage;
  EXCEPTION WHEN invalid_text_representation THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
  END;
  RAISE NOTICE 'stage text: %', skip OR msg = 'invalid input value for type mql.stage: "' || repeat('a', 199) || '"';
  BEGIN
    INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('a', 'x' || repeat('é', 100), '1', 1);
  EXCEPTION WHEN invalid_parameter_value THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
  END;
  RAISE NOTICE 'operator: %', skip OR msg = 'unknown fit rule operator "x' || repeat('é', 31) || '..."';
  BEGIN
    INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('a', '=', '1', 1, repeat('é', 100));
  EXCEPTION WHEN invalid_parameter_value THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
  END;
  RAISE NOTICE 'effect: %', skip OR msg = 'unknown fit rule effect "' || repeat('é', 32) || '..."';
END
$$;
-- The same in ASCII, shown in full.
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('a', repeat('lt', 50), '1', 1);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM counts;
