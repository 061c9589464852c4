// Fit rules: who a lead is (company size, industry, region, role) turned
// into points, requirements and exclusions. Compiled once per statement,
// evaluated per lead with no allocation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mql {

enum class Op : uint8_t { Eq, Ne, In, NotIn, Lt, Le, Gt, Ge, Exists, NotExists, EndsWith };
enum class Effect : uint8_t { Score, Require, Exclude };

// A JSON scalar from a rule's value. Strings are kept as given; comparison
// folds ASCII case.
struct Scalar {
  enum class Kind : uint8_t { Null, Bool, Number, String };
  Kind kind = Kind::Null;
  bool boolean = false;
  double number = 0;
  std::string text;
};

// The shape of a rule's `value` column as the glue found it in jsonb.
struct RuleValue {
  enum class Shape : uint8_t { Absent, Scalar, Array, Unsupported };
  Shape shape = Shape::Absent; // Absent: SQL NULL
  std::vector<Scalar> items;   // one item for Scalar, n for Array
};

// A lead's attribute as found for one rule. `text` points into memory the
// caller keeps alive for the duration of the evaluation.
struct Attr {
  enum class Kind : uint8_t { Missing, Null, Bool, Number, String, Other };
  Kind kind = Kind::Missing;
  bool boolean = false;
  double number = 0;
  std::string_view text;
};

struct Rule {
  int64_t id = 0;
  std::string attribute;
  Op op = Op::Eq;
  Effect effect = Effect::Score;
  double points = 0;
  std::vector<Scalar> values;
};

// Score rules' points lie within +/- this bound, so a lead's fit (a sum of
// points) stays exact to well below a point and far from overflow.
constexpr double kMaxPoints = 1e9;

// User text quoted in a refusal is cut to this many bytes (then "...").
constexpr size_t kMaxQuotedBytes = 64;

// Why a rule was refused: the field at fault, a message and a hint, in
// PostgreSQL's message style (lowercase, no final period for messages).
struct RuleError {
  std::string field;
  std::string message;
  std::string hint;
};

std::optional<Op> parse_op(std::string_view text) noexcept;
std::optional<Effect> parse_effect(std::string_view text) noexcept;
const char *op_name(Op op) noexcept;
const char *effect_name(Effect effect) noexcept;
const char *op_list() noexcept;

// Validates and compiles one rule; on failure returns false and fills err.
// `points` is empty when the column is NULL.
bool compile_rule(int64_t id, std::string_view attribute, std::string_view op,
                  const RuleValue &value, std::optional<double> points, std::string_view effect,
                  Rule &out, RuleError &err);

// Whether one compiled rule matches one attribute value.
bool rule_matches(const Rule &rule, const Attr &attr) noexcept;

struct FitResult {
  double score = 0;     // sum of matching score rules' points
  bool eligible = true; // every require rule matched and no exclude rule did
};

// Evaluates all rules for one lead; attrs[i] is the attribute for rules[i].
FitResult evaluate_fit(const std::vector<Rule> &rules, const Attr *attrs) noexcept;

// Parses a whole string as a finite number (surrounding spaces allowed);
// lets "500" in a lead's attributes compare with 500 in a rule.
std::optional<double> parse_number(std::string_view text) noexcept;

} // namespace mql
