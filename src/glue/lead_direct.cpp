#include "lead_direct.hpp"

extern "C" {
#include "access/genam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "executor/executor.h"
#include "utils/fmgroids.h"
#include "utils/snapmgr.h"
}

#include "owner_scope.hpp"

namespace mql::pg {

namespace {

// Whether pg_mql's UPDATE of mql.leads through SPI would do something the
// row-level routine does not: fire statement-level UPDATE triggers or fill
// their transition tables, compute stored generated columns (their
// dependencies on the updated columns come from the planner), or apply
// row-level security policies to the owner (FORCE ROW LEVEL SECURITY).
bool needs_spi(Relation rel) {
  const TriggerDesc *t = rel->trigdesc;
  if (t != nullptr && (t->trig_update_before_statement || t->trig_update_after_statement ||
                       t->trig_update_old_table || t->trig_update_new_table))
    return true;
  if (rel->rd_rel->relrowsecurity && rel->rd_rel->relforcerowsecurity) return true;
  const TupleConstr *c = rel->rd_att->constr;
  return c != nullptr && c->has_generated_stored;
}

// Finds lead_id's row through the primary key (scan, restarted per lead)
// with the statement's snapshot and locks it into slot in `mode` as SELECT
// ... FOR UPDATE does under READ COMMITTED: waiting for a concurrent
// writer, then locking the row's latest version. False if the lead does not exist, or
// was deleted meanwhile (then it is created anew, as after a SELECT ... FOR
// UPDATE that found no row). lead_id itself cannot change
// (leads_before_update refuses it), so the latest version is the same lead.
bool lock_lead(DirectLeads *dl, IndexScanDesc scan, Snapshot snap, Datum id, LockTupleMode mode,
               TupleTableSlot *slot) {
  ScanKeyData key;
  ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, id);
  index_rescan(scan, &key, 1, nullptr, 0);
  if (!index_getnext_slot(scan, ForwardScanDirection, slot)) return false;
  TM_FailureData tmfd;
  TM_Result r = table_tuple_lock(dl->rel, &slot->tts_tid, snap, slot, GetCurrentCommandId(false),
                                 mode, LockWaitBlock, TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
  if (r == TM_Deleted) return false;
  if (r != TM_Ok)
    elog(ERROR, "pg_mql: could not lock lead %lld (status %d)", (long long)DatumGetInt64(id),
         (int)r);
  return true;
}

// The context line of an error raised while a lead is updated (by a
// trigger on mql.leads, say), where an SPI statement would show its text.
void update_context(void *arg) {
  errcontext("pg_mql updating the scores of lead %lld", (long long)*(const int64 *)arg);
}

} // namespace

void report_skipped_update(int nleads) {
  ereport(ERROR,
          (errcode(ERRCODE_TRIGGERED_ACTION_EXCEPTION),
           errmsg("a trigger on mql.leads skipped pg_mql's update of %d lead(s)", nleads),
           errdetail("A BEFORE UPDATE trigger returned NULL for a row whose intent_score pg_mql "
                     "was writing; the lead's score would no longer match its events."),
           errhint("Let the trigger return NEW when only intent_score, score_at or fit_score "
                   "change.")));
}

DirectLeads *direct_leads_open(int max_leads) {
  // REPEATABLE READ and SERIALIZABLE raise a serialization failure where
  // READ COMMITTED follows a concurrent update, and SERIALIZABLE takes
  // predicate locks: the SPI statements do both.
  if (IsolationUsesXactSnapshot()) return nullptr;
  Oid relid = get_relname_relid("leads", get_namespace_oid("mql", false));
  if (!OidIsValid(relid)) return nullptr;
  Relation rel = table_open(relid, RowExclusiveLock);
  Oid pkid = RelationGetPrimaryKeyIndex(rel);
  if (needs_spi(rel) || !OidIsValid(pkid)) {
    table_close(rel, NoLock);
    return nullptr;
  }
  Relation pk = index_open(pkid, RowExclusiveLock);
  TupleDesc d = RelationGetDescr(rel);
  LeadCols c = lead_cols(rel);
  if (IndexRelationGetNumberOfKeyAttributes(pk) != 1 ||
      pk->rd_index->indkey.values[0] != c.lead_id ||
      TupleDescAttr(d, c.lead_id - 1)->atttypid != INT8OID) {
    index_close(pk, NoLock);
    table_close(rel, NoLock);
    return nullptr;
  }

  DirectLeads *dl = (DirectLeads *)palloc0(sizeof(DirectLeads));
  dl->rel = rel;
  dl->pk = pk;
  dl->c = c;
  const int cols[12] = {0,
                        c.lead_id,
                        c.stage,
                        c.fit_score,
                        c.intent_score,
                        c.score_at,
                        c.stage_changed_at,
                        c.email,
                        c.source,
                        c.campaign,
                        c.attributes,
                        SelfItemPointerAttributeNumber};
  memcpy(dl->cols, cols, sizeof(cols));

  // The executor state an UPDATE of mql.leads would have: one range table
  // entry, whose updatedCols direct_update_leads fills in.
  EState *estate = CreateExecutorState();
  RangeTblEntry *rte = makeNode(RangeTblEntry);
  rte->rtekind = RTE_RELATION;
  rte->relid = relid;
  rte->relkind = rel->rd_rel->relkind;
  rte->rellockmode = RowExclusiveLock;
  ExecInitRangeTable(estate, list_make1(rte));
  dl->estate = estate;
  dl->rows = (HeapTuple *)palloc_extended(sizeof(HeapTuple) * max_leads, MCXT_ALLOC_HUGE);
  dl->found = table_slot_create(rel, &estate->es_tupleTable);
  dl->old = ExecInitExtraTupleSlot(estate, d, &TTSOpsHeapTuple);
  dl->next = ExecInitExtraTupleSlot(estate, d, &TTSOpsVirtual);
  return dl;
}

int direct_lock_existing(DirectLeads *dl, const Datum *ids, int from, int nleads,
                         LockTupleMode mode) {
  // As SPI does before a statement: this one sees all the transaction did.
  CommandCounterIncrement();
  PushActiveSnapshot(GetTransactionSnapshot());
  Snapshot snap = GetActiveSnapshot();
  IndexScanDesc scan = index_beginscan(dl->rel, dl->pk, snap, 1, 0);
  int k = from;
  for (; k < nleads; k++) {
    if (!lock_lead(dl, scan, snap, ids[k], mode, dl->found)) break;
    // A copy (with its ctid), so that no buffer stays pinned: a bulk
    // statement locks thousands of rows.
    dl->rows[k] = ExecCopySlotHeapTuple(dl->found);
    CHECK_FOR_INTERRUPTS();
  }
  ExecClearTuple(dl->found);
  index_endscan(scan);
  PopActiveSnapshot();
  return k;
}

void direct_update_leads(DirectLeads *dl, const Datum *intents, const Datum *score_ats,
                         const Datum *fits, int nleads) {
  // As the owner of mql.leads, as the SPI UPDATE ran: its row triggers
  // (pg_mql's and any a user added) run under that identity.
  OwnerScope owner = enter_owner_scope_as(dl->rel->rd_rel->relowner);
  EState *estate = dl->estate;
  // The columns set, for triggers declared UPDATE OF a column.
  RangeTblEntry *rte = exec_rt_fetch(1, estate);
  rte->updatedCols = bms_make_singleton(dl->c.intent_score - FirstLowInvalidHeapAttributeNumber);
  rte->updatedCols =
      bms_add_member(rte->updatedCols, dl->c.score_at - FirstLowInvalidHeapAttributeNumber);
  if (fits != nullptr)
    rte->updatedCols =
        bms_add_member(rte->updatedCols, dl->c.fit_score - FirstLowInvalidHeapAttributeNumber);

  CommandCounterIncrement();
  PushActiveSnapshot(GetTransactionSnapshot());
  estate->es_snapshot = GetActiveSnapshot();
  estate->es_output_cid = GetCurrentCommandId(true);
  ResultRelInfo *rri = makeNode(ResultRelInfo);
  InitResultRelInfo(rri, dl->rel, 1, nullptr, 0);
  // Where ExecGetTriggerResultRel finds it when the AFTER triggers fire.
  estate->es_opened_result_relations = lappend(estate->es_opened_result_relations, rri);
  ExecOpenIndices(rri, false);
  EPQState epq;
  EvalPlanQualInit(&epq, estate, nullptr, NIL, -1);
  AfterTriggerBeginQuery();

  TupleTableSlot *next = dl->next;
  int natts = RelationGetDescr(dl->rel)->natts;
  int64 lead_id = 0;
  ErrorContextCallback context{error_context_stack, update_context, &lead_id};
  error_context_stack = &context;
  for (int k = 0; k < nleads; k++) {
    TupleTableSlot *old = ExecStoreHeapTuple(dl->rows[k], dl->old, false);
    slot_getallattrs(old);
    lead_id = DatumGetInt64(old->tts_values[dl->c.lead_id - 1]);
    ExecClearTuple(next);
    memcpy(next->tts_values, old->tts_values, sizeof(Datum) * natts);
    memcpy(next->tts_isnull, old->tts_isnull, sizeof(bool) * natts);
    next->tts_values[dl->c.intent_score - 1] = intents[k];
    next->tts_isnull[dl->c.intent_score - 1] = false;
    next->tts_values[dl->c.score_at - 1] = score_ats[k];
    next->tts_isnull[dl->c.score_at - 1] = false;
    if (fits != nullptr) {
      next->tts_values[dl->c.fit_score - 1] = fits[k];
      next->tts_isnull[dl->c.fit_score - 1] = false;
    }
    ExecStoreVirtualTuple(next);
    // The row is locked: the BEFORE trigger's re-lock finds it unchanged,
    // and EvalPlanQual (which has no plan here) is never reached. The
    // update gives next the new row's ctid; a BEFORE trigger that skips the
    // row leaves it invalid.
    ItemPointerSetInvalid(&next->tts_tid);
    ExecSimpleRelationUpdate(rri, estate, &epq, old, next);
    if (!ItemPointerIsValid(&next->tts_tid)) report_skipped_update(1);
    // What the row's triggers, constraints and index entries allocated, as
    // the executor frees it after each row of an UPDATE.
    ResetPerTupleExprContext(estate);
    CHECK_FOR_INTERRUPTS();
  }
  error_context_stack = context.previous;

  AfterTriggerEndQuery(estate);
  EvalPlanQualEnd(&epq);
  ExecCloseResultRelations(estate);
  PopActiveSnapshot();
  leave_owner_scope(owner);
}

void direct_leads_close(DirectLeads *dl) {
  ExecResetTupleTable(dl->estate->es_tupleTable, false);
  FreeExecutorState(dl->estate);
  index_close(dl->pk, NoLock);
  table_close(dl->rel, NoLock);
  pfree(dl->rows);
  pfree(dl);
}

} // namespace mql::pg
