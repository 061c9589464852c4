// The maintenance of mql.lead_facts and the rollup (lead_facts.cpp), as the
// event trigger drives it.
#pragma once

#include "pg.hpp"

namespace mql::pg {

// mql.rollup_compact_after: a backend folds the rollup deltas
// (mql.compact_rollups(false)) once it has written this many since it last
// did; 0 folds after every refresh. Often enough to keep mql.rollup_delta
// small, rarely enough that OLTP qualifications do not each pay for a
// compaction and its scan of the delta table.
extern int guc_rollup_compact_after;

// A bulk event statement's rollup deltas, summed per rollup key over all
// its chunks. While g_statement_rollup is set, refreshes add their deltas
// to it instead of writing them, and do not compact: the statement writes
// each key's sum once and compacts once, at its end
// (finish_statement_rollup). A chunked million-event load thus writes a few
// thousand delta rows instead of one per key per refresh.
struct StatementRollup {
  HTAB *deltas;
  MemoryContext cxt;
};
extern StatementRollup *g_statement_rollup;

// An empty StatementRollup in a new child of the current memory context.
StatementRollup begin_statement_rollup();

// Adds the summed deltas to mql.rollup directly when this backend may
// compact now (READ COMMITTED, no other compaction running), else writes
// them as deltas and compacts if due; frees the rollup's memory. Runs as
// the owner of the rollup. SPI must be connected.
void finish_statement_rollup(StatementRollup &rollup);

// What the event trigger knows of a lead it has just qualified for the
// first time, at first_mql_at: every event of the lead from then on is in
// its statement (the lead's events stored before were all earlier), so its
// first sales touch from then on is `touch` (has_touch false: none) without
// a read of mql.events.
struct TouchHint {
  int64 lead_id;
  TimestampTz first_mql_at;
  bool has_touch;
  TimestampTz touch;
};

// Set by the event trigger while it writes its qualifications' history
// (sorted by lead_id); refreshes use a hint only for a lead whose new facts
// have exactly that first_mql_at.
extern const TouchHint *g_touch_hints;
extern int g_ntouch_hints;

// The leads whose facts a statement's refreshes asked for, collected while
// the event trigger scores a chunk (g_pending_facts) so that their facts are
// refreshed once, at the end of the chunk, rather than once for the leads
// it creates, once for those it qualifies and once for their sales
// touches. ids are allocated in cxt.
struct PendingFacts {
  MemoryContext cxt;
  Datum *ids;
  int n, cap;
};
extern PendingFacts *g_pending_facts;

// Refreshes the facts of the leads (int8 datums; repeats allowed), or, while
// g_pending_facts is set, adds them to it. SPI need not be connected; the
// caller runs as the owner of mql.lead_facts.
void refresh_facts(const Datum *lead_ids, int n);

// Refreshes the collected leads' facts as the owner of mql.lead_facts, and
// empties `pending`.
void flush_pending_facts(PendingFacts &pending);

// Folds the deltas if this backend has written mql.rollup_compact_after
// since it last did, in READ COMMITTED only. SPI must be connected.
void compact_rollups_if_due();

} // namespace mql::pg
