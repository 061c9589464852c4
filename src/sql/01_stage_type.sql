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
