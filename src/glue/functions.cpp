// SQL-callable functions: scoring, decay, rule matching, stage changes,
// the configuration triggers and the error-boundary self-test.
#include "pg.hpp"

#include "boundary.hpp"
#include "config.hpp"
#include "input_checks.hpp"
#include "selftest.hpp"
#include "stage_type.hpp"
#include "transition.hpp"

#include <cmath>

extern "C" {
PG_FUNCTION_INFO_V1(mql_decayed);
PG_FUNCTION_INFO_V1(mql_fit_rule_matches);
PG_FUNCTION_INFO_V1(mql_score_row);
PG_FUNCTION_INFO_V1(mql_set_stage);
PG_FUNCTION_INFO_V1(mql_force_stage);
PG_FUNCTION_INFO_V1(mql_fit_rules_check);
PG_FUNCTION_INFO_V1(mql_config_changed);
PG_FUNCTION_INFO_V1(mql_core_selftest);
}

using namespace mql;
using namespace mql::pg;

// weight x 2^(-(at - occurred_at) / half_life), 0 for events after `at`;
// a NULL half_life means no decay. What explain() and rescore() sum. Its
// arguments are checked as mql.settings and mql.event_weights check theirs.
Datum mql_decayed(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2)) PG_RETURN_NULL();
  double w = PG_GETARG_FLOAT8(0);
  TimestampTz occurred = PG_GETARG_TIMESTAMPTZ(1), at = PG_GETARG_TIMESTAMPTZ(2);
  if (!std::isfinite(w))
    ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                    errmsg("decay needs a finite weight, not %s",
                           DatumGetCString(DirectFunctionCall1(float8out, Float8GetDatum(w))))));
  DecayConfig cfg;
  if (!PG_ARGISNULL(3)) {
    Interval *hl = PG_GETARG_INTERVAL_P(3);
    // Compared as PostgreSQL compares intervals (a month is 30 days), in
    // 128 bits: the largest intervals overflow 64-bit microseconds.
    __int128 micros = (__int128)hl->time +
                      ((__int128)hl->day + (__int128)hl->month * DAYS_PER_MONTH) * USECS_PER_DAY;
    const char *shown = DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(hl)));
    if (micros <= 0)
      ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                      errmsg("half_life must be positive, not %s", shown),
                      errhint("Use NULL for no decay.")));
    if (micros > (__int128)100 * MONTHS_PER_YEAR * DAYS_PER_MONTH * USECS_PER_DAY)
      ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                      errmsg("half_life must be at most 100 years, not %s", shown),
                      errhint("Use NULL for no decay.")));
    cfg.half_life = (int64)micros;
  }
  if (TIMESTAMP_NOT_FINITE(occurred) || TIMESTAMP_NOT_FINITE(at))
    ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                    errmsg("decay needs finite timestamps")));
  PG_RETURN_FLOAT8(decayed_weight(w, occurred, at, cfg));
}

// Whether one rule (op, value) matches a lead's attribute value; the same
// code the triggers use, for explain() and for users testing a rule.
Datum mql_fit_rule_matches(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(0))
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("op must not be NULL")));
  char *op = text_to_cstring(PG_GETARG_TEXT_PP(0));
  Jsonb *value = PG_ARGISNULL(1) ? nullptr : PG_GETARG_JSONB_P(1);
  Jsonb *attr = PG_ARGISNULL(2) ? nullptr : PG_GETARG_JSONB_P(2);
  PG_RETURN_BOOL(rule_matches_sql(op, value, attr));
}

// A lead's score as of `at` from its row: O(1) when `at` is at or after the
// lead's latest event; otherwise it sums the events up to `at`.
Datum mql_score_row(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) PG_RETURN_NULL();
  HeapTupleHeader row = PG_GETARG_HEAPTUPLEHEADER(0);
  TimestampTz at = PG_GETARG_TIMESTAMPTZ(1);
  if (TIMESTAMP_NOT_FINITE(at))
    ereport(ERROR,
            (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("a score needs a finite time")));
  bool isnull;
  Datum lead = GetAttributeByName(row, "lead_id", &isnull);
  if (isnull) PG_RETURN_NULL();
  Datum f = GetAttributeByName(row, "fit_score", &isnull);
  double fit = isnull ? 0 : DatumGetFloat8(f);
  Datum iv = GetAttributeByName(row, "intent_score", &isnull);
  Intent intent;
  intent.value = isnull ? 0 : DatumGetFloat8(iv);
  Datum sa = GetAttributeByName(row, "score_at", &isnull);
  intent.has_events = !isnull;
  intent.at = isnull ? 0 : DatumGetTimestampTz(sa);

  SPI_connect();
  const Config &cfg = config_get();
  double score;
  if (!intent.has_events || at >= intent.at)
    score = fit + intent.value_at(at, cfg.qualify.decay);
  else
    score = fit + intent_as_of(DatumGetInt64(lead), at);
  SPI_finish();
  PG_RETURN_FLOAT8(score);
}

namespace {

bool is_blank(const char *s) {
  for (; *s; s++)
    if (!isspace((unsigned char)*s)) return false;
  return true;
}

// Runs the UPDATE that changes a lead's stage with `change` visible to the
// update trigger, which applies the guardrails and writes the history row.
Datum change_stage(FunctionCallInfo fcinfo, bool override_guardrails) {
  const char *fn = override_guardrails ? "mql.force_stage" : "mql.set_stage";
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(3))
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                    errmsg("%s needs a lead_id, a stage and a time", fn)));
  int64 lead_id = PG_GETARG_INT64(0);
  Stage stage = stage_from_datum(PG_GETARG_DATUM(1));
  const char *reason = PG_ARGISNULL(2) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(2));
  if (reason != nullptr && is_blank(reason)) reason = nullptr; // '' means "no reason given"
  TimestampTz at = PG_GETARG_TIMESTAMPTZ(3);
  if (TIMESTAMP_NOT_FINITE(at))
    ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                    errmsg("a stage change needs a finite time")));
  if (override_guardrails && reason == nullptr)
    ereport(ERROR,
            (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("mql.force_stage needs a reason"),
             errhint("Say why the guardrails are overridden; the reason is kept in "
                     "mql.stage_history.")));

  static SPIPlanPtr plan = nullptr;
  SPI_connect();
  // Checked here too, not only by the update trigger: a change to the
  // lead's current stage writes nothing but must not accept a bad time.
  check_business_time(config_get(), at, "the time of a stage change of lead", lead_id);
  if (plan == nullptr) {
    Oid types[2] = {INT8OID, TEXTOID};
    SPIPlanPtr p = SPI_prepare("UPDATE mql.leads SET stage = $2::pg_catalog.text::mql.stage "
                               "WHERE lead_id OPERATOR(pg_catalog.=) $1 RETURNING *",
                               2, types);
    if (p == nullptr) elog(ERROR, "pg_mql: could not prepare the stage update");
    SPI_keepplan(p);
    plan = p;
  }
  ManualChange change{lead_id, at, reason, override_guardrails};
  ManualChange *saved = g_manual_change;
  g_manual_change = &change;
  Datum values[2] = {Int64GetDatum(lead_id), CStringGetTextDatum(stage_name(stage))};
  volatile int rc = 0;
  PG_TRY();
  { rc = SPI_execute_plan(plan, values, nullptr, false, 0); }
  PG_FINALLY();
  { g_manual_change = saved; }
  PG_END_TRY();
  if (rc != SPI_OK_UPDATE_RETURNING) elog(ERROR, "pg_mql: stage update failed (SPI %d)", rc);
  if (SPI_processed == 0)
    ereport(ERROR,
            (errcode(ERRCODE_NO_DATA_FOUND), errmsg("lead %lld does not exist", (long long)lead_id),
             errhint("Leads are created by inserting into mql.leads or mql.events.")));
  HeapTupleHeader result = SPI_returntuple(SPI_tuptable->vals[0], SPI_tuptable->tupdesc);
  SPI_finish();
  PG_RETURN_HEAPTUPLEHEADER(result);
}

} // namespace

// Moves a lead to a stage through the guardrails, recording the reason.
Datum mql_set_stage(PG_FUNCTION_ARGS) { return change_stage(fcinfo, false); }

// An administrator's correction: bypasses the guardrails, needs a reason,
// and is recorded with is_override = true.
Datum mql_force_stage(PG_FUNCTION_ARGS) { return change_stage(fcinfo, true); }

// BEFORE INSERT OR UPDATE on mql.fit_rules: a malformed rule is refused when
// it is written, with the same compiler the triggers use to evaluate it, and
// op and effect are stored in their canonical spelling.
Datum mql_fit_rules_check(PG_FUNCTION_ARGS) {
  if (!CALLED_AS_TRIGGER(fcinfo))
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("mql_fit_rules_check() must be called as a trigger")));
  TriggerData *td = (TriggerData *)fcinfo->context;
  HeapTuple row = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
  TupleDesc d = td->tg_relation->rd_att;
  int a_attr = SPI_fnumber(d, "attribute"), a_op = SPI_fnumber(d, "op"),
      a_value = SPI_fnumber(d, "value"), a_points = SPI_fnumber(d, "points"),
      a_effect = SPI_fnumber(d, "effect");
  bool isnull, points_null, value_null;
  Datum v;
  v = heap_getattr(row, a_attr, d, &isnull);
  const char *attribute = isnull ? "" : TextDatumGetCString(v);
  v = heap_getattr(row, a_op, d, &isnull);
  const char *op = isnull ? "" : TextDatumGetCString(v);
  v = heap_getattr(row, a_effect, d, &isnull);
  const char *effect = isnull ? "score" : TextDatumGetCString(v);
  Datum jv = heap_getattr(row, a_value, d, &value_null);
  Datum pv = heap_getattr(row, a_points, d, &points_null);
  const char *op_canon = nullptr, *effect_canon = nullptr;
  check_rule_sql(attribute, op, value_null ? nullptr : DatumGetJsonbP(jv), points_null,
                 points_null ? 0 : DatumGetFloat8(pv), effect, &op_canon, &effect_canon);
  Datum values[2] = {CStringGetTextDatum(op_canon), CStringGetTextDatum(effect_canon)};
  int cols[2] = {a_op, a_effect};
  bool nulls[2] = {false, false};
  return PointerGetDatum(heap_modify_tuple_by_cols(row, d, 2, cols, values, nulls));
}

// AFTER statement trigger on the configuration tables: the next scoring
// reloads settings, weights and rules even within the same statement, and
// other backends reload once this transaction commits.
Datum mql_config_changed(PG_FUNCTION_ARGS) {
  if (!CALLED_AS_TRIGGER(fcinfo))
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("mql_config_changed() must be called as a trigger")));
  config_changed(RelationGetRelid(((TriggerData *)fcinfo->context)->tg_relation));
  return PointerGetDatum(nullptr);
}

// Makes the core throw on purpose (superuser only): proves the boundary.
Datum mql_core_selftest(PG_FUNCTION_ARGS) {
  char *kind = text_to_cstring(PG_GETARG_TEXT_PP(0));
  cpp_call("mql.core_selftest", [&] { throw_for_test(kind); });
  PG_RETURN_TEXT_P(cstring_to_text("no exception"));
}
