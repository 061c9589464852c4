// The column numbers of mql.leads, for the code that reads and writes its
// rows without SQL: the lead triggers and the direct lock and update of
// lead_direct.
#pragma once

#include "pg.hpp"

namespace mql::pg {

// Attribute numbers of the columns pg_mql reads and writes.
struct LeadCols {
  int lead_id, email, source, campaign, attributes, stage, fit_score, intent_score, score_at,
      created_at, stage_changed_at, first_mql_at;
};

// The column numbers of rel (mql.leads), looked up by name once per backend
// and forgotten on a relcache invalidation of the table (ALTER TABLE).
LeadCols lead_cols(Relation rel);

} // namespace mql::pg
