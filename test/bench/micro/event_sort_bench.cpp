// Micro-benchmarks of a bulk statement's event sort: sorting a run
// (radix_sort_events, against the comparison sort sort_events) and the
// k-way merge of sorted runs (EventMerge), per event.
#include "event_merge.hpp"
#include "event_radix.hpp"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

namespace {

using namespace mql;

// n events over n / 10 leads in random order, as a COPY brings them.
std::vector<Event> random_events(size_t n) {
  std::mt19937_64 rng(42);
  std::vector<Event> v(n);
  for (size_t i = 0; i < n; i++) {
    v[i].lead_id = static_cast<int64_t>(rng() % (n / 10 + 1));
    v[i].occurred = static_cast<Micros>(rng() % (INT64_C(90) * 86400 * 1000000));
    v[i].event_id = static_cast<int64_t>(i);
    v[i].weight = 1;
  }
  return v;
}

// Sorting a run of state.range(0) events, as a bulk statement's EventSort
// does (a run takes half of work_mem: 50,000 events of 40 bytes with the
// default 4 MB), by radix_sort_events (state.range(1) = 1) or, for
// comparison, sort_events (0); the copy back to unsorted order each
// iteration is part of the time.
void BM_SortRun(benchmark::State &state) {
  const std::vector<Event> pristine = random_events(size_t(state.range(0)));
  const bool radix = state.range(1) != 0;
  std::vector<Event> ev(pristine.size()), scratch(pristine.size());
  for (auto _ : state) {
    ev = pristine;
    if (radix)
      radix_sort_events(ev.data(), ev.size(), scratch.data());
    else
      sort_events(ev.data(), ev.size());
    benchmark::DoNotOptimize(ev.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SortRun)->ArgsProduct({{1000, 50000, 100000}, {1, 0}});

// Merging state.range(0) sorted runs of 100,000 events each, read in one
// block per run.
void BM_MergeRuns(benchmark::State &state) {
  const int k = static_cast<int>(state.range(0));
  const size_t per_run = 100000;
  std::vector<std::vector<Event>> runs;
  std::vector<Event> all = random_events(per_run * k);
  for (int i = 0; i < k; i++) {
    runs.emplace_back(all.begin() + i * per_run, all.begin() + (i + 1) * per_run);
    sort_events(runs.back().data(), per_run);
  }
  std::vector<RunBlock> blocks(k);
  std::vector<int> heap(k);
  auto no_more = [](int, RunBlock &) { return false; };
  for (auto _ : state) {
    for (int i = 0; i < k; i++)
      blocks[i] = RunBlock{runs[i].data(), runs[i].data() + per_run};
    EventMerge merge(blocks.data(), heap.data(), k);
    Event e;
    while (merge.pop(e, no_more))
      benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(per_run) * k);
}
BENCHMARK(BM_MergeRuns)->Arg(2)->Arg(10)->Arg(100);

} // namespace
