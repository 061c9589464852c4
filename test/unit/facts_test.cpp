// Unit tests for a lead's funnel facts and rollup contributions
// (src/core/facts.hpp). The same definitions in SQL (mql.compute_lead_facts,
// mql.lead_contributions) are checked against this code by pg_regress
// (mql.verify_rollups after every scenario).
#include "facts.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace mql {
namespace {

constexpr int64_t kHour = INT64_C(3600000000);
constexpr int64_t kDay = 24 * kHour;

// Holds the arrays a FactsView points into.
struct Computed {
  std::vector<int64_t> mql_entries;
  std::vector<Stage> entry_stages, stay_stages;
  std::vector<int32_t> stay_hours;
  FactsView f;
};

Computed facts_of(int64_t created_at, const std::vector<HistoryEntry> &h) {
  Computed c;
  c.mql_entries.resize(h.size());
  c.entry_stages.resize(h.size());
  c.stay_stages.resize(h.size());
  c.stay_hours.resize(h.size());
  c.f = compute_facts(created_at, h.data(), h.size(),
                      FactsBuffers{c.mql_entries.data(), c.entry_stages.data(),
                                   c.stay_stages.data(), c.stay_hours.data()});
  c.mql_entries.resize(c.f.n_mql_entries);
  c.entry_stages.resize(c.f.n_entries);
  c.stay_stages.resize(c.f.n_stays);
  c.stay_hours.resize(c.f.n_stays);
  return c;
}

MaybeTime at(int64_t t) { return MaybeTime{true, t}; }

// ---------------------------------------------------------------- facts

TEST(ComputeFacts, NewLeadHasOneEntryAndNoStay) {
  Computed c = facts_of(5 * kDay, {{Stage::Lead, 5 * kDay}});
  EXPECT_EQ(c.f.created_at, 5 * kDay);
  EXPECT_EQ(c.f.max_rank, 1);
  EXPECT_FALSE(c.f.first_mql_at.set);
  EXPECT_FALSE(c.f.sql_at.set);
  EXPECT_EQ(c.entry_stages, std::vector<Stage>{Stage::Lead});
  EXPECT_TRUE(c.mql_entries.empty());
  EXPECT_TRUE(c.stay_stages.empty());
}

TEST(ComputeFacts, QualifiedThenAccepted) {
  Computed c = facts_of(
      0,
      {{Stage::Lead, 0}, {Stage::Mql, 30 * kHour + 59 * 60 * 1000000LL}, {Stage::Sql, 50 * kHour}});
  EXPECT_EQ(c.f.max_rank, 3);
  EXPECT_EQ(c.f.first_mql_at, at(30 * kHour + 59 * 60 * 1000000LL));
  EXPECT_EQ(c.f.sql_at, at(50 * kHour));
  EXPECT_FALSE(c.f.customer_at.set);
  EXPECT_EQ(c.mql_entries, std::vector<int64_t>{30 * kHour + 59 * 60 * 1000000LL});
  EXPECT_EQ(c.stay_stages, (std::vector<Stage>{Stage::Lead, Stage::Mql}));
  EXPECT_EQ(c.stay_hours, (std::vector<int32_t>{30, 19})); // whole hours, rounded down
}

TEST(ComputeFacts, RecycledAndRequalified) {
  Computed c = facts_of(0, {{Stage::Lead, 0},
                            {Stage::Mql, 1 * kDay},
                            {Stage::Recycled, 2 * kDay},
                            {Stage::Mql, 3 * kDay},
                            {Stage::Recycled, 4 * kDay},
                            {Stage::Mql, 5 * kDay},
                            {Stage::Customer, 6 * kDay}});
  EXPECT_EQ(c.f.first_mql_at, at(1 * kDay));
  EXPECT_EQ(c.f.recycled_at, at(2 * kDay));    // the first recycle after the first mql
  EXPECT_EQ(c.f.requalified_at, at(3 * kDay)); // the first mql after it
  EXPECT_EQ(c.f.sql_at, at(6 * kDay));         // customer ranks above sql
  EXPECT_EQ(c.f.customer_at, at(6 * kDay));
  EXPECT_EQ(c.f.max_rank, 5);
  EXPECT_EQ(c.mql_entries, (std::vector<int64_t>{1 * kDay, 3 * kDay, 5 * kDay}));
  EXPECT_EQ(c.f.n_stays, 6u);
}

TEST(ComputeFacts, StagesBeforeTheFirstMqlDoNotCountAfterIt) {
  // A lead forced to sql and recycled before it ever qualified.
  Computed c = facts_of(0, {{Stage::Lead, 0},
                            {Stage::Sql, 1 * kDay},
                            {Stage::Recycled, 2 * kDay},
                            {Stage::Mql, 3 * kDay}});
  EXPECT_EQ(c.f.max_rank, 3);
  EXPECT_EQ(c.f.first_mql_at, at(3 * kDay));
  EXPECT_FALSE(c.f.sql_at.set);
  EXPECT_FALSE(c.f.recycled_at.set);
  EXPECT_FALSE(c.f.requalified_at.set);
}

TEST(ComputeFacts, EarliestTimeWinsNotFirstRow) {
  // Times out of history order (a stage change dated in the past).
  Computed c = facts_of(0, {{Stage::Lead, 0},
                            {Stage::Mql, 5 * kDay},
                            {Stage::Opportunity, 9 * kDay},
                            {Stage::Sql, 7 * kDay}});
  EXPECT_EQ(c.f.sql_at, at(7 * kDay));
  EXPECT_EQ(c.stay_hours.back(), -48); // opportunity lasted "minus two days"
}

TEST(ComputeFacts, OnlyDetoursKeepRankZero) {
  Computed c = facts_of(0, {{Stage::Disqualified, 0}});
  EXPECT_EQ(c.f.max_rank, 0);
}

TEST(WithTouch, EarlierOfSqlAndTouchEvent) {
  Computed c = facts_of(0, {{Stage::Lead, 0}, {Stage::Mql, kDay}, {Stage::Sql, 3 * kDay}});
  with_touch(c.f, at(2 * kDay));
  EXPECT_EQ(c.f.touch_at, at(2 * kDay));
  with_touch(c.f, at(4 * kDay));
  EXPECT_EQ(c.f.touch_at, at(3 * kDay));
  with_touch(c.f, MaybeTime{});
  EXPECT_EQ(c.f.touch_at, at(3 * kDay));
}

TEST(WithTouch, NoneBeforeQualification) {
  Computed c = facts_of(0, {{Stage::Lead, 0}});
  with_touch(c.f, at(2 * kDay));
  EXPECT_FALSE(c.f.touch_at.set);
}

TEST(SameFacts, ComparesArraysByContent) {
  Computed a = facts_of(0, {{Stage::Lead, 0}, {Stage::Mql, kDay}});
  Computed b = facts_of(0, {{Stage::Lead, 0}, {Stage::Mql, kDay}});
  EXPECT_TRUE(same_facts(a.f, b.f));
  Computed c = facts_of(0, {{Stage::Lead, 0}, {Stage::Mql, 2 * kDay}});
  EXPECT_FALSE(same_facts(a.f, c.f));
  Computed d = facts_of(kHour, {{Stage::Lead, 0}, {Stage::Mql, kDay}});
  EXPECT_FALSE(same_facts(a.f, d.f));
  with_touch(b.f, at(kDay));
  EXPECT_FALSE(same_facts(a.f, b.f));
}

// ---------------------------------------------------------------- time

TEST(WholeHours, RoundsDown) {
  EXPECT_EQ(whole_hours(0, 0), 0);
  EXPECT_EQ(whole_hours(0, kHour - 1), 0);
  EXPECT_EQ(whole_hours(0, kHour), 1);
  EXPECT_EQ(whole_hours(0, -1), -1);
  EXPECT_EQ(whole_hours(0, -kHour), -1);
  EXPECT_EQ(whole_hours(0, -kHour - 1), -2);
  EXPECT_EQ(whole_hours(10 * kHour, 12 * kHour + 5), 2);
}

TEST(MonthStart, CivilCalendar) {
  EXPECT_EQ(month_start(0), 0);           // 2000-01-01
  EXPECT_EQ(month_start(30), 0);          // 2000-01-31
  EXPECT_EQ(month_start(31), 31);         // 2000-02-01
  EXPECT_EQ(month_start(59), 31);         // 2000-02-29 (leap year)
  EXPECT_EQ(month_start(60), 60);         // 2000-03-01
  EXPECT_EQ(month_start(-1), -31);        // 1999-12-31 -> 1999-12-01
  EXPECT_EQ(month_start(-10957), -10957); // 1970-01-01
  EXPECT_EQ(month_start(9186), 9163);     // 2025-02-24 -> 2025-02-01
  EXPECT_EQ(month_start(8826), 8826);     // 2024-03-01, after a leap February
  EXPECT_EQ(month_start(8825), 8797);     // 2024-02-29 -> 2024-02-01
  EXPECT_EQ(month_start(kDayNegInfinity), kDayNegInfinity);
  EXPECT_EQ(month_start(kDayPosInfinity), kDayPosInfinity);
}

// ---------------------------------------------------------------- contributions

using Row = std::tuple<std::string, std::string, int, int>; // family, metric, period, hours

// The rows of f with a UTC calendar (days since 2000-01-01), counted, with
// -1 for "no period" and "no hours".
std::map<Row, int> contributions_of(const FactsView &f) {
  std::map<Row, int> rows;
  for_each_contribution(
      f, [](int64_t t) { return static_cast<int32_t>(t / kDay); },
      [&](const Contribution &c) {
        rows[Row{family_name(c.family), metric_name(c.metric), c.has_period ? c.period : -1,
                 c.has_hours ? c.hours : -1}]++;
      });
  return rows;
}

TEST(Contributions, NewLead) {
  Computed c = facts_of(40 * kDay, {{Stage::Lead, 40 * kDay}});
  std::map<Row, int> expected = {{Row{"created", "leads", 31, -1}, 1},
                                 {Row{"day", "new_leads", 40, -1}, 1},
                                 {Row{"stage", "entries:lead", -1, -1}, 1}};
  EXPECT_EQ(contributions_of(c.f), expected);
}

TEST(Contributions, QualifiedAcceptedAndTouched) {
  Computed c = facts_of(10 * kDay, {{Stage::Lead, 10 * kDay},
                                    {Stage::Mql, 40 * kDay},
                                    {Stage::Recycled, 41 * kDay},
                                    {Stage::Mql, 42 * kDay},
                                    {Stage::Sql, 43 * kDay}});
  with_touch(c.f, at(40 * kDay + 5 * kHour));
  std::map<Row, int> expected = {
      {Row{"created", "leads", 0, -1}, 1},
      {Row{"created", "reached_mql", 0, -1}, 1},
      {Row{"created", "reached_sql", 0, -1}, 1},
      {Row{"created", "hours_to_mql", 0, 30 * 24}, 1},
      {Row{"first_mql", "mqls", 31, -1}, 1},
      {Row{"first_mql", "sqls", 31, -1}, 1},
      {Row{"first_mql", "hours_to_sql", 31, 3 * 24}, 1},
      {Row{"first_mql", "recycled", 31, -1}, 1},
      {Row{"first_mql", "requalified", 31, -1}, 1},
      {Row{"first_mql", "touched", 31, -1}, 1},
      {Row{"first_mql", "hours_to_touch", 31, 5}, 1},
      {Row{"day", "new_leads", 10, -1}, 1},
      {Row{"day", "new_leads_qualified", 10, -1}, 1},
      {Row{"day", "first_mqls", 40, -1}, 1},
      {Row{"day", "requalifications", 42, -1}, 1},
      {Row{"stage", "entries:lead", -1, -1}, 1},
      {Row{"stage", "entries:mql", -1, -1}, 2},
      {Row{"stage", "entries:recycled", -1, -1}, 1},
      {Row{"stage", "entries:sql", -1, -1}, 1},
      {Row{"stage", "stay:lead", -1, 30 * 24}, 1},
      {Row{"stage", "stay:mql", -1, 24}, 2},
      {Row{"stage", "stay:recycled", -1, 24}, 1},
  };
  EXPECT_EQ(contributions_of(c.f), expected);
}

TEST(MetricName, EveryCodeHasAName) {
  EXPECT_STREQ(metric_name(kLeads), "leads");
  EXPECT_STREQ(metric_name(kRequalifications), "requalifications");
  EXPECT_STREQ(metric_name(kEntriesFirst + static_cast<uint8_t>(Stage::Disqualified)),
               "entries:disqualified");
  EXPECT_STREQ(metric_name(kStayFirst), "stay:lead");
  EXPECT_STREQ(metric_name(kMetricCount - 1), "stay:disqualified");
  for (int m = 0; m < kMetricCount; m++)
    EXPECT_STRNE(metric_name(static_cast<uint8_t>(m)), "?");
  EXPECT_STREQ(metric_name(kMetricCount), "?");
}

} // namespace
} // namespace mql
