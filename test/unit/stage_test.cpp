// Unit tests for the lifecycle stage machine (src/core/stage.hpp).
#include "stage.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace mql {
namespace {

constexpr std::array<Stage, kStageCount> kAllStages = {
    Stage::Lead,     Stage::Mql,      Stage::Sql,         Stage::Opportunity,
    Stage::Customer, Stage::Recycled, Stage::Disqualified};

// ---------------------------------------------------------------- parse_stage

TEST(ParseStage, AcceptsEveryCanonicalName) {
  EXPECT_EQ(parse_stage("lead"), Stage::Lead);
  EXPECT_EQ(parse_stage("mql"), Stage::Mql);
  EXPECT_EQ(parse_stage("sql"), Stage::Sql);
  EXPECT_EQ(parse_stage("opportunity"), Stage::Opportunity);
  EXPECT_EQ(parse_stage("customer"), Stage::Customer);
  EXPECT_EQ(parse_stage("recycled"), Stage::Recycled);
  EXPECT_EQ(parse_stage("disqualified"), Stage::Disqualified);
}

TEST(ParseStage, IsCaseInsensitive) {
  EXPECT_EQ(parse_stage("LEAD"), Stage::Lead);
  EXPECT_EQ(parse_stage("Mql"), Stage::Mql);
  EXPECT_EQ(parse_stage("sQl"), Stage::Sql);
  EXPECT_EQ(parse_stage("OpPoRtUnItY"), Stage::Opportunity);
  EXPECT_EQ(parse_stage("CUSTOMER"), Stage::Customer);
  EXPECT_EQ(parse_stage("Recycled"), Stage::Recycled);
  EXPECT_EQ(parse_stage("DisQualified"), Stage::Disqualified);
}

TEST(ParseStage, TrimsSurroundingWhitespace) {
  EXPECT_EQ(parse_stage("  lead"), Stage::Lead);
  EXPECT_EQ(parse_stage("mql   "), Stage::Mql);
  EXPECT_EQ(parse_stage("\t sql \n"), Stage::Sql);
  EXPECT_EQ(parse_stage("\r\f\vcustomer\v"), Stage::Customer);
}

TEST(ParseStage, AcceptsMarketingQualifiedLeadWithAnySeparator) {
  EXPECT_EQ(parse_stage("marketing qualified lead"), Stage::Mql);
  EXPECT_EQ(parse_stage("marketing_qualified_lead"), Stage::Mql);
  EXPECT_EQ(parse_stage("marketing-qualified-lead"), Stage::Mql);
  EXPECT_EQ(parse_stage("Marketing_Qualified-Lead"), Stage::Mql);
  EXPECT_EQ(parse_stage("MARKETING QUALIFIED LEAD"), Stage::Mql);
}

TEST(ParseStage, AcceptsSalesQualifiedLeadWithAnySeparator) {
  EXPECT_EQ(parse_stage("sales qualified lead"), Stage::Sql);
  EXPECT_EQ(parse_stage("sales_qualified_lead"), Stage::Sql);
  EXPECT_EQ(parse_stage("sales-qualified-lead"), Stage::Sql);
  EXPECT_EQ(parse_stage("  SALES qualified lead "), Stage::Sql);
  EXPECT_EQ(parse_stage("Sales-Qualified_Lead"), Stage::Sql);
}

TEST(ParseStage, RejectsEmptyAndBlankText) {
  EXPECT_EQ(parse_stage(""), std::nullopt);
  EXPECT_EQ(parse_stage(" "), std::nullopt);
  EXPECT_EQ(parse_stage("\t\n"), std::nullopt);
}

TEST(ParseStage, RejectsNearMisses) {
  EXPECT_EQ(parse_stage("leads"), std::nullopt);
  EXPECT_EQ(parse_stage("lea"), std::nullopt);
  EXPECT_EQ(parse_stage("mql x"), std::nullopt);
  EXPECT_EQ(parse_stage("marketing lead"), std::nullopt);
  EXPECT_EQ(parse_stage("qualified lead"), std::nullopt);
  EXPECT_EQ(parse_stage("marketing qualified"), std::nullopt);
  EXPECT_EQ(parse_stage("marketingqualifiedlead"), std::nullopt);
  EXPECT_EQ(parse_stage("m q l"), std::nullopt);
  EXPECT_EQ(parse_stage("le ad"), std::nullopt);
  EXPECT_EQ(parse_stage("opportunities"), std::nullopt);
  EXPECT_EQ(parse_stage("?"), std::nullopt);
}

TEST(ParseStage, RejectsEmbeddedNul) {
  EXPECT_EQ(parse_stage(std::string_view("lead\0", 5)), std::nullopt);
}

// '_' and '-' separate words; they may not open or close the text.
TEST(ParseStage, RejectsLeadingOrTrailingUnderscoreOrHyphen) {
  EXPECT_EQ(parse_stage("_lead"), std::nullopt);
  EXPECT_EQ(parse_stage("lead-"), std::nullopt);
  EXPECT_EQ(parse_stage("-mql_"), std::nullopt);
}

TEST(ParseStage, RejectsVeryLongText) {
  EXPECT_EQ(parse_stage(std::string(65, 'x')), std::nullopt);
  EXPECT_EQ(parse_stage(std::string(100000, 'a')), std::nullopt);
  EXPECT_EQ(parse_stage("lead" + std::string(1000, 'd')), std::nullopt);
}

TEST(ParseStage, LongPaddingAroundAValidNameIsTrimmed) {
  EXPECT_EQ(parse_stage(std::string(200, ' ') + "lead" + std::string(200, ' ')), Stage::Lead);
}

TEST(ParseStage, RoundTripsEveryStageName) {
  for (Stage s : kAllStages)
    EXPECT_EQ(parse_stage(stage_name(s)), s) << stage_name(s);
}

// ----------------------------------------------------------------- stage_name

TEST(StageName, IsCanonicalLowercase) {
  EXPECT_STREQ(stage_name(Stage::Lead), "lead");
  EXPECT_STREQ(stage_name(Stage::Mql), "mql");
  EXPECT_STREQ(stage_name(Stage::Sql), "sql");
  EXPECT_STREQ(stage_name(Stage::Opportunity), "opportunity");
  EXPECT_STREQ(stage_name(Stage::Customer), "customer");
  EXPECT_STREQ(stage_name(Stage::Recycled), "recycled");
  EXPECT_STREQ(stage_name(Stage::Disqualified), "disqualified");
}

TEST(StageName, OutOfRangeCodeGivesPlaceholder) {
  EXPECT_STREQ(stage_name(static_cast<Stage>(7)), "?");
  EXPECT_STREQ(stage_name(static_cast<Stage>(255)), "?");
}

// ------------------------------------------------------ stage_valid and list

TEST(StageValid, AcceptsExactlyTheSevenCodes) {
  for (int code = 0; code < 256; code++)
    EXPECT_EQ(stage_valid(static_cast<uint8_t>(code)), code < 7) << code;
}

TEST(StageValid, OnDiskCodesAreStable) {
  EXPECT_EQ(static_cast<int>(Stage::Lead), 0);
  EXPECT_EQ(static_cast<int>(Stage::Mql), 1);
  EXPECT_EQ(static_cast<int>(Stage::Sql), 2);
  EXPECT_EQ(static_cast<int>(Stage::Opportunity), 3);
  EXPECT_EQ(static_cast<int>(Stage::Customer), 4);
  EXPECT_EQ(static_cast<int>(Stage::Recycled), 5);
  EXPECT_EQ(static_cast<int>(Stage::Disqualified), 6);
}

TEST(StageList, NamesEveryStageInOrder) {
  EXPECT_EQ(std::string(stage_list()),
            "lead, mql, sql, opportunity, customer, recycled, disqualified");
}

// ----------------------------------------------------------------- stage_rank

TEST(StageRank, FunnelStagesAreOneToFive) {
  EXPECT_EQ(stage_rank(Stage::Lead), 1);
  EXPECT_EQ(stage_rank(Stage::Mql), 2);
  EXPECT_EQ(stage_rank(Stage::Sql), 3);
  EXPECT_EQ(stage_rank(Stage::Opportunity), 4);
  EXPECT_EQ(stage_rank(Stage::Customer), 5);
}

TEST(StageRank, DetoursAreZero) {
  EXPECT_EQ(stage_rank(Stage::Recycled), 0);
  EXPECT_EQ(stage_rank(Stage::Disqualified), 0);
}

// ------------------------------------------------------------- can_transition

// The full guardrail matrix, written out by hand from the rule:
//  - staying in the same stage is allowed;
//  - forward along lead -> mql -> sql -> opportunity -> customer, skipping allowed;
//  - lead, mql, sql, opportunity, recycled -> disqualified;
//  - mql, sql, opportunity -> recycled;
//  - recycled -> mql, sql, opportunity, customer;
//  - everything else is refused.
constexpr bool Y = true;
constexpr bool N = false;
// clang-format off
constexpr bool kAllowed[kStageCount][kStageCount] = {
  //  to:        lead mql sql opp cust recy disq
  /* lead     */ {Y,   Y,  Y,  Y,  Y,   N,   Y},
  /* mql      */ {N,   Y,  Y,  Y,  Y,   Y,   Y},
  /* sql      */ {N,   N,  Y,  Y,  Y,   Y,   Y},
  /* opp      */ {N,   N,  N,  Y,  Y,   Y,   Y},
  /* customer */ {N,   N,  N,  N,  Y,   N,   N},
  /* recycled */ {N,   Y,  Y,  Y,  Y,   Y,   Y},
  /* disq     */ {N,   N,  N,  N,  N,   N,   Y},
};
// clang-format on

TEST(CanTransition, MatchesTheFullGuardrailMatrix) {
  for (Stage from : kAllStages)
    for (Stage to : kAllStages)
      EXPECT_EQ(can_transition(from, to), kAllowed[static_cast<int>(from)][static_cast<int>(to)])
          << stage_name(from) << " -> " << stage_name(to);
}

TEST(CanTransition, StayingPutIsAlwaysAllowed) {
  for (Stage s : kAllStages)
    EXPECT_TRUE(can_transition(s, s)) << stage_name(s);
}

TEST(CanTransition, BackwardFunnelMovesAreRefused) {
  EXPECT_FALSE(can_transition(Stage::Mql, Stage::Lead));
  EXPECT_FALSE(can_transition(Stage::Opportunity, Stage::Sql));
  EXPECT_FALSE(can_transition(Stage::Customer, Stage::Lead));
}

TEST(CanTransition, CustomerAndDisqualifiedAreTerminal) {
  for (Stage to : kAllStages) {
    if (to != Stage::Customer) {
      EXPECT_FALSE(can_transition(Stage::Customer, to)) << stage_name(to);
    }
    if (to != Stage::Disqualified) {
      EXPECT_FALSE(can_transition(Stage::Disqualified, to)) << stage_name(to);
    }
  }
}

TEST(CanTransition, RecyclingNeedsAQualifiedStage) {
  EXPECT_FALSE(can_transition(Stage::Lead, Stage::Recycled));
  EXPECT_TRUE(can_transition(Stage::Mql, Stage::Recycled));
  EXPECT_FALSE(can_transition(Stage::Recycled, Stage::Lead));
  EXPECT_TRUE(can_transition(Stage::Recycled, Stage::Mql));
}

} // namespace
} // namespace mql
