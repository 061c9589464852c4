// Helpers shared by the glue files that read or write mql.stage datums.
#pragma once

#include "pg.hpp"
#include "stage.hpp"

namespace mql::pg {

inline Stage stage_from_datum(Datum d) { return static_cast<Stage>(DatumGetUInt8(d)); }
inline Datum stage_to_datum(Stage s) { return UInt8GetDatum(static_cast<uint8_t>(s)); }

// Parses user text or raises 22P02 naming the value and the valid stages.
Stage parse_stage_or_error(const char *text, size_t len);

} // namespace mql::pg
