#include "qualify.hpp"

#include <algorithm>

// Last: fails the build if anything above pulled in a PostgreSQL header.
#include "cpp_only.hpp"

namespace mql {

// The comparison goes through a lambda, not a function pointer, so that
// std::sort inlines it: through a pointer every comparison was a call.
void sort_events(Event *events, size_t n) noexcept {
  std::sort(events, events + n,
            [](const Event &a, const Event &b) noexcept { return event_before(a, b); });
}

bool auto_qualifiable(const LeadState &state) noexcept {
  return state.eligible && (state.stage == Stage::Lead || state.stage == Stage::Recycled);
}

namespace {

// Walks events in order from `start`, judging the lead after each event at
// or after `from`. A lead in stage lead qualifies when its score is at or
// above the threshold (judged no earlier than the stage's own start); a
// recycled lead only when an event after its recycling lifts the score from
// below the threshold to at or above it, so a lead sales sent back is not
// bounced straight back by its old score.
std::optional<Crossing> walk(const LeadState &state, Intent running, const Event *ev, size_t n,
                             Micros from, const QualifyConfig &cfg) {
  const bool recycled = state.stage == Stage::Recycled;
  for (size_t i = 0; i < n; i++) {
    Intent before = running;
    running.add(ev[i].weight, ev[i].occurred, cfg.decay);
    Micros t = ev[i].occurred;
    if (t < from) continue;
    if (recycled) {
      if (t <= state.stage_changed_at) continue;
      double was = state.fit + before.value_at(t, cfg.decay);
      double now = state.fit + running.value_at(t, cfg.decay);
      if (was < cfg.threshold && now >= cfg.threshold) return Crossing{t, now, true};
    } else {
      Micros tau = std::max(t, state.stage_changed_at);
      // An event before the stage began is judged at the stage's start,
      // with every event up to then.
      if (tau > t && i + 1 < n && ev[i + 1].occurred <= tau) continue;
      double score = state.fit + running.value_at(tau, cfg.decay);
      if (score >= cfg.threshold) return Crossing{tau, score, false};
    }
  }
  return std::nullopt;
}

} // namespace

LeadOutcome apply_events(const LeadState &state, const Event *events, size_t n,
                         const QualifyConfig &cfg) noexcept {
  LeadOutcome out;
  out.intent = state.intent;
  for (size_t i = 0; i < n; i++)
    out.intent.add(events[i].weight, events[i].occurred, cfg.decay);
  if (n == 0 || !auto_qualifiable(state)) return out;
  if (state.intent.has_events && events[0].occurred < state.intent.at) {
    out.needs_history = true;
    return out;
  }
  out.crossing = walk(state, state.intent, events, n, events[0].occurred, cfg);
  return out;
}

std::optional<Crossing> find_crossing(const LeadState &state, const Event *all, size_t n,
                                      Micros from, const QualifyConfig &cfg) noexcept {
  if (!auto_qualifiable(state)) return std::nullopt;
  return walk(state, Intent{}, all, n, from, cfg);
}

std::optional<Crossing> check_level(const LeadState &state, Micros now,
                                    const QualifyConfig &cfg) noexcept {
  if (!state.eligible || state.stage != Stage::Lead) return std::nullopt;
  Micros at = std::max(now, state.intent.has_events ? state.intent.at : now);
  at = std::max(at, state.stage_changed_at);
  double score = state.fit + state.intent.value_at(at, cfg.decay);
  if (score >= cfg.threshold) return Crossing{at, score, false};
  return std::nullopt;
}

} // namespace mql
