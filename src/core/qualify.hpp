// Qualification: given a lead's stored state and the events a statement
// inserted for it, the lead's new intent and, if it crosses the threshold,
// when and at what score. Pure arithmetic: the glue does all I/O.
#pragma once

#include "decay.hpp"
#include "stage.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace mql {

struct Event {
  int64_t lead_id;
  Micros occurred;
  int64_t event_id;
  double weight;
  // A sales touch (its type's category is sales_touch): not used in
  // scoring; carried for the funnel facts, whose touch time it may set.
  bool touch = false;
};

// Whether a comes before b in the order transitions are judged in:
// (lead_id, occurred, event_id).
inline bool event_before(const Event &a, const Event &b) noexcept {
  if (a.lead_id != b.lead_id) return a.lead_id < b.lead_id;
  if (a.occurred != b.occurred) return a.occurred < b.occurred;
  return a.event_id < b.event_id;
}

// Sorts by event_before. The lead is judged after each event, so a
// statement gives the same transitions as inserting its events one per
// statement in that order.
void sort_events(Event *events, size_t n) noexcept;

struct QualifyConfig {
  double threshold = 100;
  DecayConfig decay;
};

struct LeadState {
  Stage stage = Stage::Lead;
  double fit = 0;       // fit_score
  bool eligible = true; // every require rule met, no exclude rule met
  Intent intent;        // stored intent_score / score_at
  Micros stage_changed_at = 0;
};

struct Crossing {
  Micros at = 0;    // business time of the transition
  double score = 0; // fit + intent as of `at`
  bool requalification = false;
};

struct LeadOutcome {
  Intent intent; // stored intent with the new events folded in
  std::optional<Crossing> crossing;
  // A new event is older than the stored score_at, so the score as of its
  // time depends on stored events: call find_crossing with the full list.
  bool needs_history = false;
};

// Whether a lead in this stage can be moved to mql automatically at all.
bool auto_qualifiable(const LeadState &state) noexcept;

// Applies one lead's new events, sorted by (occurred, event_id).
LeadOutcome apply_events(const LeadState &state, const Event *events, size_t n,
                         const QualifyConfig &cfg) noexcept;

// The exact crossing when late events arrived: `all` is every event the
// lead has (stored and new), sorted; evaluation starts at `from`, the
// earliest new occurred_at. `state.intent` is ignored.
std::optional<Crossing> find_crossing(const LeadState &state, const Event *all, size_t n,
                                      Micros from, const QualifyConfig &cfg) noexcept;

// Re-evaluation when fit or the rules change rather than events: a lead in
// stage lead qualifies at max(now, score_at) if its score is high enough.
std::optional<Crossing> check_level(const LeadState &state, Micros now,
                                    const QualifyConfig &cfg) noexcept;

} // namespace mql
