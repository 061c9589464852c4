// Module entry: the magic block and the extension's settings (GUCs).
#include "pg.hpp"

#include "config.hpp"
#include "lead_facts.hpp"
#include "module.hpp"

extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void);
}

namespace mql::pg {
char *guc_change_reason = nullptr;
char *guc_actor = nullptr;
} // namespace mql::pg

// Registers mql.change_reason and mql.actor, which a plain
// UPDATE mql.leads SET stage = ... uses for the history row it writes,
// mql.rollup_compact_after, and the invalidation callback of the cached
// scoring configuration.
void _PG_init(void) {
  DefineCustomStringVariable(
      "mql.change_reason", "Reason recorded in mql.stage_history for manual stage changes.",
      "Set it (SET LOCAL) before an UPDATE of mql.leads.stage; set_stage() passes its own.",
      &mql::pg::guc_change_reason, "", PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomStringVariable("mql.actor",
                             "Actor recorded in mql.stage_history for manual stage changes.",
                             "Defaults to current_user when empty.", &mql::pg::guc_actor, "",
                             PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "mql.rollup_compact_after",
      "Rollup delta rows a backend writes before it folds the pending ones into mql.rollup.",
      "0 folds after every change of a lead's funnel facts.", &mql::pg::guc_rollup_compact_after,
      1024, 0, INT_MAX, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  MarkGUCPrefixReserved("mql");
  mql::pg::config_register_invalidation();
}
