// Fuzzes parse_number, which decides whether a lead's text attribute (or a
// rule's string value) reads as a number in fit rule comparisons.
//
// Input: any bytes, parsed as one number. Checks: an accepted number is
// finite, the text is a plain decimal number (optional sign, digits, point,
// exponent; surrounding spaces; a '+' only before digits), strtod reads the
// same value, and printing it with 17 digits parses back to it. A plain
// decimal number in the normal double range is never refused.
#include "fit_rules.hpp"
#include "fuzz_input.hpp"

#include <cfloat>
#include <cmath>
#include <string>

using namespace mql;

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// [-]digits[.digits] | [-].digits, then optionally e[+-]digits.
bool plain_decimal(std::string_view s) {
  size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') i++;
  size_t int_digits = 0, frac_digits = 0;
  while (i < n && digit(s[i]))
    i++, int_digits++;
  if (i < n && s[i] == '.') {
    i++;
    while (i < n && digit(s[i]))
      i++, frac_digits++;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    size_t exp_digits = 0;
    while (i < n && digit(s[i]))
      i++, exp_digits++;
    if (exp_digits == 0) return false;
  }
  return i == n;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto v = parse_number(text);

  // The reference reading: spaces trimmed, one '+' dropped before a digit
  // or point, then a plain decimal number.
  std::string_view t = text;
  while (!t.empty() && t.front() == ' ')
    t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ')
    t.remove_suffix(1);
  if (!t.empty() && t.front() == '+' && t.size() > 1 && t[1] != '-' && t[1] != '+')
    t.remove_prefix(1);
  bool grammar = plain_decimal(t);

  if (v) {
    FUZZ_CHECK(std::isfinite(*v));
    FUZZ_CHECK(grammar);
    double ref = fuzz::TextInput::to_real(t);
    FUZZ_CHECK(ref == *v);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", *v);
    auto again = parse_number(buf);
    FUZZ_CHECK(again && *again == *v);
  } else if (grammar) {
    // Refusing is only allowed for values out of the normal range (overflow
    // or underflow), which strtod also flags.
    double ref = fuzz::TextInput::to_real(t);
    std::string_view mantissa = t.substr(0, t.find_first_of("eE"));
    bool nonzero = mantissa.find_first_of("123456789") != std::string_view::npos;
    FUZZ_CHECK(!std::isfinite(ref) || (nonzero && std::fabs(ref) < DBL_MIN));
  }
  return 0;
}
