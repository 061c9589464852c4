// Micro-benchmarks of decay: Intent::add folds every inserted event into its
// lead's stored intent; decayed_weight is mql.decayed(), summed per event by
// mql.explain(), mql.rescore() and the history writer.
#include "decay.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

namespace {

using namespace mql;

constexpr Micros kDay = 86400LL * 1000000;
const DecayConfig kThirtyDays{30 * kDay};

void BM_DecayFactor(benchmark::State &state) {
  Micros dt = 7 * kDay + 12345;
  for (auto _ : state) {
    benchmark::DoNotOptimize(dt);
    benchmark::DoNotOptimize(decay_factor(dt, kThirtyDays));
  }
}
BENCHMARK(BM_DecayFactor);

void BM_DecayedWeight(benchmark::State &state) {
  Micros occurred = 1'700'000'000'000'000, at = occurred + 12 * kDay;
  for (auto _ : state) {
    benchmark::DoNotOptimize(at);
    benchmark::DoNotOptimize(decayed_weight(60.0, occurred, at, kThirtyDays));
  }
}
BENCHMARK(BM_DecayedWeight);

// Folding one lead's events, in time order (each event moves `at` forward)
// or all at the same time as the stored one (no rescaling needed).
void BM_IntentAddInOrder(benchmark::State &state) {
  const int n = 1024;
  std::vector<Micros> times(n);
  for (int i = 0; i < n; i++)
    times[i] = 1'700'000'000'000'000 + i * (kDay / 3);
  for (auto _ : state) {
    Intent intent;
    for (int i = 0; i < n; i++)
      intent.add(10.0 + (i & 7), times[i], kThirtyDays);
    benchmark::DoNotOptimize(intent.value);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_IntentAddInOrder);

void BM_IntentAddLate(benchmark::State &state) {
  const int n = 1024;
  std::vector<Micros> times(n);
  for (int i = 0; i < n; i++)
    times[i] = 1'700'000'000'000'000 - i * (kDay / 3);
  for (auto _ : state) {
    Intent intent;
    for (int i = 0; i < n; i++)
      intent.add(10.0 + (i & 7), times[i], kThirtyDays);
    benchmark::DoNotOptimize(intent.value);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_IntentAddLate);

void BM_IntentValueAt(benchmark::State &state) {
  Intent intent{87.5, 1'700'000'000'000'000, true};
  Micros t = intent.at + 3 * kDay;
  for (auto _ : state) {
    benchmark::DoNotOptimize(t);
    benchmark::DoNotOptimize(intent.value_at(t, kThirtyDays));
  }
}
BENCHMARK(BM_IntentValueAt);

} // namespace
