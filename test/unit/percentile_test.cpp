// Unit tests for histogram percentiles (src/core/percentile.hpp).
#include "percentile.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <vector>

namespace mql {
namespace {

std::optional<double> pct(std::vector<WeightedValue> items, double fraction) {
  return weighted_percentile(items.data(), items.size(), fraction);
}

// PostgreSQL's percentile_cont on the expanded multiset, as orderedsetaggs.c
// computes it: the reference for the randomized tests.
std::optional<double> percentile_cont(const std::vector<WeightedValue> &items, double p) {
  std::vector<double> rows;
  for (const WeightedValue &w : items)
    for (int64_t i = 0; i < w.count; ++i)
      rows.push_back(static_cast<double>(w.value));
  if (rows.empty()) return std::nullopt;
  std::sort(rows.begin(), rows.end());
  const int64_t n = static_cast<int64_t>(rows.size());
  const int64_t first_row = static_cast<int64_t>(std::floor(p * (n - 1)));
  const int64_t second_row = static_cast<int64_t>(std::ceil(p * (n - 1)));
  if (first_row == second_row) return rows[first_row];
  const double proportion = (p * (n - 1)) - first_row;
  const double loval = rows[first_row], hival = rows[second_row];
  return loval + (proportion * (hival - loval));
}

constexpr double kFractions[] = {0.0, 0.01, 0.1, 0.25, 1.0 / 3, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0};

TEST(WeightedPercentile, DistinctValues) {
  std::vector<WeightedValue> v = {{1, 1}, {2, 1}, {3, 1}, {4, 1}};
  EXPECT_EQ(pct(v, 0.5), 2.5);   // pos 1.5: halfway between 2 and 3
  EXPECT_EQ(pct(v, 0.0), 1.0);   // the minimum
  EXPECT_EQ(pct(v, 1.0), 4.0);   // the maximum
  EXPECT_EQ(pct(v, 0.25), 1.75); // pos 0.75
  // p90 of 1..4: pos = 0.9 * 3 = 2.7 (2.7000000000000002 in double).
  EXPECT_EQ(pct(v, 0.9), 3.0 + (0.9 * 3 - 2) * (4.0 - 3.0));
  EXPECT_NEAR(*pct(v, 0.9), 3.7, 1e-12);
}

TEST(WeightedPercentile, OddCountMedianIsTheMiddleValue) {
  std::vector<WeightedValue> v = {{10, 1}, {20, 1}, {30, 1}, {40, 1}, {50, 1}};
  EXPECT_EQ(pct(v, 0.5), 30.0);
  EXPECT_EQ(pct(v, 0.95), 40.0 + (0.95 * 4 - 3) * (50.0 - 40.0)); // pos 3.8
  EXPECT_NEAR(*pct(v, 0.95), 48.0, 1e-12);
}

TEST(WeightedPercentile, OneToTen) {
  std::vector<WeightedValue> v;
  for (int64_t i = 1; i <= 10; ++i)
    v.push_back({i, 1});
  EXPECT_EQ(pct(v, 0.5), 5.5);
  EXPECT_EQ(pct(v, 0.9), 9.0 + (0.9 * 9 - 8) * 1.0); // pos 8.1
  EXPECT_NEAR(*pct(v, 0.9), 9.1, 1e-12);
  EXPECT_EQ(pct(v, 0.95), 9.0 + (0.95 * 9 - 8) * 1.0); // pos 8.55
  EXPECT_NEAR(*pct(v, 0.95), 9.55, 1e-12);
  EXPECT_EQ(pct(v, 0.0), 1.0);
  EXPECT_EQ(pct(v, 1.0), 10.0);
}

TEST(WeightedPercentile, CountsGreaterThanOne) {
  // 10, 10, 10, 20
  std::vector<WeightedValue> v = {{10, 3}, {20, 1}};
  EXPECT_EQ(pct(v, 0.5), 10.0);                                 // pos 1.5: 10 and 10
  EXPECT_EQ(pct(v, 0.9), 10.0 + (0.9 * 3 - 2) * (20.0 - 10.0)); // pos 2.7: 10 and 20
  EXPECT_NEAR(*pct(v, 0.9), 17.0, 1e-12);
  EXPECT_EQ(pct(v, 0.0), 10.0);
  EXPECT_EQ(pct(v, 1.0), 20.0);
  // 1, 1, 5, 5, 5, 5, 9: pos 3 exactly for the median.
  std::vector<WeightedValue> w = {{5, 4}, {1, 2}, {9, 1}};
  EXPECT_EQ(pct(w, 0.5), 5.0);
  EXPECT_EQ(pct(w, 0.1), 1.0);                                 // pos 0.6: 1 and 1
  EXPECT_EQ(pct(w, 0.2), 1.0 + (0.2 * 6 - 1) * (5.0 - 1.0));   // pos 1.2: 1 and 5
  EXPECT_EQ(pct(w, 0.95), 5.0 + (0.95 * 6 - 5) * (9.0 - 5.0)); // pos 5.7: 5 and 9
}

TEST(WeightedPercentile, DuplicateValuesInSeparateItems) {
  // The same multiset as {{10, 3}, {20, 1}}, split across items.
  std::vector<WeightedValue> v = {{20, 1}, {10, 1}, {10, 2}};
  for (double f : kFractions)
    EXPECT_EQ(pct(v, f), pct({{10, 3}, {20, 1}}, f)) << f;
}

TEST(WeightedPercentile, ZeroAndNegativeCountsAreIgnored) {
  std::vector<WeightedValue> v = {{0, 0},  {1, 1}, {100, -5}, {2, 1},
                                  {-7, 0}, {3, 1}, {4, 1},    {50, INT64_MIN}};
  EXPECT_EQ(pct(v, 0.5), 2.5);
  EXPECT_EQ(pct(v, 0.0), 1.0);
  EXPECT_EQ(pct(v, 1.0), 4.0);
  for (double f : kFractions)
    EXPECT_EQ(pct(v, f), pct({{1, 1}, {2, 1}, {3, 1}, {4, 1}}, f));
}

TEST(WeightedPercentile, SingleValue) {
  for (double f : kFractions) {
    EXPECT_EQ(pct({{7, 1}}, f), 7.0) << f;
    EXPECT_EQ(pct({{7, 1000}}, f), 7.0) << f;
    EXPECT_EQ(pct({{7, 1000}, {8, 0}}, f), 7.0) << f;
  }
}

TEST(WeightedPercentile, EmptyIsNullopt) {
  EXPECT_EQ(weighted_percentile(nullptr, 0, 0.5), std::nullopt);
  EXPECT_EQ(pct({}, 0.5), std::nullopt);
  EXPECT_EQ(pct({{1, 0}, {2, -1}}, 0.5), std::nullopt);
  EXPECT_EQ(pct({{1, 0}}, 0.0), std::nullopt);
  EXPECT_EQ(pct({{1, 0}}, 1.0), std::nullopt);
}

TEST(WeightedPercentile, NegativeValues) {
  std::vector<WeightedValue> v = {{3, 2}, {-5, 2}}; // -5, -5, 3, 3
  EXPECT_EQ(pct(v, 0.5), -1.0);                     // -5 + 0.5 * 8
  EXPECT_EQ(pct(v, 0.0), -5.0);
  EXPECT_EQ(pct(v, 1.0), 3.0);
}

TEST(WeightedPercentile, UnsortedInputIsSortedInPlace) {
  std::vector<WeightedValue> v = {{40, 1}, {10, 2}, {30, 0}, {20, 1}, {5, 3}};
  std::vector<WeightedValue> sorted = {{5, 3}, {10, 2}, {20, 1}, {30, 0}, {40, 1}};
  for (double f : kFractions) {
    std::vector<WeightedValue> copy = v;
    EXPECT_EQ(weighted_percentile(copy.data(), copy.size(), f), pct(sorted, f)) << f;
    EXPECT_TRUE(std::is_sorted(
        copy.begin(), copy.end(),
        [](const WeightedValue &a, const WeightedValue &b) { return a.value < b.value; }));
  }
  // 5, 5, 5, 10, 10, 20, 40: median at pos 3.
  EXPECT_EQ(pct(v, 0.5), 10.0);
}

TEST(WeightedPercentile, FractionOutsideTheUnitIntervalIsNullopt) {
  std::vector<WeightedValue> v = {{1, 1}, {2, 1}};
  EXPECT_EQ(pct(v, -0.01), std::nullopt);
  EXPECT_EQ(pct(v, 1.01), std::nullopt);
  EXPECT_EQ(pct(v, std::numeric_limits<double>::quiet_NaN()), std::nullopt);
  EXPECT_EQ(pct(v, std::numeric_limits<double>::infinity()), std::nullopt);
  EXPECT_EQ(pct(v, -0.0), 1.0);
}

TEST(WeightedPercentile, LargeCountsWithoutMaterialising) {
  constexpr int64_t kHalf = 500000000000; // 5 * 10^11, 10^12 in total
  std::vector<WeightedValue> v = {{2, kHalf}, {1, kHalf}};
  // pos = 0.5 * (10^12 - 1) = 499999999999.5: the last 1 and the first 2.
  EXPECT_EQ(pct(v, 0.5), 1.5);
  EXPECT_EQ(pct(v, 0.0), 1.0);
  EXPECT_EQ(pct(v, 1.0), 2.0);
  EXPECT_EQ(pct(v, 0.1), 1.0);
  EXPECT_EQ(pct(v, 0.9), 2.0);

  // 10^12 hours spread over three values, with the boundary off the middle.
  std::vector<WeightedValue> w = {{100, 1}, {3, 999999999998}, {7, 1}};
  EXPECT_EQ(pct(w, 0.0), 3.0);
  EXPECT_EQ(pct(w, 0.5), 3.0);
  EXPECT_EQ(pct(w, 1.0), 100.0);
  // pos = 0.9999999999995 * (10^12 - 1), between the 7 and the 100 or in the 3s.
  const double f = 0.9999999999995;
  const double pos = f * 999999999999.0;
  const int64_t first = static_cast<int64_t>(std::floor(pos));
  const double v1 = first < 999999999998 ? 3.0 : first == 999999999998 ? 7.0 : 100.0;
  const int64_t second = static_cast<int64_t>(std::ceil(pos));
  const double v2 = second < 999999999998 ? 3.0 : second == 999999999998 ? 7.0 : 100.0;
  const double expected = first == second ? v1 : v1 + ((pos - first) * (v2 - v1));
  EXPECT_EQ(pct(w, f), expected);
}

TEST(WeightedPercentile, TotalCountAtTheInt64Limit) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  // N = INT64_MAX: N - 1 rounds up to 2^63 in double, so pos for fraction 1
  // is past the last row and is clamped to it.
  std::vector<WeightedValue> v = {{1, kMax / 2}, {2, kMax / 2 + 1}};
  EXPECT_EQ(pct(v, 1.0), 2.0);
  EXPECT_EQ(pct(v, 0.0), 1.0);
  EXPECT_EQ(pct(v, 0.25), 1.0);
  EXPECT_EQ(pct(v, 0.75), 2.0);
  // Counts that sum past INT64_MAX are refused, not wrapped.
  EXPECT_EQ(pct({{1, kMax}, {2, 1}}, 0.5), std::nullopt);
  EXPECT_EQ(pct({{1, kMax}, {2, kMax}}, 0.5), std::nullopt);
}

TEST(WeightedPercentile, MatchesPercentileContOnTheExpandedMultiset) {
  std::mt19937_64 rng(20240101);
  for (int round = 0; round < 2000; ++round) {
    const int items = static_cast<int>(rng() % 12);
    const int64_t spread = 1 + static_cast<int64_t>(rng() % 50);
    std::vector<WeightedValue> v;
    for (int i = 0; i < items; ++i) {
      const int64_t value = static_cast<int64_t>(rng() % (2 * spread + 1)) - spread;
      const int64_t count = static_cast<int64_t>(rng() % 9) - 2; // -2 .. 6
      v.push_back({value, count});
    }
    for (double f : kFractions) {
      std::vector<WeightedValue> copy = v;
      EXPECT_EQ(weighted_percentile(copy.data(), copy.size(), f), percentile_cont(v, f))
          << "round " << round << " fraction " << f;
    }
    const double f = std::generate_canonical<double, 53>(rng);
    std::vector<WeightedValue> copy = v;
    EXPECT_EQ(weighted_percentile(copy.data(), copy.size(), f), percentile_cont(v, f))
        << "round " << round << " fraction " << f;
  }
}

} // namespace
} // namespace mql

namespace mql {
namespace {

TEST(MergeWeighted, NetsEqualValuesAndKeepsPositiveNets) {
  // 5 h: 3 - 1 = 2; 7 h: 2 - 2 = 0 (dropped); 9 h: -1 alone (dropped); 1 h: 4.
  WeightedValue items[] = {{5, 3}, {7, 2}, {9, -1}, {5, -1}, {1, 4}, {7, -2}};
  size_t n = 6;
  ASSERT_TRUE(merge_weighted(items, n));
  ASSERT_EQ(n, 2u);
  EXPECT_EQ(items[0].value, 1);
  EXPECT_EQ(items[0].count, 4);
  EXPECT_EQ(items[1].value, 5);
  EXPECT_EQ(items[1].count, 2);
}

TEST(MergeWeighted, ThenPercentileEqualsThePercentileOfTheNetMultiset) {
  // Net multiset {1, 1, 5, 5, 5}: median 5; the unmerged rows would give 1 or 5
  // depending on how negative counts were treated.
  WeightedValue items[] = {{5, 4}, {1, 2}, {5, -1}, {3, 1}, {3, -1}};
  size_t n = 5;
  ASSERT_TRUE(merge_weighted(items, n));
  auto m = weighted_percentile(items, n, 0.5);
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, 5.0);
}

TEST(MergeWeighted, ReportsOverflow) {
  WeightedValue items[] = {{1, INT64_MAX}, {1, 1}};
  size_t n = 2;
  EXPECT_FALSE(merge_weighted(items, n));
}

TEST(MergeWeighted, EmptyStaysEmpty) {
  size_t n = 0;
  EXPECT_TRUE(merge_weighted(nullptr, n));
  EXPECT_EQ(n, 0u);
}

} // namespace
} // namespace mql
