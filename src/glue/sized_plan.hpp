// A statement of pg_mql's triggers, prepared once per backend in two forms:
// with a generic plan, planned once, for the few leads of an OLTP statement;
// and with a custom plan per execution for bulk statements, whose planning
// is cheap next to their work and whose row counts the planner should see.
#pragma once

#include "pg.hpp"

namespace mql::pg {

struct SizedPlan {
  const char *sql;
  int nargs;
  Oid types[8];
  SPIPlanPtr small = nullptr, large = nullptr, keyed = nullptr;

  static constexpr int kSmallRows = 64;

  SPIPlanPtr get(int rows) {
    bool is_small = rows <= kSmallRows;
    return prepared(is_small ? small : large,
                    is_small ? CURSOR_OPT_GENERIC_PLAN : CURSOR_OPT_CUSTOM_PLAN);
  }

  SPIPlanPtr prepared(SPIPlanPtr &slot, int options) {
    if (slot == nullptr) {
      SPIPlanPtr p = SPI_prepare_cursor(sql, nargs, types, options);
      if (p == nullptr) elog(ERROR, "pg_mql: could not prepare: %s", sql);
      SPI_keepplan(p);
      slot = p;
    }
    return slot;
  }

  // Runs the statement as a lookup by key of `rows` keys. Few keys: the
  // generic plan, as get() gives it. Many: a generic plan of its own, planned
  // and run with sequential scans off. A custom plan for a large array may
  // scan the whole table instead, costing more the more the table holds;
  // and a generic plan made while a table was still empty would scan it
  // whole, testing every row against the array, for as long as the
  // transaction that fills it runs (both seen making a load of new leads
  // quadratic). Index and TID access are right at any size. (Setting the
  // GUC costs about 10% of an OLTP event, hence not for few keys.)
  int execute_by_key(Datum *values, int rows) {
    if (rows <= kSmallRows) return SPI_execute_plan(get(rows), values, nullptr, false, 0);
    int level = NewGUCNestLevel();
    (void)set_config_option("enable_seqscan", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
                            true, 0, false);
    int rc = SPI_execute_plan(prepared(keyed, CURSOR_OPT_GENERIC_PLAN), values, nullptr, false, 0);
    AtEOXact_GUC(true, level);
    return rc;
  }
};

} // namespace mql::pg
