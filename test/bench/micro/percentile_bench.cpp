// Micro-benchmarks of the BI views' percentile: the final function of
// mql.percentile_hours nets its rows with merge_weighted, then calls
// weighted_percentile, once per group a view returns.
#include "percentile.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

namespace {

using namespace mql;

// `n` histogram rows in no particular order, values (hours) drawn from
// [0, distinct), counts 1..100, as rollup rows arrive at the aggregate.
std::vector<WeightedValue> histogram(size_t n, int64_t distinct, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<WeightedValue> v(n);
  for (auto &w : v)
    w = WeightedValue{int64_t(rng() % uint64_t(distinct)), int64_t(rng() % 100 + 1)};
  return v;
}

// The copy back to the unsorted rows each iteration is part of the time.
void BM_WeightedPercentile(benchmark::State &state) {
  const auto pristine = histogram(size_t(state.range(0)), 1'000'000, 7);
  std::vector<WeightedValue> v(pristine.size());
  for (auto _ : state) {
    v = pristine;
    benchmark::DoNotOptimize(weighted_percentile(v.data(), v.size(), 0.5));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_WeightedPercentile)->Arg(100)->Arg(10000);

// Already sorted and netted: what a second fraction over the same state costs.
void BM_WeightedPercentileSorted(benchmark::State &state) {
  auto v = histogram(size_t(state.range(0)), 1'000'000, 7);
  size_t n = v.size();
  merge_weighted(v.data(), n);
  for (auto _ : state) {
    benchmark::DoNotOptimize(weighted_percentile(v.data(), n, 0.9));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_WeightedPercentileSorted)->Arg(100)->Arg(10000);

// Rows of few distinct values (hours up to 30 days) with some subtractions,
// as a rollup with pending deltas gives.
void BM_MergeWeighted(benchmark::State &state) {
  auto pristine = histogram(size_t(state.range(0)), 720, 11);
  for (size_t i = 0; i < pristine.size(); i += 7)
    pristine[i].count = -pristine[i].count;
  std::vector<WeightedValue> v(pristine.size());
  for (auto _ : state) {
    v = pristine;
    size_t n = v.size();
    benchmark::DoNotOptimize(merge_weighted(v.data(), n));
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MergeWeighted)->Arg(100)->Arg(10000);

} // namespace
