// Running one of pg_mql's own statements as the owner of its tables, with
// search_path pinned: what a SECURITY DEFINER function with
// SET search_path = pg_catalog, pg_temp does, but for a single statement
// rather than for a whole (per-row) trigger function.
#pragma once

#include "pg.hpp"

namespace mql::pg {

struct OwnerScope {
  Oid saved_user;
  int saved_context;
  int guc_level;
};

// Switches to the owner of table mql.<table> (a security-restricted
// operation, as SECURITY DEFINER does) and pins search_path to
// pg_catalog, pg_temp. The caller's role is kept for the actor of history
// rows, which is computed before.
OwnerScope enter_owner_scope(const char *table);

// The same for a role already known, such as the owner of a relation the
// caller has open (rel->rd_rel->relowner): no catalog look-up.
OwnerScope enter_owner_scope_as(Oid owner);

// Restores the caller's role and search_path. Not needed on error: the
// (sub)transaction abort restores both, as it does for SECURITY DEFINER.
void leave_owner_scope(const OwnerScope &scope);

} // namespace mql::pg
