#include "boundary.hpp"

namespace mql::pg {

// Kept out of line so the ereport's sigsetjmp-free path is shared by every
// cpp_call instantiation.
void raise_cpp_error(const char *where, const char *what, bool out_of_memory) {
  if (out_of_memory)
    ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory"),
                    errdetail("pg_mql ran out of memory in %s.", where)));
  ereport(ERROR,
          (errcode(ERRCODE_INTERNAL_ERROR), errmsg("pg_mql internal error in %s: %s", where, what),
           errhint("This is a bug in pg_mql; the statement was rolled back.")));
  pg_unreachable();
}

} // namespace mql::pg
