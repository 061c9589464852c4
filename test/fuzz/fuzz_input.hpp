// Shared helpers for the libFuzzer targets: a text reader (so seed corpora are
// readable text files) and an invariant check that aborts with a message,
// which libFuzzer reports as a crash and saves the input for.
#pragma once

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

// Aborts the fuzzer, naming the invariant that failed.
#define FUZZ_CHECK(cond)                                                                           \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);            \
      std::abort();                                                                                \
    }                                                                                              \
  } while (0)

namespace mql::fuzz {

// Reads whitespace-separated tokens and lines from the fuzzer's bytes. Any
// byte sequence is valid input: a token that is not a number reads as 0.
class TextInput {
public:
  TextInput(const uint8_t *data, size_t size) : text_(reinterpret_cast<const char *>(data), size) {}

  bool done() {
    skip_space();
    return pos_ >= text_.size();
  }

  std::string_view token() {
    skip_space();
    size_t b = pos_;
    while (pos_ < text_.size() && !is_space(text_[pos_]))
      pos_++;
    return text_.substr(b, pos_ - b);
  }

  // The rest of the current line (without its '\n'); empty at the end.
  std::string_view line() {
    size_t b = pos_;
    while (pos_ < text_.size() && text_[pos_] != '\n')
      pos_++;
    std::string_view l = text_.substr(b, pos_ - b);
    if (pos_ < text_.size()) pos_++;
    return l;
  }

  bool at_end() const { return pos_ >= text_.size(); }

  // A double as strtod reads it: "nan", "inf", "1e400" (inf), hex floats.
  double real() { return to_real(token()); }

  // An int64 as strtoll reads it, saturating at the ends of the range.
  int64_t integer() { return to_integer(token()); }

  static double to_real(std::string_view tok) {
    std::string s(tok);
    return std::strtod(s.c_str(), nullptr);
  }

  static int64_t to_integer(std::string_view tok) {
    std::string s(tok);
    errno = 0;
    long long v = std::strtoll(s.c_str(), nullptr, 0);
    return static_cast<int64_t>(v);
  }

private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_]))
      pos_++;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// True when a and b agree to about 1e-9 relative, or to within `absolute`
// (for values near zero, where subnormal results carry few bits).
inline bool close(double a, double b, double absolute = 1e-300) {
  if (a == b) return true;
  double scale = std::fmax(std::fabs(a), std::fabs(b));
  return std::fabs(a - b) <= 1e-9 * scale + absolute;
}

// Reads the rest of the input as "lead_id occurred event_id" triples, up to
// `max` events (of the core's Event type E), each event's weight set to its
// position in the input, which identifies it after a sort.
template <typename E> std::vector<E> read_events(TextInput &in, size_t max) {
  std::vector<E> events;
  while (!in.done() && events.size() < max) {
    E e;
    e.lead_id = in.integer();
    e.occurred = in.integer();
    e.event_id = in.integer();
    e.weight = double(events.size());
    events.push_back(e);
  }
  return events;
}

} // namespace mql::fuzz
