// The scoring configuration (settings, event weights, fit rules), loaded
// once per statement and cached, so no per-row catalog lookup or SPI query
// happens on the hot path.
#pragma once

#include "pg.hpp"

#include "fit_rules.hpp"
#include "qualify.hpp"

#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace mql::pg {

// Where a rule's attribute is read from.
enum class AttrSource : uint8_t { Json, Email, Source, Campaign };

struct Config {
  QualifyConfig qualify;
  // mql.settings.future_tolerance: business times may lie at most this far
  // after the statement's start; no limit when future_limited is false.
  bool future_limited = false;
  Interval future_tolerance{};
  std::vector<Rule> rules;
  std::vector<AttrSource> rule_sources; // parallel to rules
  std::deque<std::string> weight_keys;  // owns the keys of `weights`
  std::unordered_map<std::string_view, double> weights;
  // The event types of category sales_touch (keys owned by weight_keys).
  std::unordered_set<std::string_view> touch_types;

  // An unknown event type weighs 0.
  double weight_of(std::string_view event_type) const noexcept {
    auto it = weights.find(event_type);
    return it == weights.end() ? 0.0 : it->second;
  }

  // Whether events of this type are sales touches (category sales_touch),
  // whose first after a lead's MQL is its speed-to-lead time.
  bool is_touch(std::string_view event_type) const noexcept {
    return !touch_types.empty() && touch_types.count(event_type) != 0;
  }
};

// The configuration as this statement sees it. Cached across statements and
// transactions; reloads (with SPI) after a configuration change, and per
// statement in REPEATABLE READ or SERIALIZABLE, or while this transaction
// has changed the configuration itself.
// The caller must be connected to SPI.
const Config &config_get();

// The configuration if config_get() would return it without reading the
// tables, else nullptr. Needs no SPI connection: a row trigger calls it to
// skip connecting to SPI for every row.
const Config *config_if_cached();

// For a statement that has just waited for row locks: in READ COMMITTED, a
// configuration change another transaction committed meanwhile (the one it
// waited for, say, which rescored the lead with its new rules) replaces the
// statement's configuration, which is returned; nullptr when nothing
// changed, or under REPEATABLE READ or SERIALIZABLE (whose snapshot cannot
// see the change; PostgreSQL refuses the locked row's update there anyway).
// The caller must be connected to SPI.
const Config *config_reload_if_changed();

// Forces a reload at the next config_get() of this backend.
void config_invalidate();

// Called by the triggers on the configuration tables: reloads here at the
// next config_get(), and in every other backend once this transaction
// commits (through a relcache invalidation of `relid`).
void config_changed(Oid relid);

// Registers the relcache callback that tells cached configurations apart
// from changed ones; called once, from _PG_init.
void config_register_invalidation();

// half_life interval in microseconds (months count 30 days); 0 when NULL.
int64 interval_micros(const Interval *iv);

// Converts a jsonb numeric to double without raising on overflow (giving
// +/-infinity, which the rule compiler refuses).
double numeric_to_double(Numeric n);

// Fills attrs[i] for rules[i] from a lead's columns. The jsonb and text
// datums must stay valid (detoasted) while attrs is used.
void lead_attrs(const Config &cfg, Jsonb *attributes, text *email, text *source, text *campaign,
                Attr *attrs);

} // namespace mql::pg

namespace mql::pg {

// Validates one fit rule given as SQL values and raises 22023 naming the
// field at fault. On success copies the canonical operator and effect names
// (static strings) to *op_out and *effect_out.
void check_rule_sql(const char *attribute, const char *op, Jsonb *value, bool points_null,
                    double points, const char *effect, const char **op_out,
                    const char **effect_out);

// Whether a rule (op, value) matches an attribute given as jsonb (NULL when
// the lead lacks it). Raises 22023 for a malformed rule.
bool rule_matches_sql(const char *op, Jsonb *value, Jsonb *attribute);

} // namespace mql::pg
