// Micro-benchmarks of the stage machine: parse_stage runs for every mql.stage
// value typed in SQL (the type's input function), stage_name for every value
// printed, can_transition for every stage change.
#include "stage.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <string_view>

namespace {

using namespace mql;

// The canonical names: the common case of the type's input function.
void BM_ParseStageCanonical(benchmark::State &state) {
  constexpr std::array<std::string_view, 7> kTexts = {
      "lead", "mql", "sql", "opportunity", "customer", "recycled", "disqualified"};
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(parse_stage(kTexts[i]));
    i = (i + 1) % kTexts.size();
  }
}
BENCHMARK(BM_ParseStageCanonical);

// The slow path: a long form with mixed case, separators and padding.
void BM_ParseStageLongForm(benchmark::State &state) {
  std::string_view text = "  Marketing_Qualified-Lead  ";
  for (auto _ : state) {
    benchmark::DoNotOptimize(text);
    benchmark::DoNotOptimize(parse_stage(text));
  }
}
BENCHMARK(BM_ParseStageLongForm);

// Text that is no stage: what the input function rejects.
void BM_ParseStageInvalid(benchmark::State &state) {
  std::string_view text = "qualified";
  for (auto _ : state) {
    benchmark::DoNotOptimize(text);
    benchmark::DoNotOptimize(parse_stage(text));
  }
}
BENCHMARK(BM_ParseStageInvalid);

void BM_StageName(benchmark::State &state) {
  uint8_t code = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(stage_name(Stage(code)));
    code = uint8_t((code + 1) % kStageCount);
  }
}
BENCHMARK(BM_StageName);

// All 49 (from, to) pairs per iteration, so the result is per 49 checks.
void BM_CanTransitionAllPairs(benchmark::State &state) {
  for (auto _ : state) {
    int allowed = 0;
    for (int f = 0; f < kStageCount; f++)
      for (int t = 0; t < kStageCount; t++) {
        Stage from = Stage(f), to = Stage(t);
        benchmark::DoNotOptimize(from);
        allowed += can_transition(from, to);
      }
    benchmark::DoNotOptimize(allowed);
  }
  state.SetItemsProcessed(state.iterations() * kStageCount * kStageCount);
}
BENCHMARK(BM_CanTransitionAllPairs);

} // namespace
