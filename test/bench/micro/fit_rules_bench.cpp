// Micro-benchmarks of the fit rules: compile_rule runs for every rule when
// the configuration is loaded (once per statement that needs it);
// evaluate_fit for every lead inserted or updated, and for every lead about
// to qualify; parse_number whenever text meets a number in a comparison.
#include "fit_rules.hpp"

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

namespace {

using namespace mql;

Scalar str(std::string s) {
  Scalar v;
  v.kind = Scalar::Kind::String;
  v.text = std::move(s);
  return v;
}

Scalar num(double d) {
  Scalar v;
  v.kind = Scalar::Kind::Number;
  v.number = d;
  return v;
}

RuleValue scalar(Scalar s) { return RuleValue{RuleValue::Shape::Scalar, {std::move(s)}}; }

RuleValue array(std::vector<Scalar> items) {
  return RuleValue{RuleValue::Shape::Array, std::move(items)};
}

struct RuleText {
  const char *attribute, *op;
  RuleValue value;
  std::optional<double> points;
  const char *effect;
};

// A realistic configuration: ten rules over six attributes.
std::vector<RuleText> sample_rules() {
  return {
      {"employees", ">=", scalar(num(500)), 20, "score"},
      {"employees", "<", scalar(num(10)), -10, "score"},
      {"industry", "in", array({str("software"), str("fintech"), str("saas"), str("media")}), 15,
       "score"},
      {"region", "=", scalar(str("EMEA")), 5, "score"},
      {"role", "in", array({str("cto"), str("vp engineering"), str("head of data")}), 25, "score"},
      {"role", "not in", array({str("student"), str("intern")}), std::nullopt, "require"},
      {"email", "ends_with", scalar(str("@gmail.com")), std::nullopt, "exclude"},
      {"country", "exists", RuleValue{}, 2, "score"},
      {"revenue", ">", scalar(str("1000000")), 10, "score"},
      {"competitor", "=", scalar(str("true")), std::nullopt, "exclude"},
  };
}

std::vector<Rule> compile_all(const std::vector<RuleText> &texts) {
  std::vector<Rule> rules;
  for (size_t i = 0; i < texts.size(); i++) {
    Rule r;
    RuleError err;
    if (!compile_rule(int64_t(i + 1), texts[i].attribute, texts[i].op, texts[i].value,
                      texts[i].points, texts[i].effect, r, err))
      std::abort();
    rules.push_back(std::move(r));
  }
  return rules;
}

Attr astr(std::string_view s) {
  Attr a;
  a.kind = Attr::Kind::String;
  a.text = s;
  return a;
}

Attr anum(double d) {
  Attr a;
  a.kind = Attr::Kind::Number;
  a.number = d;
  return a;
}

// The attributes the ten rules above see for one typical lead.
std::vector<Attr> sample_attrs() {
  return {anum(1200),
          anum(1200),
          astr("SaaS"),
          astr("emea"),
          astr("Head of Data"),
          astr("Head of Data"),
          astr("ana@example.com"),
          astr("DE"),
          astr("2500000"),
          Attr{}};
}

// Compiling all ten rules, as a configuration load does.
void BM_CompileRules10(benchmark::State &state) {
  auto texts = sample_rules();
  for (auto _ : state)
    benchmark::DoNotOptimize(compile_all(texts));
  state.SetItemsProcessed(state.iterations() * texts.size());
}
BENCHMARK(BM_CompileRules10);

// One lead against all ten rules: the per-lead cost of fit scoring.
void BM_EvaluateFit10(benchmark::State &state) {
  auto rules = compile_all(sample_rules());
  auto attrs = sample_attrs();
  for (auto _ : state) {
    benchmark::DoNotOptimize(attrs.data());
    benchmark::DoNotOptimize(evaluate_fit(rules, attrs.data()));
  }
  state.SetItemsProcessed(state.iterations() * rules.size());
}
BENCHMARK(BM_EvaluateFit10);

// One rule of each kind, to see which operators cost most.
void match_one(benchmark::State &state, size_t rule_index, Attr attr) {
  auto rules = compile_all(sample_rules());
  const Rule &rule = rules[rule_index];
  for (auto _ : state) {
    benchmark::DoNotOptimize(attr);
    benchmark::DoNotOptimize(rule_matches(rule, attr));
  }
}
BENCHMARK_CAPTURE(match_one, NumberGe, 0, anum(1200));
BENCHMARK_CAPTURE(match_one, NumericStringGe, 0, astr("1200"));
BENCHMARK_CAPTURE(match_one, InList4Miss, 2, astr("manufacturing"));
BENCHMARK_CAPTURE(match_one, StringEqCaseFolded, 3, astr("emea"));
BENCHMARK_CAPTURE(match_one, EndsWith, 6, astr("someone@gmail.com"));
BENCHMARK_CAPTURE(match_one, StringVsStringNumbersGt, 8, astr("2500000"));

void BM_ParseNumber(benchmark::State &state) {
  std::string_view text = " 1234.5 ";
  for (auto _ : state) {
    benchmark::DoNotOptimize(text);
    benchmark::DoNotOptimize(parse_number(text));
  }
}
BENCHMARK(BM_ParseNumber);

void BM_ParseNumberRejected(benchmark::State &state) {
  std::string_view text = "Head of Data";
  for (auto _ : state) {
    benchmark::DoNotOptimize(text);
    benchmark::DoNotOptimize(parse_number(text));
  }
}
BENCHMARK(BM_ParseNumberRejected);

void BM_ParseOp(benchmark::State &state) {
  std::string_view text = "NOT  IN";
  for (auto _ : state) {
    benchmark::DoNotOptimize(text);
    benchmark::DoNotOptimize(parse_op(text));
  }
}
BENCHMARK(BM_ParseOp);

} // namespace
