// Sorting a large statement's events by (lead_id, occurred_at, event_id)
// within work_mem: runs of events are sorted in memory (radix_sort_events,
// with scratch space as large as the run) and, past the first, spilled to
// a temporary file, then merged back (EventMerge). Fixed-size Event
// records instead of tuples: no per-event allocation, no comparator calls
// through fmgr.
#pragma once

#include "pg.hpp"

extern "C" {
#include "storage/buffile.h"
}

#include "event_merge.hpp"

namespace mql::pg {

class EventSort {
public:
  // Starts an empty sort whose runs take at most mem_bytes; its memory is
  // allocated in the current memory context, its file (if any) belongs to
  // the current resource owner, which closes it if the transaction aborts.
  void begin(size_t mem_bytes);
  void put(const Event &e);
  // Ends the input: sorts what is in memory, or prepares the merge.
  void finish();
  // The next event in order; false when none are left.
  bool next(Event &e);
  // Frees the memory and closes the file.
  void end();

private:
  struct Run {
    int fileno;
    off_t offset;
    size_t left;
  };
  void sort_buffer();
  void spill();
  bool refill(int run, RunBlock &block);

  Event *buf_ = nullptr; // the run being filled; all events while in memory
  size_t cap_ = 0;       // the most events a run holds (half of work_mem)
  size_t size_ = 0;      // the events buf_ has room for now
  size_t n_ = 0, pos_ = 0;
  Event *scratch_ = nullptr; // the radix sort's, while runs are sorted
  size_t scratch_size_ = 0;
  BufFile *file_ = nullptr;
  Run *runs_ = nullptr;
  int nruns_ = 0, runs_cap_ = 0;
  Event *block_mem_ = nullptr; // one block of `block_` events per run
  size_t block_ = 0;
  RunBlock *blocks_ = nullptr;
  int *heap_ = nullptr;
  EventMerge *merge_ = nullptr;
};

} // namespace mql::pg
