#include "config.hpp"

#include "boundary.hpp"
#include "input_checks.hpp"

#include <memory>

namespace mql::pg {
namespace {

// A rule as read by SPI, before the C++ core compiles it: only PODs and
// palloc'd strings, so a PostgreSQL error while reading leaks nothing.
struct RawScalar {
  Scalar::Kind kind;
  bool boolean;
  double number;
  const char *text;
  int len;
};

struct RawRule {
  int64 id;
  const char *attribute;
  const char *op;
  const char *effect;
  bool points_null;
  double points;
  RuleValue::Shape shape;
  int nitems;
  RawScalar *items;
};

struct RawWeight {
  const char *event_type;
  double weight;
  bool touch;
};

struct RawConfig {
  double threshold;
  int64 half_life;
  bool future_limited;
  Interval future_tolerance;
  int nweights;
  RawWeight *weights;
  int nrules;
  RawRule *rules;
};

Config *g_config = nullptr;
// The configuration replaced by the last reload, kept alive one generation
// longer: an outer trigger may still hold it when a nested statement changed
// the configuration and reloaded it.
Config *g_previous = nullptr;
bool g_valid = false;
// A configuration loaded from a fresh snapshot in READ COMMITTED, with no
// uncommitted change of this transaction in it, serves every later statement
// until an invalidation arrives (g_global). Any other load serves only the
// statement that made it (g_lxid, g_statement_ts).
bool g_global = false;
LocalTransactionId g_lxid = InvalidLocalTransactionId;
TimestampTz g_statement_ts = 0;
// Bumped by the relcache callback whenever a configuration table changes
// (in any backend, once that backend's transaction commits).
uint64 g_generation = 0;
uint64 g_loaded_generation = 0;
// The transaction that changed the configuration itself, if any.
LocalTransactionId g_changed_lxid = InvalidLocalTransactionId;
// The configuration tables' OIDs, resolved at each reload.
Oid g_config_relids[3] = {InvalidOid, InvalidOid, InvalidOid};

// Reads a jsonb scalar into a RawScalar; false for objects and arrays.
bool raw_scalar(const JsonbValue &v, RawScalar &out) {
  out = RawScalar{Scalar::Kind::Null, false, 0, nullptr, 0};
  switch (v.type) {
  case jbvNull: return true;
  case jbvBool:
    out.kind = Scalar::Kind::Bool;
    out.boolean = v.val.boolean;
    return true;
  case jbvNumeric:
    out.kind = Scalar::Kind::Number;
    out.number = numeric_to_double(v.val.numeric);
    return true;
  case jbvString:
    out.kind = Scalar::Kind::String;
    out.text = pnstrdup(v.val.string.val, v.val.string.len);
    out.len = v.val.string.len;
    return true;
  default: return false;
  }
}

// Classifies a rule's jsonb value: SQL NULL, one scalar, an array of
// scalars, or something the operators cannot use.
void raw_rule_value(Jsonb *jb, RawRule &r) {
  r.shape = RuleValue::Shape::Absent;
  r.nitems = 0;
  r.items = nullptr;
  if (jb == nullptr) return;
  JsonbValue v;
  if (JsonbExtractScalar(&jb->root, &v)) {
    r.items = (RawScalar *)palloc(sizeof(RawScalar));
    raw_scalar(v, r.items[0]);
    r.nitems = 1;
    r.shape = RuleValue::Shape::Scalar;
    return;
  }
  if (!JB_ROOT_IS_ARRAY(jb)) {
    r.shape = RuleValue::Shape::Unsupported;
    return;
  }
  int n = (int)JB_ROOT_COUNT(jb);
  r.items = (RawScalar *)palloc(sizeof(RawScalar) * (n > 0 ? n : 1));
  r.shape = RuleValue::Shape::Array;
  JsonbIterator *it = JsonbIteratorInit(&jb->root);
  JsonbIteratorToken tok;
  int depth = 0;
  while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE) {
    if (tok == WJB_BEGIN_ARRAY || tok == WJB_BEGIN_OBJECT) {
      if (++depth > 1) r.shape = RuleValue::Shape::Unsupported;
    } else if (tok == WJB_END_ARRAY || tok == WJB_END_OBJECT) {
      depth--;
    } else if (tok == WJB_ELEM && depth == 1) {
      if (r.nitems < n && !raw_scalar(v, r.items[r.nitems++]))
        r.shape = RuleValue::Shape::Unsupported;
    }
  }
}

// Runs one of the configuration queries from a plan prepared once per
// backend. Not read-only: in READ COMMITTED that takes a fresh snapshot, so
// a configuration cached across statements is never older than the last
// invalidation processed.
void run_config_query(SPIPlanPtr &plan, const char *sql, const char *what) {
  if (plan == nullptr) {
    SPIPlanPtr p = SPI_prepare(sql, 0, nullptr);
    if (p == nullptr) elog(ERROR, "pg_mql: could not prepare the query of %s", what);
    SPI_keepplan(p);
    plan = p;
  }
  if (SPI_execute_plan(plan, nullptr, nullptr, false, 0) != SPI_OK_SELECT)
    elog(ERROR, "pg_mql: could not read %s", what);
}

// Runs the three configuration queries. SPI must be connected.
RawConfig read_config() {
  static SPIPlanPtr settings_plan = nullptr, weights_plan = nullptr, rules_plan = nullptr;
  RawConfig rc{};
  rc.threshold = 100;
  // A database still at extension version 1.0 (not yet updated to this
  // library's version) has no future_tolerance: no upper time limit there.
  static SPIPlanPtr settings_v10_plan = nullptr;
  if (get_attnum(g_config_relids[0], "future_tolerance") != InvalidAttrNumber)
    run_config_query(settings_plan,
                     "SELECT threshold, half_life, future_tolerance FROM mql.settings",
                     "mql.settings");
  else
    run_config_query(settings_v10_plan,
                     "SELECT threshold, half_life, NULL::interval FROM mql.settings",
                     "mql.settings");
  if (SPI_processed != 1)
    ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                    errmsg("mql.settings must hold exactly one row, found %llu",
                           (unsigned long long)SPI_processed),
                    errhint("Insert the row again: INSERT INTO mql.settings DEFAULT VALUES.")));
  bool isnull = false;
  HeapTuple t = SPI_tuptable->vals[0];
  TupleDesc d = SPI_tuptable->tupdesc;
  rc.threshold = DatumGetFloat8(SPI_getbinval(t, d, 1, &isnull));
  Datum hl = SPI_getbinval(t, d, 2, &isnull);
  rc.half_life = isnull ? 0 : interval_micros(DatumGetIntervalP(hl));
  Datum ft = SPI_getbinval(t, d, 3, &isnull);
  rc.future_limited = !isnull;
  if (!isnull) rc.future_tolerance = *DatumGetIntervalP(ft);

  run_config_query(
      weights_plan,
      "SELECT event_type, weight, "
      "COALESCE(category OPERATOR(pg_catalog.=) 'sales_touch', false) FROM mql.event_weights",
      "mql.event_weights");
  rc.nweights = (int)SPI_processed;
  rc.weights = (RawWeight *)palloc(sizeof(RawWeight) * (rc.nweights + 1));
  for (int i = 0; i < rc.nweights; i++) {
    t = SPI_tuptable->vals[i];
    d = SPI_tuptable->tupdesc;
    rc.weights[i].event_type = SPI_getvalue(t, d, 1);
    rc.weights[i].weight = DatumGetFloat8(SPI_getbinval(t, d, 2, &isnull));
    rc.weights[i].touch = DatumGetBool(SPI_getbinval(t, d, 3, &isnull));
  }

  run_config_query(rules_plan,
                   "SELECT rule_id, attribute, op, value, points, effect FROM mql.fit_rules "
                   "ORDER BY rule_id",
                   "mql.fit_rules");
  rc.nrules = (int)SPI_processed;
  rc.rules = (RawRule *)palloc0(sizeof(RawRule) * (rc.nrules + 1));
  for (int i = 0; i < rc.nrules; i++) {
    t = SPI_tuptable->vals[i];
    d = SPI_tuptable->tupdesc;
    RawRule &r = rc.rules[i];
    r.id = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
    r.attribute = SPI_getvalue(t, d, 2);
    r.op = SPI_getvalue(t, d, 3);
    Datum v = SPI_getbinval(t, d, 4, &isnull);
    raw_rule_value(isnull ? nullptr : DatumGetJsonbP(v), r);
    Datum p = SPI_getbinval(t, d, 5, &r.points_null);
    r.points = r.points_null ? 0 : DatumGetFloat8(p);
    r.effect = SPI_getvalue(t, d, 6);
  }
  return rc;
}

RuleValue to_rule_value(const RawRule &r) {
  RuleValue v;
  v.shape = r.shape;
  for (int i = 0; i < r.nitems; i++) {
    Scalar s;
    s.kind = r.items[i].kind;
    s.boolean = r.items[i].boolean;
    s.number = r.items[i].number;
    if (r.items[i].text) s.text.assign(r.items[i].text, (size_t)r.items[i].len);
    v.items.push_back(std::move(s));
  }
  return v;
}

// Builds the C++ configuration from what SPI read; pure C++, no PostgreSQL
// calls, run under cpp_call. A rule the validation trigger let through but
// the compiler refuses (it cannot happen unless the trigger was disabled) is
// reported by id rather than silently ignored.
Config *build_config(const RawConfig &rc, int64 &bad_rule) {
  auto cfg = std::make_unique<Config>();
  cfg->qualify.threshold = rc.threshold;
  cfg->qualify.decay.half_life = rc.half_life;
  cfg->future_limited = rc.future_limited;
  cfg->future_tolerance = rc.future_tolerance;
  for (int i = 0; i < rc.nweights; i++) {
    cfg->weight_keys.emplace_back(rc.weights[i].event_type ? rc.weights[i].event_type : "");
    cfg->weights[cfg->weight_keys.back()] = rc.weights[i].weight;
    if (rc.weights[i].touch) cfg->touch_types.insert(cfg->weight_keys.back());
  }
  for (int i = 0; i < rc.nrules; i++) {
    const RawRule &r = rc.rules[i];
    Rule rule;
    RuleError err;
    std::optional<double> points;
    if (!r.points_null) points = r.points;
    if (!compile_rule(r.id, r.attribute ? r.attribute : "", r.op ? r.op : "", to_rule_value(r),
                      points, r.effect ? r.effect : "", rule, err)) {
      bad_rule = r.id;
      return nullptr;
    }
    AttrSource src = AttrSource::Json;
    if (rule.attribute == "email")
      src = AttrSource::Email;
    else if (rule.attribute == "source")
      src = AttrSource::Source;
    else if (rule.attribute == "campaign")
      src = AttrSource::Campaign;
    cfg->rules.push_back(std::move(rule));
    cfg->rule_sources.push_back(src);
  }
  return cfg.release();
}

void set_text_attr(text *t, Attr &a) {
  if (t == nullptr) {
    a.kind = Attr::Kind::Null;
    return;
  }
  a.kind = Attr::Kind::String;
  a.text = std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

} // namespace

int64 interval_micros(const Interval *iv) {
  return iv->time + ((int64)iv->day + (int64)iv->month * DAYS_PER_MONTH) * USECS_PER_DAY;
}

double numeric_to_double(Numeric n) {
  return DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, NumericGetDatum(n)));
}

// Relcache callback: a configuration table changed (or the cache was reset,
// relid InvalidOid). Runs inside invalidation processing: no catalog access.
void config_relcache_callback(Datum, Oid relid) {
  if (relid == InvalidOid || relid == g_config_relids[0] || relid == g_config_relids[1] ||
      relid == g_config_relids[2])
    g_generation++;
}

void config_register_invalidation() {
  CacheRegisterRelcacheCallback(config_relcache_callback, (Datum)0);
}

void config_invalidate() { g_valid = false; }

void config_changed(Oid relid) {
  g_valid = false;
  g_changed_lxid = MyProc->lxid;
  // Sent to every backend when this transaction commits (and processed here
  // at the next command): their cached configurations reload.
  CacheInvalidateRelcacheByRelid(relid);
}

namespace {

// Whether the cached configuration may serve the current statement. Once a
// statement has used it, it keeps it to the end, even if another backend's
// change arrives meanwhile (row triggers call config_get() per row).
bool cache_usable(TimestampTz ts) {
  if (!g_valid || g_config == nullptr) return false;
  if (g_lxid == MyProc->lxid && g_statement_ts == ts) return true;
  if (!g_global || g_loaded_generation != g_generation || g_changed_lxid == MyProc->lxid)
    return false;
  g_lxid = MyProc->lxid;
  g_statement_ts = ts;
  return true;
}

void resolve_config_relids() {
  Oid ns = get_namespace_oid("mql", false);
  g_config_relids[0] = get_relname_relid("settings", ns);
  g_config_relids[1] = get_relname_relid("event_weights", ns);
  g_config_relids[2] = get_relname_relid("fit_rules", ns);
}

} // namespace

const Config *config_if_cached() {
  AcceptInvalidationMessages();
  return cache_usable(GetCurrentStatementStartTimestamp()) ? g_config : nullptr;
}

const Config &config_get() {
  TimestampTz ts = GetCurrentStatementStartTimestamp();
  // Configuration changes committed by other backends arrive here.
  AcceptInvalidationMessages();
  if (cache_usable(ts)) return *g_config;

  g_valid = false;
  uint64 generation = g_generation;
  resolve_config_relids();
  MemoryContext tmp =
      AllocSetContextCreate(CurrentMemoryContext, "pg_mql config load", ALLOCSET_SMALL_SIZES);
  MemoryContext old = MemoryContextSwitchTo(tmp);
  RawConfig rc = read_config();
  MemoryContextSwitchTo(old);

  int64 bad_rule = 0;
  Config *fresh = cpp_call("loading the configuration", [&] { return build_config(rc, bad_rule); });
  MemoryContextDelete(tmp);
  if (fresh == nullptr)
    ereport(ERROR,
            (errcode(ERRCODE_DATA_CORRUPTED),
             errmsg("fit rule %lld in mql.fit_rules is malformed", (long long)bad_rule),
             errhint("Fix or delete the rule; its validation trigger may have been disabled.")));
  cpp_call("loading the configuration", [&] {
    delete g_previous;
    g_previous = g_config;
    g_config = fresh;
  });
  // A load from the transaction snapshot (REPEATABLE READ, SERIALIZABLE),
  // or one that may contain this transaction's uncommitted changes, or one
  // an invalidation overtook, is kept for this statement only.
  g_global =
      !IsolationUsesXactSnapshot() && g_changed_lxid != MyProc->lxid && generation == g_generation;
  g_loaded_generation = generation;
  g_lxid = MyProc->lxid;
  g_statement_ts = ts;
  g_valid = true;
  return *g_config;
}

const Config *config_reload_if_changed() {
  if (IsolationUsesXactSnapshot()) return nullptr;
  // A lock wait ends only after the transaction waited for has sent its
  // invalidations: they are all here now.
  AcceptInvalidationMessages();
  if (g_valid && g_config != nullptr && g_loaded_generation == g_generation) return nullptr;
  g_valid = false;
  return &config_get();
}

void lead_attrs(const Config &cfg, Jsonb *attributes, text *email, text *source, text *campaign,
                Attr *attrs) {
  for (size_t i = 0; i < cfg.rules.size(); i++) {
    Attr &a = attrs[i];
    a = Attr{};
    switch (cfg.rule_sources[i]) {
    case AttrSource::Email: set_text_attr(email, a); continue;
    case AttrSource::Source: set_text_attr(source, a); continue;
    case AttrSource::Campaign: set_text_attr(campaign, a); continue;
    case AttrSource::Json: break;
    }
    if (attributes == nullptr || !JB_ROOT_IS_OBJECT(attributes)) continue;
    const std::string &key = cfg.rules[i].attribute;
    JsonbValue vbuf;
    JsonbValue *v =
        getKeyJsonValueFromContainer(&attributes->root, key.data(), (int)key.size(), &vbuf);
    if (v == nullptr) continue; // Missing
    switch (v->type) {
    case jbvNull: a.kind = Attr::Kind::Null; break;
    case jbvBool:
      a.kind = Attr::Kind::Bool;
      a.boolean = v->val.boolean;
      break;
    case jbvNumeric:
      a.kind = Attr::Kind::Number;
      a.number = numeric_to_double(v->val.numeric);
      break;
    case jbvString:
      a.kind = Attr::Kind::String;
      a.text = std::string_view(v->val.string.val, (size_t)v->val.string.len);
      break;
    default: a.kind = Attr::Kind::Other; break;
    }
  }
}

} // namespace mql::pg

namespace mql::pg {
namespace {

struct RuleCheck {
  bool ok;
  char field[32];
  char message[256];
  char hint[256];
  const char *op_name;
  const char *effect_name;
  bool matched;
};

void copy_to(char *dst, size_t n, const std::string &s) {
  std::strncpy(dst, s.c_str(), n - 1);
  dst[n - 1] = '\0';
}

// Compiles (and optionally matches) a rule; pure C++, run under cpp_call.
void compile_check(const RawRule &r, const Attr *attr, RuleCheck &out) {
  Rule rule;
  RuleError err;
  std::optional<double> points;
  if (!r.points_null) points = r.points;
  out.ok = compile_rule(0, r.attribute, r.op, to_rule_value(r), points, r.effect, rule, err);
  if (!out.ok) {
    copy_to(out.field, sizeof out.field, err.field);
    copy_to(out.message, sizeof out.message, err.message);
    copy_to(out.hint, sizeof out.hint, err.hint);
    return;
  }
  out.op_name = op_name(rule.op);
  out.effect_name = effect_name(rule.effect);
  out.matched = attr ? rule_matches(rule, *attr) : false;
}

void raise_rule_error(const RuleCheck &rc) {
  ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s", valid_text(rc.message)),
                  errdetail("The fit rule's %s is at fault.", rc.field),
                  rc.hint[0] ? errhint("%s", rc.hint) : 0));
}

} // namespace

void check_rule_sql(const char *attribute, const char *op, Jsonb *value, bool points_null,
                    double points, const char *effect, const char **op_out,
                    const char **effect_out) {
  RawRule r{};
  r.attribute = attribute;
  r.op = op;
  r.effect = effect;
  r.points_null = points_null;
  r.points = points;
  raw_rule_value(value, r);
  RuleCheck rc{};
  cpp_call("validating a fit rule", [&] { compile_check(r, nullptr, rc); });
  if (!rc.ok) raise_rule_error(rc);
  *op_out = rc.op_name;
  *effect_out = rc.effect_name;
}

bool rule_matches_sql(const char *op, Jsonb *value, Jsonb *attribute) {
  RawRule r{};
  r.attribute = "attribute";
  r.op = op;
  r.effect = "score";
  r.points_null = false;
  r.points = 0;
  raw_rule_value(value, r);
  Attr attr{};
  if (attribute != nullptr) {
    JsonbValue v;
    if (!JsonbExtractScalar(&attribute->root, &v)) {
      attr.kind = Attr::Kind::Other;
    } else {
      RawScalar s;
      raw_scalar(v, s);
      switch (s.kind) {
      case Scalar::Kind::Null: attr.kind = Attr::Kind::Null; break;
      case Scalar::Kind::Bool:
        attr.kind = Attr::Kind::Bool;
        attr.boolean = s.boolean;
        break;
      case Scalar::Kind::Number:
        attr.kind = Attr::Kind::Number;
        attr.number = s.number;
        break;
      case Scalar::Kind::String:
        attr.kind = Attr::Kind::String;
        attr.text = std::string_view(s.text, (size_t)s.len);
        break;
      }
    }
  }
  RuleCheck rc{};
  cpp_call("matching a fit rule", [&] { compile_check(r, &attr, rc); });
  if (!rc.ok) raise_rule_error(rc);
  return rc.matched;
}

} // namespace mql::pg
