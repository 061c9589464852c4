// Fuzzes the BI views' percentile: merge_weighted (netting rollup rows, with
// negative counts) and weighted_percentile, with arbitrary values and counts.
//
// Input: whitespace-separated tokens: two fractions (strtod, so nan and
// out-of-range values appear), then up to 256 "value count" pairs (int64).
// Checks: merge_weighted leaves exactly the values whose net count is
// positive, sorted, with their net counts, and refuses only when a sum
// could overflow; weighted_percentile refuses exactly a fraction outside
// [0, 1], no positive count, or counts summing past int64; its result lies
// within [min, max] of the counted values, grows with the fraction, and for
// up to 4096 rows equals percentile_cont over the expanded multiset bit for bit.
#include "fuzz_input.hpp"
#include "percentile.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

using namespace mql;

namespace {

// PostgreSQL's percentile_cont over an explicit sorted multiset.
double reference_percentile(std::vector<int64_t> values, double fraction) {
  std::sort(values.begin(), values.end());
  double pos = fraction * double(values.size() - 1);
  double first = std::floor(pos), second = std::ceil(pos);
  double lo = double(values[size_t(first)]);
  if (first == second) return lo;
  double hi = double(values[size_t(second)]);
  return lo + ((pos - first) * (hi - lo));
}

// Checks weighted_percentile on (a copy of) rows; returns its result.
std::optional<double> check_percentile(std::vector<WeightedValue> rows, double fraction) {
  __int128 total = 0;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (const auto &r : rows)
    if (r.count > 0) {
      total += r.count;
      lo = std::min(lo, r.value);
      hi = std::max(hi, r.value);
    }
  std::vector<int64_t> expanded;
  if (total > 0 && total <= 4096)
    for (const auto &r : rows)
      for (int64_t k = 0; k < r.count; k++)
        expanded.push_back(r.value);

  auto p = weighted_percentile(rows.data(), rows.size(), fraction);
  bool valid = fraction >= 0.0 && fraction <= 1.0 && total > 0 && total <= INT64_MAX;
  FUZZ_CHECK(p.has_value() == valid);
  if (!p) return p;
  FUZZ_CHECK(!std::isnan(*p));
  FUZZ_CHECK(*p >= double(lo) && *p <= double(hi));
  if (!expanded.empty()) FUZZ_CHECK(*p == reference_percentile(expanded, fraction));
  return p;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::TextInput in(data, size);
  double f1 = in.real(), f2 = in.real();
  std::vector<WeightedValue> rows;
  while (!in.done() && rows.size() < 256) {
    int64_t value = in.integer();
    int64_t count = in.integer();
    rows.push_back(WeightedValue{value, count});
  }

  // merge_weighted against a reference netting in 128 bits.
  std::map<int64_t, __int128> net, pos, neg;
  for (const auto &r : rows) {
    net[r.value] += r.count;
    (r.count > 0 ? pos : neg)[r.value] += r.count;
  }
  bool safe = true; // no order of summing can overflow
  for (const auto &[v, s] : pos)
    safe = safe && s <= INT64_MAX;
  for (const auto &[v, s] : neg)
    safe = safe && s >= INT64_MIN;
  std::vector<WeightedValue> merged = rows;
  size_t n = merged.size();
  bool ok = merge_weighted(merged.data(), n);
  if (safe) FUZZ_CHECK(ok);
  if (ok) {
    merged.resize(n);
    size_t i = 0;
    for (const auto &[v, s] : net) {
      if (s <= 0) continue;
      FUZZ_CHECK(i < n && merged[i].value == v && merged[i].count == s);
      i++;
    }
    FUZZ_CHECK(i == n);
  }

  auto p1 = check_percentile(rows, f1);
  auto p2 = check_percentile(rows, f2);
  if (p1 && p2 && f1 <= f2) FUZZ_CHECK(*p1 <= *p2);
  if (p1 && p2 && f2 <= f1) FUZZ_CHECK(*p2 <= *p1);
  if (ok) {
    // Netting changes nothing when there are no negative counts.
    bool any_negative = false;
    for (const auto &r : rows)
      any_negative = any_negative || r.count < 0;
    auto m1 = check_percentile(merged, f1);
    if (!any_negative && p1) FUZZ_CHECK(m1 && *m1 == *p1);
  }
  return 0;
}
