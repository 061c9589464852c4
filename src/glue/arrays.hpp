// One-dimensional arrays of pass-by-value types, built from Datums: the
// parameters pg_mql's statements take (unnest($1), ... = ANY ($1)).
#pragma once

#include "pg.hpp"

namespace mql::pg {

inline Datum int8_array(const Datum *v, int n) {
  return PointerGetDatum(
      construct_array(const_cast<Datum *>(v), n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

inline Datum float8_array(const Datum *v, int n) {
  return PointerGetDatum(
      construct_array(const_cast<Datum *>(v), n, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

inline Datum timestamptz_array(const Datum *v, int n) {
  return PointerGetDatum(construct_array(const_cast<Datum *>(v), n, TIMESTAMPTZOID, 8,
                                         FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

} // namespace mql::pg
