// Unit tests for exponential intent decay (src/core/decay.hpp).
#include "decay.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace mql {
namespace {

constexpr Micros kDay = 86400000000;
constexpr Micros kHour = kDay / 24;
// 2024-01-01T00:00:00Z in microseconds since the Unix epoch: real timestamps
// are large, durations between them small.
constexpr Micros kJan2024 = 1704067200000000;

DecayConfig half_life(Micros h) {
  DecayConfig cfg;
  cfg.half_life = h;
  return cfg;
}

DecayConfig no_decay() { return half_life(0); }

struct WeightedEvent {
  double weight;
  Micros occurred;
};

Intent fold(const std::vector<WeightedEvent> &events, const DecayConfig &cfg) {
  Intent intent;
  for (const auto &e : events)
    intent.add(e.weight, e.occurred, cfg);
  return intent;
}

// The reference definition: the sum of every event decayed to the latest.
double reference_sum(const std::vector<WeightedEvent> &events, const DecayConfig &cfg) {
  Micros latest = events.front().occurred;
  for (const auto &e : events)
    latest = std::max(latest, e.occurred);
  double sum = 0;
  for (const auto &e : events)
    sum += e.weight * std::exp2(-static_cast<double>(latest - e.occurred) /
                                static_cast<double>(cfg.half_life));
  return sum;
}

void expect_relatively_near(double actual, double expected, double rel = 1e-12) {
  EXPECT_NEAR(actual, expected, std::abs(expected) * rel) << "expected " << expected;
}

// --------------------------------------------------------------- decay_factor

TEST(DecayFactor, OneHalfLifeHalves) {
  EXPECT_DOUBLE_EQ(decay_factor(kDay, half_life(kDay)), 0.5);
  EXPECT_DOUBLE_EQ(decay_factor(7 * kDay, half_life(7 * kDay)), 0.5);
  EXPECT_DOUBLE_EQ(decay_factor(1, half_life(1)), 0.5);
}

TEST(DecayFactor, TwoHalfLivesQuarter) {
  EXPECT_DOUBLE_EQ(decay_factor(2 * kDay, half_life(kDay)), 0.25);
  EXPECT_DOUBLE_EQ(decay_factor(14 * kDay, half_life(7 * kDay)), 0.25);
}

TEST(DecayFactor, HalfAHalfLifeIsOneOverSqrtTwo) {
  EXPECT_DOUBLE_EQ(decay_factor(kDay / 2, half_life(kDay)), 1.0 / std::sqrt(2.0));
}

TEST(DecayFactor, ZeroElapsedIsOne) { EXPECT_EQ(decay_factor(0, half_life(kDay)), 1.0); }

TEST(DecayFactor, NegativeElapsedGrows) {
  EXPECT_DOUBLE_EQ(decay_factor(-kDay, half_life(kDay)), 2.0);
  EXPECT_DOUBLE_EQ(decay_factor(-3 * kDay, half_life(kDay)), 8.0);
}

TEST(DecayFactor, NoDecayWhenHalfLifeIsZero) {
  EXPECT_EQ(decay_factor(kDay, no_decay()), 1.0);
  EXPECT_EQ(decay_factor(1000 * kDay, no_decay()), 1.0);
  EXPECT_EQ(decay_factor(-kDay, no_decay()), 1.0);
}

TEST(DecayFactor, NoDecayWhenHalfLifeIsNegative) {
  EXPECT_EQ(decay_factor(kDay, half_life(-kDay)), 1.0);
  EXPECT_EQ(decay_factor(5 * kDay, half_life(-1)), 1.0);
}

TEST(DecayConfigDecays, OnlyWithPositiveHalfLife) {
  EXPECT_TRUE(half_life(1).decays());
  EXPECT_FALSE(half_life(0).decays());
  EXPECT_FALSE(half_life(-1).decays());
  EXPECT_FALSE(DecayConfig{}.decays());
}

// ------------------------------------------------------------- decayed_weight

TEST(DecayedWeight, DecaysFromOccurrenceToAt) {
  EXPECT_DOUBLE_EQ(decayed_weight(10, 0, kDay, half_life(kDay)), 5.0);
  EXPECT_DOUBLE_EQ(decayed_weight(10, kJan2024, kJan2024 + 3 * kDay, half_life(kDay)), 1.25);
}

TEST(DecayedWeight, FullWeightAtItsOwnTime) {
  EXPECT_EQ(decayed_weight(42, kJan2024, kJan2024, half_life(kDay)), 42.0);
}

TEST(DecayedWeight, ZeroForEventsAfterAt) {
  EXPECT_EQ(decayed_weight(10, kDay + 1, kDay, half_life(kDay)), 0.0);
  EXPECT_EQ(decayed_weight(10, kJan2024 + kDay, kJan2024, half_life(kDay)), 0.0);
  EXPECT_EQ(decayed_weight(10, kDay + 1, kDay, no_decay()), 0.0);
}

TEST(DecayedWeight, FullWeightWithoutDecay) {
  EXPECT_EQ(decayed_weight(10, 0, 365 * kDay, no_decay()), 10.0);
}

TEST(DecayedWeight, NegativeWeightsDecayToo) {
  EXPECT_DOUBLE_EQ(decayed_weight(-8, 0, 2 * kDay, half_life(kDay)), -2.0);
}

// --------------------------------------------------------------------- Intent

TEST(Intent, EmptyIntentHasNoEventsAndNoValue) {
  Intent intent;
  EXPECT_FALSE(intent.has_events);
  EXPECT_EQ(intent.value, 0.0);
  EXPECT_EQ(intent.value_at(0, half_life(kDay)), 0.0);
  EXPECT_EQ(intent.value_at(kJan2024, half_life(kDay)), 0.0);
}

TEST(Intent, FirstEventSetsValueAndTime) {
  Intent intent;
  intent.add(30, kJan2024, half_life(kDay));
  EXPECT_TRUE(intent.has_events);
  EXPECT_EQ(intent.value, 30.0);
  EXPECT_EQ(intent.at, kJan2024);
}

TEST(Intent, FirstEventMayBeBeforeTheEpoch) {
  Intent intent;
  intent.add(30, -kDay, half_life(kDay));
  EXPECT_EQ(intent.at, -kDay);
  EXPECT_EQ(intent.value, 30.0);
}

TEST(Intent, NewerEventDecaysTheOldValueAndMovesAtForward) {
  Intent intent;
  intent.add(40, 0, half_life(kDay));
  intent.add(10, 2 * kDay, half_life(kDay));
  EXPECT_EQ(intent.at, 2 * kDay);
  EXPECT_DOUBLE_EQ(intent.value, 40 * 0.25 + 10); // 20
}

TEST(Intent, OlderEventIsAddedDecayedAndKeepsAt) {
  Intent intent;
  intent.add(10, 2 * kDay, half_life(kDay));
  intent.add(40, 0, half_life(kDay));
  EXPECT_EQ(intent.at, 2 * kDay);
  EXPECT_DOUBLE_EQ(intent.value, 20.0);
}

TEST(Intent, SimultaneousEventsAddUp) {
  Intent intent;
  intent.add(10, kJan2024, half_life(kDay));
  intent.add(15, kJan2024, half_life(kDay));
  EXPECT_EQ(intent.at, kJan2024);
  EXPECT_EQ(intent.value, 25.0);
}

TEST(Intent, WithoutDecayIsAPlainSum) {
  Intent intent = fold({{5, 10 * kDay}, {7, 0}, {11, 400 * kDay}, {-2, 3 * kDay}}, no_decay());
  EXPECT_EQ(intent.value, 21.0);
  EXPECT_EQ(intent.at, 400 * kDay);
}

TEST(Intent, AddIsOrderIndependentOverAllPermutations) {
  const DecayConfig cfg = half_life(3 * kDay / 2); // 1.5 days: not a power of two
  const std::vector<WeightedEvent> events = {
      {10, kJan2024},
      {25.5, kJan2024 + 5 * kDay + 17},
      {3, kJan2024 + kDay},
      {40, kJan2024 + 3 * kDay + 7 * kHour},
      {7, kJan2024 + 3 * kDay + 7 * kHour}, // same time as the previous one
  };
  const double expected = reference_sum(events, cfg);
  const Micros latest = kJan2024 + 5 * kDay + 17;

  std::array<size_t, 5> order = {0, 1, 2, 3, 4};
  int permutations = 0;
  do {
    std::vector<WeightedEvent> permuted;
    for (size_t i : order)
      permuted.push_back(events[i]);
    Intent intent = fold(permuted, cfg);
    EXPECT_EQ(intent.at, latest);
    expect_relatively_near(intent.value, expected);
    permutations++;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(permutations, 120);
}

TEST(Intent, LateEventsGiveTheSameResultAsInOrderEvents) {
  const DecayConfig cfg = half_life(7 * kDay);
  const std::vector<WeightedEvent> in_order = {
      {20, kJan2024}, {5, kJan2024 + kDay}, {12, kJan2024 + 9 * kDay}, {30, kJan2024 + 20 * kDay}};
  // The same events, the two earliest arriving after the latest one.
  const std::vector<WeightedEvent> late = {in_order[2], in_order[3], in_order[0], in_order[1]};
  // Newest first.
  const std::vector<WeightedEvent> reversed = {in_order[3], in_order[2], in_order[1], in_order[0]};

  Intent a = fold(in_order, cfg), b = fold(late, cfg), c = fold(reversed, cfg);
  expect_relatively_near(b.value, a.value);
  expect_relatively_near(c.value, a.value);
  EXPECT_EQ(a.at, kJan2024 + 20 * kDay);
  EXPECT_EQ(b.at, a.at);
  EXPECT_EQ(c.at, a.at);
}

TEST(Intent, HandComputedValueWithWholeHalfLives) {
  // 80 at day 0, 40 at day 1, 100 at day 3, half-life one day:
  // at day 3: 80/8 + 40/4 + 100 = 10 + 10 + 100 = 120.
  const DecayConfig cfg = half_life(kDay);
  Intent forward = fold({{80, 0}, {40, kDay}, {100, 3 * kDay}}, cfg);
  Intent backward = fold({{100, 3 * kDay}, {40, kDay}, {80, 0}}, cfg);
  EXPECT_DOUBLE_EQ(forward.value, 120.0);
  EXPECT_DOUBLE_EQ(backward.value, 120.0);
}

TEST(Intent, ValueAtDecaysForward) {
  const DecayConfig cfg = half_life(kDay);
  Intent intent;
  intent.add(80, kJan2024 + kDay, cfg);
  EXPECT_DOUBLE_EQ(intent.value_at(kJan2024 + kDay, cfg), 80.0);
  EXPECT_DOUBLE_EQ(intent.value_at(kJan2024 + 2 * kDay, cfg), 40.0);
  EXPECT_DOUBLE_EQ(intent.value_at(kJan2024 + 3 * kDay, cfg), 20.0);
  // value_at does not change the stored state.
  EXPECT_EQ(intent.value, 80.0);
  EXPECT_EQ(intent.at, kJan2024 + kDay);
}

TEST(Intent, ValueAtAgreesWithAddingAZeroWeightEvent) {
  const DecayConfig cfg = half_life(5 * kDay);
  Intent intent = fold({{13, kJan2024}, {29, kJan2024 + 2 * kDay}}, cfg);
  Intent moved = intent;
  moved.add(0, kJan2024 + 11 * kDay + 3, cfg);
  expect_relatively_near(intent.value_at(kJan2024 + 11 * kDay + 3, cfg), moved.value);
}

TEST(Intent, ValueAtBeforeAtReturnsTheStoredValue) {
  const DecayConfig cfg = half_life(kDay);
  Intent intent;
  intent.add(80, 10 * kDay, cfg);
  EXPECT_EQ(intent.value_at(5 * kDay, cfg), 80.0);
}

TEST(Intent, ValueAtWithoutDecayIsConstant) {
  Intent intent;
  intent.add(80, 0, no_decay());
  EXPECT_EQ(intent.value_at(1000 * kDay, no_decay()), 80.0);
}

// PostgreSQL's timestamptz range, 4714-11-24 BC to 294276 AD: its two ends
// are further apart than int64 can count (found by the decay fuzzer, where
// the subtraction overflowed and the weight came out infinite).
constexpr Micros kMinTimestamp = -211813488000000000;
constexpr Micros kMaxTimestamp = 9223371331200000000 - 1;

TEST(Decay, SpanWiderThanInt64DecaysToZero) {
  const DecayConfig cfg = half_life(kDay);
  EXPECT_EQ(decayed_weight(60, kMinTimestamp, kMaxTimestamp, cfg), 0.0);
  EXPECT_EQ(decayed_weight(60, kMaxTimestamp, kMinTimestamp, cfg), 0.0);
  EXPECT_EQ(decayed_weight(60, kMaxTimestamp, kMaxTimestamp, cfg), 60.0);
}

TEST(Intent, EventsAtBothEndsOfTimeStayFinite) {
  const DecayConfig cfg = half_life(kDay);
  for (bool oldest_first : {true, false}) {
    Intent intent;
    intent.add(60, oldest_first ? kMinTimestamp : kMaxTimestamp, cfg);
    intent.add(50, oldest_first ? kMaxTimestamp : kMinTimestamp, cfg);
    EXPECT_EQ(intent.at, kMaxTimestamp);
    // Only the latest event counts: the other is 2^64 µs older.
    EXPECT_EQ(intent.value, oldest_first ? 50.0 : 60.0);
  }
  Intent old;
  old.add(60, kMinTimestamp, cfg);
  EXPECT_EQ(old.value_at(kMaxTimestamp, cfg), 0.0);
}

TEST(Intent, HugeHalfLifeAcrossAllTimeStillDecays) {
  // 2^62 µs (146,000 years): the span is about two half-lives.
  const DecayConfig cfg = half_life(Micros(1) << 62);
  double w = decayed_weight(1, kMinTimestamp, kMaxTimestamp, cfg);
  EXPECT_GT(w, 0.2);
  EXPECT_LT(w, 0.25);
}

} // namespace
} // namespace mql
