// Unit tests for fit rules (src/core/fit_rules.hpp).
#include "fit_rules.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

namespace mql {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// ------------------------------------------------------------------- helpers

Scalar num(double n) {
  Scalar s;
  s.kind = Scalar::Kind::Number;
  s.number = n;
  return s;
}

Scalar str(std::string text) {
  Scalar s;
  s.kind = Scalar::Kind::String;
  s.text = std::move(text);
  return s;
}

Scalar boolean(bool b) {
  Scalar s;
  s.kind = Scalar::Kind::Bool;
  s.boolean = b;
  return s;
}

Scalar json_null() { return Scalar{}; }

RuleValue absent() { return RuleValue{}; }

RuleValue scalar(Scalar s) {
  RuleValue v;
  v.shape = RuleValue::Shape::Scalar;
  v.items.push_back(std::move(s));
  return v;
}

RuleValue array(std::initializer_list<Scalar> items) {
  RuleValue v;
  v.shape = RuleValue::Shape::Array;
  v.items = items;
  return v;
}

RuleValue unsupported() { // e.g. a JSON object
  RuleValue v;
  v.shape = RuleValue::Shape::Unsupported;
  return v;
}

Attr missing() { return Attr{}; }

Attr attr_null() {
  Attr a;
  a.kind = Attr::Kind::Null;
  return a;
}

Attr attr_num(double n) {
  Attr a;
  a.kind = Attr::Kind::Number;
  a.number = n;
  return a;
}

// `text` must outlive the Attr; every caller passes a string literal.
Attr attr_str(std::string_view text) {
  Attr a;
  a.kind = Attr::Kind::String;
  a.text = text;
  return a;
}

Attr attr_bool(bool b) {
  Attr a;
  a.kind = Attr::Kind::Bool;
  a.boolean = b;
  return a;
}

Attr attr_other() { // a JSON object or array
  Attr a;
  a.kind = Attr::Kind::Other;
  return a;
}

// Compiles a rule that must be valid.
Rule compiled(std::string_view op, const RuleValue &value, std::string_view effect = "score",
              std::optional<double> points = 1.0, std::string_view attribute = "attr") {
  Rule rule;
  RuleError err;
  bool ok = compile_rule(1, attribute, op, value, points, effect, rule, err);
  if (!ok) ADD_FAILURE() << "rule refused: " << err.field << ": " << err.message;
  return rule;
}

// A score rule worth one point.
Rule rule(std::string_view op, const RuleValue &value) { return compiled(op, value); }

// Compiles a rule that must be refused and returns why.
RuleError refusal(std::string_view attribute, std::string_view op, const RuleValue &value,
                  std::optional<double> points, std::string_view effect) {
  Rule rule;
  RuleError err;
  bool ok = compile_rule(1, attribute, op, value, points, effect, rule, err);
  if (ok) ADD_FAILURE() << "rule accepted: " << attribute << " " << op;
  return err;
}

// Refusal of a score rule worth one point on attribute "attr".
std::string refused_field(std::string_view op, const RuleValue &value) {
  return refusal("attr", op, value, 1.0, "score").field;
}

// ------------------------------------------------------------------- parse_op

TEST(ParseOp, Equals) {
  EXPECT_EQ(parse_op("="), Op::Eq);
  EXPECT_EQ(parse_op("=="), Op::Eq);
  EXPECT_EQ(parse_op(" = "), Op::Eq);
}

TEST(ParseOp, NotEquals) {
  EXPECT_EQ(parse_op("<>"), Op::Ne);
  EXPECT_EQ(parse_op("!="), Op::Ne);
}

TEST(ParseOp, In) {
  EXPECT_EQ(parse_op("in"), Op::In);
  EXPECT_EQ(parse_op("IN"), Op::In);
  EXPECT_EQ(parse_op(" In "), Op::In);
}

TEST(ParseOp, NotInInEverySpelling) {
  EXPECT_EQ(parse_op("not in"), Op::NotIn);
  EXPECT_EQ(parse_op("NOT IN"), Op::NotIn);
  EXPECT_EQ(parse_op("NOT_IN"), Op::NotIn);
  EXPECT_EQ(parse_op("not_in"), Op::NotIn);
  EXPECT_EQ(parse_op("Not   In"), Op::NotIn);
  EXPECT_EQ(parse_op("not\tin"), Op::NotIn);
}

TEST(ParseOp, Ordering) {
  EXPECT_EQ(parse_op("<"), Op::Lt);
  EXPECT_EQ(parse_op("<="), Op::Le);
  EXPECT_EQ(parse_op(">"), Op::Gt);
  EXPECT_EQ(parse_op(">="), Op::Ge);
}

TEST(ParseOp, ExistsAndNotExists) {
  EXPECT_EQ(parse_op("exists"), Op::Exists);
  EXPECT_EQ(parse_op("EXISTS"), Op::Exists);
  EXPECT_EQ(parse_op("not exists"), Op::NotExists);
  EXPECT_EQ(parse_op("NOT_EXISTS"), Op::NotExists);
}

TEST(ParseOp, EndsWithInEverySpelling) {
  EXPECT_EQ(parse_op("ends_with"), Op::EndsWith);
  EXPECT_EQ(parse_op("ends with"), Op::EndsWith);
  EXPECT_EQ(parse_op("ENDS_WITH"), Op::EndsWith);
  EXPECT_EQ(parse_op("Ends With"), Op::EndsWith);
}

TEST(ParseOp, RejectsUnknownOperators) {
  for (const char *text : {"", " ", "===", "=<", "=>", "< >", "! =", "eq", "like", "notin",
                           "endswith", "ends-with", "not", "is", "contains", "in not", "exist"})
    EXPECT_EQ(parse_op(text), std::nullopt) << '"' << text << '"';
}

TEST(ParseOp, RoundTripsEveryOperatorName) {
  for (Op op : {Op::Eq, Op::Ne, Op::In, Op::NotIn, Op::Lt, Op::Le, Op::Gt, Op::Ge, Op::Exists,
                Op::NotExists, Op::EndsWith})
    EXPECT_EQ(parse_op(op_name(op)), op) << op_name(op);
}

TEST(OpName, CanonicalSpellings) {
  EXPECT_STREQ(op_name(Op::Eq), "=");
  EXPECT_STREQ(op_name(Op::Ne), "<>");
  EXPECT_STREQ(op_name(Op::NotIn), "not in");
  EXPECT_STREQ(op_name(Op::EndsWith), "ends_with");
  EXPECT_EQ(std::string(op_list()),
            "=, <>, in, not in, <, <=, >, >=, exists, not exists, ends_with");
}

// --------------------------------------------------------------- parse_effect

TEST(ParseEffect, AcceptsTheThreeEffectsInAnyCase) {
  EXPECT_EQ(parse_effect("score"), Effect::Score);
  EXPECT_EQ(parse_effect("SCORE"), Effect::Score);
  EXPECT_EQ(parse_effect(" Require "), Effect::Require);
  EXPECT_EQ(parse_effect("exclude"), Effect::Exclude);
  EXPECT_EQ(parse_effect("EXCLUDE"), Effect::Exclude);
}

TEST(ParseEffect, RejectsAnythingElse) {
  for (const char *text : {"", " ", "scores", "include", "required", "points", "re quire"})
    EXPECT_EQ(parse_effect(text), std::nullopt) << '"' << text << '"';
}

TEST(ParseEffect, RoundTripsEveryEffectName) {
  for (Effect e : {Effect::Score, Effect::Require, Effect::Exclude})
    EXPECT_EQ(parse_effect(effect_name(e)), e) << effect_name(e);
}

// ------------------------------------------------------ compile_rule: success

TEST(CompileRule, FillsTheCompiledRule) {
  Rule out;
  RuleError err;
  ASSERT_TRUE(compile_rule(42, "employees", ">=", scalar(num(500)), 12.5, "Score", out, err));
  EXPECT_EQ(out.id, 42);
  EXPECT_EQ(out.attribute, "employees");
  EXPECT_EQ(out.op, Op::Ge);
  EXPECT_EQ(out.effect, Effect::Score);
  EXPECT_EQ(out.points, 12.5);
  ASSERT_EQ(out.values.size(), 1u);
  EXPECT_EQ(out.values[0].kind, Scalar::Kind::Number);
  EXPECT_EQ(out.values[0].number, 500);
}

TEST(CompileRule, RequireAndExcludeRulesCarryZeroPoints) {
  Rule r = compiled("=", scalar(str("EMEA")), "require", std::nullopt);
  EXPECT_EQ(r.effect, Effect::Require);
  EXPECT_EQ(r.points, 0.0);
  Rule x = compiled("=", scalar(str("student")), "exclude", 0.0);
  EXPECT_EQ(x.effect, Effect::Exclude);
  EXPECT_EQ(x.points, 0.0);
}

TEST(CompileRule, ScoreRulesMayHaveZeroOrNegativePoints) {
  EXPECT_EQ(compiled("=", scalar(num(1)), "score", 0.0).points, 0.0);
  EXPECT_EQ(compiled("=", scalar(num(1)), "score", -7.5).points, -7.5);
}

TEST(CompileRule, ExistsTakesNoValueOrJsonNull) {
  EXPECT_TRUE(compiled("exists", absent()).values.empty());
  compiled("exists", scalar(json_null()));
  compiled("not exists", absent());
  compiled("not exists", scalar(json_null()));
}

TEST(CompileRule, InTakesAMixedArray) {
  Rule r = compiled("in", array({str("student"), num(5), boolean(true)}));
  EXPECT_EQ(r.values.size(), 3u);
  compiled("not in", array({str("x")}));
}

TEST(CompileRule, AcceptsTheValueShapeOfEachOperator) {
  compiled("=", scalar(str("x")));
  compiled("=", scalar(num(1)));
  compiled("=", scalar(boolean(false)));
  compiled("<>", scalar(boolean(true)));
  compiled("<", scalar(num(1)));
  compiled("<=", scalar(str("m")));
  compiled(">", scalar(num(-1)));
  compiled(">=", scalar(str("2024-01-01")));
  compiled("ends_with", scalar(str("@gmail.com")));
}

// ----------------------------------------------------- compile_rule: refusals

TEST(CompileRule, RefusesEmptyAttribute) {
  RuleError err = refusal("", "=", scalar(str("x")), 1.0, "score");
  EXPECT_EQ(err.field, "attribute");
  EXPECT_FALSE(err.message.empty());
}

TEST(CompileRule, RefusesUnknownOperatorNamingIt) {
  RuleError err = refusal("industry", "like", scalar(str("x")), 1.0, "score");
  EXPECT_EQ(err.field, "op");
  EXPECT_NE(err.message.find("like"), std::string::npos) << err.message;
  EXPECT_NE(err.hint.find("ends_with"), std::string::npos) << err.hint;
}

TEST(CompileRule, RefusesUnknownEffectNamingIt) {
  RuleError err = refusal("industry", "=", scalar(str("x")), 1.0, "boost");
  EXPECT_EQ(err.field, "effect");
  EXPECT_NE(err.message.find("boost"), std::string::npos) << err.message;
}

TEST(CompileRule, RefusesNonFinitePoints) {
  EXPECT_EQ(refusal("a", "=", scalar(num(1)), kNaN, "score").field, "points");
  EXPECT_EQ(refusal("a", "=", scalar(num(1)), kInf, "score").field, "points");
  EXPECT_EQ(refusal("a", "=", scalar(num(1)), -kInf, "score").field, "points");
  EXPECT_EQ(refusal("a", "=", scalar(num(1)), kNaN, "require").field, "points");
}

TEST(CompileRule, RefusesPointsBeyondTheBound) {
  EXPECT_EQ(refusal("a", "=", scalar(num(1)), 1e9 + 1, "score").field, "points");
  EXPECT_EQ(refusal("a", "=", scalar(num(1)), -1e308, "score").field, "points");
  EXPECT_EQ(compiled("=", scalar(num(1)), "score", 1e9).points, 1e9);
  EXPECT_EQ(compiled("=", scalar(num(1)), "score", -1e9).points, -1e9);
}

TEST(CompileRule, QuotesAtMost64BytesOfAnUnknownOperator) {
  std::string op(1000, 'x');
  RuleError err = refusal("a", op, scalar(num(1)), 1.0, "score");
  EXPECT_EQ(err.message, "unknown fit rule operator \"" + std::string(64, 'x') + "...\"");
  err = refusal("a", "=", scalar(num(1)), 1.0, std::string(65, 'y'));
  EXPECT_EQ(err.message, "unknown fit rule effect \"" + std::string(64, 'y') + "...\"");
  err = refusal("a", std::string(64, 'z'), scalar(num(1)), 1.0, "score");
  EXPECT_EQ(err.message, "unknown fit rule operator \"" + std::string(64, 'z') + "\"");
}

TEST(CompileRule, RefusesScoreRuleWithoutPoints) {
  EXPECT_EQ(refusal("a", "=", scalar(num(1)), std::nullopt, "score").field, "points");
}

TEST(CompileRule, RefusesRequireOrExcludeRuleWithPoints) {
  EXPECT_EQ(refusal("a", "=", scalar(num(1)), 5.0, "require").field, "points");
  EXPECT_EQ(refusal("a", "=", scalar(num(1)), -1.0, "exclude").field, "points");
}

TEST(CompileRule, ReportsTheAttributeBeforeTheOperator) {
  EXPECT_EQ(refusal("", "like", scalar(num(1)), kNaN, "boost").field, "attribute");
  EXPECT_EQ(refusal("a", "like", scalar(num(1)), kNaN, "boost").field, "op");
  EXPECT_EQ(refusal("a", "=", scalar(num(1)), kNaN, "boost").field, "effect");
}

TEST(CompileRule, InNeedsANonEmptyArrayWithoutNulls) {
  for (const char *op : {"in", "not in"}) {
    EXPECT_EQ(refused_field(op, scalar(str("student"))), "value") << op;
    EXPECT_EQ(refused_field(op, array({})), "value") << op;
    EXPECT_EQ(refused_field(op, array({str("a"), json_null()})), "value") << op;
    EXPECT_EQ(refused_field(op, array({json_null()})), "value") << op;
    EXPECT_EQ(refused_field(op, absent()), "value") << op;
    EXPECT_EQ(refused_field(op, unsupported()), "value") << op;
  }
}

TEST(CompileRule, ExistsRefusesAValue) {
  for (const char *op : {"exists", "not exists"}) {
    EXPECT_EQ(refused_field(op, scalar(str("x"))), "value") << op;
    EXPECT_EQ(refused_field(op, scalar(num(0))), "value") << op;
    EXPECT_EQ(refused_field(op, scalar(boolean(false))), "value") << op;
    EXPECT_EQ(refused_field(op, array({str("x")})), "value") << op;
    EXPECT_EQ(refused_field(op, array({})), "value") << op;
    EXPECT_EQ(refused_field(op, unsupported()), "value") << op;
  }
}

TEST(CompileRule, EndsWithNeedsAString) {
  EXPECT_EQ(refused_field("ends_with", scalar(num(34))), "value");
  EXPECT_EQ(refused_field("ends_with", scalar(boolean(true))), "value");
  EXPECT_EQ(refused_field("ends_with", scalar(json_null())), "value");
  EXPECT_EQ(refused_field("ends_with", array({str("@gmail.com")})), "value");
  EXPECT_EQ(refused_field("ends_with", absent()), "value");
}

TEST(CompileRule, EqualityNeedsANonNullScalar) {
  for (const char *op : {"=", "<>"}) {
    EXPECT_EQ(refused_field(op, scalar(json_null())), "value") << op;
    EXPECT_EQ(refused_field(op, absent()), "value") << op;
    EXPECT_EQ(refused_field(op, array({str("x")})), "value") << op;
    EXPECT_EQ(refused_field(op, unsupported()), "value") << op;
  }
}

TEST(CompileRule, OrderingNeedsANumberOrString) {
  for (const char *op : {"<", "<=", ">", ">="}) {
    EXPECT_EQ(refused_field(op, scalar(boolean(true))), "value") << op;
    EXPECT_EQ(refused_field(op, scalar(json_null())), "value") << op;
    EXPECT_EQ(refused_field(op, absent()), "value") << op;
    EXPECT_EQ(refused_field(op, array({num(1)})), "value") << op;
    EXPECT_EQ(refused_field(op, unsupported()), "value") << op;
  }
}

TEST(CompileRule, RefusesAScalarShapeWithoutExactlyOneItem) {
  RuleValue two = scalar(str("a"));
  two.items.push_back(str("b"));
  EXPECT_EQ(refused_field("=", two), "value");
  RuleValue none;
  none.shape = RuleValue::Shape::Scalar;
  EXPECT_EQ(refused_field("=", none), "value");
  EXPECT_EQ(refused_field("<", none), "value");
  EXPECT_EQ(refused_field("ends_with", none), "value");
}

// ------------------------------------------------------- rule_matches: equal

TEST(RuleMatchesEq, NumbersCompareNumerically) {
  Rule r = rule("=", scalar(num(500)));
  EXPECT_TRUE(rule_matches(r, attr_num(500)));
  EXPECT_TRUE(rule_matches(r, attr_num(500.0)));
  EXPECT_FALSE(rule_matches(r, attr_num(499)));
  EXPECT_FALSE(rule_matches(r, attr_num(500.5)));
}

TEST(RuleMatchesEq, NumericStringAttributeEqualsNumber) {
  EXPECT_TRUE(rule_matches(rule("=", scalar(num(500))), attr_str("500")));
  EXPECT_TRUE(rule_matches(rule("=", scalar(num(500))), attr_str("500.0")));
  EXPECT_TRUE(rule_matches(rule("=", scalar(num(500))), attr_str("5e2")));
  EXPECT_TRUE(rule_matches(rule("=", scalar(num(42))), attr_str(" 42 ")));
  EXPECT_FALSE(rule_matches(rule("=", scalar(num(500))), attr_str("500abc")));
  EXPECT_FALSE(rule_matches(rule("=", scalar(num(500))), attr_str("")));
  EXPECT_FALSE(rule_matches(rule("=", scalar(num(16))), attr_str("0x10")));
}

TEST(RuleMatchesEq, NumericStringRuleValueEqualsNumberAttribute) {
  EXPECT_TRUE(rule_matches(rule("=", scalar(str("500"))), attr_num(500)));
  EXPECT_FALSE(rule_matches(rule("=", scalar(str("500"))), attr_num(501)));
}

TEST(RuleMatchesEq, StringsCompareCaseInsensitively) {
  Rule r = rule("=", scalar(str("EMEA")));
  EXPECT_TRUE(rule_matches(r, attr_str("EMEA")));
  EXPECT_TRUE(rule_matches(r, attr_str("emea")));
  EXPECT_TRUE(rule_matches(r, attr_str("eMeA")));
  EXPECT_FALSE(rule_matches(r, attr_str("EMEA2")));
  EXPECT_FALSE(rule_matches(r, attr_str("EME")));
  EXPECT_FALSE(rule_matches(r, attr_str("apac")));
}

TEST(RuleMatchesEq, NonAsciiLettersAreNotCaseFolded) {
  // U+00C9 and U+00E9 in UTF-8: only ASCII case is folded.
  EXPECT_FALSE(rule_matches(rule("=", scalar(str("\xC3\x89"))), attr_str("\xC3\xA9")));
  EXPECT_TRUE(rule_matches(rule("=", scalar(str("\xC3\xA9"))), attr_str("\xC3\xA9")));
}

TEST(RuleMatchesEq, TwoStringsCompareAsTextEvenWhenNumeric) {
  // Only a JSON number on one side makes the comparison numeric, so zip
  // codes keep their leading zeros.
  EXPECT_FALSE(rule_matches(rule("=", scalar(str("02134"))), attr_str("2134")));
  EXPECT_TRUE(rule_matches(rule("=", scalar(str("02134"))), attr_str("02134")));
}

TEST(RuleMatchesEq, BooleansMatchOnlyBooleans) {
  Rule t = rule("=", scalar(boolean(true)));
  EXPECT_TRUE(rule_matches(t, attr_bool(true)));
  EXPECT_FALSE(rule_matches(t, attr_bool(false)));
  EXPECT_FALSE(rule_matches(t, attr_str("true")));
  EXPECT_FALSE(rule_matches(t, attr_num(1)));
  Rule f = rule("=", scalar(boolean(false)));
  EXPECT_TRUE(rule_matches(f, attr_bool(false)));
  EXPECT_FALSE(rule_matches(f, attr_num(0)));
  EXPECT_FALSE(rule_matches(rule("=", scalar(num(1))), attr_bool(true)));
  EXPECT_FALSE(rule_matches(rule("=", scalar(str("true"))), attr_bool(true)));
}

TEST(RuleMatchesEq, NumberNeverEqualsNonNumericString) {
  EXPECT_FALSE(rule_matches(rule("=", scalar(num(5))), attr_str("five")));
  EXPECT_FALSE(rule_matches(rule("=", scalar(str("five"))), attr_num(5)));
}

TEST(RuleMatchesEq, OtherJsonKindsNeverEqual) {
  EXPECT_FALSE(rule_matches(rule("=", scalar(str("x"))), attr_other()));
  EXPECT_FALSE(rule_matches(rule("=", scalar(num(0))), attr_other()));
}

// --------------------------------------------------- rule_matches: not equal

TEST(RuleMatchesNe, TrueForDifferentPresentValues) {
  Rule r = rule("<>", scalar(str("EMEA")));
  EXPECT_TRUE(rule_matches(r, attr_str("apac")));
  EXPECT_FALSE(rule_matches(r, attr_str("emea")));
  EXPECT_TRUE(rule_matches(r, attr_num(5)));
  EXPECT_TRUE(rule_matches(r, attr_bool(true)));
}

TEST(RuleMatchesNe, NumbersCompareNumerically) {
  Rule r = rule("!=", scalar(num(500)));
  EXPECT_FALSE(rule_matches(r, attr_num(500)));
  EXPECT_FALSE(rule_matches(r, attr_str("500")));
  EXPECT_TRUE(rule_matches(r, attr_num(501)));
  EXPECT_TRUE(rule_matches(r, attr_str("501")));
}

TEST(RuleMatchesNe, FalseForMissingOrNull) {
  Rule r = rule("<>", scalar(str("EMEA")));
  EXPECT_FALSE(rule_matches(r, missing()));
  EXPECT_FALSE(rule_matches(r, attr_null()));
}

// ---------------------------------------------------- rule_matches: in / not in

TEST(RuleMatchesIn, MatchesAnyListedValue) {
  Rule r = rule("in", array({str("student"), num(5), boolean(true)}));
  EXPECT_TRUE(rule_matches(r, attr_str("STUDENT")));
  EXPECT_TRUE(rule_matches(r, attr_str("student")));
  EXPECT_FALSE(rule_matches(r, attr_str("intern")));
  EXPECT_TRUE(rule_matches(r, attr_num(5)));
  EXPECT_TRUE(rule_matches(r, attr_str("5")));
  EXPECT_TRUE(rule_matches(r, attr_str(" 5 ")));
  EXPECT_FALSE(rule_matches(r, attr_num(6)));
  EXPECT_TRUE(rule_matches(r, attr_bool(true)));
  EXPECT_FALSE(rule_matches(r, attr_bool(false)));
  EXPECT_FALSE(rule_matches(r, attr_other()));
}

TEST(RuleMatchesIn, FalseForMissingOrNull) {
  Rule r = rule("in", array({str("student")}));
  EXPECT_FALSE(rule_matches(r, missing()));
  EXPECT_FALSE(rule_matches(r, attr_null()));
}

TEST(RuleMatchesNotIn, MatchesValuesNotListed) {
  Rule r = rule("not in", array({str("student"), num(5), boolean(true)}));
  EXPECT_TRUE(rule_matches(r, attr_str("intern")));
  EXPECT_FALSE(rule_matches(r, attr_str("Student")));
  EXPECT_FALSE(rule_matches(r, attr_str("5")));
  EXPECT_TRUE(rule_matches(r, attr_num(6)));
  EXPECT_TRUE(rule_matches(r, attr_bool(false)));
  EXPECT_FALSE(rule_matches(r, attr_bool(true)));
}

TEST(RuleMatchesNotIn, FalseForMissingOrNull) {
  Rule r = rule("not in", array({str("student")}));
  EXPECT_FALSE(rule_matches(r, missing()));
  EXPECT_FALSE(rule_matches(r, attr_null()));
}

// ---------------------------------------------------- rule_matches: ordering

TEST(RuleMatchesOrdering, LessThanNumber) {
  Rule r = rule("<", scalar(num(100)));
  EXPECT_TRUE(rule_matches(r, attr_num(99)));
  EXPECT_TRUE(rule_matches(r, attr_num(-1e9)));
  EXPECT_FALSE(rule_matches(r, attr_num(100)));
  EXPECT_FALSE(rule_matches(r, attr_num(101)));
  EXPECT_TRUE(rule_matches(r, attr_str("99.5")));
  EXPECT_FALSE(rule_matches(r, attr_str("100")));
}

TEST(RuleMatchesOrdering, LessOrEqualNumber) {
  Rule r = rule("<=", scalar(num(100)));
  EXPECT_TRUE(rule_matches(r, attr_num(100)));
  EXPECT_TRUE(rule_matches(r, attr_str("100")));
  EXPECT_TRUE(rule_matches(r, attr_num(3)));
  EXPECT_FALSE(rule_matches(r, attr_num(100.001)));
}

TEST(RuleMatchesOrdering, GreaterThanNumber) {
  Rule r = rule(">", scalar(num(100)));
  EXPECT_TRUE(rule_matches(r, attr_num(101)));
  EXPECT_FALSE(rule_matches(r, attr_num(100)));
  EXPECT_FALSE(rule_matches(r, attr_num(99)));
  EXPECT_TRUE(rule_matches(r, attr_str(" 250 ")));
}

TEST(RuleMatchesOrdering, GreaterOrEqualNumber) {
  Rule r = rule(">=", scalar(num(100)));
  EXPECT_TRUE(rule_matches(r, attr_num(100)));
  EXPECT_TRUE(rule_matches(r, attr_str("1e3")));
  EXPECT_FALSE(rule_matches(r, attr_num(99.999)));
}

TEST(RuleMatchesOrdering, NumericStringRuleValueAgainstNumberAttribute) {
  EXPECT_TRUE(rule_matches(rule(">", scalar(str("5"))), attr_num(10)));
  EXPECT_FALSE(rule_matches(rule("<", scalar(str("5"))), attr_num(10)));
}

TEST(RuleMatchesOrdering, StringsCompareCaseInsensitively) {
  Rule lt = rule("<", scalar(str("m")));
  EXPECT_TRUE(rule_matches(lt, attr_str("apple")));
  EXPECT_TRUE(rule_matches(lt, attr_str("Apple")));
  EXPECT_FALSE(rule_matches(lt, attr_str("Zebra")));
  EXPECT_FALSE(rule_matches(lt, attr_str("M")));
  Rule ge = rule(">=", scalar(str("M")));
  EXPECT_TRUE(rule_matches(ge, attr_str("m")));
  EXPECT_TRUE(rule_matches(ge, attr_str("zebra")));
  EXPECT_FALSE(rule_matches(ge, attr_str("L")));
  // A prefix sorts first.
  EXPECT_TRUE(rule_matches(rule("<", scalar(str("APPLES"))), attr_str("apple")));
  EXPECT_TRUE(rule_matches(rule(">", scalar(str("app"))), attr_str("APPLE")));
  // Dates as ISO strings order correctly.
  EXPECT_TRUE(rule_matches(rule(">=", scalar(str("2024-01-01"))), attr_str("2024-03-15")));
}

TEST(RuleMatchesOrdering, IncomparableKindsNeverMatch) {
  for (const char *op : {"<", "<=", ">", ">="}) {
    Rule by_number = rule(op, scalar(num(5)));
    EXPECT_FALSE(rule_matches(by_number, attr_str("abc"))) << op;
    EXPECT_FALSE(rule_matches(by_number, attr_bool(true))) << op;
    EXPECT_FALSE(rule_matches(by_number, attr_bool(false))) << op;
    EXPECT_FALSE(rule_matches(by_number, attr_other())) << op;
    Rule by_text = rule(op, scalar(str("abc")));
    EXPECT_FALSE(rule_matches(by_text, attr_num(5))) << op;
    EXPECT_FALSE(rule_matches(by_text, attr_bool(true))) << op;
    EXPECT_FALSE(rule_matches(by_text, attr_other())) << op;
  }
}

// --------------------------------------------------- rule_matches: ends_with

TEST(RuleMatchesEndsWith, CaseInsensitiveSuffix) {
  Rule r = rule("ends_with", scalar(str("@gmail.com")));
  EXPECT_TRUE(rule_matches(r, attr_str("jane@gmail.com")));
  EXPECT_TRUE(rule_matches(r, attr_str("Jane@GMAIL.COM")));
  EXPECT_TRUE(rule_matches(r, attr_str("@gmail.com")));
  EXPECT_FALSE(rule_matches(r, attr_str("jane@gmail.co")));
  EXPECT_FALSE(rule_matches(r, attr_str("gmail.com")));
  EXPECT_FALSE(rule_matches(r, attr_str("jane@gmail.com.evil.org")));
  EXPECT_FALSE(rule_matches(r, attr_str("")));
}

TEST(RuleMatchesEndsWith, UpperCaseRuleValueMatchesLowerCaseAttribute) {
  EXPECT_TRUE(rule_matches(rule("ends with", scalar(str("@ACME.IO"))), attr_str("bob@acme.io")));
}

TEST(RuleMatchesEndsWith, OnlyStringsMatch) {
  Rule r = rule("ends_with", scalar(str("34")));
  EXPECT_TRUE(rule_matches(r, attr_str("1234")));
  EXPECT_FALSE(rule_matches(r, attr_num(1234)));
  EXPECT_FALSE(rule_matches(rule("ends_with", scalar(str("true"))), attr_bool(true)));
  EXPECT_FALSE(rule_matches(r, attr_other()));
  EXPECT_FALSE(rule_matches(r, missing()));
  EXPECT_FALSE(rule_matches(r, attr_null()));
}

// ---------------------------------------------- rule_matches: (not) exists

TEST(RuleMatchesExists, TrueForAnyPresentValue) {
  Rule r = rule("exists", absent());
  EXPECT_TRUE(rule_matches(r, attr_str("")));
  EXPECT_TRUE(rule_matches(r, attr_str("x")));
  EXPECT_TRUE(rule_matches(r, attr_num(0)));
  EXPECT_TRUE(rule_matches(r, attr_bool(false)));
  EXPECT_TRUE(rule_matches(r, attr_other()));
}

TEST(RuleMatchesExists, FalseForMissingOrNull) {
  Rule r = rule("exists", absent());
  EXPECT_FALSE(rule_matches(r, missing()));
  EXPECT_FALSE(rule_matches(r, attr_null()));
}

TEST(RuleMatchesNotExists, TrueForMissingOrNull) {
  Rule r = rule("not exists", absent());
  EXPECT_TRUE(rule_matches(r, missing()));
  EXPECT_TRUE(rule_matches(r, attr_null()));
}

TEST(RuleMatchesNotExists, FalseForAnyPresentValue) {
  Rule r = rule("not exists", scalar(json_null()));
  EXPECT_FALSE(rule_matches(r, attr_str("")));
  EXPECT_FALSE(rule_matches(r, attr_num(0)));
  EXPECT_FALSE(rule_matches(r, attr_bool(false)));
  EXPECT_FALSE(rule_matches(r, attr_other()));
}

TEST(RuleMatches, MissingAndNullMatchNothingButNotExists) {
  const std::vector<Rule> rules = {
      rule("=", scalar(str("x"))),   rule("=", scalar(boolean(false))),
      rule("<>", scalar(str("x"))),  rule("<>", scalar(num(0))),
      rule("in", array({str("x")})), rule("not in", array({str("x")})),
      rule("<", scalar(num(0))),     rule("<=", scalar(num(0))),
      rule(">", scalar(num(0))),     rule(">=", scalar(str(""))),
      rule("exists", absent()),      rule("ends_with", scalar(str(""))),
  };
  for (const Rule &r : rules) {
    EXPECT_FALSE(rule_matches(r, missing())) << op_name(r.op);
    EXPECT_FALSE(rule_matches(r, attr_null())) << op_name(r.op);
  }
  EXPECT_TRUE(rule_matches(rule("not exists", absent()), missing()));
  EXPECT_TRUE(rule_matches(rule("not exists", absent()), attr_null()));
}

// ---------------------------------------------------------------- evaluate_fit

// A typical rule set; attrs[i] is the attribute for rule i.
std::vector<Rule> typical_rules() {
  return {
      compiled("=", scalar(str("saas")), "score", 10.0, "industry"),
      compiled(">=", scalar(num(100)), "score", 25.0, "employees"),
      compiled("ends_with", scalar(str("@gmail.com")), "score", -5.0, "email"),
      compiled("in", array({str("US"), str("CA")}), "require", std::nullopt, "country"),
      compiled("=", scalar(str("student")), "exclude", std::nullopt, "role"),
  };
}

TEST(EvaluateFit, SumsMatchingScoreRules) {
  const Attr attrs[] = {attr_str("SaaS"), attr_num(250), attr_str("a@acme.com"), attr_str("us"),
                        attr_str("cto")};
  FitResult r = evaluate_fit(typical_rules(), attrs);
  EXPECT_EQ(r.score, 35.0);
  EXPECT_TRUE(r.eligible);
}

TEST(EvaluateFit, NegativePointsSubtract) {
  const Attr attrs[] = {attr_str("saas"), attr_str("250"), attr_str("a@Gmail.com"), attr_str("CA"),
                        missing()};
  FitResult r = evaluate_fit(typical_rules(), attrs);
  EXPECT_EQ(r.score, 30.0);
  EXPECT_TRUE(r.eligible);
}

TEST(EvaluateFit, NonMatchingScoreRulesAddNothing) {
  const Attr attrs[] = {attr_str("retail"), attr_num(99), missing(), attr_str("US"), attr_null()};
  FitResult r = evaluate_fit(typical_rules(), attrs);
  EXPECT_EQ(r.score, 0.0);
  EXPECT_TRUE(r.eligible);
}

TEST(EvaluateFit, MissedRequireRuleMakesIneligible) {
  const Attr attrs[] = {attr_str("saas"), attr_num(250), missing(), attr_str("DE"), missing()};
  FitResult r = evaluate_fit(typical_rules(), attrs);
  EXPECT_FALSE(r.eligible);
  EXPECT_EQ(r.score, 35.0); // the score is still the sum of matching score rules
}

TEST(EvaluateFit, RequireRuleOnMissingAttributeMakesIneligible) {
  const Attr attrs[] = {attr_str("saas"), attr_num(250), missing(), missing(), missing()};
  EXPECT_FALSE(evaluate_fit(typical_rules(), attrs).eligible);
}

TEST(EvaluateFit, MatchedExcludeRuleMakesIneligible) {
  const Attr attrs[] = {attr_str("saas"), attr_num(250), missing(), attr_str("US"),
                        attr_str("Student")};
  FitResult r = evaluate_fit(typical_rules(), attrs);
  EXPECT_FALSE(r.eligible);
  EXPECT_EQ(r.score, 35.0);
}

TEST(EvaluateFit, NoRulesGiveZeroAndEligible) {
  FitResult r = evaluate_fit({}, nullptr);
  EXPECT_EQ(r.score, 0.0);
  EXPECT_TRUE(r.eligible);
}

TEST(EvaluateFit, FractionalPointsAdd) {
  const std::vector<Rule> rules = {compiled("exists", absent(), "score", 0.5, "a"),
                                   compiled("exists", absent(), "score", 0.25, "b"),
                                   compiled("exists", absent(), "score", 100.0, "c")};
  const Attr attrs[] = {attr_str("x"), attr_num(1), missing()};
  EXPECT_EQ(evaluate_fit(rules, attrs).score, 0.75);
}

TEST(EvaluateFit, SameAttributeMayFeedSeveralRules) {
  const std::vector<Rule> rules = {compiled(">=", scalar(num(10)), "score", 5.0, "employees"),
                                   compiled(">=", scalar(num(100)), "score", 10.0, "employees"),
                                   compiled(">=", scalar(num(1000)), "score", 20.0, "employees")};
  const Attr attrs[] = {attr_num(500), attr_num(500), attr_num(500)};
  EXPECT_EQ(evaluate_fit(rules, attrs).score, 15.0);
}

// --------------------------------------------------------------- parse_number

TEST(ParseNumber, PlainNumbers) {
  EXPECT_EQ(parse_number("500"), 500.0);
  EXPECT_EQ(parse_number("0"), 0.0);
  EXPECT_EQ(parse_number("-12.5"), -12.5);
  EXPECT_EQ(parse_number("3.25"), 3.25);
}

TEST(ParseNumber, SurroundingSpacesAllowed) {
  EXPECT_EQ(parse_number(" 42 "), 42.0);
  EXPECT_EQ(parse_number("   7"), 7.0);
  EXPECT_EQ(parse_number("7   "), 7.0);
}

TEST(ParseNumber, LeadingPlusAllowed) {
  EXPECT_EQ(parse_number("+5"), 5.0);
  EXPECT_EQ(parse_number(" +0.5 "), 0.5);
}

TEST(ParseNumber, ExponentsAllowed) {
  EXPECT_EQ(parse_number("1e3"), 1000.0);
  EXPECT_EQ(parse_number("1E3"), 1000.0);
  EXPECT_EQ(parse_number("2.5e-1"), 0.25);
  EXPECT_EQ(parse_number("-4e2"), -400.0);
}

TEST(ParseNumber, RejectsEmptyAndBlank) {
  EXPECT_EQ(parse_number(""), std::nullopt);
  EXPECT_EQ(parse_number("   "), std::nullopt);
}

TEST(ParseNumber, RejectsHex) {
  EXPECT_EQ(parse_number("0x10"), std::nullopt);
  EXPECT_EQ(parse_number("0X1A"), std::nullopt);
}

TEST(ParseNumber, RejectsInfinityAndNaN) {
  for (const char *text : {"inf", "-inf", "+inf", "INF", "infinity", "nan", "NaN", "-nan"})
    EXPECT_EQ(parse_number(text), std::nullopt) << text;
}

TEST(ParseNumber, RejectsOverflow) { EXPECT_EQ(parse_number("1e400"), std::nullopt); }

TEST(ParseNumber, RejectsTrailingOrEmbeddedJunk) {
  for (const char *text : {"12abc", "abc", "1 2", "1,5", "12.5.1", "5e", "1e3x", "$5", "5%"})
    EXPECT_EQ(parse_number(text), std::nullopt) << text;
}

TEST(ParseNumber, RejectsLoneOrDoubledSigns) {
  for (const char *text : {"+", "-", "++5", "--5", "-+5", "+ 5"})
    EXPECT_EQ(parse_number(text), std::nullopt) << text;
}

// A '+' may not be followed by another sign.
TEST(ParseNumber, RejectsPlusFollowedByMinus) {
  EXPECT_EQ(parse_number("+-5"), std::nullopt);
  EXPECT_EQ(parse_number(" +-0.5 "), std::nullopt);
}

TEST(RuleMatches, OrderingComparesNumericStringsNumerically) {
  // Both sides are strings that read as numbers: ordering is numeric.
  EXPECT_TRUE(rule_matches(rule("<", scalar(str("1000"))), attr_str("500")));
  EXPECT_FALSE(rule_matches(rule(">", scalar(str("1000"))), attr_str("500")));
  // Non-numeric strings still order as text.
  EXPECT_TRUE(rule_matches(rule("<", scalar(str("b"))), attr_str("A")));
}

} // namespace
} // namespace mql

namespace mql {
namespace {

TEST(CompileRule, RefusesNonFiniteNumbersInTheValue) {
  // The glue turns a JSON number beyond double range (1e400) into infinity.
  RuleValue v;
  v.shape = RuleValue::Shape::Scalar;
  Scalar s;
  s.kind = Scalar::Kind::Number;
  s.number = std::numeric_limits<double>::infinity();
  v.items.push_back(s);
  Rule out;
  RuleError err;
  EXPECT_FALSE(compile_rule(1, "employees", ">=", v, 10.0, "score", out, err));
  EXPECT_EQ(err.field, "value");
}

} // namespace
} // namespace mql
