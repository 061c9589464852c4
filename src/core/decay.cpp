#include "decay.hpp"

#include <cmath>

// Last: fails the build if anything above pulled in a PostgreSQL header.
#include "cpp_only.hpp"

namespace mql {

double decay_factor(Micros dt, const DecayConfig &cfg) noexcept {
  if (!cfg.decays() || dt == 0) return 1.0;
  // Divide in double: both operands are exact below 2^53 microseconds
  // (285 years), so the exponent carries no avoidable rounding.
  return std::exp2(-static_cast<double>(dt) / static_cast<double>(cfg.half_life));
}

double decayed_weight(double weight, Micros occurred, Micros at, const DecayConfig &cfg) noexcept {
  if (occurred > at) return 0.0;
  return weight * decay_factor(at - occurred, cfg);
}

void Intent::add(double weight, Micros occurred, const DecayConfig &cfg) noexcept {
  if (!has_events) {
    value = weight;
    at = occurred;
    has_events = true;
  } else if (occurred <= at) {
    value += weight * decay_factor(at - occurred, cfg);
  } else {
    value = value * decay_factor(occurred - at, cfg) + weight;
    at = occurred;
  }
}

double Intent::value_at(Micros t, const DecayConfig &cfg) const noexcept {
  if (!has_events || t <= at) return value;
  return value * decay_factor(t - at, cfg);
}

} // namespace mql
