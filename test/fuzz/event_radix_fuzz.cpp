// Fuzzes the radix sort of a run of events (radix_sort_events) against the
// comparison sort (sort_events).
//
// Input: whitespace-separated "lead_id occurred event_id" triples (int64,
// extremes included), up to 4096 events.
// Checks: both sorts give the same sequence of events, ties in
// (lead_id, occurred, event_id) included: those are kept in input order by
// neither, so only their keys are compared.
#include "event_radix.hpp"
#include "fuzz_input.hpp"

#include <vector>

using namespace mql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::TextInput in(data, size);
  std::vector<Event> events = fuzz::read_events<Event>(in, 4096);
  std::vector<Event> want = events, got = events, scratch(events.size());
  sort_events(want.data(), want.size());
  radix_sort_events(got.data(), got.size(), scratch.data());

  std::vector<bool> seen(events.size(), false);
  for (size_t i = 0; i < got.size(); i++) {
    FUZZ_CHECK(got[i].lead_id == want[i].lead_id);
    FUZZ_CHECK(got[i].occurred == want[i].occurred);
    FUZZ_CHECK(got[i].event_id == want[i].event_id);
    size_t id = size_t(got[i].weight);
    FUZZ_CHECK(id < events.size() && !seen[id]);
    seen[id] = true;
    const Event &orig = events[id];
    FUZZ_CHECK(orig.lead_id == got[i].lead_id && orig.occurred == got[i].occurred &&
               orig.event_id == got[i].event_id);
  }
  return 0;
}
