// The mql.stage base type: text and binary I/O, comparison and hashing
// support for its btree and hash operator classes, rank and guardrails.
#include "stage_type.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(mql_stage_in);
PG_FUNCTION_INFO_V1(mql_stage_out);
PG_FUNCTION_INFO_V1(mql_stage_recv);
PG_FUNCTION_INFO_V1(mql_stage_send);
PG_FUNCTION_INFO_V1(mql_stage_eq);
PG_FUNCTION_INFO_V1(mql_stage_ne);
PG_FUNCTION_INFO_V1(mql_stage_lt);
PG_FUNCTION_INFO_V1(mql_stage_le);
PG_FUNCTION_INFO_V1(mql_stage_gt);
PG_FUNCTION_INFO_V1(mql_stage_ge);
PG_FUNCTION_INFO_V1(mql_stage_cmp);
PG_FUNCTION_INFO_V1(mql_stage_hash);
PG_FUNCTION_INFO_V1(mql_stage_hash_extended);
PG_FUNCTION_INFO_V1(mql_stage_rank);
PG_FUNCTION_INFO_V1(mql_can_transition);
PG_FUNCTION_INFO_V1(mql_stage_smaller);
PG_FUNCTION_INFO_V1(mql_stage_larger);
}

namespace mql::pg {

Stage parse_stage_or_error(const char *text, size_t len) {
  auto s = parse_stage(std::string_view(text, len));
  if (!s)
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
             errmsg("invalid input value for type mql.stage: \"%.*s\"",
                    // at most 200 bytes, never cutting a multibyte character
                    pg_mbcliplen(text, (int)std::min<size_t>(len, INT_MAX), 200), text),
             errdetail("Valid stages are: %s.", stage_list()),
             errhint("Case and surrounding spaces are ignored; \"marketing qualified lead\" and "
                     "\"sales qualified lead\" are accepted with spaces, '_' or '-'.")));
  return *s;
}

} // namespace mql::pg

using namespace mql;
using namespace mql::pg;

// Text input: case-insensitive, trimmed, long forms accepted.
Datum mql_stage_in(PG_FUNCTION_ARGS) {
  const char *s = PG_GETARG_CSTRING(0);
  return stage_to_datum(parse_stage_or_error(s, strlen(s)));
}

// Text output: the canonical lowercase name.
Datum mql_stage_out(PG_FUNCTION_ARGS) {
  PG_RETURN_CSTRING(pstrdup(stage_name(stage_from_datum(PG_GETARG_DATUM(0)))));
}

// Binary input: the name as text, validated exactly as text input is, so a
// client can never store a stage the text parser would refuse.
Datum mql_stage_recv(PG_FUNCTION_ARGS) {
  StringInfo buf = (StringInfo)PG_GETARG_POINTER(0);
  int nbytes = 0;
  char *s = pq_getmsgtext(buf, buf->len - buf->cursor, &nbytes);
  return stage_to_datum(parse_stage_or_error(s, (size_t)nbytes));
}

// Binary output: the canonical name, stable across versions whatever the
// internal numbering.
Datum mql_stage_send(PG_FUNCTION_ARGS) {
  StringInfoData buf;
  pq_begintypsend(&buf);
  pq_sendtext(&buf, stage_name(stage_from_datum(PG_GETARG_DATUM(0))),
              (int)strlen(stage_name(stage_from_datum(PG_GETARG_DATUM(0)))));
  PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static int stage_cmp(FunctionCallInfo fcinfo) {
  uint8 a = DatumGetUInt8(PG_GETARG_DATUM(0)), b = DatumGetUInt8(PG_GETARG_DATUM(1));
  return a < b ? -1 : (a > b ? 1 : 0);
}

// Comparison operators: the funnel order of the enum values.
Datum mql_stage_eq(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(stage_cmp(fcinfo) == 0); }
Datum mql_stage_ne(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(stage_cmp(fcinfo) != 0); }
Datum mql_stage_lt(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(stage_cmp(fcinfo) < 0); }
Datum mql_stage_le(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(stage_cmp(fcinfo) <= 0); }
Datum mql_stage_gt(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(stage_cmp(fcinfo) > 0); }
Datum mql_stage_ge(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(stage_cmp(fcinfo) >= 0); }

// btree support function 1.
Datum mql_stage_cmp(PG_FUNCTION_ARGS) { PG_RETURN_INT32(stage_cmp(fcinfo)); }

// hash support functions 1 and 2.
Datum mql_stage_hash(PG_FUNCTION_ARGS) {
  return hash_uint32((uint32)DatumGetUInt8(PG_GETARG_DATUM(0)));
}

Datum mql_stage_hash_extended(PG_FUNCTION_ARGS) {
  return hash_uint32_extended((uint32)DatumGetUInt8(PG_GETARG_DATUM(0)), PG_GETARG_INT64(1));
}

// 1..5 along the funnel, NULL for recycled and disqualified.
Datum mql_stage_rank(PG_FUNCTION_ARGS) {
  int r = stage_rank(stage_from_datum(PG_GETARG_DATUM(0)));
  if (r == 0) PG_RETURN_NULL();
  PG_RETURN_INT32(r);
}

// The guardrails, for users and for CHECK-style checks in their own code.
Datum mql_can_transition(PG_FUNCTION_ARGS) {
  PG_RETURN_BOOL(
      can_transition(stage_from_datum(PG_GETARG_DATUM(0)), stage_from_datum(PG_GETARG_DATUM(1))));
}

// Transition functions of the min() and max() aggregates.
Datum mql_stage_smaller(PG_FUNCTION_ARGS) {
  return stage_cmp(fcinfo) <= 0 ? PG_GETARG_DATUM(0) : PG_GETARG_DATUM(1);
}

Datum mql_stage_larger(PG_FUNCTION_ARGS) {
  return stage_cmp(fcinfo) >= 0 ? PG_GETARG_DATUM(0) : PG_GETARG_DATUM(1);
}
