// A lead's funnel facts (mql.lead_facts) computed from its stage history,
// and the rollup rows they contribute (mql.lead_contributions). The SQL
// functions mql.compute_lead_facts and mql.lead_contributions define the
// same thing and serve as its independent check (mql.verify_rollups); this
// is the version the triggers run. Nothing here allocates: arrays come from
// the caller.
#pragma once

#include "stage.hpp"

#include <cstddef>
#include <cstdint>

namespace mql {

// One row of a lead's stage history; a lead's rows are given in history_id
// order. `at` is changed_at in microseconds (PostgreSQL's TimestampTz).
struct HistoryEntry {
  Stage to;
  int64_t at;
};

// An optional time in microseconds.
struct MaybeTime {
  bool set = false;
  int64_t at = 0;
  bool operator==(const MaybeTime &o) const { return set == o.set && (!set || at == o.at); }
};

// The facts of one lead, with its arrays held by the caller. Mirrors the
// columns of mql.lead_facts except lead_id, source and campaign.
struct FactsView {
  int64_t created_at = 0;
  int max_rank = 0; // highest stage_rank reached; 0 with only detour stages
  MaybeTime first_mql_at, sql_at, customer_at, recycled_at, requalified_at, touch_at;
  const int64_t *mql_entries = nullptr; // every entry into mql, in order
  size_t n_mql_entries = 0;
  const Stage *entry_stages = nullptr; // every history row's to_stage, in order
  size_t n_entries = 0;
  const Stage *stay_stages = nullptr;  // the stage of every completed stay
  const int32_t *stay_hours = nullptr; // its whole hours, parallel to stay_stages
  size_t n_stays = 0;
};

// Where compute_facts writes a lead's arrays: each must hold n elements for
// a history of n rows (n - 1 suffice for the stays).
struct FactsBuffers {
  int64_t *mql_entries;
  Stage *entry_stages;
  Stage *stay_stages;
  int32_t *stay_hours;
};

// The facts of a lead created at created_at with history h[0..n) (n >= 1),
// but for touch_at, which depends on the lead's events: see with_touch.
FactsView compute_facts(int64_t created_at, const HistoryEntry *h, size_t n,
                        const FactsBuffers &out) noexcept;

// Sets touch_at from the lead's first sales-touch event at or after its
// first MQL (if any): the earlier of that and sql_at. Leads that never
// reached mql have none.
void with_touch(FactsView &f, MaybeTime first_touch_event) noexcept;

// Whether two leads' facts are the same (arrays compared by content).
bool same_facts(const FactsView &a, const FactsView &b) noexcept;

// Whole hours from `from` to `to`, rounded down (negative if `to` is
// earlier), as the views' histograms count them.
int32_t whole_hours(int64_t from, int64_t to) noexcept;

// Calendar days are counted from 2000-01-01 (PostgreSQL's date). The
// first day of the month of `day`; the two infinities map to themselves.
constexpr int32_t kDayNegInfinity = INT32_MIN;
constexpr int32_t kDayPosInfinity = INT32_MAX;
int32_t month_start(int32_t day) noexcept;

// The rollup's families and metrics (mql.rollup.family and .metric).
enum class Family : uint8_t { Created, FirstMql, Day, Stage };
const char *family_name(Family f) noexcept;

// Metric codes: the fixed metrics, then "entries:<stage>" and
// "stay:<stage>" for each stage.
enum Metric : uint8_t {
  kLeads,
  kReachedMql,
  kReachedSql,
  kReachedOpportunity,
  kReachedCustomer,
  kHoursToMql,
  kMqls,
  kSqls,
  kCustomers,
  kRecycled,
  kRequalified,
  kTouched,
  kHoursToSql,
  kHoursToCustomer,
  kHoursToTouch,
  kNewLeads,
  kNewLeadsQualified,
  kFirstMqls,
  kRequalifications,
  kEntriesFirst,                            // + stage code
  kStayFirst = kEntriesFirst + kStageCount, // + stage code
  kMetricCount = kStayFirst + kStageCount,
};
const char *metric_name(uint8_t metric) noexcept;

// One row a lead adds to the rollup (before it is counted once as a total
// and once in the lead's source and campaign).
struct Contribution {
  Family family;
  uint8_t metric;
  bool has_period = false;
  int32_t period = 0; // a day (see month_start)
  bool has_hours = false;
  int32_t hours = 0;
};

// Calls emit(const Contribution &) for every row f contributes, once per
// row: rows that mql.lead_contributions groups (entries and stays of the
// same stage and hours) come once each, to be counted by the caller.
// local_day(t) gives the calendar day of time t in the report time zone.
template <typename LocalDay, typename Emit>
void for_each_contribution(const FactsView &f, LocalDay &&local_day, Emit &&emit) {
  auto row = [&](Family family, uint8_t metric, bool has_period, int32_t period, bool has_hours,
                 int32_t hours) {
    emit(Contribution{family, metric, has_period, period, has_hours, hours});
  };
  int32_t created_day = local_day(f.created_at);
  int32_t created_month = month_start(created_day);
  row(Family::Created, kLeads, true, created_month, false, 0);
  for (int rank = 2; rank <= 5; rank++)
    if (f.max_rank >= rank)
      row(Family::Created, static_cast<uint8_t>(kReachedMql + rank - 2), true, created_month, false,
          0);
  row(Family::Day, kNewLeads, true, created_day, false, 0);
  if (f.first_mql_at.set) {
    int64_t mql = f.first_mql_at.at;
    row(Family::Created, kHoursToMql, true, created_month, true, whole_hours(f.created_at, mql));
    int32_t mql_month = month_start(local_day(mql));
    auto first_mql = [&](uint8_t metric, const MaybeTime &t, uint8_t hours_metric) {
      if (!t.set) return;
      row(Family::FirstMql, metric, true, mql_month, false, 0);
      if (hours_metric != kMetricCount)
        row(Family::FirstMql, hours_metric, true, mql_month, true, whole_hours(mql, t.at));
    };
    first_mql(kMqls, f.first_mql_at, kMetricCount);
    first_mql(kSqls, f.sql_at, kHoursToSql);
    first_mql(kCustomers, f.customer_at, kHoursToCustomer);
    first_mql(kRecycled, f.recycled_at, kMetricCount);
    first_mql(kRequalified, f.requalified_at, kMetricCount);
    first_mql(kTouched, f.touch_at, kHoursToTouch);
    row(Family::Day, kNewLeadsQualified, true, created_day, false, 0);
  }
  for (size_t i = 0; i < f.n_mql_entries; i++)
    row(Family::Day, i == 0 ? kFirstMqls : kRequalifications, true, local_day(f.mql_entries[i]),
        false, 0);
  for (size_t i = 0; i < f.n_entries; i++)
    row(Family::Stage,
        static_cast<uint8_t>(kEntriesFirst + static_cast<uint8_t>(f.entry_stages[i])), false, 0,
        false, 0);
  for (size_t i = 0; i < f.n_stays; i++)
    row(Family::Stage, static_cast<uint8_t>(kStayFirst + static_cast<uint8_t>(f.stay_stages[i])),
        false, 0, true, f.stay_hours[i]);
}

} // namespace mql
