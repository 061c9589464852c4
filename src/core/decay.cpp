#include "decay.hpp"

#include <cmath>

// Last: fails the build if anything above pulled in a PostgreSQL header.
#include "cpp_only.hpp"

namespace mql {
namespace {

// 2^(-dt / half_life) for a span already in double.
double factor(double dt, const DecayConfig &cfg) noexcept {
  if (!cfg.decays() || dt == 0) return 1.0;
  // Divide in double: both operands are exact below 2^53 microseconds
  // (285 years), so the exponent carries no avoidable rounding.
  return std::exp2(-dt / static_cast<double>(cfg.half_life));
}

// later - earlier in microseconds, as a double. Exact (below 2^53) when the
// difference fits int64; PostgreSQL's earliest and latest timestamps are
// further apart than that, and then the difference is taken in double
// (subtracting in int64 would overflow).
double span(Micros later, Micros earlier) noexcept {
  Micros d;
  if (!__builtin_sub_overflow(later, earlier, &d)) return static_cast<double>(d);
  return static_cast<double>(later) - static_cast<double>(earlier);
}

} // namespace

double decay_factor(Micros dt, const DecayConfig &cfg) noexcept {
  return factor(static_cast<double>(dt), cfg);
}

double decayed_weight(double weight, Micros occurred, Micros at, const DecayConfig &cfg) noexcept {
  if (occurred > at) return 0.0;
  return weight * factor(span(at, occurred), cfg);
}

void Intent::add(double weight, Micros occurred, const DecayConfig &cfg) noexcept {
  if (!has_events) {
    value = weight;
    at = occurred;
    has_events = true;
  } else if (occurred <= at) {
    value += weight * factor(span(at, occurred), cfg);
  } else {
    value = value * factor(span(occurred, at), cfg) + weight;
    at = occurred;
  }
}

double Intent::value_at(Micros t, const DecayConfig &cfg) const noexcept {
  if (!has_events || t <= at) return value;
  return value * factor(span(t, at), cfg);
}

} // namespace mql
