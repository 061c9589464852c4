// Row triggers on mql.leads: keep fit_score and stage bookkeeping right on
// every INSERT and UPDATE, and pass every stage change through the
// guardrails into mql.stage_history, whoever makes it.
#include "pg.hpp"

#include "config.hpp"
#include "input_checks.hpp"
#include "lead_cols.hpp"
#include "module.hpp"
#include "owner_scope.hpp"
#include "stage_type.hpp"
#include "transition.hpp"

#include <cmath>

extern "C" {
PG_FUNCTION_INFO_V1(mql_leads_before_insert);
PG_FUNCTION_INFO_V1(mql_leads_before_update);
PG_FUNCTION_INFO_V1(mql_leads_after_insert);
PG_FUNCTION_INFO_V1(mql_stage_history_guard);
}

using namespace mql;
using namespace mql::pg;

namespace {

// The new row's values, edited in place and formed into a tuple at the end.
struct RowEdit {
  int natts;
  Datum *values;
  bool *nulls;
  bool *replace;

  void set(int attno, Datum v, bool isnull = false) {
    values[attno - 1] = v;
    nulls[attno - 1] = isnull;
    replace[attno - 1] = true;
  }
};

RowEdit row_edit(TupleDesc d) {
  RowEdit e;
  e.natts = d->natts;
  e.values = (Datum *)palloc0(sizeof(Datum) * d->natts);
  e.nulls = (bool *)palloc0(sizeof(bool) * d->natts);
  e.replace = (bool *)palloc0(sizeof(bool) * d->natts);
  return e;
}

text *get_text(HeapTuple t, TupleDesc d, int attno) {
  bool isnull;
  Datum v = heap_getattr(t, attno, d, &isnull);
  return isnull ? nullptr : DatumGetTextPP(v);
}

Jsonb *get_attributes(HeapTuple t, TupleDesc d, int attno) {
  bool isnull;
  Datum v = heap_getattr(t, attno, d, &isnull);
  if (isnull) return nullptr;
  Jsonb *jb = DatumGetJsonbP(v);
  if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("lead attributes must be a JSON object"),
                    errdetail("Got a JSON %s.", JB_ROOT_IS_SCALAR(jb) ? "scalar" : "array"),
                    errhint("For example: '{\"employees\": 500, \"country\": \"DE\"}'.")));
  return jb;
}

// Evaluates the fit rules on a lead row.
FitResult lead_fit(const Config &cfg, HeapTuple t, TupleDesc d, const LeadCols &c) {
  Attr *attrs = (Attr *)palloc(sizeof(Attr) * (cfg.rules.size() + 1));
  lead_attrs(cfg, get_attributes(t, d, c.attributes), get_text(t, d, c.email),
             get_text(t, d, c.source), get_text(t, d, c.campaign), attrs);
  return evaluate_fit(cfg.rules, attrs);
}

// The old and new row of an update, each deformed once: the update trigger
// compares about a dozen columns, and after the first text column every
// heap_getattr walks the tuple from its start (a sixth of the trigger's
// cost in a bulk load).
struct RowPair {
  TupleDesc d;
  Datum *ov, *nv;
  bool *on, *nn;

  RowPair(HeapTuple oldrow, HeapTuple newrow, TupleDesc desc) : d(desc) {
    ov = (Datum *)palloc(sizeof(Datum) * d->natts);
    nv = (Datum *)palloc(sizeof(Datum) * d->natts);
    on = (bool *)palloc(sizeof(bool) * d->natts);
    nn = (bool *)palloc(sizeof(bool) * d->natts);
    heap_deform_tuple(oldrow, d, ov, on);
    heap_deform_tuple(newrow, d, nv, nn);
  }

  // Column attno of the old or the new row.
  Datum old_value(int attno, bool *isnull) const {
    *isnull = on[attno - 1];
    return ov[attno - 1];
  }
  Datum new_value(int attno, bool *isnull) const {
    *isnull = nn[attno - 1];
    return nv[attno - 1];
  }

  // Whether the update changes column attno (NULL to a value or back counts).
  bool changed(int attno) const {
    int i = attno - 1;
    if (on[i] || nn[i]) return on[i] != nn[i];
    Form_pg_attribute att = TupleDescAttr(d, i);
    return !datumIsEqual(ov[i], nv[i], att->attbyval, att->attlen);
  }
};

// The allowed targets from a stage, for the refusal's detail line.
char *allowed_targets(Stage from) {
  StringInfoData s;
  initStringInfo(&s);
  for (int i = 0; i < kStageCount; i++) {
    Stage to = Stage(i);
    if (to == from || !can_transition(from, to)) continue;
    appendStringInfo(&s, "%s%s", s.len ? ", " : "", stage_name(to));
  }
  return s.len ? s.data : pstrdup("none");
}

// Attributes are read by every fit evaluation of the lead: bounded in size.
void check_attributes_size(HeapTuple t, TupleDesc d, const LeadCols &c, int64 lead_id) {
  bool isnull;
  Datum v = heap_getattr(t, c.attributes, d, &isnull);
  if (!isnull)
    check_jsonb_size(v, "attributes of lead", lead_id,
                     "Keep in attributes what fit rules read; store large documents elsewhere.");
}

// Hand-written intent_score and score_at (pg_mql maintains them) must at
// least be finite: a NaN or infinite score would poison every later score.
void check_score_columns(const RowPair &r, const LeadCols &c, int64 lead_id) {
  if (r.changed(c.intent_score)) {
    bool isnull = r.nn[c.intent_score - 1];
    double v = DatumGetFloat8(r.nv[c.intent_score - 1]);
    if (!isnull && !std::isfinite(v))
      ereport(ERROR,
              (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
               errmsg("intent_score of lead %lld must be a finite number", (long long)lead_id),
               errhint("pg_mql maintains intent_score; mql.rescore() recomputes it.")));
  }
  if (r.changed(c.score_at)) {
    bool isnull = r.nn[c.score_at - 1];
    Datum v = r.nv[c.score_at - 1];
    if (!isnull && TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(v)))
      ereport(ERROR,
              (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
               errmsg("score_at of lead %lld must be a finite timestamp", (long long)lead_id),
               errhint("pg_mql maintains score_at; mql.rescore() recomputes it.")));
  }
}

void check_trigger(FunctionCallInfo fcinfo, const char *fn, bool want_update) {
  if (!CALLED_AS_TRIGGER(fcinfo))
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("%s() must be called as a trigger", fn)));
  TriggerData *td = (TriggerData *)fcinfo->context;
  if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
      (want_update ? !TRIGGER_FIRED_BY_UPDATE(td->tg_event)
                   : !TRIGGER_FIRED_BY_INSERT(td->tg_event)))
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("%s() must be a BEFORE %s FOR EACH ROW trigger", fn,
                           want_update ? "UPDATE" : "INSERT")));
}

} // namespace

// BEFORE INSERT: derived columns are pg_mql's, whatever the INSERT said:
// fit_score from the rules, intent from events only, and the stage clock
// starting at created_at.
Datum mql_leads_before_insert(PG_FUNCTION_ARGS) {
  check_trigger(fcinfo, "mql_leads_before_insert", false);
  TriggerData *td = (TriggerData *)fcinfo->context;
  HeapTuple row = td->tg_trigtuple;
  TupleDesc d = td->tg_relation->rd_att;
  LeadCols c = lead_cols(td->tg_relation);
  bool isnull;

  Datum id = heap_getattr(row, c.lead_id, d, &isnull);
  if (isnull)
    ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION), errmsg("lead_id must not be NULL")));
  int64 lead_id = DatumGetInt64(id);
  check_attributes_size(row, d, c, lead_id);

  // SPI only to load the configuration: a bulk load creating leads runs
  // this for every proposed row, existing leads included.
  const Config *cached = config_if_cached();
  if (cached == nullptr) SPI_connect();
  const Config &cfg = cached != nullptr ? *cached : config_get();
  FitResult fit = lead_fit(cfg, row, d, c);
  if (cached == nullptr) SPI_finish();

  RowEdit e = row_edit(d);
  e.set(c.fit_score, Float8GetDatum(fit.score));
  e.set(c.intent_score, Float8GetDatum(0.0));
  e.set(c.score_at, (Datum)0, true);
  Datum created = heap_getattr(row, c.created_at, d, &isnull);
  if (isnull) {
    created = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
    e.set(c.created_at, created);
  }
  if (TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(created)))
    ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                    errmsg("created_at must be a finite timestamp")));
  check_business_time(cfg, DatumGetTimestampTz(created), "created_at of lead", lead_id);
  Datum changed = heap_getattr(row, c.stage_changed_at, d, &isnull);
  if (isnull) {
    changed = created;
    e.set(c.stage_changed_at, changed);
  } else {
    check_business_time(cfg, DatumGetTimestampTz(changed), "stage_changed_at of lead", lead_id);
  }
  bool first_null;
  Datum first = heap_getattr(row, c.first_mql_at, d, &first_null);
  if (!first_null)
    check_business_time(cfg, DatumGetTimestampTz(first), "first_mql_at of lead", lead_id);
  Datum st = heap_getattr(row, c.stage, d, &isnull);
  if (!isnull && stage_from_datum(st) == Stage::Mql && first_null) {
    first = changed;
    first_null = false;
    e.set(c.first_mql_at, changed);
  }
  TimestampTz first_at = DatumGetTimestampTz(first);
  check_lead_time_order(lead_id, DatumGetTimestampTz(created), DatumGetTimestampTz(changed),
                        first_null ? nullptr : &first_at);
  HeapTuple out = heap_modify_tuple(row, d, e.values, e.nulls, e.replace);
  return PointerGetDatum(out);
}

// BEFORE UPDATE: recomputes fit when the lead's fit inputs change (or
// fit_score is set to NULL, which asks for it), applies a stage change
// through the guardrails and records it, and re-judges a lead still in stage
// lead whose score or fit changed outside the event path.
Datum mql_leads_before_update(PG_FUNCTION_ARGS) {
  check_trigger(fcinfo, "mql_leads_before_update", true);
  TriggerData *td = (TriggerData *)fcinfo->context;
  HeapTuple oldrow = td->tg_trigtuple;
  HeapTuple newrow = td->tg_newtuple;
  TupleDesc d = td->tg_relation->rd_att;
  LeadCols c = lead_cols(td->tg_relation);
  bool isnull;

  RowPair r(oldrow, newrow, d);
  int64 lead_id = DatumGetInt64(r.ov[c.lead_id - 1]);
  if (r.changed(c.lead_id))
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("lead_id of lead %lld cannot be changed", (long long)lead_id),
                    errdetail("Events and stage history refer to leads by lead_id.")));

  Stage from = stage_from_datum(r.ov[c.stage - 1]);
  Stage to = stage_from_datum(r.nv[c.stage - 1]);
  AutoCrossing *auto_path = event_path_find(lead_id);
  ManualChange *manual =
      (g_manual_change && g_manual_change->lead_id == lead_id) ? g_manual_change : nullptr;

  // fit_score is derived: a hand-written value (or NULL, which asks for it)
  // is recomputed like a change of the columns the rules read.
  bool attributes_changed = r.changed(c.attributes);
  bool fit_inputs_changed = r.changed(c.fit_score) || attributes_changed || r.changed(c.email) ||
                            r.changed(c.source) || r.changed(c.campaign);
  bool auto_crossing = auto_path && auto_path->crosses && from == to;
  bool rejudge = to == Stage::Lead && from == Stage::Lead && auto_path == nullptr && !manual;
  // The stage clock and first_mql_at are pg_mql's: an UPDATE that does not
  // change the stage cannot move them (it would defeat the guardrails'
  // time order), and first_mql_at, once set, never changes.
  bool bookkeeping_touched =
      r.changed(c.first_mql_at) || (from == to && r.changed(c.stage_changed_at));
  check_score_columns(r, c, lead_id);
  if (attributes_changed) check_attributes_size(newrow, d, c, lead_id);
  bool created_changed = r.changed(c.created_at);
  if (!fit_inputs_changed && from == to && !auto_crossing && !rejudge && !bookkeeping_touched &&
      !created_changed)
    return PointerGetDatum(newrow);

  RowEdit e = row_edit(d); // before SPI_connect: SPI_finish frees SPI's memory
  bool old_first_null;
  Datum old_first = r.old_value(c.first_mql_at, &old_first_null);
  e.set(c.first_mql_at, old_first, old_first_null);
  if (from == to) {
    bool n;
    Datum v = r.old_value(c.stage_changed_at, &n);
    e.set(c.stage_changed_at, v, n);
  }
  SPI_connect();
  const Config &cfg = config_get();
  if (created_changed) {
    Datum v = r.new_value(c.created_at, &isnull);
    if (!isnull) check_business_time(cfg, DatumGetTimestampTz(v), "created_at of lead", lead_id);
  }

  double fit = DatumGetFloat8(r.old_value(c.fit_score, &isnull));
  bool eligible = true;
  if (fit_inputs_changed || rejudge) {
    FitResult fr = lead_fit(cfg, newrow, d, c);
    fit = fr.score;
    eligible = fr.eligible;
    e.set(c.fit_score, Float8GetDatum(fit));
  }

  LeadState state;
  state.stage = from;
  state.fit = fit;
  state.eligible = eligible;
  Datum sa = r.new_value(c.score_at, &isnull);
  state.intent.has_events = !isnull;
  state.intent.at = isnull ? 0 : DatumGetTimestampTz(sa);
  state.intent.value = DatumGetFloat8(r.new_value(c.intent_score, &isnull));
  Datum old_changed = r.old_value(c.stage_changed_at, &isnull);
  bool has_old_changed = !isnull;
  state.stage_changed_at = isnull ? 0 : DatumGetTimestampTz(old_changed);

  // Decide whether the stage changes, when, why and at what score.
  bool changing = false, is_override = false, score_known = false;
  TimestampTz at = GetCurrentTransactionStartTimestamp();
  const char *reason = nullptr;
  const char *actor = nullptr;
  double score = 0;

  if (from != to) {
    changing = true;
    if (manual) {
      at = manual->at;
      is_override = manual->override_guardrails;
      reason = manual->reason
                   ? manual->reason
                   : (is_override ? "forced by mql.force_stage" : "set by mql.set_stage");
    } else {
      if (r.changed(c.stage_changed_at)) {
        Datum v = r.new_value(c.stage_changed_at, &isnull);
        if (!isnull) at = DatumGetTimestampTz(v);
      }
      reason = (guc_change_reason && guc_change_reason[0]) ? guc_change_reason
                                                           : "updated mql.leads.stage";
    }
    actor = current_actor();
    if (!is_override && !can_transition(from, to))
      ereport(
          ERROR,
          (errcode(ERRCODE_CHECK_VIOLATION),
           errmsg("stage transition from \"%s\" to \"%s\" is not allowed for lead %lld",
                  stage_name(from), stage_name(to), (long long)lead_id),
           errdetail("From %s a lead may move to: %s.", stage_name(from), allowed_targets(from)),
           errhint("To correct a mistake, an administrator can call mql.force_stage() with a "
                   "reason; it is recorded as an override.")));
  } else if (auto_crossing) {
    changing = true;
    to = Stage::Mql;
    at = auto_path->at;
    score = auto_path->score;
    score_known = true;
    reason = auto_path->requalification
                 ? "re-qualified: score reached the threshold after recycling"
                 : "qualified: score reached the threshold";
    actor = "pg_mql";
  } else if (rejudge && state.eligible) {
    auto crossing = check_level(state, GetCurrentTransactionStartTimestamp(), cfg.qualify);
    if (crossing) {
      changing = true;
      to = Stage::Mql;
      at = crossing->at;
      score = crossing->score;
      score_known = true;
      reason = "qualified: score reached the threshold after a fit or configuration change";
      actor = "pg_mql";
    }
  }

  if (changing) {
    if (TIMESTAMP_NOT_FINITE(at))
      ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                      errmsg("a stage change needs a finite time")));
    // A time given by the user (automatic ones come from checked events).
    if (from != to) check_business_time(cfg, at, "the time of a stage change of lead", lead_id);
    if (has_old_changed && at < state.stage_changed_at) at = state.stage_changed_at;
    if (!score_known) {
      if (!state.intent.has_events || at >= state.intent.at)
        score = fit + state.intent.value_at(at, cfg.qualify.decay);
      else
        score = fit + intent_as_of(lead_id, at);
    }
    e.set(c.stage, stage_to_datum(to));
    e.set(c.stage_changed_at, TimestampTzGetDatum(at));
    if (to == Stage::Mql && old_first_null) e.set(c.first_mql_at, TimestampTzGetDatum(at));
    if (auto_crossing) {
      auto_path->applied = true; // the event trigger records it with the others
      auto_path->from = from;
      auto_path->at = at;
    } else {
      write_history(lead_id, &from, to, at, reason, &score, actor, is_override);
    }
  }
  SPI_finish();
  // The times as they will be stored; the fast path above left all three
  // unchanged.
  auto stored = [&](int attno, bool *null) {
    int i = attno - 1;
    if (!e.replace[i]) return r.new_value(attno, null);
    *null = e.nulls[i];
    return e.values[i];
  };
  bool n_created, n_changed, n_first;
  Datum created = stored(c.created_at, &n_created);
  Datum changed_at = stored(c.stage_changed_at, &n_changed);
  TimestampTz first_at = DatumGetTimestampTz(stored(c.first_mql_at, &n_first));
  if (!n_created && !n_changed)
    check_lead_time_order(lead_id, DatumGetTimestampTz(created), DatumGetTimestampTz(changed_at),
                          n_first ? nullptr : &first_at);
  return PointerGetDatum(heap_modify_tuple(newrow, d, e.values, e.nulls, e.replace));
}

// AFTER INSERT statement trigger: one 'created' history row per new lead,
// written in one statement from the transition table; then a lead whose
// fit alone reaches the threshold is re-judged (and qualified) by the
// update trigger, asked for by setting fit_score to NULL.
Datum mql_leads_after_insert(PG_FUNCTION_ARGS) {
  if (!CALLED_AS_TRIGGER(fcinfo))
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("mql_leads_after_insert() must be called as a trigger")));
  TriggerData *td = (TriggerData *)fcinfo->context;
  if (td->tg_newtable == nullptr)
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("mql_leads_after_insert() needs REFERENCING NEW TABLE AS new_leads")));
  // The events trigger's upsert fires this even when every lead existed.
  if (tuplestore_tuple_count(td->tg_newtable) == 0) return PointerGetDatum(nullptr);
  SPI_connect();
  if (SPI_register_trigger_data(td) != SPI_OK_TD_REGISTER)
    elog(ERROR, "pg_mql: could not register the new leads");
  // The actor is the inserting role (or mql.actor), taken before the history
  // insert switches to the table owner; for leads created by events (which
  // the event trigger inserts as the owner), the role that inserted them.
  Oid types[1] = {TEXTOID};
  Datum actor[1] = {CStringGetTextDatum(g_creating_actor ? g_creating_actor : current_actor())};
  int rc = execute_history_write_sql(
      "INSERT INTO mql.stage_history (lead_id, from_stage, to_stage, changed_at, reason, score, "
      "actor) SELECT n.lead_id, NULL, n.stage, n.stage_changed_at, 'created', n.fit_score, $1 "
      "FROM new_leads AS n ORDER BY n.lead_id",
      1, types, actor);
  if (rc != SPI_OK_INSERT) elog(ERROR, "pg_mql: could not record new leads (SPI %d)", rc);
  // fit_score is not among the columns an application may update: asking
  // for the re-judgement runs as the owner of mql.leads, on this
  // statement's new rows only (which passed the inserting role's checks).
  OwnerScope owner = enter_owner_scope("leads");
  rc = SPI_execute("UPDATE mql.leads AS l SET fit_score = NULL "
                   "FROM new_leads AS n, mql.settings AS s "
                   "WHERE l.lead_id OPERATOR(pg_catalog.=) n.lead_id "
                   "AND n.stage OPERATOR(mql.=) 'lead' "
                   "AND n.fit_score OPERATOR(pg_catalog.>=) s.threshold",
                   false, 0);
  leave_owner_scope(owner);
  if (rc != SPI_OK_UPDATE) elog(ERROR, "pg_mql: could not re-judge new leads (SPI %d)", rc);
  SPI_finish();
  return PointerGetDatum(nullptr);
}

// BEFORE INSERT on mql.stage_history: only pg_mql writes history. (A
// restore loads dumped rows with session_replication_role = replica, when
// this trigger does not fire; the hint says so to whoever forgot it.)
Datum mql_stage_history_guard(PG_FUNCTION_ARGS) {
  if (!CALLED_AS_TRIGGER(fcinfo))
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("mql_stage_history_guard() must be called as a trigger")));
  if (g_history_writers == 0)
    ereport(ERROR,
            (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
             errmsg("rows of mql.stage_history are written by pg_mql only"),
             errdetail("A lead's stage must always equal the to_stage of its latest history row."),
             errhint("Change stages with mql.set_stage(), mql.force_stage() or an UPDATE of "
                     "mql.leads.stage; each writes its own history row. To restore a dump, "
                     "load it with session_replication_role = replica.")));
  return PointerGetDatum(((TriggerData *)fcinfo->context)->tg_trigtuple);
}
