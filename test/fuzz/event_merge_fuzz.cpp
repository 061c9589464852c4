// Fuzzes the k-way merge of sorted event runs (EventMerge), as a bulk
// statement's sort uses it: events split into runs, each sorted, read back
// in blocks of any size.
//
// Input: whitespace-separated integers: the number of runs (1-64), the
// block size (1-64), then up to 4096 "lead_id occurred event_id" triples
// (int64, extremes included). Event i goes to run i mod runs.
// Checks: the merge gives every event exactly once, in exactly the order
// sort_events gives the whole set, and asks each run for a block only
// while it has events left, never again once refill said it was done.
#include "event_merge.hpp"
#include "fuzz_input.hpp"

#include <algorithm>
#include <vector>

using namespace mql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::TextInput in(data, size);
  int k = int(std::clamp<int64_t>(in.integer(), 1, 64));
  size_t block = size_t(std::clamp<int64_t>(in.integer(), 1, 64));
  std::vector<Event> events = fuzz::read_events<Event>(in, 4096);
  std::vector<std::vector<Event>> runs(k);
  for (size_t i = 0; i < events.size(); i++)
    runs[i % k].push_back(events[i]);
  for (auto &r : runs)
    sort_events(r.data(), r.size());

  std::vector<size_t> taken(k, 0);
  std::vector<bool> done(k, false);
  std::vector<RunBlock> blocks(k);
  auto refill = [&](int run, RunBlock &b) {
    FUZZ_CHECK(run >= 0 && run < k && !done[run]);
    size_t from = taken[run], n = std::min(block, runs[run].size() - from);
    b = RunBlock{runs[run].data() + from, runs[run].data() + from + n};
    taken[run] += n;
    if (n == 0) done[run] = true;
    return n > 0;
  };
  for (int i = 0; i < k; i++)
    refill(i, blocks[i]);
  std::vector<int> heap(k);
  EventMerge merge(blocks.data(), heap.data(), k);

  std::vector<Event> want = events;
  sort_events(want.data(), want.size());
  size_t i = 0;
  Event e;
  while (merge.pop(e, refill)) {
    FUZZ_CHECK(i < want.size());
    // Ties in (lead_id, occurred, event_id) may come in either order.
    FUZZ_CHECK(!event_before(e, want[i]) && !event_before(want[i], e));
    i++;
  }
  FUZZ_CHECK(i == want.size());
  for (int r = 0; r < k; r++)
    FUZZ_CHECK(taken[r] == runs[r].size());
  return 0;
}
