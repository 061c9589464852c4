#include "transition.hpp"

#include "config.hpp"
#include "module.hpp"
#include "owner_scope.hpp"
#include "stage_type.hpp"

namespace mql::pg {

ManualChange *g_manual_change = nullptr;
EventPath *g_event_path = nullptr;
int g_history_writers = 0;
const char *g_creating_actor = nullptr;

const char *current_actor() {
  if (guc_actor && guc_actor[0]) return guc_actor;
  return GetUserNameFromId(GetUserId(), false);
}

// History rows are written as the owner of mql.stage_history (search_path
// pinned), so a role that changes leads needs no INSERT privilege on the
// audit trail; the guard trigger lets only these two writers through.
int execute_history_write(SPIPlanPtr plan, Datum *values, const char *nulls) {
  volatile int rc = 0;
  OwnerScope owner = enter_owner_scope("stage_history");
  g_history_writers++;
  PG_TRY();
  { rc = SPI_execute_plan(plan, values, nulls, false, 0); }
  PG_FINALLY();
  { g_history_writers--; }
  PG_END_TRY();
  leave_owner_scope(owner);
  return rc;
}

int execute_history_write_sql(const char *sql, int nargs, Oid *types, Datum *values) {
  volatile int rc = 0;
  OwnerScope owner = enter_owner_scope("stage_history");
  g_history_writers++;
  PG_TRY();
  { rc = SPI_execute_with_args(sql, nargs, types, values, nullptr, false, 0); }
  PG_FINALLY();
  { g_history_writers--; }
  PG_END_TRY();
  leave_owner_scope(owner);
  return rc;
}

AutoCrossing *event_path_find(int64 lead_id) {
  if (g_event_path == nullptr) return nullptr;
  int lo = 0, hi = g_event_path->nleads - 1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    int64 id = g_event_path->leads[mid].lead_id;
    if (id == lead_id) return &g_event_path->leads[mid];
    if (id < lead_id)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return nullptr;
}

void write_history(int64 lead_id, const Stage *from, Stage to, TimestampTz changed_at,
                   const char *reason, const double *score, const char *actor, bool is_override) {
  static SPIPlanPtr plan = nullptr;
  if (plan == nullptr) {
    Oid types[8] = {INT8OID, TEXTOID,   TEXTOID, TIMESTAMPTZOID,
                    TEXTOID, FLOAT8OID, TEXTOID, BOOLOID};
    SPIPlanPtr p = SPI_prepare(
        "INSERT INTO mql.stage_history (lead_id, from_stage, to_stage, changed_at, reason, "
        "score, actor, is_override) VALUES ($1, $2::pg_catalog.text::mql.stage, "
        "$3::pg_catalog.text::mql.stage, $4, $5, $6, $7, $8)",
        8, types);
    if (p == nullptr) elog(ERROR, "pg_mql: could not prepare the history insert");
    SPI_keepplan(p);
    plan = p;
  }
  Datum values[8];
  char nulls[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
  values[0] = Int64GetDatum(lead_id);
  if (from)
    values[1] = CStringGetTextDatum(stage_name(*from));
  else
    nulls[1] = 'n';
  values[2] = CStringGetTextDatum(stage_name(to));
  values[3] = TimestampTzGetDatum(changed_at);
  if (reason)
    values[4] = CStringGetTextDatum(reason);
  else
    nulls[4] = 'n';
  if (score)
    values[5] = Float8GetDatum(*score);
  else
    nulls[5] = 'n';
  values[6] = CStringGetTextDatum(actor);
  values[7] = BoolGetDatum(is_override);
  if (execute_history_write(plan, values, nulls) != SPI_OK_INSERT)
    elog(ERROR, "pg_mql: could not write mql.stage_history");
}

double intent_as_of(int64 lead_id, TimestampTz at) {
  static SPIPlanPtr plan = nullptr;
  if (plan == nullptr) {
    Oid types[2] = {INT8OID, TIMESTAMPTZOID};
    SPIPlanPtr p =
        SPI_prepare("SELECT event_type, occurred_at FROM mql.events WHERE lead_id "
                    "OPERATOR(pg_catalog.=) $1 AND occurred_at OPERATOR(pg_catalog.<=) $2",
                    2, types);
    if (p == nullptr) elog(ERROR, "pg_mql: could not prepare the event history query");
    SPI_keepplan(p);
    plan = p;
  }
  const Config &cfg = config_get();
  Datum values[2] = {Int64GetDatum(lead_id), TimestampTzGetDatum(at)};
  if (SPI_execute_plan(plan, values, nullptr, true, 0) != SPI_OK_SELECT)
    elog(ERROR, "pg_mql: could not read mql.events");
  double sum = 0;
  for (uint64 i = 0; i < SPI_processed; i++) {
    bool isnull;
    HeapTuple t = SPI_tuptable->vals[i];
    text *type = DatumGetTextPP(SPI_getbinval(t, SPI_tuptable->tupdesc, 1, &isnull));
    TimestampTz o = DatumGetTimestampTz(SPI_getbinval(t, SPI_tuptable->tupdesc, 2, &isnull));
    double w = cfg.weight_of(std::string_view(VARDATA_ANY(type), VARSIZE_ANY_EXHDR(type)));
    sum += decayed_weight(w, o, at, cfg.qualify.decay);
  }
  return sum;
}

} // namespace mql::pg
