// The lifecycle stage machine: names, parsing, funnel rank and guardrails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mql {

// Values are the on-disk representation of mql.stage (one byte) and define
// its sort order; never renumber them.
enum class Stage : uint8_t {
  Lead = 0,
  Mql = 1,
  Sql = 2,
  Opportunity = 3,
  Customer = 4,
  Recycled = 5,
  Disqualified = 6,
};

constexpr int kStageCount = 7;

// Parses user text: case-insensitive, surrounding spaces trimmed, and the
// long forms "marketing qualified lead" / "sales qualified lead" with
// spaces, '_' or '-' between words. Returns nothing for anything else.
std::optional<Stage> parse_stage(std::string_view text) noexcept;

// The canonical lowercase name, as printed by the type's output function.
const char *stage_name(Stage stage) noexcept;

// True when the byte is a valid stored stage.
bool stage_valid(uint8_t code) noexcept;

// "lead, mql, sql, opportunity, customer, recycled, disqualified": used in
// error hints so users see what they may type.
const char *stage_list() noexcept;

// 1..5 along lead -> customer; 0 for the detours recycled and disqualified
// (the SQL function maps 0 to NULL).
int stage_rank(Stage stage) noexcept;

// The guardrails every stage change passes through, manual or automatic.
bool can_transition(Stage from, Stage to) noexcept;

} // namespace mql
