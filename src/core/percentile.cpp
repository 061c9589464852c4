#include "percentile.hpp"

#include <algorithm>
#include <cmath>

// Last: fails the build if anything above pulled in a PostgreSQL header.
#include "cpp_only.hpp"

namespace mql {

namespace {

// floor/ceil of a position in [0, last] as an index; a position that
// rounded up past `last` (only possible when N - 1 is not exact in double,
// N > 2^53) is clamped instead of overflowing the conversion.
int64_t to_index(double pos, int64_t last) noexcept {
  if (!(pos < 9223372036854775808.0)) return last; // 2^63
  return std::min(static_cast<int64_t>(pos), last);
}

} // namespace

std::optional<double> weighted_percentile(WeightedValue *items, size_t n,
                                          double fraction) noexcept {
  if (!(fraction >= 0.0 && fraction <= 1.0)) return std::nullopt;

  int64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    if (items[i].count <= 0) continue;
    if (__builtin_add_overflow(total, items[i].count, &total)) return std::nullopt;
  }
  if (total == 0) return std::nullopt;

  std::sort(items, items + n,
            [](const WeightedValue &a, const WeightedValue &b) { return a.value < b.value; });

  // As orderedsetaggs.c: first_row = floor(p * (N - 1)), second_row =
  // ceil(p * (N - 1)), proportion = p * (N - 1) - first_row, all in double.
  const int64_t last = total - 1;
  const double pos = fraction * static_cast<double>(last);
  const double first_d = std::floor(pos);
  const int64_t first = to_index(first_d, last);
  const int64_t second = to_index(std::ceil(pos), last);

  // Values at 0-based positions `first` and `second` of the sorted multiset:
  // item i covers positions [before, before + count).
  int64_t before = 0;
  std::optional<int64_t> v1, v2;
  for (size_t i = 0; i < n && !v2; ++i) {
    if (items[i].count <= 0) continue;
    const int64_t end = before + items[i].count; // <= total, no overflow
    if (!v1 && first < end) v1 = items[i].value;
    if (v1 && second < end) v2 = items[i].value;
    before = end;
  }
  if (!v1 || !v2) return std::nullopt; // unreachable: first <= second <= last

  const double lo = static_cast<double>(*v1);
  if (first == second) return lo;
  const double hi = static_cast<double>(*v2);
  const double proportion = pos - first_d;
  // float8_lerp: loval + (pct * (hival - loval)).
  return lo + (proportion * (hi - lo));
}

bool merge_weighted(WeightedValue *items, size_t &n) noexcept {
  std::sort(items, items + n,
            [](const WeightedValue &a, const WeightedValue &b) { return a.value < b.value; });
  size_t out = 0;
  for (size_t i = 0; i < n;) {
    int64_t value = items[i].value, net = 0;
    for (; i < n && items[i].value == value; ++i)
      if (__builtin_add_overflow(net, items[i].count, &net)) return false;
    if (net > 0) items[out++] = WeightedValue{value, net};
  }
  n = out;
  return true;
}

} // namespace mql
