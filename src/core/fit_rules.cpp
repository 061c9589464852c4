#include "fit_rules.hpp"

#include <charconv>
#include <cmath>

// Last: fails the build if anything above pulled in a PostgreSQL header.
#include "cpp_only.hpp"

namespace mql {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

// ASCII case-insensitive three-way comparison.
int compare_ci(std::string_view a, std::string_view b) {
  size_t n = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; i++) {
    unsigned char x = static_cast<unsigned char>(lower(a[i]));
    unsigned char y = static_cast<unsigned char>(lower(b[i]));
    if (x != y) return x < y ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  if (suffix.size() > s.size()) return false;
  return compare_ci(s.substr(s.size() - suffix.size()), suffix) == 0;
}

// Trims, lowercases and folds '_' and runs of spaces to one space, so that
// "NOT  IN", "not_in" and "not in" name the same operator.
std::string normalise_word(std::string_view in) {
  std::string out;
  bool sep = false;
  for (char c : in) {
    if (c == ' ' || c == '_' || c == '\t' || c == '\n') {
      sep = true;
      continue;
    }
    if (sep && !out.empty()) out.push_back(' ');
    sep = false;
    out.push_back(lower(c));
  }
  return out;
}

// A numeric view of an attribute or rule scalar, coercing numeric strings.
std::optional<double> as_number(Attr::Kind kind, double number, std::string_view text) {
  if (kind == Attr::Kind::Number) return number;
  if (kind == Attr::Kind::String) return parse_number(text);
  return std::nullopt;
}

std::optional<double> scalar_number(const Scalar &s) {
  if (s.kind == Scalar::Kind::Number) return s.number;
  if (s.kind == Scalar::Kind::String) return parse_number(s.text);
  return std::nullopt;
}

// Three-way comparison of an attribute with a rule scalar: numbers
// numerically (numeric strings included), strings case-insensitively.
// For ordering (not equality) two strings that both read as numbers compare
// numerically, so "employees" < "1000" works on text data; equality keeps
// text semantics so "02134" and "2134" stay different postcodes.
// Empty when the two cannot be ordered.
std::optional<int> compare(const Attr &a, const Scalar &s, bool ordering) {
  bool either_number = a.kind == Attr::Kind::Number || s.kind == Scalar::Kind::Number;
  if (ordering && !either_number && a.kind == Attr::Kind::String &&
      s.kind == Scalar::Kind::String && parse_number(a.text) && parse_number(s.text))
    either_number = true;
  if (either_number) {
    auto x = as_number(a.kind, a.number, a.text);
    auto y = scalar_number(s);
    if (!x || !y) return std::nullopt;
    return *x < *y ? -1 : (*x > *y ? 1 : 0);
  }
  if (a.kind == Attr::Kind::String && s.kind == Scalar::Kind::String)
    return compare_ci(a.text, s.text);
  return std::nullopt;
}

bool equal(const Attr &a, const Scalar &s) {
  if (a.kind == Attr::Kind::Bool || s.kind == Scalar::Kind::Bool)
    return a.kind == Attr::Kind::Bool && s.kind == Scalar::Kind::Bool && a.boolean == s.boolean;
  auto c = compare(a, s, false);
  return c && *c == 0;
}

bool present(const Attr &a) { return a.kind != Attr::Kind::Missing && a.kind != Attr::Kind::Null; }

// User text as quoted in a refusal: a huge operator or effect must not
// flood the message. The cut may split a multibyte character; the glue
// drops such bytes (it knows the encoding).
std::string quoted(std::string_view text) {
  if (text.size() <= kMaxQuotedBytes) return "\"" + std::string(text) + "\"";
  return "\"" + std::string(text.substr(0, kMaxQuotedBytes)) + "...\"";
}

bool scalar_is(const RuleValue &v, Scalar::Kind k) {
  return v.shape == RuleValue::Shape::Scalar && v.items.size() == 1 && v.items[0].kind == k;
}

} // namespace

std::optional<double> parse_number(std::string_view text) noexcept {
  size_t b = 0, e = text.size();
  while (b < e && text[b] == ' ')
    b++;
  while (e > b && text[e - 1] == ' ')
    e--;
  if (b == e) return std::nullopt;
  if (text[b] == '+') { // from_chars refuses a leading '+'
    b++;
    if (b == e || text[b] == '-') return std::nullopt;
  }
  double v = 0;
  auto r = std::from_chars(text.data() + b, text.data() + e, v, std::chars_format::general);
  if (r.ec != std::errc() || r.ptr != text.data() + e || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<Op> parse_op(std::string_view text) noexcept {
  std::string s;
  try {
    s = normalise_word(text);
  } catch (...) {
    return std::nullopt;
  }
  if (s == "=" || s == "==") return Op::Eq;
  if (s == "<>" || s == "!=") return Op::Ne;
  if (s == "in") return Op::In;
  if (s == "not in") return Op::NotIn;
  if (s == "<") return Op::Lt;
  if (s == "<=") return Op::Le;
  if (s == ">") return Op::Gt;
  if (s == ">=") return Op::Ge;
  if (s == "exists") return Op::Exists;
  if (s == "not exists") return Op::NotExists;
  if (s == "ends with") return Op::EndsWith;
  return std::nullopt;
}

std::optional<Effect> parse_effect(std::string_view text) noexcept {
  std::string s;
  try {
    s = normalise_word(text);
  } catch (...) {
    return std::nullopt;
  }
  if (s == "score") return Effect::Score;
  if (s == "require") return Effect::Require;
  if (s == "exclude") return Effect::Exclude;
  return std::nullopt;
}

const char *op_name(Op op) noexcept {
  switch (op) {
  case Op::Eq: return "=";
  case Op::Ne: return "<>";
  case Op::In: return "in";
  case Op::NotIn: return "not in";
  case Op::Lt: return "<";
  case Op::Le: return "<=";
  case Op::Gt: return ">";
  case Op::Ge: return ">=";
  case Op::Exists: return "exists";
  case Op::NotExists: return "not exists";
  case Op::EndsWith: return "ends_with";
  }
  return "?";
}

const char *effect_name(Effect effect) noexcept {
  switch (effect) {
  case Effect::Score: return "score";
  case Effect::Require: return "require";
  case Effect::Exclude: return "exclude";
  }
  return "?";
}

const char *op_list() noexcept {
  return "=, <>, in, not in, <, <=, >, >=, exists, not exists, ends_with";
}

bool compile_rule(int64_t id, std::string_view attribute, std::string_view op_text,
                  const RuleValue &value, std::optional<double> points,
                  std::string_view effect_text, Rule &out, RuleError &err) {
  auto fail = [&](const char *field, std::string msg, std::string hint) {
    err.field = field;
    err.message = std::move(msg);
    err.hint = std::move(hint);
    return false;
  };
  if (attribute.empty())
    return fail("attribute", "fit rule attribute must not be empty",
                "Name a key of the lead's attributes, or email, source or campaign.");
  auto op = parse_op(op_text);
  if (!op)
    return fail("op", "unknown fit rule operator " + quoted(op_text),
                std::string("Valid operators are: ") + op_list() + ".");
  auto effect = parse_effect(effect_text);
  if (!effect)
    return fail("effect", "unknown fit rule effect " + quoted(effect_text),
                "Valid effects are: score, require, exclude.");
  if (points && !std::isfinite(*points))
    return fail("points", "fit rule points must be a finite number", "");
  if (points && std::fabs(*points) > kMaxPoints)
    return fail("points", "fit rule points must be between -1000000000 and 1000000000", "");
  if (*effect == Effect::Score && !points)
    return fail("points", "a score rule needs points",
                "Give the points the rule adds when it matches.");
  if (*effect != Effect::Score && points && *points != 0)
    return fail("points",
                std::string(*effect == Effect::Exclude ? "an " : "a ") + effect_name(*effect) +
                    " rule carries no points",
                "Leave points NULL: only score rules add points.");

  for (const auto &item : value.items)
    if (item.kind == Scalar::Kind::Number && !std::isfinite(item.number))
      return fail("value", "fit rule values must be finite numbers",
                  "A JSON number this large does not fit a double precision value.");

  const char *needs = nullptr;
  switch (*op) {
  case Op::Exists:
  case Op::NotExists:
    if (!(value.shape == RuleValue::Shape::Absent || scalar_is(value, Scalar::Kind::Null)))
      needs = "no value (NULL)";
    break;
  case Op::Eq:
  case Op::Ne:
    if (value.shape != RuleValue::Shape::Scalar || value.items.size() != 1 ||
        value.items[0].kind == Scalar::Kind::Null)
      needs = "a JSON string, number or boolean";
    break;
  case Op::Lt:
  case Op::Le:
  case Op::Gt:
  case Op::Ge:
    if (!(scalar_is(value, Scalar::Kind::Number) || scalar_is(value, Scalar::Kind::String)))
      needs = "a JSON number or string";
    break;
  case Op::In:
  case Op::NotIn:
    if (value.shape != RuleValue::Shape::Array || value.items.empty()) {
      needs = "a non-empty JSON array of strings, numbers or booleans";
    } else {
      for (const auto &s : value.items)
        if (s.kind == Scalar::Kind::Null)
          needs = "a non-empty JSON array of strings, numbers or booleans";
    }
    break;
  case Op::EndsWith:
    if (!scalar_is(value, Scalar::Kind::String)) needs = "a JSON string";
    break;
  }
  if (needs)
    return fail("value", std::string("fit rule operator \"") + op_name(*op) + "\" needs " + needs,
                "For example: " +
                    std::string(*op == Op::In || *op == Op::NotIn ? "'[\"student\", \"intern\"]'"
                                : *op == Op::Exists || *op == Op::NotExists ? "NULL"
                                : *op == Op::EndsWith                       ? "'\"@gmail.com\"'"
                                                      : "'500' or '\"EMEA\"'") +
                    ".");

  out.id = id;
  out.attribute = std::string(attribute);
  out.op = *op;
  out.effect = *effect;
  out.points = points ? *points : 0.0;
  out.values = value.shape == RuleValue::Shape::Absent ? std::vector<Scalar>{} : value.items;
  return true;
}

bool rule_matches(const Rule &rule, const Attr &attr) noexcept {
  switch (rule.op) {
  case Op::Exists: return present(attr);
  case Op::NotExists: return !present(attr);
  default: break;
  }
  if (!present(attr) || rule.values.empty()) return false;
  const Scalar &v = rule.values[0];
  switch (rule.op) {
  case Op::Eq: return equal(attr, v);
  case Op::Ne: return !equal(attr, v);
  case Op::In:
  case Op::NotIn: {
    bool found = false;
    for (const auto &s : rule.values)
      if (equal(attr, s)) {
        found = true;
        break;
      }
    return rule.op == Op::In ? found : !found;
  }
  case Op::Lt:
  case Op::Le:
  case Op::Gt:
  case Op::Ge: {
    auto c = compare(attr, v, true);
    if (!c) return false;
    if (rule.op == Op::Lt) return *c < 0;
    if (rule.op == Op::Le) return *c <= 0;
    if (rule.op == Op::Gt) return *c > 0;
    return *c >= 0;
  }
  case Op::EndsWith: return attr.kind == Attr::Kind::String && ends_with_ci(attr.text, v.text);
  default: return false;
  }
}

FitResult evaluate_fit(const std::vector<Rule> &rules, const Attr *attrs) noexcept {
  FitResult r;
  for (size_t i = 0; i < rules.size(); i++) {
    bool m = rule_matches(rules[i], attrs[i]);
    switch (rules[i].effect) {
    case Effect::Score:
      if (m) r.score += rules[i].points;
      break;
    case Effect::Require:
      if (!m) r.eligible = false;
      break;
    case Effect::Exclude:
      if (m) r.eligible = false;
      break;
    }
  }
  return r;
}

} // namespace mql
