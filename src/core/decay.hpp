// Exponential decay of intent, kept incrementally: a value and the time it
// is valid at, so adding an event is O(1) whatever the lead's history.
#pragma once

#include <cstdint>

namespace mql {

// Timestamps and durations are microseconds, as PostgreSQL stores them.
using Micros = int64_t;

// half_life <= 0 means "no decay".
struct DecayConfig {
  Micros half_life = 0;
  bool decays() const noexcept { return half_life > 0; }
};

// 2^(-dt / half_life), or 1 when there is no decay. dt may be negative
// (growth), which callers use only for exact back-projection in tests.
double decay_factor(Micros dt, const DecayConfig &cfg) noexcept;

// weight decayed from `occurred` to `at`; 0 when the event is after `at`.
double decayed_weight(double weight, Micros occurred, Micros at, const DecayConfig &cfg) noexcept;

// The decayed sum of a lead's events as of `at`, the latest occurred_at
// seen. Adding events in any order gives the same result up to rounding,
// because 2^x is a homomorphism from + to *.
struct Intent {
  double value = 0;
  Micros at = 0;
  bool has_events = false;

  // Folds one event in: moves `at` forward when the event is newer.
  void add(double weight, Micros occurred, const DecayConfig &cfg) noexcept;

  // The intent as of t >= at. For t < at the caller needs the event list,
  // because events after t must not count; this returns value unchanged.
  double value_at(Micros t, const DecayConfig &cfg) const noexcept;
};

} // namespace mql
