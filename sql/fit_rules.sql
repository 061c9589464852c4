-- Fit rules: every operator and effect, on attributes keys and on the
-- email, source and campaign columns; canonical storage of op and effect;
-- every kind of malformed rule refused; fit_score kept on mql.leads.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_mql CASCADE;
CREATE EXTENSION pg_mql;
RESET client_min_messages;
SET search_path = public, mql;
SET timezone = 'UTC';
\set VERBOSITY default

-- Nothing qualifies in this file except in block 6, which lowers the
-- threshold on purpose.
UPDATE mql.settings SET threshold = 1000000, half_life = '30 days', report_timezone = 'UTC', future_tolerance = NULL;
INSERT INTO mql.event_weights (event_type, weight) VALUES ('demo_request', 60);

------------------------------------------------------------------------------
-- 1. mql.fit_rule_matches(op, value, attribute) directly: the matcher the
--    triggers use. A NULL attribute is a missing one; 'null' is JSON null.
--    Numbers compare numerically (numeric strings too), strings
--    case-insensitively; missing and null attributes match only
--    "not exists".
------------------------------------------------------------------------------
CREATE TEMP TABLE cases (n serial, op text, value jsonb, attr jsonb, expected boolean);
INSERT INTO cases (op, value, attr, expected) VALUES
  -- =
  ('=', '"EMEA"', '"emea"', true),
  ('=', '"EMEA"', '"APAC"', false),
  ('=', '500', '500', true),
  ('=', '500', '500.0', true),
  ('=', '500', '"500"', true),
  ('=', '"500"', '500', true),
  ('=', '500', '501', false),
  ('=', '"02134"', '"2134"', false),
  ('=', 'true', 'true', true),
  ('=', 'true', 'false', false),
  ('=', 'true', '"true"', false),
  ('=', '"DE"', NULL, false),
  ('=', '"DE"', 'null', false),
  ('=', '"DE"', '{"a": "DE"}', false),
  -- <>
  ('<>', '"EMEA"', '"Emea"', false),
  ('<>', '"EMEA"', '"APAC"', true),
  ('<>', '500', '"500"', false),
  ('<>', '500', '499', true),
  ('<>', '"DE"', NULL, false),
  ('<>', '"DE"', 'null', false),
  -- in
  ('in', '["DE", "FR"]', '"de"', true),
  ('in', '["DE", "FR"]', '"US"', false),
  ('in', '[1, 2, 3]', '"2"', true),
  ('in', '[1, 2, 3]', '2.0', true),
  ('in', '[1, 2, 3]', '4', false),
  ('in', '[true]', 'true', true),
  ('in', '["DE"]', NULL, false),
  ('in', '["DE"]', 'null', false),
  -- not in
  ('not in', '["DE", "FR"]', '"us"', true),
  ('not in', '["DE", "FR"]', '"fr"', false),
  ('not in', '[1, 2]', '"2"', false),
  ('not in', '["DE"]', NULL, false),
  ('not in', '["DE"]', 'null', false),
  -- <
  ('<', '1000', '999', true),
  ('<', '1000', '1000', false),
  ('<', '1000', '"999"', true),
  ('<', '1000', '"abc"', false),
  ('<', '"10"', '"9"', true),
  ('<', '"banana"', '"Apple"', true),
  ('<', '"apple"', '"Banana"', false),
  ('<', '1000', NULL, false),
  ('<', '1000', 'null', false),
  ('<', '1000', 'true', false),
  -- <=
  ('<=', '1000', '1000', true),
  ('<=', '1000', '1000.5', false),
  ('<=', '"M"', '"m"', true),
  -- >
  ('>', '100', '"5000"', true),
  ('>', '100', '100', false),
  ('>', '100', '"1e3"', true),
  ('>', '"b"', '"C"', true),
  ('>', '100', NULL, false),
  -- >=
  ('>=', '100', '100', true),
  ('>=', '100', '99.99', false),
  ('>=', '100', '" 250 "', true),
  ('>=', '100', 'null', false),
  -- exists / not exists: present means not missing and not JSON null
  ('exists', NULL, '"x"', true),
  ('exists', NULL, '""', true),
  ('exists', NULL, '0', true),
  ('exists', NULL, 'false', true),
  ('exists', NULL, '{"a": 1}', true),
  ('exists', NULL, NULL, false),
  ('exists', NULL, 'null', false),
  ('exists', 'null', '"x"', true),
  ('not exists', NULL, NULL, true),
  ('not exists', NULL, 'null', true),
  ('not exists', NULL, '"x"', false),
  ('not exists', NULL, '0', false),
  -- ends_with: strings only, case-insensitive
  ('ends_with', '"@gmail.com"', '"Bob@GMAIL.com"', true),
  ('ends_with', '"@gmail.com"', '"bob@corp.com"', false),
  ('ends_with', '"@gmail.com"', '"gmail.com"', false),
  ('ends_with', '"5"', '15', false),
  ('ends_with', '"x"', NULL, false),
  ('ends_with', '"x"', 'null', false),
  -- other spellings of the operators
  ('==', '"a"', '"A"', true),
  ('!=', '"a"', '"b"', true),
  ('NOT_IN', '["a"]', '"b"', true),
  ('Not In', '["a"]', '"A"', false),
  ('ENDS WITH', '"z"', '"xyZ"', true),
  ('not  exists', NULL, NULL, true);
SELECT n, op, value, attr, mql.fit_rule_matches(op, value, attr) AS matches,
       mql.fit_rule_matches(op, value, attr) = expected AS ok
  FROM cases ORDER BY n;
SELECT count(*) AS cases, count(*) FILTER (WHERE mql.fit_rule_matches(op, value, attr) = expected) AS as_expected
  FROM cases;
-- A malformed rule is refused by the matcher too (22023); a NULL op is 22004.
SELECT mql.fit_rule_matches('in', '"DE"', '"DE"');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.fit_rule_matches('like', '"D%"', '"DE"');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT mql.fit_rule_matches(NULL, '"DE"', '"DE"');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;

------------------------------------------------------------------------------
-- 2. op and effect are stored in their canonical spelling.
------------------------------------------------------------------------------
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES
  ('country', 'NOT_IN', '["US"]', 1, 'Score'),
  ('email', 'Ends_With', '"@acme.com"', NULL, ' REQUIRE '),
  ('role', '==', '"student"', NULL, 'Exclude'),
  ('role', '!=', '"student"', 1, 'score'),
  ('phone', 'NOT  EXISTS', NULL, 1, 'SCORE'),
  ('title', 'exists', 'null', 1, 'score'),
  ('seats', ' >= ', '5', 1, 'score');
SELECT rule_id, attribute, op, value, points, effect FROM mql.fit_rules ORDER BY rule_id;
-- The effect defaults to score.
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('x', '=', '1', 2) RETURNING op, effect;
DELETE FROM mql.fit_rules;

------------------------------------------------------------------------------
-- 3. Malformed rules are refused with 22023 and nothing is written.
------------------------------------------------------------------------------
-- unknown operator
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('country', 'like', '"D%"', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- unknown effect
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('country', '=', '"DE"', 5, 'boost');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- empty attribute
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('', '=', '"DE"', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- in with a scalar, an empty array, an array holding null, a nested array
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('country', 'in', '"DE"', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('country', 'in', '[]', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('country', 'not in', '["DE", null]', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('country', 'in', '[["DE"]]', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('country', 'in', NULL, 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- exists / not exists with a value
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('phone', 'exists', '"x"', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('phone', 'not exists', '[]', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- ends_with with a number
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('email', 'ends_with', '5', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- a comparison with an object, an array, a boolean
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('employees', '>', '{"min": 5}', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('employees', '<=', '[5]', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('employees', '<', 'true', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- = with no value, with JSON null, with an array
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('country', '=', NULL, 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('country', '=', 'null', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('country', '<>', '["DE"]', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- a score rule without points
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('country', '=', '"DE"', NULL, 'score');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- require / exclude rules with points
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('consent', 'exists', NULL, 5, 'require');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('role', '=', '"student"', -5, 'exclude');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- NaN and infinite points
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('country', '=', '"DE"', 'NaN');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('country', '=', '"DE"', 'Infinity');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('country', '=', '"DE"', '-Infinity');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- one bad row in a multi-row INSERT: none is written
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES
  ('country', '=', '"DE"', 5),
  ('country', 'in', '"FR"', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- Nothing was written by any of them.
SELECT count(*) AS rules FROM mql.fit_rules;
-- A require or exclude rule with points 0 is accepted (it adds nothing).
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES ('consent', 'exists', NULL, 0, 'require')
  RETURNING op, points, effect;
DELETE FROM mql.fit_rules;

-- UPDATE to a malformed rule is refused too, and the rule stays as it was.
INSERT INTO mql.fit_rules (attribute, op, value, points, effect)
  VALUES ('country', 'in', '["DE", "FR"]', 5, 'score');
UPDATE mql.fit_rules SET op = 'between';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.fit_rules SET value = '"DE"';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.fit_rules SET effect = 'require';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.fit_rules SET points = NULL;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.fit_rules SET points = 'NaN';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE mql.fit_rules SET attribute = '';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT attribute, op, value, points, effect FROM mql.fit_rules;
-- A valid UPDATE is stored canonically.
UPDATE mql.fit_rules SET op = 'NOT_IN', effect = 'EXCLUDE', points = NULL RETURNING attribute, op, value, points, effect;
DELETE FROM mql.fit_rules;

------------------------------------------------------------------------------
-- 4. fit_score on mql.leads: computed on INSERT from every score rule, on
--    attributes keys and on email / source / campaign; require and exclude
--    rules add no points. Points are powers of two, so the fit_score tells
--    exactly which rules matched.
------------------------------------------------------------------------------
INSERT INTO mql.fit_rules (attribute, op, value, points, effect, description) VALUES
  ('employees', '>=', '500', 1, 'score', 'R1'),
  ('country', 'in', '["DE", "FR", "NL"]', 2, 'score', 'R2'),
  ('email', 'ends_with', '"@acme.com"', 4, 'score', 'R3'),
  ('source', '=', '"Webinar"', 8, 'score', 'R4'),
  ('campaign', 'in', '["spring-26", "summer-26"]', 16, 'score', 'R5'),
  ('industry', '<>', '"education"', 32, 'score', 'R6'),
  ('title', 'exists', NULL, 64, 'score', 'R7'),
  ('revenue', '<', '1000000', 128, 'score', 'R8'),
  ('region', 'not in', '["APAC"]', 256, 'score', 'R9'),
  ('budget_approved', '=', 'true', 512, 'score', 'R10'),
  ('seats', '<=', '10', 1024, 'score', 'R11'),
  ('tier', '>', '"b"', 2048, 'score', 'R12'),
  ('phone', 'not exists', NULL, 4096, 'score', 'R13'),
  ('consent', 'exists', NULL, NULL, 'require', 'R14'),
  ('role', '=', '"student"', NULL, 'exclude', 'R15');
INSERT INTO mql.leads (lead_id, email, source, campaign, attributes, created_at) VALUES
  -- every score rule matches (revenue as a numeric string; phone missing)
  (1, 'ann@ACME.com', 'webinar', 'Spring-26',
   '{"employees": 1000, "country": "de", "industry": "Software", "title": "CTO",
     "revenue": "250000", "region": "EMEA", "budget_approved": true, "seats": 5,
     "tier": "C", "consent": true}', '2026-01-01 00:00+00'),
  -- no rule matches (numeric string "499" < 500; "Education" equals
  -- "education"; JSON null title; "true" is a string, not a boolean)
  (2, 'bob@gmail.com', 'ads', 'fall',
   '{"employees": "499", "country": "US", "industry": "Education", "title": null,
     "revenue": 1000000, "region": "apac", "budget_approved": "true", "seats": 11,
     "tier": "a", "phone": "+1 555", "role": "Student"}', '2026-01-01 00:00+00'),
  -- nothing at all: only "not exists" matches (<> and not in do not)
  (3, NULL, NULL, NULL, '{}', '2026-01-01 00:00+00'),
  -- JSON nulls behave as missing
  (4, NULL, NULL, NULL,
   '{"employees": null, "country": null, "industry": null, "region": null, "phone": null}',
   '2026-01-01 00:00+00'),
  -- some: R1 (501 >= 500), R2 ("nl"), R6 (industry present, not education),
  -- R9 (region "emea"), R11 ("10" <= 10), R13
  (5, 'eve@acme.co', 'Webinars', 'spring-27',
   '{"employees": 501, "country": "nl", "industry": "retail", "region": "emea", "seats": "10"}',
   '2026-01-01 00:00+00');
SELECT lead_id, fit_score,
       fit_score = CASE lead_id WHEN 1 THEN 8191 WHEN 2 THEN 0 WHEN 3 THEN 4096
                                WHEN 4 THEN 4096 WHEN 5 THEN 1 + 2 + 32 + 256 + 1024 + 4096 END AS as_expected
  FROM mql.leads ORDER BY lead_id;
-- A fit_score given in the INSERT is ignored: pg_mql computes it.
INSERT INTO mql.leads (lead_id, attributes, fit_score, created_at)
  VALUES (6, '{"employees": 500, "phone": "1"}', 12345, '2026-01-01 00:00+00');
SELECT fit_score = 1 AS computed_not_given FROM mql.leads WHERE lead_id = 6;

-- Recomputed when attributes change ...
UPDATE mql.leads SET attributes = '{"employees": 600}' WHERE lead_id = 3;
SELECT fit_score = 1 + 4096 AS after_attributes FROM mql.leads WHERE lead_id = 3;
UPDATE mql.leads SET attributes = attributes || '{"phone": "+49", "tier": "Z"}' WHERE lead_id = 3;
SELECT fit_score = 1 + 2048 AS after_merge FROM mql.leads WHERE lead_id = 3;
-- ... and when email, source or campaign change.
UPDATE mql.leads SET email = 'x@Acme.Com' WHERE lead_id = 3;
SELECT fit_score = 1 + 2048 + 4 AS after_email FROM mql.leads WHERE lead_id = 3;
UPDATE mql.leads SET source = 'WEBINAR', campaign = 'summer-26' WHERE lead_id = 3;
SELECT fit_score = 1 + 2048 + 4 + 8 + 16 AS after_source_campaign FROM mql.leads WHERE lead_id = 3;
UPDATE mql.leads SET email = NULL, source = NULL WHERE lead_id = 3;
SELECT fit_score = 1 + 2048 + 16 AS after_clearing FROM mql.leads WHERE lead_id = 3;
-- A value going JSON null stops matching.
UPDATE mql.leads SET attributes = jsonb_set(attributes, '{employees}', 'null') WHERE lead_id = 3;
SELECT fit_score = 2048 + 16 AS after_null FROM mql.leads WHERE lead_id = 3;
-- A direct write of fit_score is replaced by the computed value.
UPDATE mql.leads SET fit_score = 999 WHERE lead_id = 1;
SELECT fit_score = 8191 AS still_computed FROM mql.leads WHERE lead_id = 1;
-- Attributes that are not a JSON object are refused (22023), nothing written.
UPDATE mql.leads SET attributes = '["employees", 5]' WHERE lead_id = 3;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO mql.leads (lead_id, attributes) VALUES (7, '"acme"');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) AS lead_7 FROM mql.leads WHERE lead_id = 7;
SELECT attributes FROM mql.leads WHERE lead_id = 3;

-- mql.lead_attribute() is what a rule sees, for explain().
SELECT a AS attribute, mql.lead_attribute(l, a) AS value
  FROM mql.leads AS l, unnest(ARRAY['email', 'source', 'campaign', 'employees', 'tier', 'nope']) AS a
 WHERE l.lead_id = 1 ORDER BY a;

-- A new rule changes stored fit only when the lead is rescored or updated.
INSERT INTO mql.fit_rules (attribute, op, value, points, description)
  VALUES ('country', '=', '"US"', 8192, 'R16');
SELECT fit_score AS before_rescore FROM mql.leads WHERE lead_id = 2;
SELECT mql.rescore(2) AS rescored;
SELECT fit_score AS after_rescore FROM mql.leads WHERE lead_id = 2;
-- mql.score() adds fit to intent.
SELECT mql.score(2, '2026-01-01 00:00+00') AS score FROM mql.leads WHERE lead_id = 2;

------------------------------------------------------------------------------
-- 5. explain() lists matching score rules, every require rule (met or not)
--    and matching exclude rules.
------------------------------------------------------------------------------
SELECT lead_id, kind, item, detail, points
  FROM mql.leads AS l, mql.explain(l.lead_id, '2026-01-01 00:00+00') AS x
 WHERE l.lead_id IN (2, 5)
 ORDER BY lead_id, kind, item;
DELETE FROM mql.fit_rules;

------------------------------------------------------------------------------
-- 6. Effects on qualification: with a threshold of 50, a demo request (60)
--    qualifies an eligible lead; a lead failing a require rule or matching
--    an exclude rule stays a lead. (Timestamps in 2100: an attribute UPDATE
--    re-judges a lead at max(now, score_at), which must not depend on the
--    day the test runs.)
------------------------------------------------------------------------------
UPDATE mql.settings SET threshold = 50;
INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES
  ('consent', '=', 'true', NULL, 'require'),
  ('email', 'ends_with', '"@student.example.edu"', NULL, 'exclude'),
  ('role', 'in', '["student", "intern"]', NULL, 'exclude');
INSERT INTO mql.leads (lead_id, email, attributes, created_at) VALUES
  (21, 'a@corp.example', '{"consent": true}', '2100-01-01 00:00+00'),
  (22, 'b@corp.example', '{"consent": false}', '2100-01-01 00:00+00'),
  (23, 'c@corp.example', '{}', '2100-01-01 00:00+00'),
  (24, 'd@Student.Example.EDU', '{"consent": true}', '2100-01-01 00:00+00'),
  (25, 'e@corp.example', '{"consent": true, "role": "Intern"}', '2100-01-01 00:00+00');
INSERT INTO mql.events (lead_id, event_type, occurred_at)
  SELECT g, 'demo_request', '2100-01-02 00:00+00' FROM generate_series(21, 25) AS g;
SELECT lead_id, stage, mql.score(l, '2100-01-02 00:00+00') AS score, first_mql_at
  FROM mql.leads AS l WHERE lead_id BETWEEN 21 AND 25 ORDER BY lead_id;
SELECT lead_id, item, detail
  FROM mql.leads AS l, mql.explain(l.lead_id, '2100-01-02 00:00+00') AS x
 WHERE l.lead_id BETWEEN 21 AND 25 AND x.kind = 'fit'
 ORDER BY lead_id, item;
-- Fixing the blocking attribute qualifies the lead (re-judged at score_at).
UPDATE mql.leads SET attributes = '{"consent": true}' WHERE lead_id = 22;
UPDATE mql.leads SET attributes = '{"consent": true, "role": "customer"}' WHERE lead_id = 25;
SELECT lead_id, stage, stage_changed_at FROM mql.leads WHERE lead_id BETWEEN 21 AND 25 ORDER BY lead_id;
SELECT lead_id, from_stage, to_stage, changed_at, reason, score, actor
  FROM mql.stage_history WHERE lead_id BETWEEN 21 AND 25 AND from_stage IS NOT NULL
 ORDER BY lead_id, history_id;

-- fit_score is derived in every stage: a hand-written value is recomputed
-- from the rules, for a lead in mql as for one in lead.
SELECT lead_id, stage, fit_score FROM mql.leads WHERE lead_id IN (21, 22) ORDER BY lead_id;
UPDATE mql.leads SET fit_score = 999 WHERE lead_id IN (21, 22);
SELECT lead_id, stage, fit_score FROM mql.leads WHERE lead_id IN (21, 22) ORDER BY lead_id;

-- A JSON number beyond double precision's range is refused (22023), not
-- silently turned into infinity; nothing is written.
SELECT count(*) AS rules FROM mql.fit_rules \gset
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('employees', '>=', '1e400', 5);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) = :rules AS nothing_written FROM mql.fit_rules;

-- The triggers cache mql.leads' column numbers per backend; ALTER TABLE
-- forgets them. Here email is dropped and added again, so it gets a new
-- column number (and lead 3 no email): the next updates must read and
-- write the new column, not the dropped one.
DELETE FROM mql.fit_rules;
INSERT INTO mql.fit_rules (attribute, op, value, points) VALUES ('email', 'ends_with', '"@acme.com"', 7);
UPDATE mql.leads SET email = 'x@acme.com' WHERE lead_id = 3;
SELECT fit_score AS before_alter FROM mql.leads WHERE lead_id = 3;
ALTER TABLE mql.leads DROP COLUMN email;
ALTER TABLE mql.leads ADD COLUMN email text;
SELECT attnum > 2 AS email_renumbered FROM pg_attribute
 WHERE attrelid = 'mql.leads'::regclass AND attname = 'email';
UPDATE mql.leads SET fit_score = NULL WHERE lead_id = 3;
SELECT fit_score AS without_email FROM mql.leads WHERE lead_id = 3;
UPDATE mql.leads SET email = 'y@ACME.com' WHERE lead_id = 3;
SELECT email, fit_score AS with_new_email FROM mql.leads WHERE lead_id = 3;
