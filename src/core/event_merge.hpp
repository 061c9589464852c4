// Merging sorted runs of events into one order: the glue sorts a large
// statement's events run by run within work_mem (sort_events), spills the
// runs to a temporary file, and reads them back through this merge in
// blocks. Pure: the caller owns all storage and does the I/O.
#pragma once

#include "qualify.hpp"

namespace mql {

// The events of one sorted run that are in memory now: [next, end).
struct RunBlock {
  const Event *next = nullptr;
  const Event *end = nullptr;
};

// A k-way merge by a binary min-heap of run numbers, keyed by each run's
// next event. blocks[i] holds run i's current block; heap has room for k
// ints. When a run's block is used up, the merge asks refill(i, blocks[i])
// for the next one; refill returns false once the run is done.
class EventMerge {
public:
  // Every run's first block must already be in blocks (an empty one means
  // an empty run).
  EventMerge(RunBlock *blocks, int *heap, int k) noexcept;

  // Sets out to the next event in order; false when every run is done.
  template <typename Refill> bool pop(Event &out, Refill &&refill) {
    if (size_ == 0) return false;
    int run = heap_[0];
    RunBlock &b = blocks_[run];
    out = *b.next++;
    if (b.next == b.end && !(refill(run, b) && b.next != b.end)) heap_[0] = heap_[--size_];
    if (size_ > 0) sift_down(0);
    return true;
  }

private:
  bool less(int a, int b) const noexcept {
    return event_before(*blocks_[a].next, *blocks_[b].next);
  }
  void sift_down(int pos) noexcept;

  RunBlock *blocks_;
  int *heap_;
  int size_ = 0;
};

} // namespace mql
