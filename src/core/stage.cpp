#include "stage.hpp"

#include <array>

// Last: fails the build if anything above pulled in a PostgreSQL header.
#include "cpp_only.hpp"

namespace mql {
namespace {

constexpr std::array<const char *, kStageCount> kNames = {
    "lead", "mql", "sql", "opportunity", "customer", "recycled", "disqualified"};

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Lowercases, trims and folds runs of ' ', '_' and '-' into one space so the
// long forms compare as plain strings. Writes into a fixed buffer (stage
// names are short), so parsing never allocates; false when too long or when
// a separator opens or closes the text.
constexpr size_t kMaxStageText = 64;

bool normalise(std::string_view in, char (&out)[kMaxStageText + 1], size_t &len) {
  size_t b = 0, e = in.size();
  while (b < e && is_space(in[b]))
    b++;
  while (e > b && is_space(in[e - 1]))
    e--;
  if (e - b > kMaxStageText) return false;
  if (b < e && (in[b] == '_' || in[b] == '-' || in[e - 1] == '_' || in[e - 1] == '-')) return false;
  len = 0;
  bool pending_sep = false;
  for (size_t i = b; i < e; i++) {
    char c = in[i];
    if (c == ' ' || c == '_' || c == '-' || is_space(c)) {
      pending_sep = true;
      continue;
    }
    if (pending_sep && len > 0) out[len++] = ' ';
    pending_sep = false;
    out[len++] = ascii_lower(c);
  }
  out[len] = '\0';
  return true;
}

} // namespace

std::optional<Stage> parse_stage(std::string_view text) noexcept {
  char buf[kMaxStageText + 1];
  size_t len = 0;
  if (!normalise(text, buf, len)) return std::nullopt;
  std::string_view s(buf, len);
  for (int i = 0; i < kStageCount; i++)
    if (s == kNames[i]) return Stage(i);
  if (s == "marketing qualified lead") return Stage::Mql;
  if (s == "sales qualified lead") return Stage::Sql;
  return std::nullopt;
}

const char *stage_name(Stage stage) noexcept {
  auto i = static_cast<uint8_t>(stage);
  return i < kStageCount ? kNames[i] : "?";
}

bool stage_valid(uint8_t code) noexcept { return code < kStageCount; }

const char *stage_list() noexcept {
  return "lead, mql, sql, opportunity, customer, recycled, disqualified";
}

int stage_rank(Stage stage) noexcept {
  switch (stage) {
  case Stage::Lead: return 1;
  case Stage::Mql: return 2;
  case Stage::Sql: return 3;
  case Stage::Opportunity: return 4;
  case Stage::Customer: return 5;
  default: return 0;
  }
}

bool can_transition(Stage from, Stage to) noexcept {
  if (from == to) return true;
  int rf = stage_rank(from), rt = stage_rank(to);
  switch (to) {
  case Stage::Disqualified: return from != Stage::Customer;
  case Stage::Recycled:
    return from == Stage::Mql || from == Stage::Sql || from == Stage::Opportunity;
  default: break;
  }
  // `to` is a funnel stage from here on.
  if (from == Stage::Recycled) return to != Stage::Lead;
  if (rf == 0) return false; // leaving disqualified
  return rt > rf;            // forward only, skipping allowed
}

} // namespace mql
