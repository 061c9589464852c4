// The AFTER INSERT statement trigger on mql.events: one pass over the
// transition table scores every lead the statement touched, creates the
// leads that do not exist yet, and qualifies leads that cross the threshold.
// Per chunk of leads it runs a bounded number of SPI queries whatever the
// row count: late events (older than a qualifiable lead's latest) add one
// cursor over those leads' histories, not one query per lead.
#include "pg.hpp"

extern "C" {
#include "utils/acl.h"
#include "utils/rls.h"
}

#include "arrays.hpp"
#include "config.hpp"
#include "event_radix.hpp"
#include "event_sort.hpp"
#include "input_checks.hpp"
#include "lead_direct.hpp"
#include "lead_facts.hpp"
#include "owner_scope.hpp"
#include "sized_plan.hpp"
#include "stage_type.hpp"
#include "transition.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(mql_events_after_insert);
}

using namespace mql;
using namespace mql::pg;

namespace {

// Up to this many leads, a statement first locks its leads one by one
// (direct_lock_existing, or lock_existing where the direct path does not
// apply) and creates only those missing: the usual OLTP statement, whose
// lead exists, then runs no query to lock and read it, and fires no insert
// trigger on mql.leads.
constexpr int kLockFirstLeads = 8;

// Creates missing leads and locks existing ones, in lead_id order, in one
// statement: concurrent inserts over overlapping leads take their locks in
// the same order and so cannot deadlock each other. It runs as the owner of
// mql.leads: the proposed rows carry no tenant or other attribute a
// row-level security policy could check. What the inserting role may touch
// is decided right after, by check_visible under its own privileges.
void create_and_lock(Datum ids, Datum first_seen, int nleads) {
  static SizedPlan plan{
      "INSERT INTO mql.leads AS l (lead_id, created_at) "
      "SELECT u.id, u.t FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS "
      "u(id, t) "
      "ORDER BY u.id "
      "ON CONFLICT (lead_id) DO UPDATE SET intent_score = l.intent_score WHERE false",
      2,
      {INT8ARRAYOID, TIMESTAMPTZARRAYOID}};
  const char *actor = current_actor();
  OwnerScope owner = enter_owner_scope("leads");
  SPIPlanPtr prepared = plan.get(nleads);
  Datum values[2] = {ids, first_seen};
  volatile int rc = 0;
  g_creating_actor = actor;
  PG_TRY();
  { rc = SPI_execute_plan(prepared, values, nullptr, false, 0); }
  PG_FINALLY();
  { g_creating_actor = nullptr; }
  PG_END_TRY();
  leave_owner_scope(owner);
  if (rc != SPI_OK_INSERT) elog(ERROR, "pg_mql: could not create leads (SPI %d)", rc);
}

// Refuses an event statement whose lead a user's BEFORE INSERT trigger on
// mql.leads did not let pg_mql create.
void report_skipped_creation(int64 lead_id) {
  ereport(
      ERROR,
      (errcode(ERRCODE_TRIGGERED_ACTION_EXCEPTION),
       errmsg("a trigger on mql.leads skipped pg_mql's creation of lead %lld", (long long)lead_id),
       errdetail("A BEFORE INSERT trigger returned NULL for the new lead an event refers to."),
       errhint("Insert the lead before its events, or let the trigger return NEW.")));
}

// Locks (and creates) a statement's leads (ids sorted, also as the array
// id_array; first their first occurred_at) through the direct path, in
// lead_id order, their rows going to dl->rows. An OLTP statement's leads
// usually exist: it locks them at once, and only a missing one (and those
// after it) goes through create_and_lock. A larger statement runs
// create_and_lock over all its leads first, then reads each through the
// same lock call, instead of a read-back query. Leads the upsert locked are
// asked for in its mode (FOR NO KEY UPDATE), so that call neither waits nor
// writes: an upgrade to FOR UPDATE would wait for a KEY SHARE lock (a
// foreign key's) out of lead_id order. Creating leads before locking
// smaller ones would break the lead_id order against a statement holding
// one and waiting for the creation (seen deadlocking in the stress test). A
// lead deleted before its lock is created again by create_and_lock, in
// order, after the locks taken so far.
void direct_create_and_lock(DirectLeads *dl, Datum id_array, Datum *ids, Datum *first, int nleads) {
  LockTupleMode mode = LockTupleExclusive; // as SELECT ... FOR UPDATE
  if (nleads > kLockFirstLeads) {
    create_and_lock(id_array, timestamptz_array(first, nleads), nleads);
    mode = LockTupleNoKeyExclusive;
  }
  int locked = 0, retried = -1;
  for (;;) {
    locked = direct_lock_existing(dl, ids, locked, nleads, mode);
    if (locked == nleads) break;
    // create_and_lock leaves the lead locked or refuses: only a trigger of
    // the user's that skips the insert leaves it missing.
    if (locked == retried) report_skipped_creation(DatumGetInt64(ids[locked]));
    retried = locked;
    create_and_lock(int8_array(ids + locked, nleads - locked),
                    timestamptz_array(first + locked, nleads - locked), nleads - locked);
    mode = LockTupleNoKeyExclusive;
  }
}

// What score_chunk reads of a lead, in this column order, followed by the
// row's ctid (column 11) in the owner's reads (lock_existing, read_locked):
// where update_leads finds the row, which is locked, so it stays there
// until this transaction updates it.
#define LEAD_STATE_COLUMNS                                                                         \
  "lead_id, stage, fit_score, intent_score, score_at, stage_changed_at, email, source, "           \
  "campaign, attributes"

// Locks the existing leads of ids (sorted) one at a time in that order, as
// the owner of mql.leads, reading their state; stops at the first missing
// one. The locked leads are thus a prefix of ids, and create_and_lock takes
// the rest in the same order, so concurrent statements still cannot
// deadlock. Returns how many were locked; their rows go to rows, described
// by *desc.
int lock_existing(const Datum *ids, int nleads, HeapTuple *rows, TupleDesc *desc) {
  static SizedPlan plan{"SELECT " LEAD_STATE_COLUMNS ", ctid FROM mql.leads "
                        "WHERE lead_id OPERATOR(pg_catalog.=) $1 FOR UPDATE",
                        1,
                        {INT8OID}};
  OwnerScope owner = enter_owner_scope("leads");
  int k = 0;
  for (; k < nleads; k++) {
    Datum values[1] = {ids[k]};
    if (SPI_execute_plan(plan.get(1), values, nullptr, false, 0) != SPI_OK_SELECT)
      elog(ERROR, "pg_mql: could not lock lead %lld", (long long)DatumGetInt64(ids[k]));
    if (SPI_processed != 1) break;
    rows[k] = SPI_tuptable->vals[0];
    *desc = SPI_tuptable->tupdesc;
  }
  leave_owner_scope(owner);
  return k;
}

// Whether the inserting role reads mql.leads as its owner does: it may
// select the whole table and no row-level security policy applies to it.
// Then the owner's reads are the role's own, and the gate check_visible is
// not needed.
bool reads_as_owner() {
  Oid leads = get_relname_relid("leads", get_namespace_oid("mql", false));
  return OidIsValid(leads) && pg_class_aclcheck(leads, GetUserId(), ACL_SELECT) == ACLCHECK_OK &&
         check_enable_rls(leads, InvalidOid, true) != RLS_ENABLED;
}

// The state of the statement's leads (ids sorted, and as the array
// id_array), just created or locked by create_and_lock, read as the owner of
// mql.leads with their ctids.
SPITupleTable *read_locked(Datum id_array, const Datum *ids, int nleads) {
  static SizedPlan plan{"SELECT " LEAD_STATE_COLUMNS ", ctid FROM mql.leads "
                        "WHERE lead_id OPERATOR(pg_catalog.=) ANY ($1) ORDER BY lead_id",
                        1,
                        {INT8ARRAYOID}};
  Datum values[1] = {id_array};
  OwnerScope owner = enter_owner_scope("leads");
  if (plan.execute_by_key(values, nleads) != SPI_OK_SELECT)
    elog(ERROR, "pg_mql: could not read leads");
  leave_owner_scope(owner);
  if (SPI_processed != (uint64)nleads) {
    // The first of the (sorted) ids the (sorted) rows lack.
    uint64 r = 0;
    for (int k = 0; k < nleads; k++, r++) {
      bool isnull;
      if (r == SPI_processed ||
          DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull)) !=
              DatumGetInt64(ids[k]))
        report_skipped_creation(DatumGetInt64(ids[k]));
    }
    elog(ERROR, "pg_mql: read %llu of %d locked leads", (unsigned long long)SPI_processed, nleads);
  }
  return SPI_tuptable;
}

// The gate for the owner-run locks before and update_leads after: the
// inserting role must see every lead of the statement (its SELECT privilege
// on the columns pg_mql reads, and the row-level security policies on
// mql.leads), or the statement fails and nothing stays.
void check_visible(Datum ids, int nleads) {
  static SizedPlan plan{"SELECT " LEAD_STATE_COLUMNS " FROM mql.leads "
                        "WHERE lead_id OPERATOR(pg_catalog.=) ANY ($1)",
                        1,
                        {INT8ARRAYOID}};
  Datum values[1] = {ids};
  if (plan.execute_by_key(values, nleads) != SPI_OK_SELECT)
    elog(ERROR, "pg_mql: could not read leads");
  if (SPI_processed != (uint64)nleads)
    ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                    errmsg("events refer to %d lead(s) that the current role cannot see",
                           nleads - (int)SPI_processed),
                    errdetail("Row-level security on mql.leads hides them from role \"%s\".",
                              GetUserNameFromId(GetUserId(), false))));
  SPI_freetuptable(SPI_tuptable);
}

// A qualifiable lead that received an event older than its latest one: it
// is judged from its whole history once the main pass is done.
struct LateLead {
  int k; // index into the statement's leads
  LeadState state;
  Micros from; // earliest new occurred_at
};

// Judges every late lead from its full event history, read in one ordered
// cursor pass over all of them (not one query per lead), chunk by chunk, with
// this statement's weights. `late` is sorted by lead_id, as `path` is.
void judge_late_leads(const Config &cfg, const LateLead *late, int nlate, AutoCrossing *path) {
  static SizedPlan plan{"SELECT lead_id, event_type, occurred_at, event_id FROM mql.events "
                        "WHERE lead_id OPERATOR(pg_catalog.=) ANY ($1) ORDER BY lead_id",
                        1,
                        {INT8ARRAYOID}};
  Datum *ids = (Datum *)palloc_extended(sizeof(Datum) * nlate, MCXT_ALLOC_HUGE);
  for (int i = 0; i < nlate; i++)
    ids[i] = Int64GetDatum(path[late[i].k].lead_id);
  Datum values[1] = {int8_array(ids, nlate)};
  // Not read-only: a read-only cursor would use the statement's snapshot,
  // which cannot see the events this very statement inserted.
  Portal portal = SPI_cursor_open(nullptr, plan.get(nlate), values, nullptr, false);

  size_t cap = 64, n = 0;
  Event *buf = (Event *)palloc(sizeof(Event) * cap);
  int64 current = 0;
  bool have_current = false;
  int li = 0;
  auto judge_current = [&]() {
    while (li < nlate && path[late[li].k].lead_id < current)
      li++;
    if (li < nlate && path[late[li].k].lead_id == current) {
      sort_events(buf, n);
      auto crossing = find_crossing(late[li].state, buf, n, late[li].from, cfg.qualify);
      AutoCrossing &p = path[late[li].k];
      if (crossing) {
        p.crosses = true;
        p.at = crossing->at;
        p.score = crossing->score;
        p.requalification = crossing->requalification;
      }
      li++;
    }
    n = 0;
  };
  for (;;) {
    SPI_cursor_fetch(portal, true, 10000);
    if (SPI_processed == 0) break;
    for (uint64 r = 0; r < SPI_processed; r++) {
      bool isnull;
      HeapTuple t = SPI_tuptable->vals[r];
      TupleDesc d = SPI_tuptable->tupdesc;
      int64 lead_id = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
      if (!have_current || lead_id != current) {
        if (have_current) judge_current();
        current = lead_id;
        have_current = true;
      }
      if (n == cap) {
        cap *= 2;
        buf = (Event *)repalloc_huge(buf, sizeof(Event) * cap);
      }
      text *type = DatumGetTextPP(SPI_getbinval(t, d, 2, &isnull));
      buf[n].lead_id = lead_id;
      buf[n].occurred = DatumGetTimestampTz(SPI_getbinval(t, d, 3, &isnull));
      buf[n].event_id = DatumGetInt64(SPI_getbinval(t, d, 4, &isnull));
      buf[n].weight = cfg.weight_of(std::string_view(VARDATA_ANY(type), VARSIZE_ANY_EXHDR(type)));
      n++;
    }
    SPI_freetuptable(SPI_tuptable);
    CHECK_FOR_INTERRUPTS();
  }
  if (have_current) judge_current();
  SPI_cursor_close(portal);
  pfree(buf);
}

// Writes the statement's leads' intent. intent_score and score_at are
// pg_mql's (an application may not update them), so this runs as the owner
// of mql.leads; the leads are exactly those the inserting role has just
// created or locked and read back under its own privileges and policies.
// They are found by the ctid read after their lock (tids, in lead_id
// order): one heap fetch each, with a plan that is the same for 2 leads or
// 8,192, where a join on lead_id was planned as a hash of the whole table
// per chunk. One lead (the OLTP event) takes a plan without the arrays,
// whose function scan and join cost a fifth of that statement. With `fits`,
// fit_score is written too, which makes the update trigger recompute it
// with the statement's configuration.
void update_leads(Datum *tids, Datum *intents, Datum *score_ats, Datum *fits, int nleads) {
  static SizedPlan plan{
      "UPDATE mql.leads AS l SET intent_score = u.i, score_at = u.t "
      "FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3)) "
      "AS u(tid, i, t) "
      "WHERE l.ctid OPERATOR(pg_catalog.=) u.tid",
      3,
      {TIDARRAYOID, FLOAT8ARRAYOID, TIMESTAMPTZARRAYOID}};
  static SizedPlan refit_plan{
      "UPDATE mql.leads AS l SET intent_score = u.i, score_at = u.t, fit_score = u.f "
      "FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3), "
      "pg_catalog.unnest($4)) AS u(tid, i, t, f) "
      "WHERE l.ctid OPERATOR(pg_catalog.=) u.tid",
      4,
      {TIDARRAYOID, FLOAT8ARRAYOID, TIMESTAMPTZARRAYOID, FLOAT8ARRAYOID}};
  static SizedPlan one_plan{"UPDATE mql.leads SET intent_score = $2, score_at = $3 "
                            "WHERE ctid OPERATOR(pg_catalog.=) $1",
                            3,
                            {TIDOID, FLOAT8OID, TIMESTAMPTZOID}};
  static SizedPlan one_refit_plan{"UPDATE mql.leads SET intent_score = $2, score_at = $3, "
                                  "fit_score = $4 WHERE ctid OPERATOR(pg_catalog.=) $1",
                                  4,
                                  {TIDOID, FLOAT8OID, TIMESTAMPTZOID, FLOAT8OID}};
  OwnerScope owner = enter_owner_scope("leads");
  int rc;
  if (nleads == 1) {
    Datum values[4] = {tids[0], intents[0], score_ats[0], fits != nullptr ? fits[0] : (Datum)0};
    SizedPlan &p = fits != nullptr ? one_refit_plan : one_plan;
    rc = SPI_execute_plan(p.get(1), values, nullptr, false, 0);
  } else {
    Datum values[4] = {PointerGetDatum(construct_array(
                           tids, nleads, TIDOID, sizeof(ItemPointerData), false, TYPALIGN_SHORT)),
                       float8_array(intents, nleads), timestamptz_array(score_ats, nleads),
                       fits != nullptr ? float8_array(fits, nleads) : (Datum)0};
    SizedPlan &p = fits != nullptr ? refit_plan : plan; // a TID scan per lead
    rc = p.execute_by_key(values, nleads);
  }
  if (rc != SPI_OK_UPDATE) elog(ERROR, "pg_mql: could not update leads");
  if (SPI_processed != (uint64)nleads) report_skipped_update(nleads - (int)SPI_processed);
  leave_owner_scope(owner);
}

// The history rows of the qualifications this statement applied, in one
// INSERT, so the history's statement trigger runs once per event statement.
void record_crossings(const AutoCrossing *path, int nleads) {
  static SizedPlan plan{
      "INSERT INTO mql.stage_history (lead_id, from_stage, to_stage, changed_at, reason, "
      "score, actor) SELECT u.id, u.f::mql.stage, 'mql', u.t, CASE WHEN u.r THEN "
      "'re-qualified: score reached the threshold after recycling' ELSE "
      "'qualified: score reached the threshold' END, u.s, 'pg_mql' "
      "FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), "
      "pg_catalog.unnest($3), pg_catalog.unnest($4), pg_catalog.unnest($5)) "
      "AS u(id, f, t, s, r) ORDER BY u.id",
      5,
      {INT8ARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, FLOAT8ARRAYOID, BOOLARRAYOID}};
  int n = 0;
  for (int k = 0; k < nleads; k++)
    if (path[k].applied) n++;
  if (n == 0) return;
  Datum *ids = (Datum *)palloc(sizeof(Datum) * n), *from = (Datum *)palloc(sizeof(Datum) * n),
        *at = (Datum *)palloc(sizeof(Datum) * n), *score = (Datum *)palloc(sizeof(Datum) * n),
        *requal = (Datum *)palloc(sizeof(Datum) * n);
  for (int k = 0, i = 0; k < nleads; k++) {
    if (!path[k].applied) continue;
    ids[i] = Int64GetDatum(path[k].lead_id);
    from[i] = CStringGetTextDatum(stage_name(path[k].from));
    at[i] = TimestampTzGetDatum(path[k].at);
    score[i] = Float8GetDatum(path[k].score);
    requal[i] = BoolGetDatum(path[k].requalification);
    i++;
  }
  Datum values[5] = {int8_array(ids, n),
                     PointerGetDatum(construct_array(from, n, TEXTOID, -1, false, TYPALIGN_INT)),
                     timestamptz_array(at, n), float8_array(score, n),
                     PointerGetDatum(construct_array(requal, n, BOOLOID, 1, true, TYPALIGN_CHAR))};
  if (execute_history_write(plan.get(n), values, nullptr) != SPI_OK_INSERT)
    elog(ERROR, "pg_mql: could not record qualifications");
}

// Asks for a facts refresh (refresh_facts, collected for the end of the
// chunk) of the chunk's leads whose sales touch is now earlier than the one
// their facts know (or is their first since they qualified): the time to
// first touch of the BI views. Leads that qualify in this chunk have stale
// facts here, but their history rows already asked for their refresh, which
// finds their first touch. Reads mql.lead_facts as its owner (only pg_mql
// reads and writes it).
void touched_leads(const Event *ev, size_t n) {
  static SizedPlan plan{
      "SELECT DISTINCT f.lead_id "
      "FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS u(lead_id, occurred_at) "
      "JOIN mql.lead_facts AS f ON f.lead_id OPERATOR(pg_catalog.=) u.lead_id "
      "WHERE f.first_mql_at IS NOT NULL "
      "AND u.occurred_at OPERATOR(pg_catalog.>=) f.first_mql_at "
      "AND (f.touch_at IS NULL OR u.occurred_at OPERATOR(pg_catalog.<) f.touch_at)",
      2,
      {INT8ARRAYOID, TIMESTAMPTZARRAYOID}};
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (ev[i].touch) m++;
  if (m == 0) return;
  Datum *ids = (Datum *)palloc_extended(sizeof(Datum) * m, MCXT_ALLOC_HUGE);
  Datum *ats = (Datum *)palloc_extended(sizeof(Datum) * m, MCXT_ALLOC_HUGE);
  for (size_t i = 0, j = 0; i < n; i++)
    if (ev[i].touch) {
      ids[j] = Int64GetDatum(ev[i].lead_id);
      ats[j] = TimestampTzGetDatum(ev[i].occurred);
      j++;
    }
  Datum values[2] = {int8_array(ids, (int)m), timestamptz_array(ats, (int)m)};
  OwnerScope owner = enter_owner_scope("lead_facts");
  if (plan.execute_by_key(values, (int)m) != SPI_OK_SELECT)
    elog(ERROR, "pg_mql: could not read the facts of touched leads");
  leave_owner_scope(owner);
  Datum *touched = (Datum *)palloc_extended(sizeof(Datum) * (SPI_processed + 1), MCXT_ALLOC_HUGE);
  for (uint64 r = 0; r < SPI_processed; r++) {
    bool isnull;
    touched[r] = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull);
  }
  refresh_facts(touched, (int)SPI_processed);
  SPI_freetuptable(SPI_tuptable);
}

int attno(TupleDesc d, const char *name) {
  int n = SPI_fnumber(d, name);
  if (n <= 0) elog(ERROR, "pg_mql: mql.events has no column \"%s\"", name);
  return n;
}

bool is_blank(const char *s, int len) {
  for (int i = 0; i < len; i++)
    if (s[i] != ' ') return false;
  return true;
}

// Refuses what an event must not be, beyond its column types: a time
// outside the accepted window, a blank event_type, huge properties.
void check_event(const Config &cfg, int64 lead_id, TimestampTz occurred, const text *type,
                 TupleTableSlot *slot, int a_props) {
  if (TIMESTAMP_NOT_FINITE(occurred))
    ereport(ERROR,
            (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
             errmsg("occurred_at of an event for lead %lld must be a finite timestamp",
                    (long long)lead_id),
             errdetail("Decay needs a real point in time; 'infinity' and '-infinity' have none.")));
  check_business_time(cfg, occurred, "occurred_at of an event for lead", lead_id);
  if (is_blank(VARDATA_ANY(type), (int)VARSIZE_ANY_EXHDR(type)))
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
             errmsg("event_type of an event for lead %lld must not be empty", (long long)lead_id),
             errhint("Name what the lead did, such as 'pricing_page_view'; mql.event_weights "
                     "gives each event type its weight.")));
  bool isnull;
  Datum props = slot_getattr(slot, a_props, &isnull);
  if (!isnull)
    check_jsonb_size(props, "properties of an event for lead", lead_id,
                     "Keep large payloads outside mql.events and store a reference to them.");
}

// The columns of mql.events the trigger reads.
struct EventCols {
  int lead, type, occ, id, props;
};

EventCols event_cols(TupleDesc d) {
  return EventCols{attno(d, "lead_id"), attno(d, "event_type"), attno(d, "occurred_at"),
                   attno(d, "event_id"), attno(d, "properties")};
}

// Reads the transition table, refusing bad events, and hands each event and
// its (detoasted) type to `sink`; the type is valid only during the call.
template <typename Sink>
void scan_new_events(const Config &cfg, Tuplestorestate *ts, TupleDesc d, Sink sink) {
  EventCols c = event_cols(d);
  TupleTableSlot *slot = MakeSingleTupleTableSlot(d, &TTSOpsMinimalTuple);
  tuplestore_rescan(ts);
  while (tuplestore_gettupleslot(ts, true, false, slot)) {
    bool isnull;
    Event e;
    e.lead_id = DatumGetInt64(slot_getattr(slot, c.lead, &isnull));
    e.occurred = DatumGetTimestampTz(slot_getattr(slot, c.occ, &isnull));
    e.event_id = DatumGetInt64(slot_getattr(slot, c.id, &isnull));
    Datum t = slot_getattr(slot, c.type, &isnull);
    struct varlena *raw = (struct varlena *)DatumGetPointer(t);
    text *type = (text *)PG_DETOAST_DATUM_PACKED(t);
    check_event(cfg, e.lead_id, e.occurred, type, slot, c.props);
    sink(e, type);
    if ((Pointer)type != (Pointer)raw) pfree(type);
    CHECK_FOR_INTERRUPTS();
  }
  ExecDropSingleTupleTableSlot(slot);
}

// Gives an event its type's weight and sales-touch flag under cfg.
void weigh(const Config &cfg, Event &e, const text *type) {
  std::string_view t(VARDATA_ANY(type), VARSIZE_ANY_EXHDR(type));
  e.weight = cfg.weight_of(t);
  e.touch = cfg.is_touch(t);
}

// Reads the transition table into a flat array of events (palloc'd) with
// their weights, refusing bad ones.
Event *read_new_events(const Config &cfg, Tuplestorestate *ts, TupleDesc d, size_t &n) {
  size_t cap = 1024;
  n = 0;
  Event *ev = (Event *)MemoryContextAllocHuge(CurrentMemoryContext, sizeof(Event) * cap);
  scan_new_events(cfg, ts, d, [&](Event e, const text *type) {
    if (n == cap) {
      cap *= 2;
      ev = (Event *)repalloc_huge(ev, sizeof(Event) * cap);
    }
    weigh(cfg, e, type);
    ev[n++] = e;
  });
  return ev;
}

// Recomputes the weights of a chunk's events (sorted, in ev) with `cfg`,
// read again from the transition table: a chunk holds every event of the
// leads from ev[0] to ev[n - 1]. Only needed when the configuration
// changed while the statement ran, so it may rescan the whole table.
void reweigh(const Config &cfg, Tuplestorestate *ts, TupleDesc d, Event *ev, size_t n) {
  int64 lo = ev[0].lead_id, hi = ev[n - 1].lead_id;
  Event *fresh = (Event *)palloc_extended(sizeof(Event) * n, MCXT_ALLOC_HUGE);
  size_t m = 0;
  scan_new_events(cfg, ts, d, [&](Event e, const text *type) {
    if (e.lead_id < lo || e.lead_id > hi) return;
    if (m == n) elog(ERROR, "pg_mql: the transition table changed while scoring");
    weigh(cfg, e, type);
    fresh[m++] = e;
  });
  if (m != n) elog(ERROR, "pg_mql: the transition table changed while scoring");
  radix_sort_events(fresh, n, ev); // ev is overwritten just after
  memcpy(ev, fresh, sizeof(Event) * n);
  pfree(fresh);
}

// Up to this many events a statement is scored in one piece, sorted in
// memory. A larger one is sorted by an EventSort (within work_mem, spilling
// to disk beyond) and scored in chunks of whole leads, so that a backend's
// memory does not grow with the size of a COPY.
constexpr int64 kInMemoryEvents = 65536;
constexpr int kChunkLeads = 8192;
constexpr size_t kChunkEvents = 65536;

// The events of a large statement, sorted by (lead_id, occurred_at,
// event_id) within work_mem (EventSort) with their weights and touch flags,
// and read back chunk by chunk.
struct SortedEvents {
  EventSort sort;
  Event next;   // the next event not yet taken into a chunk
  bool pending; // whether there is one
};

// Sorts the statement's events (refusing bad ones), weighed with cfg; with
// `after`, only those of leads above *after.
void sort_new_events(const Config &cfg, Tuplestorestate *ts, TupleDesc d, const int64 *after,
                     SortedEvents &out) {
  out.sort.begin((size_t)work_mem * 1024);
  scan_new_events(cfg, ts, d, [&](Event e, const text *type) {
    if (after != nullptr && e.lead_id <= *after) return;
    weigh(cfg, e, type);
    out.sort.put(e);
  });
  out.sort.finish();
  out.pending = out.sort.next(out.next);
}

// Takes the next chunk of whole leads from the sorted events: at least one
// lead, then more until kChunkLeads leads or kChunkEvents events. Fills ev
// (palloc'd in the current context); false when none are left.
bool next_chunk(SortedEvents &se, Event *&ev, size_t &n) {
  if (!se.pending) return false;
  size_t cap = 1024;
  n = 0;
  ev = (Event *)palloc(sizeof(Event) * cap);
  int nleads = 0;
  int64 last = 0;
  while (se.pending) {
    int64 lead_id = se.next.lead_id;
    if (n == 0 || lead_id != last) {
      if (nleads >= kChunkLeads || n >= kChunkEvents) break;
      nleads++;
      last = lead_id;
    }
    if (n == cap) {
      cap *= 2;
      ev = (Event *)repalloc_huge(ev, sizeof(Event) * cap);
    }
    ev[n++] = se.next;
    se.pending = se.sort.next(se.next);
    CHECK_FOR_INTERRUPTS();
  }
  return true;
}

// The first sales touches score_leads knows of the leads it qualified for
// the first time (sorted by lead_id), for the chunk's facts refresh.
struct ChunkHints {
  TouchHint *hints;
  int n;
};

// Scores one chunk of a statement's events, sorted by lead: creates or
// locks its leads (in lead_id order), applies the events, qualifies, and
// records the crossings. After the locks, a configuration change committed
// meanwhile replaces *cfgp, and ev's weights are recomputed with it from
// the transition table ts (of descriptor d); true if that happened. The
// facts refreshes it causes are collected (g_pending_facts) for the caller.
bool score_leads(const Config *&cfgp, Tuplestorestate *ts, TupleDesc d, Event *ev, size_t n,
                 ChunkHints &touch_hints) {
  // Group by lead: start offsets, ids and first occurred_at (a new lead's
  // created_at: its first sign of life).
  int nleads = 0;
  for (size_t i = 0; i < n; i++)
    if (i == 0 || ev[i].lead_id != ev[i - 1].lead_id) nleads++;
  size_t *start = (size_t *)palloc_extended(sizeof(size_t) * (nleads + 1), MCXT_ALLOC_HUGE);
  Datum *ids = (Datum *)palloc_extended(sizeof(Datum) * nleads, MCXT_ALLOC_HUGE);
  Datum *first = (Datum *)palloc_extended(sizeof(Datum) * nleads, MCXT_ALLOC_HUGE);
  for (size_t i = 0, k = 0; i < n; i++)
    if (i == 0 || ev[i].lead_id != ev[i - 1].lead_id) {
      start[k] = i;
      ids[k] = Int64GetDatum(ev[i].lead_id);
      first[k] = TimestampTzGetDatum(ev[i].occurred);
      k++;
    }
  start[nleads] = n;
  Datum id_array = int8_array(ids, nleads);

  HeapTuple *rows = nullptr;
  TupleDesc sd = nullptr;
  // Where each column of LEAD_STATE_COLUMNS and the ctid are in rows: the
  // SPI reads' order, or the table's for rows locked directly.
  static const int kReadOrder[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  const int *col = kReadOrder;
  int locked = 0;
  DirectLeads *direct = direct_leads_open(nleads);
  if (direct != nullptr) {
    direct_create_and_lock(direct, id_array, ids, first, nleads);
    rows = direct->rows;
    locked = nleads;
    sd = RelationGetDescr(direct->rel);
    col = direct->cols;
  } else if (nleads <= kLockFirstLeads) {
    rows = (HeapTuple *)palloc(sizeof(HeapTuple) * nleads);
    locked = lock_existing(ids, nleads, rows, &sd);
  }
  if (locked < nleads)
    create_and_lock(int8_array(ids + locked, nleads - locked),
                    timestamptz_array(first + locked, nleads - locked), nleads - locked);
  // The locks may have waited for a transaction that changed the
  // configuration and rescored these leads with it (config_race.spec). Then
  // its rules score these leads too: the weights are read again, and the fit
  // of every lead is recomputed (leads created above got theirs from the
  // rules of before the wait).
  bool refit = false;
  if (const Config *fresh = config_reload_if_changed()) {
    cfgp = fresh;
    refit = true;
    reweigh(*cfgp, ts, d, ev, n);
  }
  const Config &cfg = *cfgp;
  if (locked < nleads) {
    SPITupleTable *states = read_locked(id_array, ids, nleads);
    rows = states->vals;
    sd = states->tupdesc;
  }
  if (!reads_as_owner()) check_visible(id_array, nleads);

  Datum *tids = (Datum *)palloc_extended(sizeof(Datum) * nleads, MCXT_ALLOC_HUGE);
  Datum *intents = (Datum *)palloc_extended(sizeof(Datum) * nleads, MCXT_ALLOC_HUGE);
  Datum *score_ats = (Datum *)palloc_extended(sizeof(Datum) * nleads, MCXT_ALLOC_HUGE);
  Datum *fits = refit ? (Datum *)palloc_extended(sizeof(Datum) * nleads, MCXT_ALLOC_HUGE) : nullptr;
  AutoCrossing *path =
      (AutoCrossing *)palloc_extended(sizeof(AutoCrossing) * nleads, MCXT_ALLOC_HUGE);
  Attr *attrs = (Attr *)palloc(sizeof(Attr) * (cfg.rules.size() + 1));
  LateLead *late = (LateLead *)palloc_extended(sizeof(LateLead) * nleads, MCXT_ALLOC_HUGE);
  int nlate = 0;
  TouchHint *hints = (TouchHint *)palloc_extended(sizeof(TouchHint) * nleads, MCXT_ALLOC_HUGE);
  int nhints = 0;

  for (int k = 0; k < nleads; k++) {
    HeapTuple row = rows[k];
    bool isnull;
    int64 lead_id = DatumGetInt64(SPI_getbinval(row, sd, col[1], &isnull));
    if (lead_id != DatumGetInt64(ids[k])) elog(ERROR, "pg_mql: lead order mismatch");
    tids[k] = SPI_getbinval(row, sd, col[11], &isnull);
    LeadState st;
    st.stage = stage_from_datum(SPI_getbinval(row, sd, col[2], &isnull));
    st.fit = DatumGetFloat8(SPI_getbinval(row, sd, col[3], &isnull));
    st.intent.value = DatumGetFloat8(SPI_getbinval(row, sd, col[4], &isnull));
    Datum sa = SPI_getbinval(row, sd, col[5], &isnull);
    st.intent.has_events = !isnull;
    st.intent.at = isnull ? 0 : DatumGetTimestampTz(sa);
    Datum sc = SPI_getbinval(row, sd, col[6], &isnull);
    st.stage_changed_at = isnull ? 0 : DatumGetTimestampTz(sc);

    // The lead's fit under the statement's rules: its score when refitting,
    // else only whether it may qualify.
    auto fit_now = [&]() {
      Datum a = SPI_getbinval(row, sd, col[10], &isnull);
      Jsonb *jb = isnull ? nullptr : DatumGetJsonbP(a);
      auto txt = [&](int c) -> text * {
        bool nul;
        Datum v = SPI_getbinval(row, sd, col[c], &nul);
        return nul ? nullptr : DatumGetTextPP(v);
      };
      lead_attrs(cfg, jb, txt(7), txt(8), txt(9), attrs);
      return evaluate_fit(cfg.rules, attrs);
    };
    bool fit_known = false;
    if (refit) {
      FitResult fr = fit_now();
      st.fit = fr.score;
      st.eligible = fr.eligible;
      fits[k] = Float8GetDatum(fr.score);
      fit_known = true;
    }

    const Event *lev = ev + start[k];
    size_t ln = start[k + 1] - start[k];
    LeadOutcome out = apply_events(st, lev, ln, cfg.qualify);
    path[k] = AutoCrossing{lead_id, false, 0, 0, false, false, Stage::Lead};
    if ((out.crossing || out.needs_history) && !cfg.rules.empty()) {
      if (!fit_known) st.eligible = fit_now().eligible;
      if (!st.eligible) {
        out.crossing.reset();
        out.needs_history = false;
      }
    }
    if (out.needs_history) late[nlate++] = LateLead{k, st, lev[0].occurred};
    if (out.crossing) {
      // Every stored event of the lead is earlier than the crossing: its
      // first touch from then on is among this statement's events.
      if (!st.intent.has_events || st.intent.at < out.crossing->at) {
        TouchHint &h = hints[nhints++];
        h = TouchHint{lead_id, out.crossing->at, false, 0};
        for (size_t i = 0; i < ln; i++)
          if (lev[i].touch && lev[i].occurred >= h.first_mql_at &&
              (!h.has_touch || lev[i].occurred < h.touch)) {
            h.has_touch = true;
            h.touch = lev[i].occurred;
          }
      }
      path[k].crosses = true;
      path[k].at = out.crossing->at;
      path[k].score = out.crossing->score;
      path[k].requalification = out.crossing->requalification;
    }
    intents[k] = Float8GetDatum(out.intent.value);
    score_ats[k] = TimestampTzGetDatum(out.intent.at);
  }
  if (nlate > 0) judge_late_leads(cfg, late, nlate, path);

  EventPath ctx{path, nleads};
  EventPath *saved = g_event_path;
  g_event_path = &ctx;
  PG_TRY();
  {
    if (direct != nullptr) {
      direct_update_leads(direct, intents, score_ats, fits, nleads);
      direct_leads_close(direct);
    } else {
      update_leads(tids, intents, score_ats, fits, nleads);
    }
  }
  PG_FINALLY();
  { g_event_path = saved; }
  PG_END_TRY();
  record_crossings(path, nleads);
  touched_leads(ev, n);
  touch_hints = ChunkHints{hints, nhints};
  return refit;
}

// Scores one chunk (score_leads), then refreshes the funnel facts of every
// lead it created, qualified or gave an earlier sales touch, once: the
// qualifications' first touches come from the hints instead of a read of
// the leads' events.
bool score_chunk(const Config *&cfgp, Tuplestorestate *ts, TupleDesc d, Event *ev, size_t n) {
  PendingFacts pending{CurrentMemoryContext, nullptr, 0, 0};
  PendingFacts *saved_pending = g_pending_facts;
  g_pending_facts = &pending;
  ChunkHints hints{nullptr, 0};
  bool refit = false;
  PG_TRY();
  { refit = score_leads(cfgp, ts, d, ev, n, hints); }
  PG_FINALLY();
  { g_pending_facts = saved_pending; }
  PG_END_TRY();
  const TouchHint *saved_hints = g_touch_hints;
  int saved_nhints = g_ntouch_hints;
  g_touch_hints = hints.hints;
  g_ntouch_hints = hints.n;
  PG_TRY();
  { flush_pending_facts(pending); }
  PG_FINALLY();
  {
    g_touch_hints = saved_hints;
    g_ntouch_hints = saved_nhints;
  }
  PG_END_TRY();
  return refit;
}

} // namespace

Datum mql_events_after_insert(PG_FUNCTION_ARGS) {
  if (!CALLED_AS_TRIGGER(fcinfo))
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("mql_events_after_insert() must be called as a trigger")));
  TriggerData *td = (TriggerData *)fcinfo->context;
  if (!TRIGGER_FIRED_AFTER(td->tg_event) || TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
      !TRIGGER_FIRED_BY_INSERT(td->tg_event) || td->tg_newtable == nullptr)
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("mql_events_after_insert() must be an AFTER INSERT FOR EACH STATEMENT "
                           "trigger with REFERENCING NEW TABLE")));

  SPI_connect();
  const Config *cfgp = &config_get();
  Tuplestorestate *ts = td->tg_newtable;
  TupleDesc d = td->tg_relation->rd_att;

  if (tuplestore_tuple_count(ts) <= kInMemoryEvents) {
    size_t n = 0;
    Event *ev = read_new_events(*cfgp, ts, d, n);
    Event *scratch = (Event *)palloc_extended(sizeof(Event) * n, MCXT_ALLOC_HUGE);
    radix_sort_events(ev, n, scratch);
    pfree(scratch);
    if (n > 0) score_chunk(cfgp, ts, d, ev, n);
  } else {
    SortedEvents se;
    sort_new_events(*cfgp, ts, d, nullptr, se);
    // No JIT for the chunks' statements (and the triggers they fire) until
    // the last chunk is done: JIT compiles at every execution, which pays
    // for one big statement but not for a dozen small ones per chunk (seen
    // taking 0.4 s a chunk, five times the chunk's own work).
    int guc_level = NewGUCNestLevel();
    (void)set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                            false);
    // The chunks' facts refreshes sum their rollup deltas over the whole
    // statement, written and compacted once at its end (within another bulk
    // statement, as when a trigger inserts events: into the outer sums).
    StatementRollup *saved_rollup = g_statement_rollup;
    StatementRollup rollup{nullptr, nullptr};
    bool own_rollup = saved_rollup == nullptr;
    if (own_rollup) {
      rollup = begin_statement_rollup();
      g_statement_rollup = &rollup;
    }
    PG_TRY();
    {
      for (;;) {
        // A nested SPI connection per chunk: SPI_finish frees everything the
        // chunk allocated, its query results included.
        SPI_connect();
        Event *ev;
        size_t n;
        if (!next_chunk(se, ev, n)) {
          SPI_finish();
          break;
        }
        int64 last = ev[n - 1].lead_id;
        bool reloaded = score_chunk(cfgp, ts, d, ev, n);
        SPI_finish();
        if (reloaded) {
          // The rest of the statement was weighed with the old configuration:
          // sort it again with the new one (rare: once per change committed
          // while the statement ran).
          se.sort.end();
          sort_new_events(*cfgp, ts, d, &last, se);
        }
      }
    }
    PG_FINALLY();
    { g_statement_rollup = saved_rollup; }
    PG_END_TRY();
    if (own_rollup) finish_statement_rollup(rollup);
    AtEOXact_GUC(true, guc_level);
    se.sort.end();
  }

  SPI_finish();
  return PointerGetDatum(nullptr);
}
