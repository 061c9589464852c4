// Unit tests for qualification (src/core/qualify.hpp).
//
// Unless a test says otherwise: threshold 100, half-life H = one day, so
// weights halve every H and the expected scores below are exact in binary.
#include "qualify.hpp"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <vector>

namespace mql {
namespace {

constexpr Micros kDay = 86400000000;
constexpr Micros kHour = kDay / 24;
constexpr Micros H = kDay; // the half-life used throughout
// 2024-01-01T00:00:00Z in microseconds since the Unix epoch.
constexpr Micros T0 = 1704067200000000;

// ------------------------------------------------------------------- helpers

QualifyConfig config(double threshold = 100, Micros half_life = H) {
  QualifyConfig cfg;
  cfg.threshold = threshold;
  cfg.decay.half_life = half_life;
  return cfg;
}

QualifyConfig no_decay_config() { return config(100, 0); }

// Event ids follow insertion order in the tests, so sorting keeps them.
Event ev(Micros occurred, double weight, int64_t event_id = 0, int64_t lead_id = 1) {
  return Event{lead_id, occurred, event_id, weight};
}

Intent stored_intent(double value, Micros at) {
  Intent intent;
  intent.value = value;
  intent.at = at;
  intent.has_events = true;
  return intent;
}

// A lead in stage lead since long before T0, with no stored events.
LeadState lead(double fit = 0) {
  LeadState s;
  s.stage = Stage::Lead;
  s.fit = fit;
  s.eligible = true;
  s.stage_changed_at = T0 - 30 * kDay;
  return s;
}

LeadState in_stage(Stage stage, double fit = 0) {
  LeadState s = lead(fit);
  s.stage = stage;
  return s;
}

// A lead recycled at `recycled_at`.
LeadState recycled(Micros recycled_at, double fit = 0) {
  LeadState s = in_stage(Stage::Recycled, fit);
  s.stage_changed_at = recycled_at;
  return s;
}

LeadOutcome apply_new(const LeadState &state, const std::vector<Event> &events,
                      const QualifyConfig &cfg = config()) {
  return apply_events(state, events.data(), events.size(), cfg);
}

std::optional<Crossing> find_from(const LeadState &state, const std::vector<Event> &all,
                                  Micros from, const QualifyConfig &cfg = config()) {
  return find_crossing(state, all.data(), all.size(), from, cfg);
}

// Feeds events one statement at a time, storing the returned intent back
// into the state as the glue does, and returns the first crossing.
std::optional<Crossing> apply_one_by_one(LeadState state, const std::vector<Event> &events,
                                         const QualifyConfig &cfg = config()) {
  for (const Event &e : events) {
    LeadOutcome out = apply_events(state, &e, 1, cfg);
    EXPECT_FALSE(out.needs_history);
    if (out.crossing) return out.crossing;
    state.intent = out.intent;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- sort_events

TEST(SortEvents, OrdersByLeadThenOccurredThenEventId) {
  std::vector<Event> events = {
      ev(T0 + 2, 1, 7, 2), ev(T0 + 1, 1, 9, 1), ev(T0 + 1, 1, 3, 1),
      ev(T0 + 0, 1, 8, 2), ev(T0 + 5, 1, 1, 1), ev(T0 + 1, 1, 4, 2),
  };
  sort_events(events.data(), events.size());
  const std::array<std::array<int64_t, 3>, 6> expected = {{
      {1, T0 + 1, 3},
      {1, T0 + 1, 9},
      {1, T0 + 5, 1},
      {2, T0 + 0, 8},
      {2, T0 + 1, 4},
      {2, T0 + 2, 7},
  }};
  for (size_t i = 0; i < expected.size(); i++) {
    EXPECT_EQ(events[i].lead_id, expected[i][0]) << i;
    EXPECT_EQ(events[i].occurred, expected[i][1]) << i;
    EXPECT_EQ(events[i].event_id, expected[i][2]) << i;
  }
}

TEST(SortEvents, KeepsWeightsWithTheirEvents) {
  std::vector<Event> events = {ev(T0 + 3, 30, 3), ev(T0 + 1, 10, 1), ev(T0 + 2, 20, 2)};
  sort_events(events.data(), events.size());
  EXPECT_EQ(events[0].weight, 10);
  EXPECT_EQ(events[1].weight, 20);
  EXPECT_EQ(events[2].weight, 30);
}

TEST(SortEvents, HandlesEmptyAndSingleInput) {
  sort_events(nullptr, 0);
  Event one = ev(T0, 5, 1);
  sort_events(&one, 1);
  EXPECT_EQ(one.occurred, T0);
  EXPECT_EQ(one.weight, 5);
}

// ----------------------------------------------------------- auto_qualifiable

TEST(AutoQualifiable, OnlyEligibleLeadsInLeadOrRecycled) {
  EXPECT_TRUE(auto_qualifiable(in_stage(Stage::Lead)));
  EXPECT_TRUE(auto_qualifiable(in_stage(Stage::Recycled)));
  for (Stage s : {Stage::Mql, Stage::Sql, Stage::Opportunity, Stage::Customer, Stage::Disqualified})
    EXPECT_FALSE(auto_qualifiable(in_stage(s))) << stage_name(s);
  LeadState ineligible = lead();
  ineligible.eligible = false;
  EXPECT_FALSE(auto_qualifiable(ineligible));
}

// ------------------------------------------------------ apply_events: intent

TEST(ApplyEvents, IntentFoldsStoredIntentAndEveryNewEvent) {
  LeadState state = lead();
  state.intent = stored_intent(10, T0);
  // 10 at T0 -> at T0+H: 5 + 20 = 25 -> at T0+2H: 12.5 + 40 = 52.5.
  LeadOutcome out = apply_new(state, {ev(T0 + H, 20, 1), ev(T0 + 2 * H, 40, 2)});
  EXPECT_TRUE(out.intent.has_events);
  EXPECT_EQ(out.intent.at, T0 + 2 * H);
  EXPECT_DOUBLE_EQ(out.intent.value, 52.5);
  EXPECT_FALSE(out.crossing);
  EXPECT_FALSE(out.needs_history);
}

TEST(ApplyEvents, IntentStartsFromTheFirstEventWithoutStoredIntent) {
  LeadOutcome out = apply_new(lead(), {ev(T0, 30, 1), ev(T0 + 2 * H, 12, 2)});
  EXPECT_EQ(out.intent.at, T0 + 2 * H);
  EXPECT_DOUBLE_EQ(out.intent.value, 30 * 0.25 + 12); // 19.5
}

TEST(ApplyEvents, IntentIsFoldedEvenWhenTheLeadCannotQualify) {
  LeadState state = in_stage(Stage::Customer);
  state.intent = stored_intent(10, T0);
  LeadOutcome out = apply_new(state, {ev(T0 + H, 20, 1), ev(T0 + 2 * H, 40, 2)});
  EXPECT_EQ(out.intent.at, T0 + 2 * H);
  EXPECT_DOUBLE_EQ(out.intent.value, 52.5);
}

TEST(ApplyEvents, NoEventsLeaveTheIntentAndNeverCross) {
  LeadState state = lead(500);
  state.intent = stored_intent(10, T0);
  LeadOutcome out = apply_events(state, nullptr, 0, config());
  EXPECT_EQ(out.intent.value, 10);
  EXPECT_EQ(out.intent.at, T0);
  EXPECT_FALSE(out.crossing);
  EXPECT_FALSE(out.needs_history);
}

// ---------------------------------------------------- apply_events: crossing

TEST(ApplyEvents, CrossesAtTheFirstEventThatReachesTheThreshold) {
  // fit 30. After each event (intent decayed to that event's time):
  //   T0     40                 -> 30 + 40 = 70
  //   T0+H   40/2 + 20 = 40     -> 70
  //   T0+2H  40/2 + 60 = 80     -> 110  crosses here
  //   T0+3H  80/2 + 10 = 50     -> 80
  LeadOutcome out = apply_new(
      lead(30), {ev(T0, 40, 1), ev(T0 + H, 20, 2), ev(T0 + 2 * H, 60, 3), ev(T0 + 3 * H, 10, 4)});
  ASSERT_TRUE(out.crossing);
  EXPECT_EQ(out.crossing->at, T0 + 2 * H);
  EXPECT_DOUBLE_EQ(out.crossing->score, 110);
  EXPECT_FALSE(out.crossing->requalification);
  EXPECT_FALSE(out.needs_history);
}

TEST(ApplyEvents, ScoreExactlyAtThresholdCrosses) {
  LeadOutcome out = apply_new(lead(20), {ev(T0, 80, 1)});
  ASSERT_TRUE(out.crossing);
  EXPECT_EQ(out.crossing->at, T0);
  EXPECT_EQ(out.crossing->score, 100);
}

TEST(ApplyEvents, ScoreJustBelowThresholdDoesNotCross) {
  EXPECT_FALSE(apply_new(lead(20), {ev(T0, 79.999, 1)}).crossing);
}

TEST(ApplyEvents, FitAloneDoesNotCrossWithoutEvents) {
  EXPECT_FALSE(apply_events(lead(150), nullptr, 0, config()).crossing);
}

TEST(ApplyEvents, HighFitCrossesAtTheFirstEvent) {
  LeadOutcome out = apply_new(lead(150), {ev(T0 + 5 * H, 0, 1), ev(T0 + 6 * H, 10, 2)});
  ASSERT_TRUE(out.crossing);
  EXPECT_EQ(out.crossing->at, T0 + 5 * H);
  EXPECT_EQ(out.crossing->score, 150);
}

TEST(ApplyEvents, StoredIntentCountsTowardsTheCrossing) {
  LeadState state = lead();
  state.intent = stored_intent(80, T0);
  LeadOutcome out = apply_new(state, {ev(T0 + H, 60, 1)}); // 80/2 + 60 = 100
  ASSERT_TRUE(out.crossing);
  EXPECT_EQ(out.crossing->at, T0 + H);
  EXPECT_EQ(out.crossing->score, 100);
}

TEST(ApplyEvents, DecayKeepsSpreadOutEventsBelowThreshold) {
  // 60/1024 + 60 < 100.
  EXPECT_FALSE(apply_new(lead(), {ev(T0, 60, 1), ev(T0 + 10 * H, 60, 2)}).crossing);
}

TEST(ApplyEvents, WithoutDecaySpreadOutEventsAddUp) {
  LeadOutcome out = apply_new(lead(), {ev(T0, 60, 1), ev(T0 + 10 * H, 60, 2)}, no_decay_config());
  ASSERT_TRUE(out.crossing);
  EXPECT_EQ(out.crossing->at, T0 + 10 * H);
  EXPECT_EQ(out.crossing->score, 120);
}

TEST(ApplyEvents, SimultaneousEventsAreJudgedTogether) {
  // 60 + 50 at the same instant: judged once, after both.
  LeadOutcome out = apply_new(lead(), {ev(T0, 60, 1), ev(T0, 50, 2)});
  ASSERT_TRUE(out.crossing);
  EXPECT_EQ(out.crossing->at, T0);
  EXPECT_EQ(out.crossing->score, 110);
}

TEST(ApplyEvents, NegativeWeightsCanKeepALeadBelowThreshold) {
  EXPECT_FALSE(apply_new(lead(), {ev(T0, -30, 1), ev(T0 + 1, 120, 2)}).crossing);
}

TEST(ApplyEvents, OneCallAndOneCallPerEventCrossAtTheSameTime) {
  // fit 25; running intent (decayed to each event's time), rounded:
  //   T0        30                         -> 55
  //   T0+6h     30*2^-0.25 + 15  = 40.23   -> 65.23
  //   T0+24h    40.23*2^-0.75 + 20 = 43.92 -> 68.92
  //   T0+36h    43.92*2^-0.5 + 10 = 41.06  -> 66.06
  //   T0+48h    41.06*2^-0.5 + 50 = 79.03  -> 104.03  crosses here
  //   T0+72h    79.03/2 + 5 = 44.52        -> 69.52
  const std::vector<Event> events = {ev(T0, 30, 1),
                                     ev(T0 + 6 * kHour, 15, 2),
                                     ev(T0 + 24 * kHour, 20, 3),
                                     ev(T0 + 36 * kHour, 10, 4),
                                     ev(T0 + 48 * kHour, 50, 5),
                                     ev(T0 + 72 * kHour, 5, 6)};
  LeadOutcome together = apply_new(lead(25), events);
  std::optional<Crossing> separately = apply_one_by_one(lead(25), events);
  ASSERT_TRUE(together.crossing);
  ASSERT_TRUE(separately);
  EXPECT_EQ(together.crossing->at, T0 + 48 * kHour);
  EXPECT_NEAR(together.crossing->score, 104.03, 0.01);
  EXPECT_EQ(separately->at, together.crossing->at);
  EXPECT_NEAR(separately->score, together.crossing->score, 1e-9);
}

TEST(ApplyEvents, OneCallAndOneCallPerEventAgreeWithSimultaneousEvents) {
  const std::vector<Event> events = {ev(T0, 30, 1), ev(T0 + H, 40, 2), ev(T0 + H, 45, 3),
                                     ev(T0 + 2 * H, 1, 4)};
  // At T0+H: 15 + 40 = 55 after the first, 15 + 85 = 100 after both.
  LeadOutcome together = apply_new(lead(), events);
  std::optional<Crossing> separately = apply_one_by_one(lead(), events);
  ASSERT_TRUE(together.crossing);
  ASSERT_TRUE(separately);
  EXPECT_EQ(together.crossing->at, T0 + H);
  EXPECT_EQ(separately->at, T0 + H);
}

TEST(ApplyEvents, SimultaneousEventsAreJudgedOneByOneLikeSeparateStatements) {
  // +120 then -50 at the same instant: the lead crosses after the first, as
  // it would if the two were inserted one per statement.
  const std::vector<Event> events = {ev(T0, 120, 1), ev(T0, -50, 2)};
  LeadOutcome together = apply_new(lead(), events);
  std::optional<Crossing> separately = apply_one_by_one(lead(), events);
  ASSERT_TRUE(together.crossing);
  ASSERT_TRUE(separately);
  EXPECT_EQ(together.crossing->at, T0);
  EXPECT_EQ(together.crossing->score, 120);
  EXPECT_EQ(separately->score, 120);
}

TEST(ApplyEvents, OneCallIntentEqualsOneCallPerEventIntent) {
  const std::vector<Event> events = {ev(T0, 3, 1), ev(T0 + 7 * kHour, 4, 2),
                                     ev(T0 + 50 * kHour, 5, 3), ev(T0 + 51 * kHour, 6, 4)};
  LeadState state = lead();
  LeadOutcome together = apply_new(state, events);
  for (const Event &e : events)
    state.intent = apply_events(state, &e, 1, config()).intent;
  EXPECT_EQ(state.intent.at, together.intent.at);
  EXPECT_NEAR(state.intent.value, together.intent.value, together.intent.value * 1e-12);
}

TEST(ApplyEvents, IneligibleLeadNeverCrosses) {
  LeadState state = lead(1000);
  state.eligible = false;
  LeadOutcome out = apply_new(state, {ev(T0, 500, 1), ev(T0, 500, 2)});
  EXPECT_FALSE(out.crossing);
  EXPECT_DOUBLE_EQ(out.intent.value, 1000);
}

TEST(ApplyEvents, LeadsPastOrOutOfTheFunnelNeverCross) {
  for (Stage s :
       {Stage::Mql, Stage::Sql, Stage::Opportunity, Stage::Customer, Stage::Disqualified}) {
    LeadOutcome out = apply_new(in_stage(s, 1000), {ev(T0, 500, 1)});
    EXPECT_FALSE(out.crossing) << stage_name(s);
  }
}

// ----------------------------------------------------------- late events

TEST(ApplyEvents, LateEventNeedsHistoryInsteadOfCrossing) {
  LeadState state = lead();
  state.intent = stored_intent(60, T0 + 2 * H);
  LeadOutcome out = apply_new(state, {ev(T0 + H, 80, 1)});
  EXPECT_TRUE(out.needs_history);
  EXPECT_FALSE(out.crossing);
  // The intent still folds the late event in: 60 + 80/2.
  EXPECT_EQ(out.intent.at, T0 + 2 * H);
  EXPECT_DOUBLE_EQ(out.intent.value, 100);
}

TEST(ApplyEvents, LateFirstEventOfABatchNeedsHistory) {
  LeadState state = lead();
  state.intent = stored_intent(60, T0 + 2 * H);
  LeadOutcome out = apply_new(state, {ev(T0 + H, 10, 1), ev(T0 + 3 * H, 500, 2)});
  EXPECT_TRUE(out.needs_history);
  EXPECT_FALSE(out.crossing);
}

TEST(ApplyEvents, EventAtTheStoredTimeIsNotLate) {
  LeadState state = lead();
  state.intent = stored_intent(60, T0);
  LeadOutcome out = apply_new(state, {ev(T0, 40, 1)});
  EXPECT_FALSE(out.needs_history);
  ASSERT_TRUE(out.crossing);
  EXPECT_EQ(out.crossing->at, T0);
  EXPECT_EQ(out.crossing->score, 100);
}

// ---------------------------------------------------------------- find_crossing

// Stored: 8 at T0, 60 at T0+2H, 10 at T0+4H. Late: 90 at T0+H.
//   T0+H   8/2 + 90 = 94                 -> below
//   T0+2H  8/4 + 90/2 + 60 = 107         -> crosses here
std::vector<Event> history_with_late_event() {
  std::vector<Event> all = {ev(T0, 8, 1), ev(T0 + 2 * H, 60, 2), ev(T0 + 4 * H, 10, 3),
                            ev(T0 + H, 90, 4)};
  sort_events(all.data(), all.size());
  return all;
}

TEST(FindCrossing, LateEventRaisesTheScoreAtALaterStoredEvent) {
  std::optional<Crossing> c = find_from(lead(), history_with_late_event(), T0 + H);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at, T0 + 2 * H);
  EXPECT_DOUBLE_EQ(c->score, 107);
  EXPECT_FALSE(c->requalification);
}

TEST(FindCrossing, ApplyEventsAsksForHistoryInThatCase) {
  LeadState state = lead();
  // The stored intent: 8 at T0, 60 at T0+2H, 10 at T0+4H -> 0.5 + 15 + 10.
  state.intent = stored_intent(25.5, T0 + 4 * H);
  LeadOutcome out = apply_new(state, {ev(T0 + H, 90, 4)});
  EXPECT_TRUE(out.needs_history);
  EXPECT_FALSE(out.crossing);
  EXPECT_DOUBLE_EQ(out.intent.value, 25.5 + 90.0 / 8); // 36.75, below the threshold now
}

TEST(FindCrossing, CrossesAtTheLateEventWhenItIsEnough) {
  std::vector<Event> all = {ev(T0, 8, 1), ev(T0 + H, 100, 4), ev(T0 + 2 * H, 60, 2)};
  std::optional<Crossing> c = find_from(lead(), all, T0 + H);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at, T0 + H);
  EXPECT_DOUBLE_EQ(c->score, 104);
}

TEST(FindCrossing, NoCrossingWhenTheLateEventIsNotEnough) {
  std::vector<Event> all = {ev(T0, 8, 1), ev(T0 + H, 10, 4), ev(T0 + 2 * H, 60, 2)};
  // T0+H: 4 + 10 = 14; T0+2H: 2 + 5 + 60 = 67.
  EXPECT_FALSE(find_from(lead(), all, T0 + H));
}

TEST(FindCrossing, EventsBeforeFromAreCountedButNotJudged) {
  // 120 at T0 alone would cross, but evaluation starts at T0+H: 60 + 10 = 70.
  std::vector<Event> all = {ev(T0, 120, 1), ev(T0 + H, 10, 2)};
  EXPECT_FALSE(find_from(lead(), all, T0 + H));
  // 120/2 + 45 = 105 does cross.
  std::vector<Event> more = {ev(T0, 120, 1), ev(T0 + H, 45, 2)};
  std::optional<Crossing> c = find_from(lead(), more, T0 + H);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at, T0 + H);
  EXPECT_DOUBLE_EQ(c->score, 105);
}

TEST(FindCrossing, IgnoresTheStoredIntent) {
  LeadState state = lead();
  state.intent = stored_intent(1e6, T0 + 10 * H);
  std::optional<Crossing> c = find_from(state, history_with_late_event(), T0 + H);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at, T0 + 2 * H);
  EXPECT_DOUBLE_EQ(c->score, 107);
}

TEST(FindCrossing, NeverForLeadsThatCannotQualify) {
  LeadState ineligible = lead();
  ineligible.eligible = false;
  EXPECT_FALSE(find_from(ineligible, history_with_late_event(), T0 + H));
  EXPECT_FALSE(find_from(in_stage(Stage::Mql), history_with_late_event(), T0 + H));
  EXPECT_FALSE(find_from(in_stage(Stage::Customer), history_with_late_event(), T0 + H));
}

TEST(FindCrossing, AgreesWithApplyEventsWhenNothingIsLate) {
  const std::vector<Event> events = {ev(T0, 40, 1), ev(T0 + H, 20, 2), ev(T0 + 2 * H, 60, 3)};
  LeadOutcome out = apply_new(lead(30), events);
  std::optional<Crossing> c = find_from(lead(30), events, T0);
  ASSERT_TRUE(out.crossing);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at, out.crossing->at);
  EXPECT_DOUBLE_EQ(c->score, out.crossing->score);
}

// ----------------------------------------------- stage lead: stage_changed_at

TEST(StageStart, EventsBeforeItAreJudgedAtTheStageStart) {
  // The lead entered stage lead at T0+2H. Judged then: 200/4 + 200/2 = 150.
  // (Judged at the events' own times it would have crossed at T0 with 200.)
  LeadState state = lead();
  state.stage_changed_at = T0 + 2 * H;
  LeadOutcome out = apply_new(state, {ev(T0, 200, 1), ev(T0 + H, 200, 2)});
  ASSERT_TRUE(out.crossing);
  EXPECT_EQ(out.crossing->at, T0 + 2 * H);
  EXPECT_DOUBLE_EQ(out.crossing->score, 150);
}

TEST(StageStart, OneEventAtATimeAlsoJudgesAtTheStageStart) {
  LeadState state = lead();
  state.stage_changed_at = T0 + 2 * H;
  std::optional<Crossing> c = apply_one_by_one(state, {ev(T0, 200, 1), ev(T0 + H, 200, 2)});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at, T0 + 2 * H);
  EXPECT_DOUBLE_EQ(c->score, 150);
}

TEST(StageStart, EventsThatDecayBelowThresholdByThenDoNotCross) {
  LeadState state = lead();
  state.stage_changed_at = T0 + 2 * H;
  EXPECT_FALSE(apply_new(state, {ev(T0, 150, 1)}).crossing); // 150/4 = 37.5
}

TEST(StageStart, EventsAfterItAreJudgedAtTheirOwnTime) {
  // Stage start T0+H: 150/2 = 75 then; at T0+2H: 150/4 + 70 = 107.5.
  LeadState state = lead();
  state.stage_changed_at = T0 + H;
  LeadOutcome out = apply_new(state, {ev(T0, 150, 1), ev(T0 + 2 * H, 70, 2)});
  ASSERT_TRUE(out.crossing);
  EXPECT_EQ(out.crossing->at, T0 + 2 * H);
  EXPECT_DOUBLE_EQ(out.crossing->score, 107.5);
}

TEST(StageStart, EventAtTheStageStartIsJudgedThen) {
  LeadState state = lead();
  state.stage_changed_at = T0 + H;
  LeadOutcome out = apply_new(state, {ev(T0, 100, 1), ev(T0 + H, 50, 2)}); // 50 + 50
  ASSERT_TRUE(out.crossing);
  EXPECT_EQ(out.crossing->at, T0 + H);
  EXPECT_DOUBLE_EQ(out.crossing->score, 100);
}

TEST(StageStart, FindCrossingJudgesLateEventsAtTheStageStart) {
  // Stage start T0+2H; stored 30 at T0+3H; late 220 at T0+H -> 110 at T0+2H.
  LeadState state = lead();
  state.stage_changed_at = T0 + 2 * H;
  state.intent = stored_intent(30, T0 + 3 * H);
  EXPECT_TRUE(apply_new(state, {ev(T0 + H, 220, 2)}).needs_history);
  std::optional<Crossing> c = find_from(state, {ev(T0 + H, 220, 2), ev(T0 + 3 * H, 30, 1)}, T0 + H);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at, T0 + 2 * H);
  EXPECT_DOUBLE_EQ(c->score, 110);
}

// ------------------------------------------------------------ recycled leads

TEST(Recycled, RequalifiesWhenAnEventLiftsTheScoreOverTheThreshold) {
  // Recycled at T0 with 150 stored; by T0+H it has decayed to 75; +40 = 115.
  LeadState state = recycled(T0);
  state.intent = stored_intent(150, T0);
  LeadOutcome out = apply_new(state, {ev(T0 + H, 40, 1)});
  ASSERT_TRUE(out.crossing);
  EXPECT_EQ(out.crossing->at, T0 + H);
  EXPECT_DOUBLE_EQ(out.crossing->score, 115);
  EXPECT_TRUE(out.crossing->requalification);
}

TEST(Recycled, FitCountsOnBothSidesOfTheEdge) {
  // fit 50: 50 -> 110.
  LeadOutcome out = apply_new(recycled(T0, 50), {ev(T0 + 1, 60, 1)});
  ASSERT_TRUE(out.crossing);
  EXPECT_EQ(out.crossing->at, T0 + 1);
  EXPECT_DOUBLE_EQ(out.crossing->score, 110);
  EXPECT_TRUE(out.crossing->requalification);
}

TEST(Recycled, EventsAtOrBeforeRecyclingDoNotCount) {
  // 150/2 + 150 = 225 at T0+2H, but nothing happened strictly after it.
  LeadOutcome out = apply_new(recycled(T0 + 2 * H), {ev(T0 + H, 150, 1), ev(T0 + 2 * H, 150, 2)});
  EXPECT_FALSE(out.crossing);
}

TEST(Recycled, AnEventOneMicrosecondAfterRecyclingCounts) {
  LeadOutcome out = apply_new(recycled(T0), {ev(T0, 10, 1), ev(T0 + 1, 120, 2)}, no_decay_config());
  ASSERT_TRUE(out.crossing);
  EXPECT_EQ(out.crossing->at, T0 + 1);
  EXPECT_EQ(out.crossing->score, 130);
  EXPECT_TRUE(out.crossing->requalification);
}

TEST(Recycled, AlreadyAboveThresholdDoesNotRequalifyOnASmallEvent) {
  LeadState state = recycled(T0);
  state.intent = stored_intent(150, T0);
  EXPECT_FALSE(apply_new(state, {ev(T0 + kHour, 5, 1)}, no_decay_config()).crossing);
  // With decay: 150 * 2^-0.5 = 106.07 is still above before the event.
  EXPECT_FALSE(apply_new(state, {ev(T0 + H / 2, 5, 1)}).crossing);
}

TEST(Recycled, ScoreHeldAboveByFitNeverRequalifiesFromEvents) {
  LeadOutcome out = apply_new(recycled(T0, 120), {ev(T0 + H, 50, 1), ev(T0 + 2 * H, 50, 2)});
  EXPECT_FALSE(out.crossing);
}

TEST(Recycled, EventsUpToRecyclingCountTowardsTheScoreBeforeTheEdge) {
  // 90 at the recycling instant is not an edge itself; 20 after lifts 90 -> 110.
  LeadOutcome out = apply_new(recycled(T0), {ev(T0, 90, 1), ev(T0 + 1, 20, 2)}, no_decay_config());
  ASSERT_TRUE(out.crossing);
  EXPECT_EQ(out.crossing->at, T0 + 1);
  EXPECT_EQ(out.crossing->score, 110);
  EXPECT_TRUE(out.crossing->requalification);
}

TEST(Recycled, EdgeAfterDippingBelowAgain) {
  // Recycled at T0 with 150 stored (above); 10 at T0+H: 75 + 10 = 85, below.
  // 30 at T0+2H: 42.5 + 30 = 72.5, below. 60 at T0+2H+1us: ~72.5 + 60, crosses.
  LeadState state = recycled(T0);
  state.intent = stored_intent(150, T0);
  LeadOutcome out =
      apply_new(state, {ev(T0 + H, 10, 1), ev(T0 + 2 * H, 30, 2), ev(T0 + 2 * H + 1, 60, 3)});
  ASSERT_TRUE(out.crossing);
  EXPECT_EQ(out.crossing->at, T0 + 2 * H + 1);
  EXPECT_NEAR(out.crossing->score, 132.5, 1e-6);
  EXPECT_TRUE(out.crossing->requalification);
}

TEST(Recycled, OneCallAndOneCallPerEventAgree) {
  LeadState state = recycled(T0);
  state.intent = stored_intent(150, T0);
  const std::vector<Event> events = {ev(T0 + H, 10, 1), ev(T0 + 2 * H, 30, 2),
                                     ev(T0 + 2 * H + 1, 60, 3), ev(T0 + 3 * H, 60, 4)};
  LeadOutcome together = apply_new(state, events);
  std::optional<Crossing> separately = apply_one_by_one(state, events);
  ASSERT_TRUE(together.crossing);
  ASSERT_TRUE(separately);
  EXPECT_EQ(separately->at, together.crossing->at);
  EXPECT_NEAR(separately->score, together.crossing->score, 1e-9);
  EXPECT_TRUE(separately->requalification);
}

TEST(Recycled, LateEventNeedsHistory) {
  LeadState state = recycled(T0);
  state.intent = stored_intent(60, T0 + 2 * H);
  LeadOutcome out = apply_new(state, {ev(T0 + H, 95, 1)});
  EXPECT_TRUE(out.needs_history);
  EXPECT_FALSE(out.crossing);
}

TEST(Recycled, FindCrossingFindsTheEdgeAtALaterStoredEvent) {
  // Recycled at T0. Late 95 at T0+H: 0 -> 95, below.
  // Stored 60 at T0+2H: 47.5 -> 107.5, crosses.
  std::vector<Event> all = {ev(T0 + H, 95, 2), ev(T0 + 2 * H, 60, 1)};
  std::optional<Crossing> c = find_from(recycled(T0), all, T0 + H);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at, T0 + 2 * H);
  EXPECT_DOUBLE_EQ(c->score, 107.5);
  EXPECT_TRUE(c->requalification);
}

// ---------------------------------------------------------------- check_level

TEST(CheckLevel, JudgesAtNowWhenNowIsLatest) {
  LeadState state = lead(50);
  state.intent = stored_intent(100, T0);
  std::optional<Crossing> c = check_level(state, T0 + H, config()); // 50 + 100/2
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at, T0 + H);
  EXPECT_DOUBLE_EQ(c->score, 100);
  EXPECT_FALSE(c->requalification);
}

TEST(CheckLevel, JudgesAtScoreAtWhenThatIsLatest) {
  LeadState state = lead(30);
  state.intent = stored_intent(80, T0 + 2 * H);
  std::optional<Crossing> c = check_level(state, T0 + H, config());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at, T0 + 2 * H);
  EXPECT_DOUBLE_EQ(c->score, 110);
}

TEST(CheckLevel, JudgesAtStageStartWhenThatIsLatest) {
  LeadState state = lead(70);
  state.stage_changed_at = T0 + 3 * H;
  state.intent = stored_intent(80, T0 + 2 * H);
  std::optional<Crossing> c = check_level(state, T0 + H, config()); // 70 + 40
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at, T0 + 3 * H);
  EXPECT_DOUBLE_EQ(c->score, 110);
}

TEST(CheckLevel, DecayUntilStageStartCanKeepItBelow) {
  LeadState state = lead(30);
  state.stage_changed_at = T0 + 3 * H;
  state.intent = stored_intent(80, T0 + 2 * H);
  EXPECT_FALSE(check_level(state, T0 + H, config())); // 30 + 40
}

TEST(CheckLevel, WithoutEventsFitAloneCounts) {
  std::optional<Crossing> c = check_level(lead(120), T0, config());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at, T0);
  EXPECT_EQ(c->score, 120);

  LeadState later = lead(120);
  later.stage_changed_at = T0 + H;
  c = check_level(later, T0, config());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at, T0 + H);
}

TEST(CheckLevel, BelowThresholdGivesNothing) {
  LeadState state = lead(50);
  state.intent = stored_intent(100, T0);
  EXPECT_FALSE(check_level(state, T0 + 2 * H, config())); // 50 + 25
  EXPECT_FALSE(check_level(lead(99.5), T0, config()));
}

TEST(CheckLevel, OnlyLeadsInStageLead) {
  for (Stage s : {Stage::Mql, Stage::Sql, Stage::Opportunity, Stage::Customer, Stage::Recycled,
                  Stage::Disqualified})
    EXPECT_FALSE(check_level(in_stage(s, 500), T0, config())) << stage_name(s);
}

TEST(CheckLevel, IneligibleLeadsNever) {
  LeadState state = lead(500);
  state.eligible = false;
  EXPECT_FALSE(check_level(state, T0, config()));
}

} // namespace
} // namespace mql
