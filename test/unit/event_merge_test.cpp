// The k-way merge of sorted event runs (core/event_merge.hpp).
#include "event_merge.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace mql {
namespace {

// Splits events into k runs (each sorted), merges them reading each run in
// blocks of `block` events, and returns the merged order.
std::vector<Event> merge_in_blocks(const std::vector<Event> &events, int k, size_t block) {
  std::vector<std::vector<Event>> runs(k);
  for (size_t i = 0; i < events.size(); i++)
    runs[i % k].push_back(events[i]);
  for (auto &r : runs)
    sort_events(r.data(), r.size());
  std::vector<size_t> taken(k, 0);
  std::vector<RunBlock> blocks(k);
  auto refill = [&](int run, RunBlock &b) {
    size_t from = taken[run], n = std::min(block, runs[run].size() - from);
    b.next = runs[run].data() + from;
    b.end = b.next + n;
    taken[run] += n;
    return n > 0;
  };
  for (int i = 0; i < k; i++)
    refill(i, blocks[i]);
  std::vector<int> heap(k);
  EventMerge merge(blocks.data(), heap.data(), k);
  std::vector<Event> out;
  Event e;
  while (merge.pop(e, refill))
    out.push_back(e);
  return out;
}

std::vector<Event> random_events(size_t n, unsigned seed, int leads, int times) {
  std::mt19937_64 rng(seed);
  std::vector<Event> v(n);
  for (size_t i = 0; i < n; i++) {
    v[i].lead_id = (int64_t)(rng() % leads);
    v[i].occurred = (Micros)(rng() % times);
    v[i].event_id = (int64_t)i;
    v[i].weight = (double)(rng() % 100);
  }
  return v;
}

bool same_order(const std::vector<Event> &a, const std::vector<Event> &b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (a[i].lead_id != b[i].lead_id || a[i].occurred != b[i].occurred ||
        a[i].event_id != b[i].event_id || a[i].weight != b[i].weight)
      return false;
  return true;
}

TEST(EventMerge, GivesSortEventsOrderForAnyRunsAndBlocks) {
  for (int k : {1, 2, 3, 7, 64})
    for (size_t block : {1, 2, 5, 1000})
      for (unsigned seed : {1u, 2u}) {
        std::vector<Event> events = random_events(3000, seed, 50, 20);
        std::vector<Event> want = events;
        sort_events(want.data(), want.size());
        EXPECT_TRUE(same_order(merge_in_blocks(events, k, block), want))
            << "k=" << k << " block=" << block << " seed=" << seed;
      }
}

TEST(EventMerge, TiesBrokenByOccurredThenEventId) {
  std::vector<Event> events = {{5, 10, 3, 1}, {5, 10, 1, 2}, {5, 9, 7, 3}, {4, 99, 9, 4}};
  std::vector<Event> merged = merge_in_blocks(events, 2, 1);
  ASSERT_EQ(merged.size(), 4u);
  EXPECT_EQ(merged[0].event_id, 9);
  EXPECT_EQ(merged[1].event_id, 7);
  EXPECT_EQ(merged[2].event_id, 1);
  EXPECT_EQ(merged[3].event_id, 3);
}

TEST(EventMerge, EmptyRunsAndNoRuns) {
  std::vector<RunBlock> blocks(3);
  std::vector<int> heap(3);
  EventMerge merge(blocks.data(), heap.data(), 3);
  Event e;
  EXPECT_FALSE(merge.pop(e, [](int, RunBlock &) { return false; }));
  EventMerge none(nullptr, nullptr, 0);
  EXPECT_FALSE(none.pop(e, [](int, RunBlock &) { return false; }));
  // One event in the middle run, the others empty.
  Event one{1, 2, 3, 4};
  blocks[1] = RunBlock{&one, &one + 1};
  EventMerge single(blocks.data(), heap.data(), 3);
  ASSERT_TRUE(single.pop(e, [](int, RunBlock &) { return false; }));
  EXPECT_EQ(e.event_id, 3);
  EXPECT_FALSE(single.pop(e, [](int, RunBlock &) { return false; }));
}

TEST(EventMerge, ARefillThatReturnsAnEmptyBlockEndsTheRun) {
  std::vector<Event> a = {{1, 1, 1, 0}, {3, 1, 3, 0}}, b = {{2, 1, 2, 0}};
  RunBlock blocks[2] = {{a.data(), a.data() + 1}, {b.data(), b.data() + 1}};
  int heap[2];
  bool a_refilled = false;
  auto refill = [&](int run, RunBlock &blk) {
    if (run == 0 && !a_refilled) {
      a_refilled = true;
      blk = RunBlock{a.data() + 1, a.data() + 2};
      return true;
    }
    blk = RunBlock{nullptr, nullptr};
    return run == 1; // claims more but gives none: must still end the run
  };
  EventMerge merge(blocks, heap, 2);
  std::vector<int64_t> ids;
  Event e;
  while (merge.pop(e, refill))
    ids.push_back(e.event_id);
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2, 3}));
}

} // namespace
} // namespace mql
