// Fuzzes decay with arbitrary doubles and times: decay_factor,
// decayed_weight (mql.decayed) and the incremental Intent that the events
// trigger keeps per lead.
//
// Input: whitespace-separated tokens: half_life (microseconds, strtoll), a
// query time t, then up to 64 events as "weight occurred" pairs (weight by
// strtod, so nan, inf and 1e308 appear; times are any int64).
// Checks: factors are never NaN and within [0, 1] going forward; a finite
// weight decays to a finite value no larger in magnitude with the same sign;
// an event after the query time counts 0; folding events in any order gives
// the direct sum of their decayed weights (1e-9 relative, for non-negative
// weights); values are finite whenever the weights are finite and bounded.
#include "decay.hpp"
#include "fuzz_input.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <vector>

using namespace mql;

namespace {

struct Ev {
  double w;
  Micros o;
};

void check_factor(Micros dt, const DecayConfig &cfg) {
  double f = decay_factor(dt, cfg);
  FUZZ_CHECK(!std::isnan(f));
  if (!cfg.decays() || dt == 0)
    FUZZ_CHECK(f == 1.0);
  else if (dt > 0)
    FUZZ_CHECK(f >= 0.0 && f <= 1.0);
  else
    FUZZ_CHECK(f >= 1.0);
}

// Folds the events in the given order.
Intent fold(const std::vector<Ev> &ev, const DecayConfig &cfg) {
  Intent in;
  for (const auto &e : ev)
    in.add(e.w, e.o, cfg);
  return in;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::TextInput in(data, size);
  DecayConfig cfg{in.integer()};
  Micros t = in.integer();
  std::vector<Ev> ev;
  while (!in.done() && ev.size() < 64) {
    double w = in.real();
    Micros o = in.integer();
    ev.push_back(Ev{w, o});
  }

  check_factor(t, cfg);
  bool finite = true, nonneg = true;
  for (const auto &e : ev) {
    check_factor(e.o, cfg);
    double d = decayed_weight(e.w, e.o, t, cfg);
    if (e.o > t) {
      FUZZ_CHECK(d == 0.0);
    } else if (std::isfinite(e.w)) {
      FUZZ_CHECK(std::isfinite(d));
      FUZZ_CHECK(std::fabs(d) <= std::fabs(e.w));
      FUZZ_CHECK(d == 0.0 || (d > 0) == (e.w > 0));
    } else if (std::isnan(e.w)) {
      FUZZ_CHECK(std::isnan(d));
    }
    finite = finite && std::isfinite(e.w) && std::fabs(e.w) <= DBL_MAX / 128;
    nonneg = nonneg && e.w >= 0;
  }
  if (ev.empty()) return 0;

  Intent given = fold(ev, cfg);
  Micros latest = ev[0].o;
  for (const auto &e : ev)
    latest = std::max(latest, e.o);
  FUZZ_CHECK(given.has_events && given.at == latest);
  if (!finite) return 0;

  // Finite, bounded weights: every value stays finite, in any order.
  std::vector<Ev> sorted = ev, reversed(ev.rbegin(), ev.rend());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Ev &a, const Ev &b) { return a.o < b.o; });
  Intent in_order = fold(sorted, cfg), backwards = fold(reversed, cfg);
  for (const Intent *i : {&given, &in_order, &backwards}) {
    FUZZ_CHECK(std::isfinite(i->value) && i->at == latest);
    double later = i->value_at(t, cfg);
    FUZZ_CHECK(std::isfinite(later));
    if (t <= i->at)
      FUZZ_CHECK(later == i->value);
    else
      FUZZ_CHECK(std::fabs(later) <= std::fabs(i->value));
  }
  if (!nonneg) return 0;

  // Non-negative weights: no cancellation, so the order of folding and the
  // direct sum agree to rounding.
  // A factor that underflows to a subnormal number is exact only to
  // 2^-1074 absolute, which a huge weight magnifies: allow that much.
  double total = 0, direct = 0;
  for (const auto &e : ev) {
    total += e.w;
    direct += decayed_weight(e.w, e.o, latest, cfg);
  }
  const double slack = total * 0x1p-1074 * 64 + 1e-300;
  FUZZ_CHECK(fuzz::close(given.value, direct, slack));
  FUZZ_CHECK(fuzz::close(in_order.value, direct, slack));
  FUZZ_CHECK(fuzz::close(backwards.value, direct, slack));
  if (t >= latest) {
    double at_t = 0;
    for (const auto &e : ev)
      at_t += decayed_weight(e.w, e.o, t, cfg);
    FUZZ_CHECK(fuzz::close(given.value_at(t, cfg), at_t, slack));
  }
  return 0;
}
