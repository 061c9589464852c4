#include "event_radix.hpp"

#include <algorithm>
#include <cstring>

// Last: fails the build if anything above pulled in a PostgreSQL header.
#include "cpp_only.hpp"

namespace mql {

namespace {

// Below this many events, the comparison sort is as fast.
constexpr size_t kMinRadix = 64;
// Bits of lead_id sorted per pass: 2,048 counters (16 kB) stay in L1.
constexpr int kDigitBits = 11;
constexpr size_t kBuckets = size_t(1) << kDigitBits;
// A lead with at most this many events is put in order by insertion.
constexpr size_t kMaxInsertion = 32;

// Orders one lead's events (lead_id all equal) by (occurred, event_id).
void sort_one_lead(Event *ev, size_t n) noexcept {
  if (n > kMaxInsertion) {
    sort_events(ev, n);
    return;
  }
  for (size_t i = 1; i < n; i++) {
    Event e = ev[i];
    size_t j = i;
    while (j > 0 && event_before(e, ev[j - 1])) {
      ev[j] = ev[j - 1];
      j--;
    }
    ev[j] = e;
  }
}

} // namespace

// A least-significant-digit radix sort needs one pass per digit, so it
// sorts only the bits in which the lead ids differ: ids relative to the
// smallest, as unsigned. Each pass is stable; the events of each lead are
// then put in order, most leads having a handful.
void radix_sort_events(Event *events, size_t n, Event *scratch) noexcept {
  if (n < kMinRadix) {
    sort_events(events, n);
    return;
  }
  int64_t lo = events[0].lead_id, hi = lo;
  for (size_t i = 1; i < n; i++) {
    lo = std::min(lo, events[i].lead_id);
    hi = std::max(hi, events[i].lead_id);
  }
  const uint64_t base = static_cast<uint64_t>(lo);
  const uint64_t span = static_cast<uint64_t>(hi) - base;
  int bits = 0;
  while (bits < 64 && (span >> bits) != 0)
    bits++;

  Event *src = events, *dst = scratch;
  for (int shift = 0; shift < bits; shift += kDigitBits) {
    size_t count[kBuckets] = {};
    auto digit = [&](const Event &e) {
      return ((static_cast<uint64_t>(e.lead_id) - base) >> shift) & (kBuckets - 1);
    };
    for (size_t i = 0; i < n; i++)
      count[digit(src[i])]++;
    size_t at = 0;
    for (size_t b = 0; b < kBuckets; b++) {
      size_t c = count[b];
      count[b] = at;
      at += c;
    }
    for (size_t i = 0; i < n; i++)
      dst[count[digit(src[i])]++] = src[i];
    std::swap(src, dst);
  }
  if (src != events) std::memcpy(events, src, sizeof(Event) * n);

  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && events[j].lead_id == events[i].lead_id)
      j++;
    sort_one_lead(events + i, j - i);
    i = j;
  }
}

} // namespace mql
