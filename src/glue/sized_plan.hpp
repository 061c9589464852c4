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
  SPIPlanPtr small = nullptr, large = nullptr;

  static constexpr int kSmallRows = 64;

  SPIPlanPtr get(int rows) {
    bool is_small = rows <= kSmallRows;
    SPIPlanPtr &slot = is_small ? small : large;
    if (slot == nullptr) {
      SPIPlanPtr p = SPI_prepare_cursor(
          sql, nargs, types, is_small ? CURSOR_OPT_GENERIC_PLAN : CURSOR_OPT_CUSTOM_PLAN);
      if (p == nullptr) elog(ERROR, "pg_mql: could not prepare: %s", sql);
      SPI_keepplan(p);
      slot = p;
    }
    return slot;
  }
};

} // namespace mql::pg
