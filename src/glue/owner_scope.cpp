#include "owner_scope.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "utils/syscache.h"
}

namespace mql::pg {

namespace {

// The search_path of pg_mql's own statements, as its functions' SET clauses
// give it.
constexpr const char *kPinnedPath = "pg_catalog, pg_temp";

// The owner of mql.<table>: normally the role that created the extension.
Oid table_owner(const char *table) {
  Oid nsp = get_namespace_oid("mql", false);
  Oid rel = get_relname_relid(table, nsp);
  if (!OidIsValid(rel)) elog(ERROR, "pg_mql: table mql.%s does not exist", table);
  HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
  if (!HeapTupleIsValid(tup)) elog(ERROR, "pg_mql: cache lookup failed for relation %u", rel);
  Oid owner = ((Form_pg_class)GETSTRUCT(tup))->relowner;
  ReleaseSysCache(tup);
  return owner;
}

} // namespace

OwnerScope enter_owner_scope(const char *table) { return enter_owner_scope_as(table_owner(table)); }

OwnerScope enter_owner_scope_as(Oid owner) {
  OwnerScope s;
  GetUserIdAndSecContext(&s.saved_user, &s.saved_context);
  SetUserIdAndSecContext(owner, s.saved_context | SECURITY_LOCAL_USERID_CHANGE |
                                    SECURITY_RESTRICTED_OPERATION);
  // Within pg_mql's trigger functions (SET search_path = pg_catalog,
  // pg_temp) the path is already pinned. Setting it again would only make
  // the next name lookup recompute the path, and restoring it walks every
  // GUC (PostgreSQL 15's AtEOXact_GUC), once per event statement.
  if (namespace_search_path != nullptr && strcmp(namespace_search_path, kPinnedPath) == 0) {
    s.guc_level = -1;
    return s;
  }
  s.guc_level = NewGUCNestLevel();
  (void)set_config_option("search_path", kPinnedPath, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
                          true, 0, false);
  return s;
}

void leave_owner_scope(const OwnerScope &s) {
  if (s.guc_level >= 0) AtEOXact_GUC(true, s.guc_level);
  SetUserIdAndSecContext(s.saved_user, s.saved_context);
}

} // namespace mql::pg
