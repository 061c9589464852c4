-- Contradictory fit rules: two require/exclude rules that no lead can meet
-- together would silently stop every automatic qualification. The
-- constraint trigger fit_rules_consistent refuses them with 22023 at the end
-- of the statement (or at COMMIT when deferred); nothing is written. Rules
-- that merely look alike are accepted. (Each malformed single rule is in
-- bad_input.sql and fit_rules.sql.)
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
RESET client_min_messages;
SET search_path = public, mql;
SET timezone = 'UTC';
\set VERBOSITY default

CREATE TEMP VIEW rules AS
SELECT rule_id, attribute, op, value, points, effect FROM mql.fit_rules ORDER BY rule_id;

-- The rules in place: country = "DE" required, role = "student" excluded.
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES
  ('country', '=', '"DE"', NULL, 'require'),
  ('role', '=', '"student"', NULL, 'exclude');
SELECT * FROM rules;

---------------------------------------------------------------------------
-- The same condition required and excluded.
INSERT INTO mql.fit_rules (attribute, op, value, effect) VALUES ('country', '=', '"DE"', 'exclude');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- A condition and its negation both required: = / <>, in / not in.
INSERT INTO mql.fit_rules (attribute, op, value, effect) VALUES ('country', '<>', '"DE"', 'require');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, effect) VALUES
  ('tier', 'in', '["gold", "silver"]', 'require'),
  ('tier', 'not in', '["gold", "silver"]', 'require');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- Present and absent: require (anything but not exists) or exclude not
-- exists need the attribute; require not exists or exclude exists forbid it.
INSERT INTO mql.fit_rules (attribute, op, value, effect) VALUES ('country', 'not exists', NULL, 'require');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, effect) VALUES ('country', 'exists', NULL, 'exclude');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, effect) VALUES
  ('consent', 'exists', NULL, 'exclude'),
  ('consent', 'not exists', NULL, 'exclude');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- Two required values no attribute equals both: different strings (case
-- aside), different numbers, different booleans, a boolean and a string, a
-- number and a string that cannot read as a number.
INSERT INTO mql.fit_rules (attribute, op, value, effect) VALUES ('country', '=', '"FR"', 'require');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, effect) VALUES
  ('employees', '=', '500', 'require'), ('employees', '=', '501', 'require');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, effect) VALUES
  ('gdpr', '=', 'true', 'require'), ('gdpr', '=', 'false', 'require');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, effect) VALUES
  ('gdpr', '=', 'true', 'require'), ('gdpr', '=', '"true"', 'require');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, effect) VALUES
  ('employees', '=', '500', 'require'), ('employees', '=', '"many"', 'require');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- An UPDATE that creates a contradiction: refused, the rule unchanged.
UPDATE mql.fit_rules SET attribute = 'country', value = '"FR"', effect = 'require' WHERE attribute = 'role';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM rules;

---------------------------------------------------------------------------
-- Accepted: rules that only look alike, because some lead meets both.
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES
  ('country', '=', '"de"', NULL, 'require'),       -- strings compare ignoring case
  ('employees', '=', '500', NULL, 'require'),
  ('employees', '=', '500.0', NULL, 'require'),    -- the same number
  ('employees', '=', '"500"', NULL, 'require'),    -- a numeric string equals 500
  ('country', '=', '"DE"', 20, 'score'),           -- score rules never contradict
  ('role', '=', '"intern"', NULL, 'exclude'),      -- excluding two values is fine
  ('region', 'not exists', NULL, NULL, 'require'),
  ('region', '=', '"EMEA"', NULL, 'exclude');      -- absent is never "EMEA"
SELECT * FROM rules;
-- Qualification still works with them: a lead meeting every requirement.
UPDATE mql.settings SET threshold = 20;
INSERT INTO mql.leads (lead_id, attributes, created_at)
  VALUES (1, '{"country": "DE", "employees": 500, "role": "vp"}', '2026-01-01 00:00+00');
SELECT lead_id, stage, fit_score FROM mql.leads;

---------------------------------------------------------------------------
-- Replacing a required value takes two statements; deferring the check to
-- COMMIT allows it. A contradiction still present at COMMIT fails the COMMIT
-- and the transaction writes nothing.
BEGIN;
SET CONSTRAINTS mql.fit_rules_consistent DEFERRED;
INSERT INTO mql.fit_rules (attribute, op, value, effect) VALUES ('country', '=', '"AT"', 'require');
DELETE FROM mql.fit_rules WHERE attribute = 'country' AND op = '=' AND effect = 'require' AND value <> '"AT"';
COMMIT;
SELECT * FROM rules;
BEGIN;
SET CONSTRAINTS mql.fit_rules_consistent DEFERRED;
INSERT INTO mql.fit_rules (attribute, op, value, effect) VALUES ('country', '=', '"CH"', 'require');
INSERT INTO mql.fit_rules (attribute, op, value, effect) VALUES ('tier', '=', '"gold"', 'require');
COMMIT;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM rules;
