// Stage changes: the guardrail check, the history row, and the context
// through which set_stage(), force_stage() and the event trigger tell the
// mql.leads update trigger why a stage is changing.
#pragma once

#include "pg.hpp"

#include "qualify.hpp"
#include "stage.hpp"

namespace mql::pg {

// A change requested through set_stage() or force_stage() for one lead,
// active while that function runs its UPDATE.
struct ManualChange {
  int64 lead_id;
  TimestampTz at;
  const char *reason; // NULL: the default reason
  bool override_guardrails;
};

// A qualification found by the event trigger for one lead.
struct AutoCrossing {
  int64 lead_id;
  bool crosses;
  TimestampTz at;
  double score;
  bool requalification;
  // Set by the update trigger when it applied the crossing: the event
  // trigger then writes all history rows of the statement in one INSERT.
  bool applied;
  Stage from;
};

// The leads the event trigger is updating, sorted by lead_id: the update
// trigger applies their crossings and skips its own re-evaluation for them.
struct EventPath {
  AutoCrossing *leads;
  int nleads;
};

extern ManualChange *g_manual_change;
extern EventPath *g_event_path;

// The actor of the 'created' history rows of leads that the event trigger
// creates (as the owner of mql.leads): the role that inserted the events.
// NULL outside that insert.
extern const char *g_creating_actor;

// Who is making a manual change: mql.actor if set, else the current role.
const char *current_actor();

// Non-zero while pg_mql itself inserts into mql.stage_history; the guard
// trigger on that table refuses every other insert, so the history cannot
// be forged and a lead's stage always equals its latest history row.
extern int g_history_writers;

// Runs an SPI statement that writes history, with the guard open, as the
// owner of mql.stage_history with search_path pinned (see owner_scope.hpp).
int execute_history_write(SPIPlanPtr plan, Datum *values, const char *nulls);
int execute_history_write_sql(const char *sql, int nargs, Oid *types, Datum *values);

// Finds a lead in the event path, or NULL.
AutoCrossing *event_path_find(int64 lead_id);

// Appends one row to mql.stage_history (SPI must be connected).
void write_history(int64 lead_id, const Stage *from, Stage to, TimestampTz changed_at,
                   const char *reason, const double *score, const char *actor, bool is_override);

// The intent of a lead as of `at` counting only events up to `at`, read
// from mql.events with the statement's weights (SPI must be connected).
double intent_as_of(int64 lead_id, TimestampTz at);

} // namespace mql::pg
