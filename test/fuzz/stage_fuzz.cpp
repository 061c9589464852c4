// Fuzzes parse_stage, the parser behind mql.stage's input functions (text
// typed in SQL and binary input from clients), against a plain reference
// parser written from the documentation, and checks round trips and the
// transition guardrails.
//
// Input: any bytes. The whole input is parsed as one stage; if it contains a
// '>', the two sides are also parsed and, when both are stages, their
// transition is checked against the documented table.
#include "fuzz_input.hpp"
#include "stage.hpp"

#include <cstring>
#include <string>
#include <vector>

using namespace mql;

namespace {

bool ref_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// The documented grammar: trim whitespace, case-insensitive, words separated
// by runs of spaces, '_' or '-' (not at either end), at most 64 characters.
std::optional<Stage> reference_parse(std::string_view in) {
  while (!in.empty() && ref_space(in.front()))
    in.remove_prefix(1);
  while (!in.empty() && ref_space(in.back()))
    in.remove_suffix(1);
  if (in.size() > 64) return std::nullopt;
  if (!in.empty() &&
      (in.front() == '_' || in.front() == '-' || in.back() == '_' || in.back() == '-'))
    return std::nullopt;
  std::vector<std::string> words(1);
  for (char c : in) {
    if (ref_space(c) || c == '_' || c == '-') {
      if (!words.back().empty()) words.emplace_back();
      continue;
    }
    words.back().push_back(c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c);
  }
  std::string joined;
  for (const auto &w : words) {
    if (w.empty()) continue;
    if (!joined.empty()) joined += ' ';
    joined += w;
  }
  static const char *const names[] = {"lead",     "mql",      "sql",         "opportunity",
                                      "customer", "recycled", "disqualified"};
  for (int i = 0; i < 7; i++)
    if (joined == names[i]) return Stage(i);
  if (joined == "marketing qualified lead") return Stage::Mql;
  if (joined == "sales qualified lead") return Stage::Sql;
  return std::nullopt;
}

// The documented guardrails, as a table: kAllowed[from][to].
constexpr bool kAllowed[7][7] = {
    //        lead mql sql opp cust recy disq
    /* lead */ {1, 1, 1, 1, 1, 0, 1},
    /* mql  */ {0, 1, 1, 1, 1, 1, 1},
    /* sql  */ {0, 0, 1, 1, 1, 1, 1},
    /* opp  */ {0, 0, 0, 1, 1, 1, 1},
    /* cust */ {0, 0, 0, 0, 1, 0, 0},
    /* recy */ {0, 1, 1, 1, 1, 1, 1},
    /* disq */ {0, 0, 0, 0, 0, 0, 1},
};

void check_text(std::string_view text) {
  auto s = parse_stage(text);
  FUZZ_CHECK(s == reference_parse(text));
  if (!s) return;
  auto code = static_cast<uint8_t>(*s);
  FUZZ_CHECK(stage_valid(code));
  // format then parse gives the stage back; the name is canonical.
  const char *name = stage_name(*s);
  FUZZ_CHECK(parse_stage(name) == s);
  FUZZ_CHECK(std::strstr(stage_list(), name) != nullptr);
  for (const char *c = name; *c; c++)
    FUZZ_CHECK(*c >= 'a' && *c <= 'z');
  // Case and surrounding whitespace do not matter.
  std::string upper(text);
  for (char &c : upper)
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  FUZZ_CHECK(parse_stage(upper) == s);
  FUZZ_CHECK(parse_stage(" \t" + std::string(text) + "\n ") == s);
  // Funnel rank: 1..5 along the funnel, 0 for the detours.
  int rank = stage_rank(*s);
  FUZZ_CHECK(rank == (code <= 4 ? code + 1 : 0));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  check_text(text);

  size_t gt = text.find('>');
  if (gt != std::string_view::npos) {
    std::string_view left = text.substr(0, gt), right = text.substr(gt + 1);
    check_text(left);
    check_text(right);
    auto from = parse_stage(left), to = parse_stage(right);
    if (from && to) {
      bool ok = can_transition(*from, *to);
      FUZZ_CHECK(ok == kAllowed[int(*from)][int(*to)]);
      // Never back into lead, never out of customer except to itself.
      if (*to == Stage::Lead) FUZZ_CHECK(ok == (*from == Stage::Lead));
      if (*from == Stage::Customer) FUZZ_CHECK(ok == (*to == Stage::Customer));
    }
  }
  // Every byte is rejected or accepted as a stored code consistently.
  if (size >= 1) {
    uint8_t code = data[0];
    FUZZ_CHECK(stage_valid(code) == (code < kStageCount));
    if (stage_valid(code)) FUZZ_CHECK(parse_stage(stage_name(Stage(code))) == Stage(code));
  }
  return 0;
}
