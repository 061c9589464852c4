// Fuzzes fit rule validation (compile_rule, with parse_op / parse_effect on
// arbitrary text) and evaluation (rule_matches, evaluate_fit) against
// arbitrary lead attributes.
//
// Input, line by line (any bytes are valid):
//   rules, five lines each, until a line "==" or the end:
//     attribute / op / effect / points ("-" for NULL, else strtod: nan, inf..)
//     / value: '-' absent, 'u' unsupported JSON, 's' scalar or 'a' array,
//              then items each introduced by '|': 'z' null, 't' / 'f'
//              boolean, 'n<number>' (strtod) or 's<text>'
//   then attributes, one a line: 'm' missing, 'z' null, 't' / 'f', 'n<number>',
//   's<text>', anything else a JSON object or array.
// Example: see test/fuzz/corpus/fit_rules/.
#include "fit_rules.hpp"
#include "fuzz_input.hpp"

#include <cfloat>
#include <cmath>
#include <string>
#include <vector>

using namespace mql;

namespace {

Scalar read_scalar(std::string_view item) {
  Scalar s;
  char k = item.empty() ? 'z' : item[0];
  std::string_view rest = item.empty() ? item : item.substr(1);
  switch (k) {
  case 't':
  case 'f':
    s.kind = Scalar::Kind::Bool;
    s.boolean = k == 't';
    break;
  case 'n':
    s.kind = Scalar::Kind::Number;
    s.number = fuzz::TextInput::to_real(rest);
    break;
  case 's':
    s.kind = Scalar::Kind::String;
    s.text = std::string(rest);
    break;
  default: s.kind = Scalar::Kind::Null; break;
  }
  return s;
}

RuleValue read_value(std::string_view line) {
  RuleValue v;
  char shape = line.empty() ? '-' : line[0];
  v.shape = shape == 's'   ? RuleValue::Shape::Scalar
            : shape == 'a' ? RuleValue::Shape::Array
            : shape == 'u' ? RuleValue::Shape::Unsupported
                           : RuleValue::Shape::Absent;
  if (v.shape == RuleValue::Shape::Absent || v.shape == RuleValue::Shape::Unsupported) return v;
  size_t pos = line.find('|');
  while (pos != std::string_view::npos) {
    size_t next = line.find('|', pos + 1);
    v.items.push_back(
        read_scalar(line.substr(pos + 1, next == line.npos ? line.npos : next - pos - 1)));
    pos = next;
  }
  // The glue gives a scalar as exactly one item.
  if (v.shape == RuleValue::Shape::Scalar) {
    if (v.items.empty()) v.items.push_back(Scalar{});
    v.items.resize(1);
  }
  return v;
}

// An attribute as the glue builds it: a JSON number is never NaN (it may be
// infinite when the numeric overflows a double).
Attr read_attr(std::string_view line) {
  Attr a;
  char k = line.empty() ? 'm' : line[0];
  std::string_view rest = line.empty() ? line : line.substr(1);
  switch (k) {
  case 'm': a.kind = Attr::Kind::Missing; break;
  case 'z': a.kind = Attr::Kind::Null; break;
  case 't':
  case 'f':
    a.kind = Attr::Kind::Bool;
    a.boolean = k == 't';
    break;
  case 'n':
    a.kind = Attr::Kind::Number;
    a.number = fuzz::TextInput::to_real(rest);
    if (std::isnan(a.number)) a.number = 0;
    break;
  case 's':
    a.kind = Attr::Kind::String;
    a.text = rest;
    break;
  default: a.kind = Attr::Kind::Other; break;
  }
  return a;
}

bool present(const Attr &a) { return a.kind != Attr::Kind::Missing && a.kind != Attr::Kind::Null; }

std::string upper(std::string_view s) {
  std::string u(s);
  for (char &c : u)
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  return u;
}

Rule with_op(const Rule &r, Op op) {
  Rule copy = r;
  copy.op = op;
  return copy;
}

// What a compiled rule must look like, whatever the text it came from.
void check_compiled(const Rule &r, std::string_view attribute, std::optional<double> points) {
  FUZZ_CHECK(!r.attribute.empty() && r.attribute == attribute);
  FUZZ_CHECK(parse_op(op_name(r.op)) == r.op);
  FUZZ_CHECK(parse_effect(effect_name(r.effect)) == r.effect);
  FUZZ_CHECK(std::isfinite(r.points));
  if (r.effect == Effect::Score)
    FUZZ_CHECK(points && *points == r.points);
  else
    FUZZ_CHECK(r.points == 0);
  for (const auto &v : r.values)
    if (v.kind == Scalar::Kind::Number) FUZZ_CHECK(std::isfinite(v.number));
  auto non_null = [&](size_t want) {
    if (r.values.size() < want) return false;
    for (const auto &v : r.values)
      if (v.kind == Scalar::Kind::Null) return false;
    return true;
  };
  switch (r.op) {
  case Op::Exists:
  case Op::NotExists:
    FUZZ_CHECK(r.values.empty() ||
               (r.values.size() == 1 && r.values[0].kind == Scalar::Kind::Null));
    break;
  case Op::Eq:
  case Op::Ne: FUZZ_CHECK(r.values.size() == 1 && non_null(1)); break;
  case Op::In:
  case Op::NotIn: FUZZ_CHECK(non_null(1)); break;
  case Op::Lt:
  case Op::Le:
  case Op::Gt:
  case Op::Ge:
    FUZZ_CHECK(r.values.size() == 1 && (r.values[0].kind == Scalar::Kind::Number ||
                                        r.values[0].kind == Scalar::Kind::String));
    break;
  case Op::EndsWith:
    FUZZ_CHECK(r.values.size() == 1 && r.values[0].kind == Scalar::Kind::String);
    break;
  }
}

// Relations between operators that hold for any compiled rule and attribute.
void check_match(const Rule &r, const Attr &a) {
  bool m = rule_matches(r, a);
  FUZZ_CHECK(m == rule_matches(r, a)); // deterministic
  if (!present(a)) {
    FUZZ_CHECK(m == (r.op == Op::NotExists));
    return;
  }
  switch (r.op) {
  case Op::Exists: FUZZ_CHECK(m); break;
  case Op::NotExists: FUZZ_CHECK(!m); break;
  case Op::Eq:
    FUZZ_CHECK(m != rule_matches(with_op(r, Op::Ne), a));
    FUZZ_CHECK(m == rule_matches(with_op(r, Op::In), a));
    break;
  case Op::In: FUZZ_CHECK(m != rule_matches(with_op(r, Op::NotIn), a)); break;
  case Op::Lt:
  case Op::Le:
  case Op::Gt:
  case Op::Ge: {
    bool lt = rule_matches(with_op(r, Op::Lt), a), le = rule_matches(with_op(r, Op::Le), a);
    bool gt = rule_matches(with_op(r, Op::Gt), a), ge = rule_matches(with_op(r, Op::Ge), a);
    FUZZ_CHECK(!(lt && ge) && !(gt && le));
    FUZZ_CHECK(!lt || le);
    FUZZ_CHECK(!gt || ge);
    FUZZ_CHECK(!(lt && gt));
    // Comparable values are ordered one way or the other.
    FUZZ_CHECK((le || gt) == (lt || ge));
    break;
  }
  default: break;
  }
  // Text compares ignoring ASCII case, and numbers do not care either.
  if (a.kind == Attr::Kind::String) {
    std::string u = upper(a.text);
    Attr ua = a;
    ua.text = u;
    FUZZ_CHECK(rule_matches(r, ua) == m);
    // A numeric string matches as the number it reads as, when the rule's
    // values are all numbers.
    auto x = parse_number(a.text);
    bool numbers = !r.values.empty();
    for (const auto &v : r.values)
      numbers = numbers && v.kind == Scalar::Kind::Number;
    if (x && numbers && r.op != Op::EndsWith) {
      Attr na;
      na.kind = Attr::Kind::Number;
      na.number = *x;
      FUZZ_CHECK(rule_matches(r, na) == m);
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::TextInput in(data, size);
  std::vector<Rule> rules;
  for (int i = 0; i < 16 && !in.at_end(); i++) {
    std::string_view attribute = in.line();
    if (attribute == "==") break;
    std::string_view op = in.line(), effect = in.line(), points_text = in.line();
    RuleValue value = read_value(in.line());
    std::optional<double> points;
    if (points_text != "-") points = fuzz::TextInput::to_real(points_text);

    // parse_op / parse_effect: case and separators do not matter.
    auto pop = parse_op(op);
    FUZZ_CHECK(parse_op(upper(op)) == pop);
    if (pop) FUZZ_CHECK(parse_op(op_name(*pop)) == pop);
    auto peff = parse_effect(effect);
    FUZZ_CHECK(parse_effect(upper(effect)) == peff);

    Rule r;
    RuleError err;
    bool ok = compile_rule(i + 1, attribute, op, value, points, effect, r, err);
    if (!ok) {
      FUZZ_CHECK(err.field == "attribute" || err.field == "op" || err.field == "value" ||
                 err.field == "points" || err.field == "effect");
      FUZZ_CHECK(!err.message.empty());
      FUZZ_CHECK(err.message.back() != '.');
      continue;
    }
    FUZZ_CHECK(pop && *pop == r.op && peff && *peff == r.effect);
    check_compiled(r, attribute, points);
    rules.push_back(std::move(r));
  }

  std::vector<Attr> attrs;
  while (!in.at_end() && attrs.size() < 64)
    attrs.push_back(read_attr(in.line()));
  if (attrs.empty()) attrs.push_back(Attr{});

  for (const auto &r : rules)
    for (const auto &a : attrs)
      check_match(r, a);

  // evaluate_fit: rule i sees attribute i (cycling through the list).
  if (!rules.empty()) {
    std::vector<Attr> per_rule(rules.size());
    for (size_t i = 0; i < rules.size(); i++)
      per_rule[i] = attrs[i % attrs.size()];
    FitResult fit = evaluate_fit(rules, per_rule.data());
    double sum = 0;
    bool eligible = true, bounded = true;
    for (size_t i = 0; i < rules.size(); i++) {
      bool m = rule_matches(rules[i], per_rule[i]);
      if (rules[i].effect == Effect::Score && m) sum += rules[i].points;
      if (rules[i].effect == Effect::Require && !m) eligible = false;
      if (rules[i].effect == Effect::Exclude && m) eligible = false;
      bounded = bounded && std::fabs(rules[i].points) <= DBL_MAX / 32;
    }
    FUZZ_CHECK(fit.score == sum || (std::isnan(fit.score) && std::isnan(sum)));
    FUZZ_CHECK(fit.eligible == eligible);
    // At most 16 rules of bounded points cannot overflow.
    if (bounded) FUZZ_CHECK(std::isfinite(fit.score));
  }
  return 0;
}
