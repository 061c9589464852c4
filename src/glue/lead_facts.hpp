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

// While true, refreshes leave compaction to the caller: a bulk event
// statement compacts once at its end rather than after every chunk.
extern bool g_defer_compaction;

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

// Folds the deltas if this backend has written mql.rollup_compact_after
// since it last did, in READ COMMITTED only. SPI must be connected.
void compact_rollups_if_due();

} // namespace mql::pg
