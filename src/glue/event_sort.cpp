#include "event_sort.hpp"

#include "event_radix.hpp"

#include <algorithm>
#include <new>

namespace mql::pg {

namespace {
// The fewest events a merge reads from a run at a time.
constexpr size_t kMinBlock = 256;
// The fewest events a run holds, whatever work_mem says.
constexpr size_t kMinRun = 1024;
// The most events the run buffer holds at first (2.5 MB).
constexpr size_t kFirstBuffer = 65536;
} // namespace

void EventSort::begin(size_t mem_bytes) {
  // A run and the radix sort's scratch space of the same size.
  cap_ = std::max(kMinRun, mem_bytes / (2 * sizeof(Event)));
  // The buffer grows to cap_ as events come, so that a large work_mem is
  // not taken whole by a statement that needs a fraction of it.
  size_ = std::min(cap_, kFirstBuffer);
  buf_ = (Event *)palloc_extended(sizeof(Event) * size_, MCXT_ALLOC_HUGE);
  n_ = pos_ = 0;
  scratch_ = nullptr;
  scratch_size_ = 0;
  file_ = nullptr;
  runs_ = nullptr;
  nruns_ = runs_cap_ = 0;
  block_mem_ = nullptr;
  blocks_ = nullptr;
  heap_ = nullptr;
  merge_ = nullptr;
}

// Sorts the events in buf_, with scratch space as large as buf_ (kept from
// one run to the next).
void EventSort::sort_buffer() {
  if (scratch_size_ < n_) {
    if (scratch_ != nullptr) pfree(scratch_);
    scratch_ = (Event *)palloc_extended(sizeof(Event) * size_, MCXT_ALLOC_HUGE);
    scratch_size_ = size_;
  }
  radix_sort_events(buf_, n_, scratch_);
}

// Sorts the events in memory and appends them to the file as one run.
void EventSort::spill() {
  if (file_ == nullptr) file_ = BufFileCreateTemp(false);
  if (nruns_ == runs_cap_) {
    runs_cap_ = runs_cap_ == 0 ? 16 : runs_cap_ * 2;
    runs_ = runs_ == nullptr ? (Run *)palloc(sizeof(Run) * runs_cap_)
                             : (Run *)repalloc(runs_, sizeof(Run) * runs_cap_);
  }
  sort_buffer();
  Run &r = runs_[nruns_++];
  BufFileTell(file_, &r.fileno, &r.offset);
  r.left = n_;
  BufFileWrite(file_, buf_, sizeof(Event) * n_);
  n_ = 0;
}

void EventSort::put(const Event &e) {
  if (n_ == size_) {
    if (size_ < cap_) {
      size_ = std::min(size_ * 2, cap_);
      buf_ = (Event *)repalloc_huge(buf_, sizeof(Event) * size_);
    } else {
      spill();
    }
  }
  buf_[n_++] = e;
}

void EventSort::finish() {
  if (file_ == nullptr) { // everything fits in memory
    sort_buffer();
    pos_ = 0;
  } else if (n_ > 0) {
    spill();
  }
  if (scratch_ != nullptr) pfree(scratch_);
  scratch_ = nullptr;
  if (file_ == nullptr) return;
  pfree(buf_);
  buf_ = nullptr;
  // The merge reads each run in blocks that together take about what one
  // run took.
  block_ = std::max(kMinBlock, cap_ / nruns_);
  block_mem_ = (Event *)palloc_extended(sizeof(Event) * block_ * nruns_, MCXT_ALLOC_HUGE);
  blocks_ = (RunBlock *)palloc(sizeof(RunBlock) * nruns_);
  heap_ = (int *)palloc(sizeof(int) * nruns_);
  for (int i = 0; i < nruns_; i++)
    refill(i, blocks_[i]);
  merge_ = new (palloc(sizeof(EventMerge))) EventMerge(blocks_, heap_, nruns_);
}

// Reads run `run`'s next block from the file; false when the run is done.
bool EventSort::refill(int run, RunBlock &block) {
  Run &r = runs_[run];
  if (r.left == 0) return false;
  size_t n = std::min(block_, r.left);
  Event *dst = block_mem_ + (size_t)run * block_;
  if (BufFileSeek(file_, r.fileno, r.offset, SEEK_SET) != 0 ||
      BufFileRead(file_, dst, sizeof(Event) * n) != sizeof(Event) * n)
    ereport(ERROR, (errcode_for_file_access(),
                    errmsg("could not read the temporary file of pg_mql's event sort")));
  BufFileTell(file_, &r.fileno, &r.offset);
  r.left -= n;
  block = RunBlock{dst, dst + n};
  return true;
}

bool EventSort::next(Event &e) {
  if (merge_ == nullptr) {
    if (pos_ == n_) return false;
    e = buf_[pos_++];
    return true;
  }
  return merge_->pop(e, [this](int run, RunBlock &block) { return refill(run, block); });
}

void EventSort::end() {
  if (file_ != nullptr) BufFileClose(file_);
  file_ = nullptr;
  if (buf_ != nullptr) pfree(buf_);
  if (scratch_ != nullptr) pfree(scratch_);
  if (block_mem_ != nullptr) pfree(block_mem_);
  if (blocks_ != nullptr) pfree(blocks_);
  if (heap_ != nullptr) pfree(heap_);
  if (runs_ != nullptr) pfree(runs_);
  if (merge_ != nullptr) pfree(merge_);
  buf_ = scratch_ = block_mem_ = nullptr;
  blocks_ = nullptr;
  heap_ = nullptr;
  runs_ = nullptr;
  merge_ = nullptr;
}

} // namespace mql::pg
