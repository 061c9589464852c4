#include "lead_cols.hpp"

namespace mql::pg {

namespace {

// The attribute number of a column of mql.leads.
int col(TupleDesc d, const char *name) {
  int n = SPI_fnumber(d, name);
  if (n <= 0) elog(ERROR, "pg_mql: mql.leads has no column \"%s\"", name);
  return n;
}

// Looking the numbers up by name for every row cost more than the update
// trigger's own checks in a bulk load, so they are kept per backend.
Oid g_cols_rel = InvalidOid;
LeadCols g_cols;

void forget_lead_cols(Datum, Oid relid) {
  if (relid == InvalidOid || relid == g_cols_rel) g_cols_rel = InvalidOid;
}

} // namespace

LeadCols lead_cols(Relation rel) {
  static bool callback_registered = false;
  if (RelationGetRelid(rel) == g_cols_rel) return g_cols;
  if (!callback_registered) {
    CacheRegisterRelcacheCallback(forget_lead_cols, (Datum)0);
    callback_registered = true;
  }
  TupleDesc d = RelationGetDescr(rel);
  g_cols = LeadCols{col(d, "lead_id"),          col(d, "email"),
                    col(d, "source"),           col(d, "campaign"),
                    col(d, "attributes"),       col(d, "stage"),
                    col(d, "fit_score"),        col(d, "intent_score"),
                    col(d, "score_at"),         col(d, "created_at"),
                    col(d, "stage_changed_at"), col(d, "first_mql_at")};
  g_cols_rel = RelationGetRelid(rel);
  return g_cols;
}

} // namespace mql::pg
