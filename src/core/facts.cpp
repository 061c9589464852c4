#include "facts.hpp"

#include <cstring>

#include "cpp_only.hpp"

namespace mql {

namespace {

constexpr int64_t kMicrosPerHour = INT64_C(3600000000);

// Days from 2000-01-01 to the civil date y-m-d (proleptic Gregorian), by
// counting 400-year eras of 146097 days from a March-based year.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 730425; // 730425: 0000-03-01 to 2000-01-01
}

bool same_times(const int64_t *a, const int64_t *b, size_t n) {
  return n == 0 || std::memcmp(a, b, n * sizeof(int64_t)) == 0;
}

bool same_stages(const Stage *a, const Stage *b, size_t n) {
  return n == 0 || std::memcmp(a, b, n * sizeof(Stage)) == 0;
}

} // namespace

int32_t whole_hours(int64_t from, int64_t to) noexcept {
  // Both are finite business times, so the difference cannot overflow.
  int64_t d = to - from;
  int64_t q = d / kMicrosPerHour;
  if (d % kMicrosPerHour != 0 && d < 0) q--; // round down, not towards zero
  return static_cast<int32_t>(q);
}

int32_t month_start(int32_t day) noexcept {
  if (day == kDayNegInfinity || day == kDayPosInfinity) return day;
  // The inverse of days_from_civil, keeping only what the month needs.
  int64_t z = static_cast<int64_t>(day) + 730425;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return static_cast<int32_t>(days_from_civil(y + (m <= 2), m, 1));
}

FactsView compute_facts(int64_t created_at, const HistoryEntry *h, size_t n,
                        const FactsBuffers &out) noexcept {
  FactsView f;
  f.created_at = created_at;
  f.mql_entries = out.mql_entries;
  f.entry_stages = out.entry_stages;
  f.stay_stages = out.stay_stages;
  f.stay_hours = out.stay_hours;
  auto earliest = [](MaybeTime &t, int64_t at) {
    if (!t.set || at < t.at) t = MaybeTime{true, at};
  };
  bool after_first_mql = false, after_first_recycle = false;
  for (size_t i = 0; i < n; i++) {
    Stage s = h[i].to;
    int64_t at = h[i].at;
    int rank = stage_rank(s);
    if (rank > f.max_rank) f.max_rank = rank;
    out.entry_stages[f.n_entries++] = s;
    if (i + 1 < n) {
      out.stay_stages[f.n_stays] = s;
      out.stay_hours[f.n_stays++] = whole_hours(at, h[i + 1].at);
    }
    if (s == Stage::Mql) out.mql_entries[f.n_mql_entries++] = at;
    // Rows after the first mql (and after the first recycle after it).
    if (after_first_mql) {
      if (rank >= 3) earliest(f.sql_at, at);
      if (s == Stage::Customer) earliest(f.customer_at, at);
      if (after_first_recycle && s == Stage::Mql) earliest(f.requalified_at, at);
      if (s == Stage::Recycled && !after_first_recycle) {
        f.recycled_at = MaybeTime{true, at};
        after_first_recycle = true;
      }
    } else if (s == Stage::Mql) {
      f.first_mql_at = MaybeTime{true, at};
      after_first_mql = true;
    }
  }
  return f;
}

void with_touch(FactsView &f, MaybeTime first_touch_event) noexcept {
  f.touch_at = MaybeTime{};
  if (!f.first_mql_at.set) return;
  f.touch_at = f.sql_at;
  if (first_touch_event.set && (!f.touch_at.set || first_touch_event.at < f.touch_at.at))
    f.touch_at = first_touch_event;
}

bool same_facts(const FactsView &a, const FactsView &b) noexcept {
  return a.created_at == b.created_at && a.max_rank == b.max_rank &&
         a.first_mql_at == b.first_mql_at && a.sql_at == b.sql_at &&
         a.customer_at == b.customer_at && a.recycled_at == b.recycled_at &&
         a.requalified_at == b.requalified_at && a.touch_at == b.touch_at &&
         a.n_mql_entries == b.n_mql_entries && a.n_entries == b.n_entries &&
         a.n_stays == b.n_stays && same_times(a.mql_entries, b.mql_entries, a.n_mql_entries) &&
         same_stages(a.entry_stages, b.entry_stages, a.n_entries) &&
         same_stages(a.stay_stages, b.stay_stages, a.n_stays) &&
         (a.n_stays == 0 ||
          std::memcmp(a.stay_hours, b.stay_hours, a.n_stays * sizeof(int32_t)) == 0);
}

const char *family_name(Family f) noexcept {
  switch (f) {
  case Family::Created: return "created";
  case Family::FirstMql: return "first_mql";
  case Family::Day: return "day";
  case Family::Stage: return "stage";
  }
  return "?";
}

const char *metric_name(uint8_t metric) noexcept {
  static const char *const fixed[kEntriesFirst] = {"leads",
                                                   "reached_mql",
                                                   "reached_sql",
                                                   "reached_opportunity",
                                                   "reached_customer",
                                                   "hours_to_mql",
                                                   "mqls",
                                                   "sqls",
                                                   "customers",
                                                   "recycled",
                                                   "requalified",
                                                   "touched",
                                                   "hours_to_sql",
                                                   "hours_to_customer",
                                                   "hours_to_touch",
                                                   "new_leads",
                                                   "new_leads_qualified",
                                                   "first_mqls",
                                                   "requalifications"};
  static const char *const entries[kStageCount] = {
      "entries:lead",     "entries:mql",      "entries:sql",         "entries:opportunity",
      "entries:customer", "entries:recycled", "entries:disqualified"};
  static const char *const stays[kStageCount] = {
      "stay:lead",     "stay:mql",      "stay:sql",         "stay:opportunity",
      "stay:customer", "stay:recycled", "stay:disqualified"};
  if (metric < kEntriesFirst) return fixed[metric];
  if (metric < kStayFirst) return entries[metric - kEntriesFirst];
  if (metric < kMetricCount) return stays[metric - kStayFirst];
  return "?";
}

} // namespace mql
