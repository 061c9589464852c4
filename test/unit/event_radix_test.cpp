// The radix sort of a run of events (core/event_radix.hpp): the same order
// as sort_events, whatever the ids' range and the events per lead.
#include "event_radix.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace mql {
namespace {

// n events with lead ids from pick_lead(rng), times within 90 days,
// distinct event ids in shuffled order; weight identifies the event.
template <typename PickLead> std::vector<Event> make_events(size_t n, PickLead pick_lead) {
  std::mt19937_64 rng(7);
  std::vector<Event> v(n);
  for (size_t i = 0; i < n; i++) {
    v[i].lead_id = pick_lead(rng);
    v[i].occurred = static_cast<Micros>(rng() % (INT64_C(90) * 86400 * 1000000));
    v[i].event_id = static_cast<int64_t>(rng() >> 1);
    v[i].weight = static_cast<double>(i);
    v[i].touch = (i % 3) == 0;
  }
  return v;
}

// Sorts a copy of events both ways and expects the same sequence.
void expect_same_as_sort_events(const std::vector<Event> &events) {
  std::vector<Event> want = events, got = events, scratch(events.size());
  sort_events(want.data(), want.size());
  radix_sort_events(got.data(), got.size(), scratch.data());
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); i++) {
    ASSERT_EQ(got[i].lead_id, want[i].lead_id) << i;
    ASSERT_EQ(got[i].occurred, want[i].occurred) << i;
    ASSERT_EQ(got[i].event_id, want[i].event_id) << i;
    ASSERT_EQ(got[i].weight, want[i].weight) << i;
    ASSERT_EQ(got[i].touch, want[i].touch) << i;
  }
}

TEST(RadixSortEvents, MatchesSortEventsOnABulkRun) {
  // A run of work_mem's worth: 100,000 events over 10,000 leads.
  expect_same_as_sort_events(
      make_events(100000, [](std::mt19937_64 &r) { return static_cast<int64_t>(r() % 10000); }));
}

TEST(RadixSortEvents, MatchesSortEventsOnIdsSpanningAllSixtyFourBits) {
  auto extremes = [](std::mt19937_64 &r) {
    switch (r() % 4) {
    case 0: return std::numeric_limits<int64_t>::min();
    case 1: return std::numeric_limits<int64_t>::max();
    default: return static_cast<int64_t>(r());
    }
  };
  expect_same_as_sort_events(make_events(5000, extremes));
}

TEST(RadixSortEvents, MatchesSortEventsOnNegativeIds) {
  expect_same_as_sort_events(
      make_events(3000, [](std::mt19937_64 &r) { return -static_cast<int64_t>(r() % 500); }));
}

TEST(RadixSortEvents, OrdersOneLeadWithManyEvents) {
  // One lead: no radix pass; its events past the insertion sort's limit.
  expect_same_as_sort_events(make_events(2000, [](std::mt19937_64 &) { return INT64_C(42); }));
  // A few leads of hundreds of events each.
  expect_same_as_sort_events(
      make_events(2000, [](std::mt19937_64 &r) { return static_cast<int64_t>(r() % 5); }));
}

TEST(RadixSortEvents, OrdersTiesWithinALeadByOccurredThenEventId) {
  std::vector<Event> v =
      make_events(500, [](std::mt19937_64 &r) { return static_cast<int64_t>(r() % 50); });
  for (size_t i = 0; i < v.size(); i++)
    v[i].occurred = static_cast<Micros>(i % 3); // many equal times
  expect_same_as_sort_events(v);
}

TEST(RadixSortEvents, HandlesSortedReversedSmallAndEmptyInput) {
  std::vector<Event> v =
      make_events(1000, [](std::mt19937_64 &r) { return static_cast<int64_t>(r() % 300); });
  sort_events(v.data(), v.size());
  expect_same_as_sort_events(v);
  std::vector<Event> reversed(v.rbegin(), v.rend());
  expect_same_as_sort_events(reversed);
  expect_same_as_sort_events(std::vector<Event>(v.begin(), v.begin() + 63)); // below the radix
  expect_same_as_sort_events(std::vector<Event>(v.begin(), v.begin() + 64));
  expect_same_as_sort_events(std::vector<Event>(v.begin(), v.begin() + 1));
  radix_sort_events(nullptr, 0, nullptr);
}

} // namespace
} // namespace mql
