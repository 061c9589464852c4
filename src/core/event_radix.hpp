// Sorting a run of a bulk statement's events: a radix sort on lead_id,
// several times faster than a comparison sort on the tens of thousands of
// events a run holds. Pure: the caller owns all storage.
#pragma once

#include "qualify.hpp"

namespace mql {

// Sorts events by event_before, the order sort_events gives. scratch has
// room for n events; what it holds afterwards is undefined. Below a few
// dozen events it is sort_events.
void radix_sort_events(Event *events, size_t n, Event *scratch) noexcept;

} // namespace mql
