#include "input_checks.hpp"

namespace mql::pg {

void check_business_time(const Config &cfg, TimestampTz t, const char *what, int64 lead_id) {
  if (TIMESTAMP_NOT_FINITE(t))
    ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                    errmsg("%s %lld must be a finite timestamp", what, (long long)lead_id)));
  if (t < kEarliestBusinessTime)
    ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                    errmsg("%s %lld is too far in the past: %s", what, (long long)lead_id,
                           timestamptz_to_str(t)),
                    errdetail("pg_mql accepts times from 1970-01-01 00:00:00 UTC on."),
                    errhint("Check the year.")));
  if (!cfg.future_limited) return;
  Interval tol = cfg.future_tolerance;
  int64 micros = interval_micros(&tol);
  TimestampTz limit;
  if (pg_add_s64_overflow(GetCurrentStatementStartTimestamp(), micros, &limit)) return;
  if (t > limit)
    ereport(ERROR,
            (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
             errmsg("%s %lld is too far in the future: %s", what, (long long)lead_id,
                    timestamptz_to_str(t)),
             errdetail("pg_mql accepts times up to %s after the start of the statement "
                       "(mql.settings.future_tolerance).",
                       DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(&tol)))),
             errhint("Check the year, and the clock and time zone of the application. To accept "
                     "later times, raise mql.settings.future_tolerance or set it to NULL.")));
}

void check_jsonb_size(Datum jsonb, const char *what, int64 lead_id, const char *hint) {
  Size bytes = toast_raw_datum_size(jsonb);
  if (bytes > kMaxJsonbBytes)
    ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                    errmsg("%s %lld are too large", what, (long long)lead_id),
                    errdetail("They take %zu bytes as jsonb; the limit is %zu bytes (1 MB).",
                              (size_t)bytes, (size_t)kMaxJsonbBytes),
                    errhint("%s", hint)));
}

void check_lead_time_order(int64 lead_id, TimestampTz created, TimestampTz stage_changed,
                           const TimestampTz *first_mql) {
  if (stage_changed < created)
    ereport(ERROR,
            (errcode(ERRCODE_CHECK_VIOLATION),
             errmsg("stage_changed_at of lead %lld is before its created_at", (long long)lead_id),
             errdetail("stage_changed_at is %s; created_at is %s.",
                       pstrdup(timestamptz_to_str(stage_changed)),
                       pstrdup(timestamptz_to_str(created))),
             errhint("A lead's stage cannot change before the lead existed.")));
  if (first_mql == nullptr) return;
  if (*first_mql < created || *first_mql > stage_changed)
    ereport(ERROR, (errcode(ERRCODE_CHECK_VIOLATION),
                    errmsg("first_mql_at of lead %lld is not between its created_at and its "
                           "stage_changed_at",
                           (long long)lead_id),
                    errdetail("first_mql_at is %s; created_at is %s; stage_changed_at is %s.",
                              pstrdup(timestamptz_to_str(*first_mql)),
                              pstrdup(timestamptz_to_str(created)),
                              pstrdup(timestamptz_to_str(stage_changed))),
                    errhint("A lead first becomes an MQL after it is created and no later than "
                            "its latest stage change.")));
}

char *valid_text(const char *s) {
  int len = (int)strlen(s);
  int encoding = GetDatabaseEncoding();
  StringInfoData out;
  initStringInfo(&out);
  while (len > 0) {
    int ok = pg_encoding_verifymbstr(encoding, s, len);
    appendBinaryStringInfo(&out, s, ok);
    s += ok;
    len -= ok;
    if (len > 0) { // skip one byte that does not start a valid character
      s++;
      len--;
    }
  }
  return out.data;
}

} // namespace mql::pg
