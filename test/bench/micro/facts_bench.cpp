// Micro-benchmarks of a lead's funnel facts: compute_facts and
// for_each_contribution run for every lead whose facts a statement may have
// changed (each qualification, each new lead, each stage change), twice per
// lead for the contributions (the old facts' and the new).
#include "facts.hpp"

#include <benchmark/benchmark.h>

#include <vector>

namespace {

using namespace mql;

constexpr int64_t kHour = INT64_C(3600000000);

// A history of n rows cycling through the funnel with recycles.
std::vector<HistoryEntry> history(size_t n) {
  const Stage cycle[] = {Stage::Lead, Stage::Mql,         Stage::Recycled, Stage::Mql,
                         Stage::Sql,  Stage::Opportunity, Stage::Customer};
  std::vector<HistoryEntry> h(n);
  for (size_t i = 0; i < n; i++)
    h[i] = HistoryEntry{cycle[i % 7], static_cast<int64_t>(i) * 30 * kHour};
  return h;
}

// A lead's history of n rows and the arrays its facts are written to.
struct Lead {
  explicit Lead(size_t n) : h(history(n)), mql(n), entries(n), stays(n), hours(n) {}
  FactsView compute() {
    return compute_facts(0, h.data(), h.size(),
                         FactsBuffers{mql.data(), entries.data(), stays.data(), hours.data()});
  }
  std::vector<HistoryEntry> h;
  std::vector<int64_t> mql;
  std::vector<Stage> entries, stays;
  std::vector<int32_t> hours;
};

// The facts of a lead with a history of state.range(0) rows.
void BM_ComputeFacts(benchmark::State &state) {
  Lead lead(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    FactsView f = lead.compute();
    benchmark::DoNotOptimize(f);
  }
}
BENCHMARK(BM_ComputeFacts)->Arg(1)->Arg(2)->Arg(7);

// Every contribution of such a lead, summed as a caller would (the local
// day is a division: the time zone conversion is PostgreSQL's).
void BM_Contributions(benchmark::State &state) {
  Lead lead(static_cast<size_t>(state.range(0)));
  FactsView f = lead.compute();
  with_touch(f, MaybeTime{true, 40 * kHour});
  for (auto _ : state) {
    int64_t sum = 0;
    for_each_contribution(
        f, [](int64_t t) { return static_cast<int32_t>(t / (24 * kHour)); },
        [&](const Contribution &c) { sum += c.metric + c.period + c.hours; });
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_Contributions)->Arg(1)->Arg(2)->Arg(7);

} // namespace
