// mql.refresh_lead_facts(bigint[]): keeps mql.lead_facts and the rollup
// deltas current for the given leads, in the transaction that changed them.
// Per batch of leads it reads their history, rows and stored facts in one
// query each, computes the new facts and contributions with the core
// (src/core/facts.hpp), and writes only what changed: the facts rows that
// differ and the rollup rows whose count moved. The SQL definitions
// (mql.compute_lead_facts, mql.lead_contributions) stay the reference that
// mql.verify_rollups and mql.rebuild_rollups use.
#include "pg.hpp"

extern "C" {
#include "utils/date.h"
#include "utils/typcache.h"
}

#include <algorithm>

#include "arrays.hpp"
#include "facts.hpp"
#include "lead_facts.hpp"
#include "owner_scope.hpp"
#include "sized_plan.hpp"
#include "stage_type.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(mql_refresh_lead_facts);
PG_FUNCTION_INFO_V1(mql_stage_history_refresh_facts);
}

using namespace mql;
using namespace mql::pg;

namespace mql::pg {
StatementRollup *g_statement_rollup = nullptr;
int guc_rollup_compact_after = 1024;
const TouchHint *g_touch_hints = nullptr;
int g_ntouch_hints = 0;
} // namespace mql::pg

namespace {

// Rollup delta rows this backend wrote since it last compacted.
int64 g_pending_deltas = 0;

// Leads refreshed per batch: bounds the memory of one call (a statement
// deleting a million leads refreshes them all).
constexpr int kBatchLeads = 8192;

// The columns of mql.lead_facts, in table order.
enum FactsCol {
  kLeadId,
  kSource,
  kCampaign,
  kCreatedAt,
  kMaxRank,
  kFirstMqlAt,
  kSqlAt,
  kCustomerAt,
  kRecycledAt,
  kRequalifiedAt,
  kTouchAt,
  kMqlEntries,
  kEntryStages,
  kStayStages,
  kStayHours,
  kFactsCols
};
const char *const kFactsColNames[kFactsCols] = {
    "lead_id",      "source",      "campaign",     "created_at",  "max_rank",
    "first_mql_at", "sql_at",      "customer_at",  "recycled_at", "requalified_at",
    "touch_at",     "mql_entries", "entry_stages", "stay_stages", "stay_hours"};

// One lead of a batch: its new facts (from history) and its stored ones.
struct LeadWork {
  int64 lead_id;
  bool has_new, has_old;
  FactsView fresh, old;
  text *source, *campaign;         // of the lead (new facts)
  text *old_source, *old_campaign; // of the stored facts
};

// A rollup row's key. Source and campaign point into the batch's query
// results; the hash and match functions compare them by content.
struct DeltaKey {
  uint8 family;
  uint8 metric;
  bool by_source;
  bool has_period;
  bool has_hours;
  int32 period;
  int32 hours;
  text *source;
  text *campaign;
};
struct DeltaEntry {
  DeltaKey key;
  int64 n;
};

uint32 hash_text_or_null(const text *t) {
  return t == nullptr ? 0x9e3779b9u
                      : hash_bytes((const unsigned char *)VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

bool same_text(const text *a, const text *b) {
  if (a == nullptr || b == nullptr) return a == b;
  size_t la = VARSIZE_ANY_EXHDR(a), lb = VARSIZE_ANY_EXHDR(b);
  return la == lb && memcmp(VARDATA_ANY(a), VARDATA_ANY(b), la) == 0;
}

uint32 delta_hash(const void *key, Size) {
  const DeltaKey *k = (const DeltaKey *)key;
  uint32 h = (uint32)k->family * 31u + k->metric;
  h = h * 31u + ((uint32)k->by_source << 2 | (uint32)k->has_period << 1 | (uint32)k->has_hours);
  h = hash_combine(h, (uint32)k->period);
  h = hash_combine(h, (uint32)k->hours);
  h = hash_combine(h, hash_text_or_null(k->source));
  return hash_combine(h, hash_text_or_null(k->campaign));
}

int delta_match(const void *a, const void *b, Size) {
  const DeltaKey *x = (const DeltaKey *)a, *y = (const DeltaKey *)b;
  bool same = x->family == y->family && x->metric == y->metric && x->by_source == y->by_source &&
              x->has_period == y->has_period && x->has_hours == y->has_hours &&
              x->period == y->period && x->hours == y->hours && same_text(x->source, y->source) &&
              same_text(x->campaign, y->campaign);
  return same ? 0 : 1;
}

// The calendar day (days since 2000-01-01) of a time in the report time
// zone: (t AT TIME ZONE tz)::date, as mql.lead_contributions computes it.
int32 local_day(Datum tz, int64 t) {
  Timestamp local =
      DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone, tz, TimestampTzGetDatum(t)));
  if (TIMESTAMP_IS_NOBEGIN(local)) return kDayNegInfinity;
  if (TIMESTAMP_IS_NOEND(local)) return kDayPosInfinity;
  int64 day = local / USECS_PER_DAY;
  if (local % USECS_PER_DAY < 0) day--;
  return (int32)day;
}

// Adds sign times the contributions of f (a lead of that source and
// campaign) to the deltas, each as a total and by source.
void add_contributions(HTAB *deltas, Datum tz, const FactsView &f, text *source, text *campaign,
                       int64 sign) {
  for_each_contribution(
      f, [&](int64_t t) { return local_day(tz, t); },
      [&](const Contribution &c) {
        for (int by = 0; by < 2; by++) {
          DeltaKey key;
          memset(&key, 0, sizeof(key));
          key.family = (uint8)c.family;
          key.metric = c.metric;
          key.by_source = by == 1;
          key.has_period = c.has_period;
          key.period = c.period;
          key.has_hours = c.has_hours;
          key.hours = c.hours;
          key.source = by == 1 ? source : nullptr;
          key.campaign = by == 1 ? campaign : nullptr;
          bool found;
          DeltaEntry *e = (DeltaEntry *)hash_search(deltas, &key, HASH_ENTER, &found);
          if (!found) e->n = 0;
          e->n += sign;
        }
      });
}

MaybeTime maybe_time(HeapTuple t, TupleDesc d, int col) {
  bool isnull;
  Datum v = SPI_getbinval(t, d, col, &isnull);
  return isnull ? MaybeTime{} : MaybeTime{true, DatumGetTimestampTz(v)};
}

text *text_or_null(HeapTuple t, TupleDesc d, int col) {
  bool isnull;
  Datum v = SPI_getbinval(t, d, col, &isnull);
  return isnull ? nullptr : DatumGetTextPP(v);
}

// An array column's element type, as deconstruct_array and construct_array
// need it.
struct ElemType {
  Oid oid;
  int16 len;
  bool byval;
  char align;
};
constexpr ElemType kTimestamptzElem{TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE};
constexpr ElemType kInt4Elem{INT4OID, 4, true, TYPALIGN_INT};

// What a call needs to know of mql.lead_facts, looked up once per call (not
// per lead): its row type and descriptor, and its arrays' mql.stage type.
struct FactsShape {
  Oid rowtype;
  TupleDesc desc;
  ElemType stage;
};

// The elements of a one-dimensional array column (no NULLs), palloc'd.
Datum *array_elems(HeapTuple t, TupleDesc d, int col, const ElemType &elem, int *n) {
  bool isnull;
  Datum v = SPI_getbinval(t, d, col, &isnull);
  *n = 0;
  if (isnull) return nullptr;
  Datum *elems;
  deconstruct_array(DatumGetArrayTypeP(v), elem.oid, elem.len, elem.byval, elem.align, &elems,
                    nullptr, n);
  return elems;
}

// Reads a stored facts row (columns in FactsCol order, 1-based) into f,
// its arrays palloc'd.
void read_old_facts(HeapTuple t, TupleDesc d, const FactsShape &shape, FactsView &f) {
  bool isnull;
  f.created_at = DatumGetTimestampTz(SPI_getbinval(t, d, kCreatedAt + 1, &isnull));
  f.max_rank = DatumGetInt32(SPI_getbinval(t, d, kMaxRank + 1, &isnull));
  f.first_mql_at = maybe_time(t, d, kFirstMqlAt + 1);
  f.sql_at = maybe_time(t, d, kSqlAt + 1);
  f.customer_at = maybe_time(t, d, kCustomerAt + 1);
  f.recycled_at = maybe_time(t, d, kRecycledAt + 1);
  f.requalified_at = maybe_time(t, d, kRequalifiedAt + 1);
  f.touch_at = maybe_time(t, d, kTouchAt + 1);
  int n;
  Datum *e = array_elems(t, d, kMqlEntries + 1, kTimestamptzElem, &n);
  int64_t *entries = (int64_t *)palloc(sizeof(int64_t) * (n + 1));
  for (int i = 0; i < n; i++)
    entries[i] = DatumGetTimestampTz(e[i]);
  f.mql_entries = entries;
  f.n_mql_entries = (size_t)n;
  e = array_elems(t, d, kEntryStages + 1, shape.stage, &n);
  Stage *stages = (Stage *)palloc(sizeof(Stage) * (n + 1));
  for (int i = 0; i < n; i++)
    stages[i] = stage_from_datum(e[i]);
  f.entry_stages = stages;
  f.n_entries = (size_t)n;
  e = array_elems(t, d, kStayStages + 1, shape.stage, &n);
  int m;
  Datum *h = array_elems(t, d, kStayHours + 1, kInt4Elem, &m);
  if (m != n)
    elog(ERROR, "pg_mql: mql.lead_facts has stay_stages and stay_hours of different lengths");
  Stage *stay = (Stage *)palloc(sizeof(Stage) * (n + 1));
  int32_t *hours = (int32_t *)palloc(sizeof(int32_t) * (n + 1));
  for (int i = 0; i < n; i++) {
    stay[i] = stage_from_datum(e[i]);
    hours[i] = DatumGetInt32(h[i]);
  }
  f.stay_stages = stay;
  f.stay_hours = hours;
  f.n_stays = (size_t)n;
}

// Runs a prepared read of the batch's leads by key (one bigint[] parameter).
SPITupleTable *read_batch(SizedPlan &plan, Datum ids, int nleads, const char *what) {
  Datum values[1] = {ids};
  if (plan.execute_by_key(values, nleads) != SPI_OK_SELECT)
    elog(ERROR, "pg_mql: could not read %s", what);
  return SPI_tuptable;
}

// The report time zone (mql.settings.report_timezone), as text.
Datum report_timezone() {
  static SizedPlan plan{"SELECT s.report_timezone FROM mql.settings AS s", 0, {}};
  if (plan.execute_by_key(nullptr, 1) != SPI_OK_SELECT || SPI_processed != 1)
    elog(ERROR, "pg_mql: mql.settings must hold exactly one row");
  bool isnull;
  Datum tz = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
  return isnull ? CStringGetTextDatum("UTC") : PointerGetDatum(PG_DETOAST_DATUM_COPY(tz));
}

// The event trigger's hint for a lead first qualified at first_mql_at, if
// it gave one (g_touch_hints).
const TouchHint *touch_hint(int64 lead_id, TimestampTz first_mql_at) {
  int lo = 0, hi = g_ntouch_hints;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (g_touch_hints[mid].lead_id < lead_id)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < g_ntouch_hints && g_touch_hints[lo].lead_id == lead_id &&
      g_touch_hints[lo].first_mql_at == first_mql_at)
    return &g_touch_hints[lo];
  return nullptr;
}

// Sets touch_at of the batch's new facts: the first sales-touch event at or
// after each qualified lead's first MQL, from the event trigger's hint or
// else from one query for the batch.
void read_touches(LeadWork *w, int n) {
  static SizedPlan plan{
      "SELECT u.id, (SELECT pg_catalog.min(e.occurred_at) FROM mql.events AS e "
      "JOIN mql.event_weights AS ew ON ew.event_type OPERATOR(pg_catalog.=) e.event_type "
      "WHERE e.lead_id OPERATOR(pg_catalog.=) u.id "
      "AND ew.category OPERATOR(pg_catalog.=) 'sales_touch' "
      "AND e.occurred_at OPERATOR(pg_catalog.>=) u.t) "
      "FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS u(id, t)",
      2,
      {INT8ARRAYOID, TIMESTAMPTZARRAYOID}};
  Datum *ids = (Datum *)palloc(sizeof(Datum) * n), *ats = (Datum *)palloc(sizeof(Datum) * n);
  int *which = (int *)palloc(sizeof(int) * n);
  int m = 0;
  for (int i = 0; i < n; i++)
    if (w[i].has_new && w[i].fresh.first_mql_at.set) {
      if (const TouchHint *h = touch_hint(w[i].lead_id, w[i].fresh.first_mql_at.at)) {
        with_touch(w[i].fresh, MaybeTime{h->has_touch, h->touch});
        continue;
      }
      ids[m] = Int64GetDatum(w[i].lead_id);
      ats[m] = TimestampTzGetDatum(w[i].fresh.first_mql_at.at);
      which[m++] = i;
    }
  if (m == 0) return;
  Datum values[2] = {int8_array(ids, m), timestamptz_array(ats, m)};
  if (plan.execute_by_key(values, m) != SPI_OK_SELECT || SPI_processed != (uint64)m)
    elog(ERROR, "pg_mql: could not read sales touches");
  for (int k = 0; k < m; k++) {
    HeapTuple t = SPI_tuptable->vals[k];
    bool isnull;
    if (DatumGetInt64(SPI_getbinval(t, SPI_tuptable->tupdesc, 1, &isnull)) != w[which[k]].lead_id)
      elog(ERROR, "pg_mql: sales touches out of order");
    with_touch(w[which[k]].fresh, maybe_time(t, SPI_tuptable->tupdesc, 2));
  }
}

// The non-zero deltas as the eight column arrays of mql.rollup_delta
// (family, by_source, metric, period, source, campaign, hours, n) in
// values; returns how many rows (0: values not set).
int delta_columns(HTAB *deltas, Datum values[8]) {
  long total = hash_get_num_entries(deltas);
  if (total == 0) return 0;
  Datum *cols[8];
  bool *nulls[8];
  for (int c = 0; c < 8; c++) {
    cols[c] = (Datum *)palloc(sizeof(Datum) * total);
    nulls[c] = (bool *)palloc0(sizeof(bool) * total);
  }
  int n = 0;
  HASH_SEQ_STATUS seq;
  hash_seq_init(&seq, deltas);
  for (DeltaEntry *e; (e = (DeltaEntry *)hash_seq_search(&seq)) != nullptr;) {
    if (e->n == 0) continue; // the lead's old and new rows cancel out
    const DeltaKey &k = e->key;
    cols[0][n] = CStringGetTextDatum(family_name((Family)k.family));
    cols[1][n] = BoolGetDatum(k.by_source);
    cols[2][n] = CStringGetTextDatum(metric_name(k.metric));
    cols[3][n] = DateADTGetDatum(k.period);
    nulls[3][n] = !k.has_period;
    cols[4][n] = PointerGetDatum(k.source);
    nulls[4][n] = k.source == nullptr;
    cols[5][n] = PointerGetDatum(k.campaign);
    nulls[5][n] = k.campaign == nullptr;
    cols[6][n] = Int32GetDatum(k.hours);
    nulls[6][n] = !k.has_hours;
    cols[7][n] = Int64GetDatum(e->n);
    n++;
  }
  if (n == 0) return 0;
  static const Oid elem[8] = {TEXTOID, BOOLOID, TEXTOID, DATEOID,
                              TEXTOID, TEXTOID, INT4OID, INT8OID};
  for (int c = 0; c < 8; c++) {
    int16 len;
    bool byval;
    char align;
    get_typlenbyvalalign(elem[c], &len, &byval, &align);
    int dims[1] = {n}, lbs[1] = {1};
    values[c] = PointerGetDatum(
        construct_md_array(cols[c], nulls[c], 1, dims, lbs, elem[c], len, byval, align));
  }
  return n;
}

#define DELTA_COLUMN_TYPES                                                                         \
  {                                                                                                \
    TEXTARRAYOID, BOOLARRAYOID, TEXTARRAYOID, DATEARRAYOID, TEXTARRAYOID, TEXTARRAYOID,            \
        INT4ARRAYOID, INT8ARRAYOID                                                                 \
  }
#define DELTA_ROWS                                                                                 \
  "ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3), "               \
  "pg_catalog.unnest($4), pg_catalog.unnest($5), pg_catalog.unnest($6), pg_catalog.unnest($7), "   \
  "pg_catalog.unnest($8)) AS u(family, by_source, metric, period, source, campaign, hours, n)"

// Writes the non-zero deltas in one INSERT; returns how many.
int write_deltas(HTAB *deltas) {
  static SizedPlan plan{"INSERT INTO mql.rollup_delta (family, by_source, metric, period, source, "
                        "campaign, hours, n) SELECT * FROM " DELTA_ROWS,
                        8, DELTA_COLUMN_TYPES};
  Datum values[8];
  int n = delta_columns(deltas, values);
  if (n == 0) return 0;
  if (SPI_execute_plan(plan.get(n), values, nullptr, false, 0) != SPI_OK_INSERT)
    elog(ERROR, "pg_mql: could not record rollup deltas");
  return n;
}

// Adds the deltas straight to mql.rollup, as mql.compact_rollups() would
// fold them, if this backend may fold now: in READ COMMITTED (as
// compact_rollups_if_due) and when no other compaction runs (its advisory
// lock, which is then held to the end of the transaction). False if not.
// The lock serializes every writer of mql.rollup (rebuild_rollups locks the
// table), so the rows need no order.
bool fold_deltas(HTAB *deltas) {
  static SizedPlan lock_plan{"SELECT pg_catalog.pg_try_advisory_xact_lock("
                             "pg_catalog.hashtext('pg_mql.compact_rollups'))",
                             0,
                             {}};
  static SizedPlan plan{
      "INSERT INTO mql.rollup AS r (family, by_source, metric, period, source, campaign, hours, "
      "n) SELECT * FROM " DELTA_ROWS " ON CONFLICT ON CONSTRAINT rollup_key DO UPDATE SET n = r.n "
                                     "OPERATOR(pg_catalog.+) excluded.n",
      8, DELTA_COLUMN_TYPES};
  if (XactIsoLevel != XACT_READ_COMMITTED) return false;
  if (lock_plan.execute_by_key(nullptr, 1) != SPI_OK_SELECT || SPI_processed != 1)
    elog(ERROR, "pg_mql: could not take the compaction lock");
  bool isnull;
  if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
    return false;
  Datum values[8];
  int n = delta_columns(deltas, values);
  if (n > 0 && SPI_execute_plan(plan.get(n), values, nullptr, false, 0) != SPI_OK_INSERT)
    elog(ERROR, "pg_mql: could not fold rollup deltas");
  return true;
}

// A one-dimensional array of n elements of type elem (empty: '{}').
Datum make_array(Datum *v, int n, const ElemType &elem) {
  if (n == 0) return PointerGetDatum(construct_empty_array(elem.oid));
  return PointerGetDatum(construct_array(v, n, elem.oid, elem.len, elem.byval, elem.align));
}

// The new facts of one lead as a mql.lead_facts record.
Datum facts_record(const FactsShape &shape, const LeadWork &w) {
  Datum v[kFactsCols];
  bool nulls[kFactsCols];
  memset(nulls, 0, sizeof(nulls));
  const FactsView &f = w.fresh;
  v[kLeadId] = Int64GetDatum(w.lead_id);
  v[kSource] = PointerGetDatum(w.source);
  nulls[kSource] = w.source == nullptr;
  v[kCampaign] = PointerGetDatum(w.campaign);
  nulls[kCampaign] = w.campaign == nullptr;
  v[kCreatedAt] = TimestampTzGetDatum(f.created_at);
  v[kMaxRank] = Int32GetDatum(f.max_rank);
  const MaybeTime *times[] = {&f.first_mql_at, &f.sql_at,         &f.customer_at,
                              &f.recycled_at,  &f.requalified_at, &f.touch_at};
  for (int i = 0; i < 6; i++) {
    v[kFirstMqlAt + i] = TimestampTzGetDatum(times[i]->at);
    nulls[kFirstMqlAt + i] = !times[i]->set;
  }
  size_t cap = f.n_entries + 1;
  Datum *tmp = (Datum *)palloc(sizeof(Datum) * cap);
  for (size_t i = 0; i < f.n_mql_entries; i++)
    tmp[i] = TimestampTzGetDatum(f.mql_entries[i]);
  v[kMqlEntries] = make_array(tmp, (int)f.n_mql_entries, kTimestamptzElem);
  for (size_t i = 0; i < f.n_entries; i++)
    tmp[i] = stage_to_datum(f.entry_stages[i]);
  v[kEntryStages] = make_array(tmp, (int)f.n_entries, shape.stage);
  for (size_t i = 0; i < f.n_stays; i++)
    tmp[i] = stage_to_datum(f.stay_stages[i]);
  v[kStayStages] = make_array(tmp, (int)f.n_stays, shape.stage);
  for (size_t i = 0; i < f.n_stays; i++)
    tmp[i] = Int32GetDatum(f.stay_hours[i]);
  v[kStayHours] = make_array(tmp, (int)f.n_stays, kInt4Elem);
  HeapTuple t = heap_form_tuple(shape.desc, v, nulls);
  return heap_copy_tuple_as_datum(t, shape.desc);
}

// Upserts the changed facts (records of the table's row type) in one
// statement, in lead_id order.
void write_facts(Oid rowtype, Datum *records, int n) {
  static SPIPlanPtr plan = nullptr;
  static Oid plan_type = InvalidOid;
  Oid array_type = get_array_type(rowtype);
  if (plan == nullptr || plan_type != array_type) {
    // The row type is the extension's: prepared again if it was re-created.
    if (plan != nullptr) SPI_freeplan(plan);
    plan = nullptr;
    SPIPlanPtr p =
        SPI_prepare("INSERT INTO mql.lead_facts AS f SELECT * FROM pg_catalog.unnest($1) "
                    "ON CONFLICT (lead_id) DO UPDATE SET "
                    "source = excluded.source, campaign = excluded.campaign, "
                    "created_at = excluded.created_at, max_rank = excluded.max_rank, "
                    "first_mql_at = excluded.first_mql_at, sql_at = excluded.sql_at, "
                    "customer_at = excluded.customer_at, recycled_at = excluded.recycled_at, "
                    "requalified_at = excluded.requalified_at, touch_at = excluded.touch_at, "
                    "mql_entries = excluded.mql_entries, entry_stages = excluded.entry_stages, "
                    "stay_stages = excluded.stay_stages, stay_hours = excluded.stay_hours",
                    1, &array_type);
    if (p == nullptr) elog(ERROR, "pg_mql: could not prepare the facts upsert");
    SPI_keepplan(p);
    plan = p;
    plan_type = array_type;
  }
  Datum values[1] = {
      PointerGetDatum(construct_array(records, n, rowtype, -1, false, TYPALIGN_DOUBLE))};
  if (SPI_execute_plan(plan, values, nullptr, false, 0) != SPI_OK_INSERT)
    elog(ERROR, "pg_mql: could not write lead facts");
}

// Deletes the stored facts of leads that no longer have any.
void delete_facts(Datum *ids, int n) {
  static SizedPlan plan{
      "DELETE FROM mql.lead_facts AS g WHERE g.lead_id OPERATOR(pg_catalog.=) ANY ($1)",
      1,
      {INT8ARRAYOID}};
  Datum values[1] = {int8_array(ids, n)};
  if (plan.execute_by_key(values, n) != SPI_OK_DELETE)
    elog(ERROR, "pg_mql: could not delete lead facts");
}

// The row type, descriptor and stage element type of mql.lead_facts,
// checked against the column order this file writes.
FactsShape facts_shape() {
  FactsShape shape;
  Oid rel = get_relname_relid("lead_facts", get_namespace_oid("mql", false));
  shape.rowtype = OidIsValid(rel) ? get_rel_type_id(rel) : InvalidOid;
  if (!OidIsValid(shape.rowtype)) elog(ERROR, "pg_mql: table mql.lead_facts is missing");
  TupleDesc d = lookup_rowtype_tupdesc_copy(shape.rowtype, -1);
  bool ok = d->natts == kFactsCols;
  for (int i = 0; ok && i < kFactsCols; i++)
    ok = !TupleDescAttr(d, i)->attisdropped &&
         strcmp(NameStr(TupleDescAttr(d, i)->attname), kFactsColNames[i]) == 0;
  if (!ok) elog(ERROR, "pg_mql: table mql.lead_facts does not have the columns pg_mql expects");
  shape.desc = d;
  shape.stage.oid = get_element_type(TupleDescAttr(d, kEntryStages)->atttypid);
  get_typlenbyvalalign(shape.stage.oid, &shape.stage.len, &shape.stage.byval, &shape.stage.align);
  return shape;
}

// A rollup delta table (DeltaKey -> DeltaEntry) in cxt.
HTAB *create_deltas(const char *name, MemoryContext cxt) {
  HASHCTL ctl;
  memset(&ctl, 0, sizeof(ctl));
  ctl.keysize = sizeof(DeltaKey);
  ctl.entrysize = sizeof(DeltaEntry);
  ctl.hash = delta_hash;
  ctl.match = delta_match;
  ctl.hcxt = cxt;
  return hash_create(name, 256, &ctl, HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}

// Once a statement's rollup holds this many keys it is written out and
// emptied, which bounds its memory whatever the data.
constexpr long kStatementRollupKeys = 65536;

// A copy of t (NULL stays NULL) in cxt.
text *copy_text(MemoryContext cxt, const text *t) {
  if (t == nullptr) return nullptr;
  text *copy = (text *)MemoryContextAlloc(cxt, VARSIZE_ANY(t));
  memcpy(copy, t, VARSIZE_ANY(t));
  return copy;
}

// Adds a batch's deltas to the statement's sums, copying the source and
// campaign of new keys (the batch's own point into its query results).
// Returns the number of delta rows written (0 unless the sums grew past
// kStatementRollupKeys and were written out).
int add_to_statement(StatementRollup &rollup, HTAB *deltas) {
  HASH_SEQ_STATUS seq;
  hash_seq_init(&seq, deltas);
  for (DeltaEntry *e; (e = (DeltaEntry *)hash_seq_search(&seq)) != nullptr;) {
    if (e->n == 0) continue;
    bool found;
    DeltaEntry *sum = (DeltaEntry *)hash_search(rollup.deltas, &e->key, HASH_ENTER, &found);
    if (!found) {
      sum->n = 0;
      sum->key.source = copy_text(rollup.cxt, e->key.source);
      sum->key.campaign = copy_text(rollup.cxt, e->key.campaign);
    }
    sum->n += e->n;
  }
  if (hash_get_num_entries(rollup.deltas) < kStatementRollupKeys) return 0;
  int written = write_deltas(rollup.deltas);
  hash_destroy(rollup.deltas);
  MemoryContextReset(rollup.cxt);
  rollup.deltas = create_deltas("pg_mql statement rollup deltas", rollup.cxt);
  return written;
}

// Refreshes one batch of leads (sorted, distinct). Returns the number of
// delta rows written.
int refresh_batch(Datum tz, const FactsShape &shape, const Datum *ids, int n) {
  static SizedPlan history_plan{
      "SELECT h.lead_id, h.to_stage, h.changed_at FROM mql.stage_history AS h "
      "WHERE h.lead_id OPERATOR(pg_catalog.=) ANY ($1) ORDER BY h.lead_id, h.history_id",
      1,
      {INT8ARRAYOID}};
  static SizedPlan leads_plan{
      "SELECT l.lead_id, l.source, l.campaign, l.created_at FROM mql.leads AS l "
      "WHERE l.lead_id OPERATOR(pg_catalog.=) ANY ($1) ORDER BY l.lead_id",
      1,
      {INT8ARRAYOID}};
  static SizedPlan old_plan{
      "SELECT f.lead_id, f.source, f.campaign, f.created_at, f.max_rank, f.first_mql_at, "
      "f.sql_at, f.customer_at, f.recycled_at, f.requalified_at, f.touch_at, f.mql_entries, "
      "f.entry_stages, f.stay_stages, f.stay_hours FROM mql.lead_facts AS f "
      "WHERE f.lead_id OPERATOR(pg_catalog.=) ANY ($1) ORDER BY f.lead_id",
      1,
      {INT8ARRAYOID}};
  Datum id_array = int8_array(ids, n);
  SPITupleTable *hist = read_batch(history_plan, id_array, n, "the stage history");
  uint64 nhist = SPI_processed;
  SPITupleTable *leads = read_batch(leads_plan, id_array, n, "mql.leads");
  uint64 nleads = SPI_processed;
  SPITupleTable *old = read_batch(old_plan, id_array, n, "mql.lead_facts");
  uint64 nold = SPI_processed;

  // New facts from the history, each lead's arrays sliced from these.
  HistoryEntry *h = (HistoryEntry *)palloc(sizeof(HistoryEntry) * (nhist + 1));
  int64 *h_lead = (int64 *)palloc(sizeof(int64) * (nhist + 1));
  for (uint64 i = 0; i < nhist; i++) {
    bool isnull;
    HeapTuple t = hist->vals[i];
    h_lead[i] = DatumGetInt64(SPI_getbinval(t, hist->tupdesc, 1, &isnull));
    h[i].to = stage_from_datum(SPI_getbinval(t, hist->tupdesc, 2, &isnull));
    h[i].at = DatumGetTimestampTz(SPI_getbinval(t, hist->tupdesc, 3, &isnull));
  }
  FactsBuffers buf{(int64_t *)palloc(sizeof(int64_t) * (nhist + 1)),
                   (Stage *)palloc(sizeof(Stage) * (nhist + 1)),
                   (Stage *)palloc(sizeof(Stage) * (nhist + 1)),
                   (int32_t *)palloc(sizeof(int32_t) * (nhist + 1))};

  LeadWork *w = (LeadWork *)palloc0(sizeof(LeadWork) * n);
  uint64 hi = 0, li = 0, oi = 0;
  for (int k = 0; k < n; k++) {
    int64 id = DatumGetInt64(ids[k]);
    LeadWork &lw = w[k];
    lw.lead_id = id;
    bool isnull;
    size_t first = hi;
    while (hi < nhist && h_lead[hi] == id)
      hi++;
    if (li < nleads &&
        DatumGetInt64(SPI_getbinval(leads->vals[li], leads->tupdesc, 1, &isnull)) == id) {
      HeapTuple t = leads->vals[li++];
      if (hi > first) {
        int64 created = DatumGetTimestampTz(SPI_getbinval(t, leads->tupdesc, 4, &isnull));
        FactsBuffers slice{buf.mql_entries + first, buf.entry_stages + first,
                           buf.stay_stages + first, buf.stay_hours + first};
        lw.fresh = compute_facts(created, h + first, hi - first, slice);
        lw.has_new = true;
        lw.source = text_or_null(t, leads->tupdesc, 2);
        lw.campaign = text_or_null(t, leads->tupdesc, 3);
      }
    }
    if (oi < nold && DatumGetInt64(SPI_getbinval(old->vals[oi], old->tupdesc, 1, &isnull)) == id) {
      HeapTuple t = old->vals[oi++];
      read_old_facts(t, old->tupdesc, shape, lw.old);
      lw.has_old = true;
      lw.old_source = text_or_null(t, old->tupdesc, 2);
      lw.old_campaign = text_or_null(t, old->tupdesc, 3);
    }
  }
  if (hi != nhist || li != nleads || oi != nold)
    elog(ERROR, "pg_mql: lead facts inputs out of order");
  read_touches(w, n);

  HTAB *deltas = create_deltas("pg_mql rollup deltas", CurrentMemoryContext);
  Datum *records = (Datum *)palloc(sizeof(Datum) * n);
  Datum *gone = (Datum *)palloc(sizeof(Datum) * n);
  int nrecords = 0, ngone = 0;
  for (int k = 0; k < n; k++) {
    LeadWork &lw = w[k];
    if (lw.has_new && lw.has_old && same_facts(lw.fresh, lw.old) &&
        same_text(lw.source, lw.old_source) && same_text(lw.campaign, lw.old_campaign))
      continue; // nothing changed for this lead
    if (lw.has_old) add_contributions(deltas, tz, lw.old, lw.old_source, lw.old_campaign, -1);
    if (lw.has_new) {
      add_contributions(deltas, tz, lw.fresh, lw.source, lw.campaign, 1);
      records[nrecords++] = facts_record(shape, lw);
    } else if (lw.has_old) {
      gone[ngone++] = Int64GetDatum(lw.lead_id);
    }
  }
  int written = g_statement_rollup != nullptr ? add_to_statement(*g_statement_rollup, deltas)
                                              : write_deltas(deltas);
  if (ngone > 0) delete_facts(gone, ngone);
  if (nrecords > 0) write_facts(shape.rowtype, records, nrecords);
  return written;
}

int cmp_int64_datum(const void *a, const void *b) {
  int64 x = DatumGetInt64(*(const Datum *)a), y = DatumGetInt64(*(const Datum *)b);
  return x < y ? -1 : x > y ? 1 : 0;
}

} // namespace

namespace mql::pg {

void compact_rollups_if_due() {
  static SizedPlan plan{"SELECT mql.compact_rollups(false)", 0, {}};
  // Only in READ COMMITTED: a REPEATABLE READ or SERIALIZABLE writer would
  // fail on rows another compaction changed after its snapshot. Their
  // deltas are folded by a later writer.
  if (g_pending_deltas < guc_rollup_compact_after || XactIsoLevel != XACT_READ_COMMITTED) return;
  if (SPI_execute_plan(plan.get(1), nullptr, nullptr, false, 0) != SPI_OK_SELECT)
    elog(ERROR, "pg_mql: could not compact the rollup");
  g_pending_deltas = 0;
}

} // namespace mql::pg

namespace mql::pg {

PendingFacts *g_pending_facts = nullptr;

void refresh_facts(const Datum *lead_ids, int n) {
  if (n <= 0) return;
  if (g_pending_facts != nullptr) {
    PendingFacts &p = *g_pending_facts;
    if (p.n + n > p.cap) {
      int cap = std::max(p.cap * 2, p.n + n);
      p.ids = p.ids == nullptr ? (Datum *)MemoryContextAllocHuge(p.cxt, sizeof(Datum) * cap)
                               : (Datum *)repalloc_huge(p.ids, sizeof(Datum) * cap);
      p.cap = cap;
    }
    memcpy(p.ids + p.n, lead_ids, sizeof(Datum) * n);
    p.n += n;
    return;
  }
  Datum *ids = (Datum *)palloc_extended(sizeof(Datum) * n, MCXT_ALLOC_HUGE);
  memcpy(ids, lead_ids, sizeof(Datum) * n);
  qsort(ids, n, sizeof(Datum), cmp_int64_datum);
  int m = 0;
  for (int i = 0; i < n; i++)
    if (m == 0 || DatumGetInt64(ids[i]) != DatumGetInt64(ids[m - 1])) ids[m++] = ids[i];

  SPI_connect();
  Datum tz = report_timezone();
  FactsShape shape = facts_shape();
  int written = 0;
  for (int start = 0; start < m; start += kBatchLeads) {
    // A nested connection per batch: SPI_finish frees its results.
    SPI_connect();
    written += refresh_batch(tz, shape, ids + start, std::min(kBatchLeads, m - start));
    SPI_finish();
  }
  g_pending_deltas += written;
  if (g_statement_rollup == nullptr) compact_rollups_if_due();
  SPI_finish();
  pfree(ids);
}

StatementRollup begin_statement_rollup() {
  StatementRollup rollup;
  rollup.cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_mql statement rollup",
                                     ALLOCSET_DEFAULT_SIZES);
  rollup.deltas = create_deltas("pg_mql statement rollup deltas", rollup.cxt);
  return rollup;
}

void finish_statement_rollup(StatementRollup &rollup) {
  // As the owner: the inserting role has no privilege on the derived tables.
  OwnerScope owner = enter_owner_scope("rollup");
  if (!fold_deltas(rollup.deltas)) g_pending_deltas += write_deltas(rollup.deltas);
  MemoryContextDelete(rollup.cxt); // the hash table's memory too
  rollup.deltas = nullptr;
  compact_rollups_if_due();
  leave_owner_scope(owner);
}

void flush_pending_facts(PendingFacts &pending) {
  if (pending.n == 0) return;
  PendingFacts *saved = g_pending_facts;
  g_pending_facts = nullptr;
  OwnerScope owner = enter_owner_scope("lead_facts");
  PG_TRY();
  { refresh_facts(pending.ids, pending.n); }
  PG_FINALLY();
  { g_pending_facts = saved; }
  PG_END_TRY();
  leave_owner_scope(owner);
  pending.n = 0;
}

} // namespace mql::pg

// Recomputes the facts of the given leads and records the change of their
// contributions as deltas (refresh_facts). Called by pg_mql's SQL-level
// triggers whenever a lead's facts may have changed, in the same
// transaction.
Datum mql_refresh_lead_facts(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(0)) PG_RETURN_VOID();
  ArrayType *arr = PG_GETARG_ARRAYTYPE_P(0);
  Datum *ids;
  bool *nulls;
  int n;
  deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &ids, &nulls, &n);
  int m = 0;
  for (int i = 0; i < n; i++)
    if (!nulls[i]) ids[m++] = ids[i];
  refresh_facts(ids, m);
  PG_RETURN_VOID();
}

// AFTER INSERT statement trigger on mql.stage_history: refreshes the facts
// of the leads of the new rows (the transition table new_rows), or leaves
// them to the event trigger that is collecting its statement's refreshes.
// In C rather than PL/pgSQL: it runs for every history insert, including
// each qualification of an OLTP event.
Datum mql_stage_history_refresh_facts(PG_FUNCTION_ARGS) {
  if (!CALLED_AS_TRIGGER(fcinfo))
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("mql_stage_history_refresh_facts() must be called as a trigger")));
  TriggerData *td = (TriggerData *)fcinfo->context;
  if (!TRIGGER_FIRED_AFTER(td->tg_event) || TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
      !TRIGGER_FIRED_BY_INSERT(td->tg_event) || td->tg_newtable == nullptr)
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("mql_stage_history_refresh_facts() must be an AFTER INSERT FOR EACH "
                           "STATEMENT trigger with REFERENCING NEW TABLE")));
  TupleDesc d = td->tg_relation->rd_att;
  int col = SPI_fnumber(d, "lead_id");
  if (col <= 0) elog(ERROR, "pg_mql: mql.stage_history has no column \"lead_id\"");
  Tuplestorestate *ts = td->tg_newtable;
  int64 count = tuplestore_tuple_count(ts);
  if (count == 0) return PointerGetDatum(nullptr);
  Datum *ids = (Datum *)palloc_extended(sizeof(Datum) * count, MCXT_ALLOC_HUGE);
  int n = 0;
  TupleTableSlot *slot = MakeSingleTupleTableSlot(d, &TTSOpsMinimalTuple);
  tuplestore_rescan(ts);
  while (n < count && tuplestore_gettupleslot(ts, true, false, slot)) {
    bool isnull;
    Datum v = slot_getattr(slot, col, &isnull);
    if (!isnull) ids[n++] = v;
  }
  ExecDropSingleTupleTableSlot(slot);
  refresh_facts(ids, n);
  pfree(ids);
  return PointerGetDatum(nullptr);
}
