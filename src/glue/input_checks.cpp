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
