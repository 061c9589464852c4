#include "event_merge.hpp"

#include "cpp_only.hpp"

namespace mql {

EventMerge::EventMerge(RunBlock *blocks, int *heap, int k) noexcept : blocks_(blocks), heap_(heap) {
  for (int i = 0; i < k; i++)
    if (blocks[i].next != blocks[i].end) heap_[size_++] = i;
  for (int i = size_ / 2 - 1; i >= 0; i--)
    sift_down(i);
}

// Moves heap_[pos] down until neither child comes before it.
void EventMerge::sift_down(int pos) noexcept {
  int run = heap_[pos];
  for (;;) {
    int child = 2 * pos + 1;
    if (child >= size_) break;
    if (child + 1 < size_ && less(heap_[child + 1], heap_[child])) child++;
    if (!less(heap_[child], run)) break;
    heap_[pos] = heap_[child];
    pos = child;
  }
  heap_[pos] = run;
}

} // namespace mql
