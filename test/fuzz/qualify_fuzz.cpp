// Fuzzes the qualification walker by simulating one lead's life: statements
// of events (in any time order, so late events happen), manual stage
// changes, fit and eligibility changes, as the glue drives apply_events,
// find_crossing and check_level.
//
// Input: whitespace-separated tokens. Header: threshold, half_life (µs),
// fit, eligible (0/1), stage (0..6), stage_changed_at. Then commands:
//   e N  w1 t1 ... wN tN   one INSERT statement of N (<= 32) events
//   s K T                  a manual change to stage K at time T (if allowed)
//   f X                    fit becomes X, then the level check runs
//   q B                    eligibility becomes B, then the level check runs
// Weights, fit and threshold are made finite (the glue guarantees it);
// times are any int64.
//
// Checks: every transition the walker or the level check produces is
// allowed by can_transition, from an auto-qualifiable lead only, at a time
// not before the stage's start (after it, for recycled), with a score at or
// above the threshold; apply_events folds exactly the events given and asks
// for the history exactly when an event is older than the stored one; on
// in-order data the incremental walk equals find_crossing over the whole
// history; without decay and with non-negative weights, a lead in stage lead
// crosses exactly when its final score reaches the threshold.
#include "fuzz_input.hpp"
#include "qualify.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

using namespace mql;

namespace {

double or_zero(double x) { return std::isfinite(x) ? x : 0.0; }

struct Transition {
  Stage from, to;
  Micros at;
};

struct Sim {
  QualifyConfig cfg;
  LeadState st;
  std::vector<Event> history; // every event so far, in arrival order
  std::vector<Transition> transitions;
  int64_t next_id = 1;
  bool in_order = true; // every event so far arrived in (occurred, id) order
  bool nonneg = true;   // every weight so far >= 0

  void move(Stage to, Micros at) {
    transitions.push_back(Transition{st.stage, to, at});
    st.stage = to;
    st.stage_changed_at = at;
  }

  // A crossing must be a legal, justified move to mql.
  void check_crossing(const Crossing &c, Micros from) {
    FUZZ_CHECK(auto_qualifiable(st));
    FUZZ_CHECK(can_transition(st.stage, Stage::Mql) && st.stage != Stage::Mql);
    FUZZ_CHECK(c.requalification == (st.stage == Stage::Recycled));
    FUZZ_CHECK(c.at >= st.stage_changed_at);
    if (st.stage == Stage::Recycled) FUZZ_CHECK(c.at > st.stage_changed_at);
    FUZZ_CHECK(c.at >= from);
    FUZZ_CHECK(c.score >= cfg.threshold);
  }

  void statement(std::vector<Event> ev) {
    sort_events(ev.data(), ev.size());
    for (size_t i = 1; i < ev.size(); i++)
      FUZZ_CHECK(ev[i - 1].occurred < ev[i].occurred ||
                 (ev[i - 1].occurred == ev[i].occurred && ev[i - 1].event_id < ev[i].event_id));
    LeadOutcome out = apply_events(st, ev.data(), ev.size(), cfg);

    Intent folded = st.intent;
    for (const auto &e : ev)
      folded.add(e.weight, e.occurred, cfg.decay);
    FUZZ_CHECK(out.intent.at == folded.at && out.intent.has_events == folded.has_events);
    FUZZ_CHECK(out.intent.value == folded.value ||
               (std::isnan(out.intent.value) && std::isnan(folded.value)));

    bool late = st.intent.has_events && ev[0].occurred < st.intent.at;
    FUZZ_CHECK(out.needs_history == (auto_qualifiable(st) && late));
    if (!auto_qualifiable(st) || out.needs_history) FUZZ_CHECK(!out.crossing);

    bool was_in_order = in_order;
    Micros stored_latest = st.intent.at;
    bool had_events = st.intent.has_events;
    for (const auto &e : ev) {
      if (!history.empty() && e.occurred < history.back().occurred) in_order = false;
      history.push_back(e);
    }
    std::vector<Event> all = history;
    sort_events(all.data(), all.size());

    std::optional<Crossing> crossing = out.crossing;
    if (out.needs_history) {
      crossing = find_crossing(st, all.data(), all.size(), ev[0].occurred, cfg);
    } else if (auto_qualifiable(st) && was_in_order && in_order &&
               (!had_events || ev[0].occurred > stored_latest)) {
      // The stored intent was folded in the same order as a full walk does,
      // so both paths compute bit for bit the same thing.
      auto full = find_crossing(st, all.data(), all.size(), ev[0].occurred, cfg);
      FUZZ_CHECK(full.has_value() == crossing.has_value());
      if (full)
        FUZZ_CHECK(full->at == crossing->at && full->score == crossing->score &&
                   full->requalification == crossing->requalification);
    }

    for (const auto &e : ev)
      nonneg = nonneg && e.weight >= 0;
    if (!out.needs_history && auto_qualifiable(st) && !cfg.decay.decays() && nonneg) {
      // Running score only grows: lead crosses iff the final score reaches
      // the threshold; recycled iff it was below before the first event
      // after the recycling and reaches it by the end.
      double final_score = st.fit + out.intent.value;
      if (st.stage == Stage::Lead) {
        FUZZ_CHECK(crossing.has_value() == (final_score >= cfg.threshold));
      } else {
        Intent before = st.intent;
        size_t i = 0;
        for (; i < ev.size() && ev[i].occurred <= st.stage_changed_at; i++)
          before.add(ev[i].weight, ev[i].occurred, cfg.decay);
        bool expect =
            i < ev.size() && st.fit + before.value < cfg.threshold && final_score >= cfg.threshold;
        FUZZ_CHECK(crossing.has_value() == expect);
      }
    }

    if (crossing) check_crossing(*crossing, ev[0].occurred);
    st.intent = out.intent;
    if (crossing) move(Stage::Mql, crossing->at);
  }

  void level(Micros now) {
    auto c = check_level(st, now, cfg);
    if (!c) return;
    FUZZ_CHECK(st.stage == Stage::Lead && st.eligible);
    FUZZ_CHECK(c->at >= now && c->at >= st.stage_changed_at);
    if (st.intent.has_events) FUZZ_CHECK(c->at >= st.intent.at);
    FUZZ_CHECK(!c->requalification);
    FUZZ_CHECK(c->score >= cfg.threshold);
    FUZZ_CHECK(can_transition(st.stage, Stage::Mql));
    move(Stage::Mql, c->at);
  }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::TextInput in(data, size);
  Sim sim;
  sim.cfg.threshold = or_zero(in.real());
  sim.cfg.decay.half_life = in.integer();
  sim.st.fit = or_zero(in.real());
  sim.st.eligible = (in.integer() & 1) == 1;
  sim.st.stage = Stage(uint64_t(in.integer()) % kStageCount);
  sim.st.stage_changed_at = in.integer();

  for (int steps = 0; steps < 64 && !in.done(); steps++) {
    std::string_view cmd = in.token();
    if (cmd == "e") {
      int64_t n = std::clamp<int64_t>(in.integer(), 1, 32);
      std::vector<Event> ev;
      for (int64_t i = 0; i < n; i++) {
        double w = or_zero(in.real());
        Micros t = in.integer();
        ev.push_back(Event{1, t, sim.next_id++, w});
      }
      sim.statement(std::move(ev));
    } else if (cmd == "s") {
      Stage to = Stage(uint64_t(in.integer()) % kStageCount);
      Micros at = std::max(in.integer(), sim.st.stage_changed_at);
      if (to != sim.st.stage && can_transition(sim.st.stage, to)) sim.move(to, at);
    } else if (cmd == "f") {
      sim.st.fit = or_zero(in.real());
      sim.level(in.integer());
    } else if (cmd == "q") {
      sim.st.eligible = (in.integer() & 1) == 1;
      sim.level(in.integer());
    } else {
      break;
    }
  }

  // The lead's whole history is a chain of allowed moves, in time order.
  for (size_t i = 0; i < sim.transitions.size(); i++) {
    const Transition &t = sim.transitions[i];
    FUZZ_CHECK(t.from != t.to && can_transition(t.from, t.to));
    if (i > 0) FUZZ_CHECK(sim.transitions[i - 1].to == t.from && sim.transitions[i - 1].at <= t.at);
  }
  return 0;
}
