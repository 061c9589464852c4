-- Helpers shared by the two PL/pgSQL peers of pg_mql (peer_row, peer_set):
-- decay arithmetic and the fit-rule semantics of
-- docs/scoring-and-qualification.md, written in plain SQL as a user would.
-- The peers read pg_mql's configuration tables (mql.settings,
-- mql.event_weights, mql.fit_rules) so that every contender of the
-- benchmark runs with the very same configuration.
--
-- Known differences from pg_mql, none of which the benchmark exercises:
-- a half_life given in years counts 365.25 days a year here (pg_mql: 360);
-- a numeric string too large for double precision raises an error here
-- (pg_mql: it is not a number).

DROP SCHEMA IF EXISTS peer_common CASCADE;
CREATE SCHEMA peer_common;

-- Microseconds from b to a, as double precision: the operand pg_mql feeds
-- to its decay (there exact; here within an ulp or two, since date_part
-- divides by 10^6 and we multiply back, which avoids slow numeric math).
CREATE FUNCTION peer_common.us(a timestamptz, b timestamptz) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT date_part('epoch', a - b) * 1000000 $$;

-- 2^(-dt / half_life); 1 without decay (half_life NULL) or for dt = 0.
CREATE FUNCTION peer_common.decay(dt_us double precision, half_life_us double precision)
  RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN half_life_us IS NULL OR dt_us = 0 THEN 1::double precision
                    ELSE power(2::double precision, -dt_us / half_life_us) END $$;

-- settings.half_life in microseconds (NULL: no decay).
CREATE FUNCTION peer_common.half_life_us() RETURNS double precision
  LANGUAGE sql STABLE
  AS $$ SELECT (EXTRACT(epoch FROM s.half_life) * 1000000)::double precision FROM mql.settings AS s $$;

-- ASCII case folding: A-Z to a-z, every other byte kept.
CREATE FUNCTION peer_common.fold(s text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT translate(s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') $$;

-- A JSON number, or a string that reads entirely as a finite decimal
-- number (surrounding spaces, a leading + and an exponent allowed); NULL
-- for anything else.
CREATE FUNCTION peer_common.num(j jsonb) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT CASE jsonb_typeof(j)
             WHEN 'number' THEN j::double precision
             WHEN 'string' THEN
               CASE WHEN (j #>> '{}') ~ '^ *[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)? *$'
                    THEN (j #>> '{}')::double precision END
           END
  $$;

-- Equality of an attribute with one rule value (=, <>, in, not in).
CREATE FUNCTION peer_common.eq(a jsonb, v jsonb) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT CASE
             WHEN jsonb_typeof(a) = 'boolean' OR jsonb_typeof(v) = 'boolean'
               THEN jsonb_typeof(a) = 'boolean' AND jsonb_typeof(v) = 'boolean' AND a = v
             WHEN jsonb_typeof(a) = 'number' OR jsonb_typeof(v) = 'number'
               THEN COALESCE(peer_common.num(a) = peer_common.num(v), false)
             WHEN jsonb_typeof(a) = 'string' AND jsonb_typeof(v) = 'string'
               THEN peer_common.fold(a #>> '{}') = peer_common.fold(v #>> '{}')
             ELSE false
           END
  $$;

-- Ordering of an attribute against one rule value: -1, 0, 1, or NULL when
-- the two cannot be ordered. Numeric when either side is a number or both
-- strings read as numbers, else folded text compared byte by byte.
CREATE FUNCTION peer_common.cmp(a jsonb, v jsonb) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT CASE
             WHEN jsonb_typeof(a) = 'number' OR jsonb_typeof(v) = 'number'
                  OR (jsonb_typeof(a) = 'string' AND jsonb_typeof(v) = 'string'
                      AND peer_common.num(a) IS NOT NULL AND peer_common.num(v) IS NOT NULL)
               THEN CASE WHEN peer_common.num(a) < peer_common.num(v) THEN -1
                         WHEN peer_common.num(a) > peer_common.num(v) THEN 1
                         WHEN peer_common.num(a) = peer_common.num(v) THEN 0 END
             WHEN jsonb_typeof(a) = 'string' AND jsonb_typeof(v) = 'string'
               THEN CASE WHEN peer_common.fold(a #>> '{}') COLLATE "C" < peer_common.fold(v #>> '{}') THEN -1
                         WHEN peer_common.fold(a #>> '{}') = peer_common.fold(v #>> '{}') THEN 0
                         ELSE 1 END
           END
  $$;

-- Whether an attribute equals an element of a JSON array (in, not in).
CREATE FUNCTION peer_common.in_list(a jsonb, v jsonb) RETURNS boolean
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  AS $$
  DECLARE
    x jsonb;
  BEGIN
    FOR x IN SELECT jsonb_array_elements(v) LOOP
      IF peer_common.eq(a, x) THEN
        RETURN true;
      END IF;
    END LOOP;
    RETURN false;
  END
  $$;

-- Whether one rule (op, value) matches one attribute value (NULL: missing).
-- A missing attribute matches only "not exists". Plain SQL without
-- subqueries, so that the planner inlines it (and the helpers above) into
-- the query that calls it when the arguments are columns.
CREATE FUNCTION peer_common.rule_matches(op text, v jsonb, a jsonb) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT CASE
             WHEN op = 'exists' THEN a IS NOT NULL AND jsonb_typeof(a) <> 'null'
             WHEN op = 'not exists' THEN a IS NULL OR jsonb_typeof(a) = 'null'
             WHEN a IS NULL OR jsonb_typeof(a) = 'null' THEN false
             WHEN op = '=' THEN peer_common.eq(a, v)
             WHEN op = '<>' THEN NOT peer_common.eq(a, v)
             WHEN op = 'in' THEN peer_common.in_list(a, v)
             WHEN op = 'not in' THEN NOT peer_common.in_list(a, v)
             WHEN op = '<' THEN COALESCE(peer_common.cmp(a, v) < 0, false)
             WHEN op = '<=' THEN COALESCE(peer_common.cmp(a, v) <= 0, false)
             WHEN op = '>' THEN COALESCE(peer_common.cmp(a, v) > 0, false)
             WHEN op = '>=' THEN COALESCE(peer_common.cmp(a, v) >= 0, false)
             WHEN op = 'ends_with' THEN jsonb_typeof(a) = 'string'
                  AND char_length(a #>> '{}') >= char_length(v #>> '{}')
                  AND right(peer_common.fold(a #>> '{}'), char_length(v #>> '{}')) = peer_common.fold(v #>> '{}')
             ELSE false
           END
  $$;

-- The value a rule on `name` sees: email, source and campaign are columns,
-- anything else a key of the attributes object.
CREATE FUNCTION peer_common.attribute(attributes jsonb, email text, source text, campaign text, name text)
  RETURNS jsonb
  LANGUAGE sql STABLE PARALLEL SAFE  -- as to_jsonb: then it can be inlined
  AS $$
    SELECT CASE name WHEN 'email' THEN to_jsonb(email)
                     WHEN 'source' THEN to_jsonb(source)
                     WHEN 'campaign' THEN to_jsonb(campaign)
                     ELSE attributes -> name END
  $$;

-- A lead's fit: the points of its matching score rules, and whether it
-- meets every require rule and no exclude rule (eligible to qualify).
-- PL/pgSQL so that its plan is kept for the session.
CREATE FUNCTION peer_common.fit(attributes jsonb, email text, source text, campaign text,
                                OUT score double precision, OUT eligible boolean)
  LANGUAGE plpgsql STABLE
  AS $$
  BEGIN
    SELECT COALESCE(sum(r.points) FILTER (WHERE r.effect = 'score' AND m.ok), 0)::double precision,
           COALESCE(bool_and(CASE r.effect WHEN 'require' THEN m.ok
                                           WHEN 'exclude' THEN NOT m.ok
                                           ELSE true END), true)
      INTO score, eligible
      FROM mql.fit_rules AS r
     CROSS JOIN LATERAL (SELECT peer_common.attribute(fit.attributes, fit.email, fit.source, fit.campaign,
                                                      r.attribute) AS a
                         OFFSET 0) AS x  -- a column, so that rule_matches is inlined
     CROSS JOIN LATERAL (SELECT peer_common.rule_matches(r.op, r.value, x.a) AS ok) AS m;
  END
  $$;
