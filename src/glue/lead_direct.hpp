// Direct access to mql.leads for an event statement: each lead is found
// (and locked) through the primary key index with table_tuple_lock and
// updated through the executor's row-level routine
// (ExecSimpleRelationUpdate, which logical replication applies changes
// with), instead of a SELECT ... FOR UPDATE (or an upsert and a read-back)
// and an UPDATE through SPI. The per-statement cost of those queries (plan
// cache, executor start and end, lock-rows node, portal) was about a fifth
// of the OLTP event; in a bulk load, their per-row executor work (insert
// trigger and conflict check for existing leads, a read-back, a TID scan
// per update) was a third of the leads' share.
//
// It is used only where it does what those queries do: under READ
// COMMITTED, and when mql.leads has no statement-level UPDATE trigger or
// transition table, no stored generated column and no forced row-level
// security. Otherwise direct_leads_open returns null and the SPI statements
// run. All of it runs as the owner of mql.leads, as the SPI statements did.
#pragma once

#include "lead_cols.hpp"
#include "pg.hpp"

extern "C" {
#include "nodes/execnodes.h"
}

namespace mql::pg {

struct DirectLeads {
  Relation rel;
  Relation pk;
  EState *estate;
  HeapTuple *rows;       // copies of the locked rows, in lock order
  TupleTableSlot *found; // a row found through the index, then locked
  TupleTableSlot *old;   // a locked row, as the update's old version
  TupleTableSlot *next;  // the new version of a row, built per update
  LeadCols c;
  // Attribute numbers of the columns score_leads reads, in the order of
  // its LEAD_STATE_COLUMNS, then the row's ctid (a system attribute).
  int cols[12];
};

// Opens mql.leads for direct access to up to max_leads leads in this
// statement, or returns null when the SPI statements must run instead.
DirectLeads *direct_leads_open(int max_leads);

// Locks the existing leads of ids (sorted) from index `from` on, one at a
// time in that order, in `mode` (LockTupleExclusive: FOR UPDATE),
// following a concurrent update to the row's latest version as READ
// COMMITTED does; stops at the first missing one. Returns the index of that
// one (nleads when all were locked); dl->rows[k] is then a copy of lead
// k's row, described by the relation's descriptor.
int direct_lock_existing(DirectLeads *dl, const Datum *ids, int from, int nleads,
                         LockTupleMode mode);

// Writes the locked leads' intent (and fit_score, when fits is given),
// firing mql.leads's row triggers as an UPDATE would.
void direct_update_leads(DirectLeads *dl, const Datum *intents, const Datum *score_ats,
                         const Datum *fits, int nleads);

// Ends the direct access: fires the AFTER row triggers the updates queued,
// and releases the executor state. The row locks stay until the end of the
// transaction.
void direct_leads_close(DirectLeads *dl);

// Refuses a statement in which a user's BEFORE UPDATE trigger on mql.leads
// skipped (returned NULL for) nleads of pg_mql's updates of leads.
void report_skipped_update(int nleads);

} // namespace mql::pg
