// Limits on what users write, checked where pg_mql first sees the data:
// business times within a plausible window, jsonb documents of a bounded
// size, and error text that stays valid in the database encoding.
#pragma once

#include "pg.hpp"

#include "config.hpp"

namespace mql::pg {

// 1970-01-01 00:00:00 UTC, in PostgreSQL's microseconds since 2000-01-01:
// the earliest business time accepted. Back-filled CRM data is decades
// younger; a year typed as 0202 or 1022 is not.
constexpr TimestampTz kEarliestBusinessTime = -INT64CONST(946684800) * USECS_PER_SEC;

// The largest leads.attributes or events.properties accepted, in bytes of
// uncompressed jsonb (what pg_column_size reports for a fresh value).
constexpr Size kMaxJsonbBytes = 1024 * 1024;

// Raises 22008 unless t is finite, not before kEarliestBusinessTime and not
// after the statement's start plus mql.settings.future_tolerance. The
// message names the value as "<what> <lead_id>", e.g. "created_at of lead 5"
// (formatted only on failure: this runs once per event).
void check_business_time(const Config &cfg, TimestampTz t, const char *what, int64 lead_id);

// Raises 54000 when a jsonb datum (in any TOAST form) is larger than
// kMaxJsonbBytes, naming the value as check_business_time does.
void check_jsonb_size(Datum jsonb, const char *what, int64 lead_id, const char *hint);

// Raises 23514 unless a lead's times are in order: its stage clock
// (stage_changed_at) not before it was created, and its first MQL, if any,
// between the two. Contradictory times are an import mistake.
void check_lead_time_order(int64 lead_id, TimestampTz created, TimestampTz stage_changed,
                           const TimestampTz *first_mql);

// A palloc'd copy of s without the bytes that are not valid in the database
// encoding (such as a multibyte character cut by a length limit).
char *valid_text(const char *s);

} // namespace mql::pg
