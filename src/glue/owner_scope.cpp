#include "owner_scope.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "utils/syscache.h"
}

namespace mql::pg {

namespace {

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
  s.guc_level = NewGUCNestLevel();
  (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
                          GUC_ACTION_SAVE, true, 0, false);
  return s;
}

void leave_owner_scope(const OwnerScope &s) {
  AtEOXact_GUC(true, s.guc_level);
  SetUserIdAndSecContext(s.saved_user, s.saved_context);
}

} // namespace mql::pg
