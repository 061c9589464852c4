// Micro-benchmarks of qualification as the events trigger runs it: one
// sort_events per statement, apply_events per lead with new events,
// find_crossing per lead that received a late event (over its whole
// history), check_level per lead update outside the events trigger.
#include "qualify.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

namespace {

using namespace mql;

constexpr Micros kHour = 3600LL * 1000000;
constexpr Micros kT0 = 1'700'000'000'000'000;

QualifyConfig config() {
  QualifyConfig cfg;
  cfg.threshold = 100;
  cfg.decay.half_life = 30 * 24 * kHour;
  return cfg;
}

// A statement's events in arrival order: `n` events over n / 10 leads,
// random leads and times, as a batch INSERT or COPY delivers them.
std::vector<Event> statement(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Event> ev(n);
  int64_t leads = int64_t(n / 10 + 1);
  for (size_t i = 0; i < n; i++)
    ev[i] = Event{int64_t(rng() % uint64_t(leads)), kT0 + Micros(rng() % uint64_t(720 * kHour)),
                  int64_t(i + 1), double(rng() % 5) * 10};
  return ev;
}

// Sorting one statement's events by (lead, time, id); the copy back to
// unsorted order each iteration is part of the measured time.
void BM_SortEvents(benchmark::State &state) {
  const auto pristine = statement(size_t(state.range(0)), 1);
  std::vector<Event> ev(pristine.size());
  for (auto _ : state) {
    ev = pristine;
    sort_events(ev.data(), ev.size());
    benchmark::DoNotOptimize(ev.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SortEvents)->Arg(1000)->Arg(100000);

// One lead, `n` new events (sorted) that do not qualify it: the walk runs to
// the end, the common case for a lead that stays below the threshold.
std::vector<Event> lead_events(size_t n, double weight) {
  std::vector<Event> ev(n);
  for (size_t i = 0; i < n; i++)
    ev[i] = Event{42, kT0 + Micros(i) * 6 * kHour, int64_t(i + 1), weight};
  return ev;
}

void BM_ApplyEventsNoCrossing(benchmark::State &state) {
  const auto cfg = config();
  const auto ev = lead_events(size_t(state.range(0)), 1.0);
  LeadState lead;
  lead.fit = 20;
  lead.intent = Intent{30, kT0 - kHour, true};
  for (auto _ : state) {
    benchmark::DoNotOptimize(lead);
    benchmark::DoNotOptimize(apply_events(lead, ev.data(), ev.size(), cfg));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ApplyEventsNoCrossing)->Arg(1)->Arg(10)->Arg(100);

// A lead that is not auto-qualifiable (already an MQL): only the intent fold.
void BM_ApplyEventsNotQualifiable(benchmark::State &state) {
  const auto cfg = config();
  const auto ev = lead_events(size_t(state.range(0)), 1.0);
  LeadState lead;
  lead.stage = Stage::Sql;
  lead.intent = Intent{30, kT0 - kHour, true};
  for (auto _ : state) {
    benchmark::DoNotOptimize(lead);
    benchmark::DoNotOptimize(apply_events(lead, ev.data(), ev.size(), cfg));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ApplyEventsNotQualifiable)->Arg(1)->Arg(10);

// A recycled lead re-judged from its whole history after a late event.
void BM_FindCrossingRecycled(benchmark::State &state) {
  const auto cfg = config();
  const auto ev = lead_events(size_t(state.range(0)), 2.0);
  LeadState lead;
  lead.stage = Stage::Recycled;
  lead.fit = 10;
  lead.stage_changed_at = ev[ev.size() / 2].occurred;
  for (auto _ : state) {
    benchmark::DoNotOptimize(lead);
    benchmark::DoNotOptimize(find_crossing(lead, ev.data(), ev.size(), ev[0].occurred, cfg));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_FindCrossingRecycled)->Arg(100)->Arg(10000);

void BM_CheckLevel(benchmark::State &state) {
  const auto cfg = config();
  LeadState lead;
  lead.fit = 40;
  lead.intent = Intent{70, kT0, true};
  Micros now = kT0 + 48 * kHour;
  for (auto _ : state) {
    benchmark::DoNotOptimize(now);
    benchmark::DoNotOptimize(check_level(lead, now, cfg));
  }
}
BENCHMARK(BM_CheckLevel);

} // namespace
