// Exact continuous percentiles over a histogram: (value, count) pairs,
// as BI views store durations (whole hours, number of leads).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace mql {

// One histogram bucket: `value` appears `count` times.
struct WeightedValue {
  int64_t value;
  int64_t count;
};

// What PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY v)
// returns over the multiset in which each value appears `count` times,
// bit for bit: with N the total count and pos = fraction * (N - 1), the
// floor(pos)-th and ceil(pos)-th values (0-based) of the sorted multiset,
// interpolated as v1 + (pos - floor(pos)) * (v2 - v1) in double.
//
// Sorts `items` in place by value; items with count <= 0 are ignored. Walks
// cumulative counts, so large counts cost nothing and allocate nothing.
// std::nullopt when N == 0. Preconditions, checked by the glue: fraction in
// [0, 1] (std::nullopt otherwise, NaN included) and the positive counts sum
// to at most INT64_MAX (std::nullopt otherwise).
std::optional<double> weighted_percentile(WeightedValue *items, size_t n, double fraction) noexcept;

// Sorts `items` by value and sums the counts of equal values, which may be
// negative (a rollup's pending subtractions); keeps only values whose net
// count is positive, compacted at the front. Sets n to their number.
// Returns false, leaving items unspecified, if a sum overflows int64.
bool merge_weighted(WeightedValue *items, size_t &n) noexcept;

} // namespace mql
