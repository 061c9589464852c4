// Concurrency stress test and crash-consistency oracle for pg_mql (libpqxx).
//
// Writers insert random events (single rows, multi-row statements in random
// lead order, back-dated events, multi-statement transactions, deliberate
// rollbacks, statements that fail) while stage callers move random leads
// with mql.set_stage or UPDATE. Every client transaction is logged to a file
// per connection: "S" just before its COMMIT is sent (or before an
// autocommit statement is sent), "C" once the server acknowledged it, "R"
// when it was rolled back. The oracle then recomputes every lead's score from
// the committed events with its own implementation of the documented
// formula, checks the stage history against the guardrail table, and compares
// the stored events and manual stage changes with what the client committed.
//
// Modes: all (default: setup, load, check), setup, load, check. The crash
// test (scripts/crash-test.sh) runs setup, then load while it kills the
// server, then check after the restart: transactions whose COMMIT was sent
// but never acknowledged may then be present or absent, but all or nothing.
// Connects with the usual libpq environment (PGHOST, PGPORT, PGUSER, ...).
#include <pqxx/pqxx>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

namespace {

// ---- Test configuration (the oracle uses these constants, not the server's tables)

constexpr int64_t kUsPerDay = 86400LL * 1000000LL;
constexpr int64_t kWindowStart = 1735689600LL * 1000000LL; // 2025-01-01 00:00 UTC
constexpr int64_t kWindowDays = 60;
// Short, so that scores rise and fall several times within the window:
// leads cross the threshold both ways, and recycled leads can re-qualify.
constexpr int64_t kHalfLife = 3 * kUsPerDay; // settings.half_life, set by setup()
constexpr double kThreshold = 100;           // settings.threshold default
constexpr double kRelTol = 1e-9;

struct Weight {
  const char *type;
  double weight;
  int frequency; // relative frequency among generated events
};
// "chat" is not in mql.event_weights: it weighs 0 and is kept.
const Weight kWeights[] = {{"page_view", 3, 40}, {"email_click", 5, 20},  {"pricing_view", 10, 15},
                           {"webinar", 15, 10},  {"demo_request", 40, 5}, {"chat", 0, 10}};

double weight_of(const std::string &type) {
  for (const Weight &w : kWeights)
    if (type == w.type) return w.weight;
  return 0;
}

enum Stage { Lead, Mql, Sql, Opportunity, Customer, Recycled, Disqualified, kStages };
const char *kStageNames[kStages] = {"lead",     "mql",      "sql",         "opportunity",
                                    "customer", "recycled", "disqualified"};

int stage_of(const std::string &s) {
  for (int i = 0; i < kStages; i++)
    if (s == kStageNames[i]) return i;
  return -1;
}

// The guardrail table of docs/sql-reference.md (mql.can_transition), written
// out cell by cell: rows from, columns to; same stage counts as not a move.
const bool kAllowed[kStages][kStages] = {
    //          lead   mql    sql    opp    cust   recyc  disq
    /* lead  */ {false, true, true, true, true, false, true},
    /* mql   */ {false, false, true, true, true, true, true},
    /* sql   */ {false, false, false, true, true, true, true},
    /* opp   */ {false, false, false, false, true, true, true},
    /* cust  */ {false, false, false, false, false, false, false},
    /* recyc */ {false, true, true, true, true, false, true},
    /* disq  */ {false, false, false, false, false, false, false},
};

struct Options {
  std::string mode = "all";
  int seconds = 60;
  int writers = 8;
  int stagers = 2;
  int leads = 1000;
  unsigned seed = 1;
  std::string db = "mql_stress";
  std::string log_dir;
  // load: a lost server ends a worker instead of failing; check: COMMITs
  // left unanswered (in doubt) are expected instead of failing.
  bool crash = false;
  bool temp_log_dir = false; // made by the test: removed after a clean run
};

// ---- Violations: collected from every thread, printed at the end

std::mutex g_violation_mutex;
std::vector<std::string> g_violations;

void violation(const std::string &what) {
  std::lock_guard<std::mutex> g(g_violation_mutex);
  if (g_violations.size() < 1000) g_violations.push_back(what);
}

std::string fmt_time(int64_t us) {
  time_t secs = (time_t)(us / 1000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06lld+00", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)(us % 1000000));
  return buf;
}

// Runs one statement outside any libpqxx transaction object, so the test
// itself decides what BEGIN, COMMIT and ROLLBACK are sent and when.
pqxx::result run(pqxx::connection &c, const std::string &sql) {
  pqxx::nontransaction t(c);
  return t.exec(sql);
}

std::string conninfo(const Options &o) { return "dbname=" + o.db; }

// ---- Setup

// Creates the database, the extension, the configuration and the leads that
// exist before the load (ids 1 .. leads/2; the others are created by events).
void setup(const Options &o) {
  {
    pqxx::connection admin("dbname=postgres");
    run(admin, "DROP DATABASE IF EXISTS " + o.db);
    run(admin, "CREATE DATABASE " + o.db);
  }
  pqxx::connection c(conninfo(o));
  run(c, "SET client_min_messages = warning");
  run(c, "CREATE EXTENSION pg_mql");
  run(c, "UPDATE mql.settings SET half_life = '3 days', threshold = " + std::to_string(kThreshold));
  std::string w = "INSERT INTO mql.event_weights (event_type, weight, category) VALUES ";
  bool first = true;
  for (const Weight &x : kWeights) {
    if (x.weight == 0) continue;
    w += std::string(first ? "" : ", ") + "('" + x.type + "', " + std::to_string(x.weight) +
         ", 'web')";
    first = false;
  }
  run(c, w);
  run(c, "INSERT INTO mql.fit_rules (attribute, op, value, points, effect) VALUES "
         "('employees', '>=', '200', 20, 'score'), "
         "('country', 'in', '[\"DE\", \"FR\"]', 10, 'score'), "
         "('role', '=', '\"student\"', NULL, 'exclude')");
  run(c, "INSERT INTO mql.leads (lead_id, created_at, attributes) "
         "SELECT g, timestamptz '" +
             fmt_time(kWindowStart - 30 * kUsPerDay) +
             "', jsonb_build_object('employees', (g * 37) % 1000, "
             "'country', (ARRAY['DE', 'de', 'FR', 'US', 'fr'])[g % 5 + 1], "
             "'role', CASE g % 10 WHEN 0 THEN 'Student' WHEN 1 THEN 'student' ELSE 'vp' END) "
             "FROM generate_series(1, " +
             std::to_string(o.leads / 2) + ") AS g");
}

// ---- Load

// One connection's transaction log, flushed line by line so that it survives
// a server crash (the client keeps running).
class TxLog {
public:
  explicit TxLog(const std::string &path) : f_(fopen(path.c_str(), "w")) {
    if (!f_) {
      perror(path.c_str());
      exit(2);
    }
  }
  ~TxLog() { fclose(f_); }
  void line(char kind, const std::string &tx, const std::vector<std::string> &keys) {
    std::string s(1, kind);
    s += ' ' + tx;
    for (const auto &k : keys)
      s += ' ' + k;
    s += '\n';
    fputs(s.c_str(), f_);
    fflush(f_);
  }

private:
  FILE *f_;
};

struct Clock {
  std::chrono::steady_clock::time_point start, end;
  bool over() const { return std::chrono::steady_clock::now() >= end; }
  // Business time advances through the 60-day window as the run goes on.
  int64_t business_now() const {
    double p = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
               std::chrono::duration<double>(end - start).count();
    p = std::min(1.0, std::max(0.0, p));
    return kWindowStart + (int64_t)(p * kWindowDays * kUsPerDay);
  }
};

// A lost server: in crash mode the worker stops; otherwise it is a failure.
struct ServerGone {};

bool is_server_gone(const pqxx::sql_error &e) {
  const std::string &s = e.sqlstate();
  return s.rfind("08", 0) == 0 || s.rfind("57", 0) == 0 || s.empty();
}

struct Counters {
  std::atomic<long> tx_committed{0}, ev_committed{0}, tx_rolled_back{0}, ev_rolled_back{0},
      tx_failed_on_purpose{0}, tx_in_doubt{0}, ev_in_doubt{0}, ops_committed{0}, ops_refused{0},
      ops_rolled_back{0}, ops_no_lead{0};
};

class Worker {
public:
  Worker(const Options &o, const Clock &clock, Counters &n, char kind, int id)
      : o_(o), clock_(clock), n_(n), rng_(o.seed * 7919u + (unsigned)id * 104729u + kind),
        name_(std::string(1, kind) + std::to_string(id)), log_(o.log_dir + "/" + name_ + ".log") {}

  void run_writer() {
    loop([&] { writer_step(); });
  }
  void run_stager() {
    loop([&] { stager_step(); });
  }

private:
  template <class F> void loop(F step) {
    try {
      conn_ = std::make_unique<pqxx::connection>(conninfo(o_));
      while (!clock_.over())
        step();
    } catch (const ServerGone &) {
    } catch (const pqxx::broken_connection &e) {
      if (!o_.crash) violation(name_ + ": connection lost: " + e.what());
    } catch (const std::exception &e) {
      if (!o_.crash) violation(name_ + ": " + e.what());
    }
  }

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(int percent) { return uniform(0, 99) < percent; }

  std::string random_type() {
    int total = 0;
    for (const Weight &w : kWeights)
      total += w.frequency;
    int r = uniform(0, total - 1);
    for (const Weight &w : kWeights) {
      if (r < w.frequency) return w.type;
      r -= w.frequency;
    }
    return kWeights[0].type;
  }

  // A quarter of the events are back-dated anywhere into the past of the
  // window: late events for the leads that already have newer ones.
  int64_t random_time() {
    int64_t now = clock_.business_now();
    if (chance(25))
      return kWindowStart + (int64_t)(std::uniform_real_distribution<double>(0, 1)(rng_) *
                                      (double)(now - kWindowStart));
    return now + (int64_t)uniform(0, 3600) * 1000000 + uniform(0, 999999);
  }

  // Appends one event row for `lead` to a VALUES list; returns its key.
  std::string add_row(std::string &values, long lead, bool bad_time = false) {
    std::string key = "e" + name_.substr(1) + "." + std::to_string(++event_seq_);
    if (!values.empty()) values += ", ";
    values += "(" + std::to_string(lead) + ", '" + random_type() + "', '" +
              (bad_time ? std::string("infinity") : fmt_time(random_time())) + "', '{\"k\": \"" +
              key + "\"}')";
    return key;
  }

  std::string insert_sql(const std::string &values) {
    return "INSERT INTO mql.events (lead_id, event_type, occurred_at, properties) VALUES " + values;
  }

  // Writers: most events go to a window of a tenth of the leads that slides
  // twice over the first 80% of them as business time goes on, so each of
  // those leads is busy (and qualifies) twice, cooling down in between;
  // concurrent statements of the writers overlap heavily on the window's
  // rows. A few events go to any lead, so the last 20% stay cold (and below
  // the threshold) and half the leads are created by events.
  long random_lead() {
    if (chance(3)) return uniform(1, o_.leads);
    long span = std::max(1, o_.leads * 4 / 5), window = std::max(1, o_.leads / 10);
    double p = (double)(clock_.business_now() - kWindowStart) / (double)(kWindowDays * kUsPerDay);
    double cycle = std::fmod(2 * p, 1.0);
    long start = (long)(cycle * (double)std::max(0L, span - window));
    return start + uniform(1, (int)window);
  }

  // Stage callers work on every third lead, so two thirds of the leads move
  // only by automatic qualification.
  long random_staged_lead() { return 3L * uniform(1, std::max(1, o_.leads / 3)); }

  // Sends a statement; an error means the server is gone (crash mode) or an
  // unexpected failure, reported with the statement's purpose.
  bool exec_checked(const std::string &sql, const char *what) {
    try {
      run(*conn_, sql);
      return true;
    } catch (const pqxx::broken_connection &) {
      if (o_.crash) throw ServerGone{};
      throw;
    } catch (const pqxx::sql_error &e) {
      if (o_.crash && is_server_gone(e)) throw ServerGone{};
      violation(name_ + ": " + what + " failed: [" + e.sqlstate() + "] " + e.what());
      return false;
    }
  }

  void rollback(const std::string &tx, const std::vector<std::string> &keys, bool events) {
    try {
      run(*conn_, "ROLLBACK");
    } catch (const pqxx::broken_connection &) {
      if (o_.crash) {
        log_.line('R', tx, keys); // never committed: the server died first
        throw ServerGone{};
      }
      throw;
    }
    log_.line('R', tx, keys);
    if (events) {
      n_.tx_rolled_back++;
      n_.ev_rolled_back += (long)keys.size();
    }
  }

  // Sends `commit_sql` (COMMIT, or an autocommit statement) after logging
  // the keys as in flight; logs C once acknowledged. An error that leaves the
  // outcome unknown (server gone) leaves the S line alone: in doubt.
  bool commit(const std::string &tx, const std::vector<std::string> &keys,
              const std::string &commit_sql, bool events) {
    log_.line('S', tx, keys);
    try {
      run(*conn_, commit_sql);
    } catch (const pqxx::broken_connection &) {
      count_in_doubt(keys, events);
      if (o_.crash) throw ServerGone{};
      throw;
    } catch (const pqxx::sql_error &e) {
      if (o_.crash && is_server_gone(e)) {
        count_in_doubt(keys, events);
        throw ServerGone{};
      }
      // A definite failure: the statement (or the COMMIT) did not commit.
      violation(name_ + ": commit of " + tx + " failed: [" + e.sqlstate() + "] " + e.what());
      log_.line('R', tx, keys);
      return false;
    }
    log_.line('C', tx, {});
    if (events) {
      n_.tx_committed++;
      n_.ev_committed += (long)keys.size();
    } else {
      n_.ops_committed++;
    }
    return true;
  }

  void count_in_doubt(const std::vector<std::string> &keys, bool events) {
    n_.tx_in_doubt++;
    if (events) n_.ev_in_doubt += (long)keys.size();
  }

  void writer_step() {
    std::string tx = "t" + name_.substr(1) + "." + std::to_string(++tx_seq_);
    int kind = uniform(0, 99);
    std::vector<std::string> keys;
    if (kind < 40) { // one row, autocommit
      std::string values;
      keys.push_back(add_row(values, random_lead()));
      commit(tx, keys, insert_sql(values), true);
    } else if (kind < 65) { // one multi-row statement, leads in random order, autocommit
      std::string values;
      int rows = uniform(2, 20);
      for (int i = 0; i < rows; i++)
        keys.push_back(add_row(values, random_lead()));
      commit(tx, keys, insert_sql(values), true);
    } else if (kind < 97) { // a transaction of several statements, committed or rolled back
      bool keep = kind < 85;
      int stmts = uniform(2, 4);
      // Leads ascending across the statements (each statement's rows in
      // random order): the application itself never takes lead locks out
      // of order, so any deadlock would be pg_mql's.
      std::vector<long> leads;
      for (int i = 0, m = stmts * uniform(1, 5); i < m; i++)
        leads.push_back(random_lead());
      std::sort(leads.begin(), leads.end());
      if (!exec_checked("BEGIN", "BEGIN")) return;
      size_t per = leads.size() / stmts;
      for (int s = 0; s < stmts; s++) {
        std::vector<long> chunk(leads.begin() + s * per,
                                s == stmts - 1 ? leads.end() : leads.begin() + (s + 1) * per);
        std::shuffle(chunk.begin(), chunk.end(), rng_);
        std::string values;
        for (long l : chunk)
          keys.push_back(add_row(values, l));
        if (!exec_checked(insert_sql(values), "insert in a transaction")) {
          rollback(tx, keys, true);
          return;
        }
      }
      if (keep)
        commit(tx, keys, "COMMIT", true);
      else
        rollback(tx, keys, true);
    } else { // a statement that must fail (infinite occurred_at): nothing of it stays
      if (!exec_checked("BEGIN", "BEGIN")) return;
      std::string values;
      keys.push_back(add_row(values, random_lead()));
      if (!exec_checked(insert_sql(values), "insert before a failing one")) {
        rollback(tx, keys, true);
        return;
      }
      values.clear();
      keys.push_back(add_row(values, random_lead()));
      keys.push_back(add_row(values, random_lead(), true));
      try {
        run(*conn_, insert_sql(values));
        violation(name_ + ": an event at infinity was accepted (" + tx + ")");
      } catch (const pqxx::broken_connection &) {
        if (o_.crash) {
          log_.line('R', tx, keys);
          throw ServerGone{};
        }
        throw;
      } catch (const pqxx::sql_error &e) {
        if (o_.crash && is_server_gone(e)) {
          log_.line('R', tx, keys);
          throw ServerGone{};
        }
        if (e.sqlstate() != "22008")
          violation(name_ + ": an event at infinity failed with [" + e.sqlstate() +
                    "], expected 22008: " + e.what());
      }
      rollback(tx, keys, true);
      n_.tx_failed_on_purpose++;
    }
  }

  void stager_step() {
    std::string tx = "o" + name_.substr(1) + "." + std::to_string(++tx_seq_);
    long lead = random_staged_lead();
    if (!exec_checked("BEGIN", "BEGIN")) return;
    pqxx::result r;
    try {
      r = run(*conn_, "SELECT stage::text FROM mql.leads WHERE lead_id = " + std::to_string(lead) +
                          " FOR UPDATE");
    } catch (const pqxx::broken_connection &) {
      if (o_.crash) throw ServerGone{};
      throw;
    } catch (const pqxx::sql_error &e) {
      if (o_.crash && is_server_gone(e)) throw ServerGone{};
      violation(name_ + ": locking lead " + std::to_string(lead) + ": " + e.what());
      rollback(tx, {}, false);
      return;
    }
    if (r.empty()) { // not created yet
      n_.ops_no_lead++;
      rollback(tx, {}, false);
      return;
    }
    int from = stage_of(r[0][0].as<std::string>());
    std::vector<int> allowed, refused;
    for (int to = 0; to < kStages; to++)
      if (to != from) (kAllowed[from][to] ? allowed : refused).push_back(to);
    // Nine moves in ten are allowed ones. The final stages (customer,
    // disqualified) are rarely chosen, so leads keep cycling through mql,
    // sql, opportunity and recycled for the whole run.
    bool legal = !allowed.empty() && (refused.empty() || chance(90));
    int to;
    if (legal) {
      std::vector<int> open;
      for (int t : allowed)
        if (t != Customer && t != Disqualified) open.push_back(t);
      const std::vector<int> &pick = open.empty() || uniform(0, 999) < 3 ? allowed : open;
      to = pick[uniform(0, (int)pick.size() - 1)];
    } else {
      to = refused[uniform(0, (int)refused.size() - 1)];
    }
    // Dated near the business present (two days back to one ahead; pg_mql
    // clamps it to the lead's last change), so events follow a recycling.
    std::string at = fmt_time(clock_.business_now() + (int64_t)uniform(-48, 24) * 3600 * 1000000);
    std::string reason = "stress op " + tx;
    std::string sql;
    if (chance(20))
      sql = "SET LOCAL mql.change_reason = '" + reason + "'; UPDATE mql.leads SET stage = '" +
            kStageNames[to] + "', stage_changed_at = '" + at +
            "' WHERE lead_id = " + std::to_string(lead);
    else
      sql = "SELECT 1 FROM mql.set_stage(" + std::to_string(lead) + ", '" + kStageNames[to] +
            "', '" + reason + "', '" + at + "')";
    try {
      run(*conn_, sql);
    } catch (const pqxx::broken_connection &) {
      if (o_.crash) throw ServerGone{};
      throw;
    } catch (const pqxx::sql_error &e) {
      if (o_.crash && is_server_gone(e)) throw ServerGone{};
      if (legal || e.sqlstate() != "23514")
        violation(name_ + ": " + kStageNames[from] + " -> " + kStageNames[to] + " of lead " +
                  std::to_string(lead) + " failed: [" + e.sqlstate() + "] " + e.what());
      else
        n_.ops_refused++;
      rollback(tx, {tx}, false);
      return;
    }
    if (!legal) {
      violation(name_ + ": the guardrails let " + kStageNames[from] + " -> " + kStageNames[to] +
                " of lead " + std::to_string(lead) + " through");
      rollback(tx, {tx}, false);
      return;
    }
    if (chance(85)) {
      commit(tx, {tx}, "COMMIT", false);
    } else {
      rollback(tx, {tx}, false);
      n_.ops_rolled_back++;
    }
  }

  const Options &o_;
  const Clock &clock_;
  Counters &n_;
  std::mt19937_64 rng_;
  std::string name_;
  TxLog log_;
  std::unique_ptr<pqxx::connection> conn_;
  long event_seq_ = 0, tx_seq_ = 0;
};

void load(const Options &o) {
  mkdir(o.log_dir.c_str(), 0755);
  Counters n;
  Clock clock;
  clock.start = std::chrono::steady_clock::now();
  clock.end = clock.start + std::chrono::seconds(o.seconds);
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> threads;
  for (int i = 0; i < o.writers; i++)
    workers.push_back(std::make_unique<Worker>(o, clock, n, 'w', i));
  for (int i = 0; i < o.stagers; i++)
    workers.push_back(std::make_unique<Worker>(o, clock, n, 's', i));
  for (int i = 0; i < o.writers + o.stagers; i++) {
    Worker *w = workers[i].get();
    if (i < o.writers)
      threads.emplace_back([w] { w->run_writer(); });
    else
      threads.emplace_back([w] { w->run_stager(); });
  }
  for (auto &t : threads)
    t.join();
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - clock.start).count();
  printf("load: %.1f s, %d writers, %d stage callers, %d leads\n", secs, o.writers, o.stagers,
         o.leads);
  printf("load: committed %ld transactions / %ld events (%.0f events/s); rolled back %ld / %ld "
         "(%ld of them by a failing statement); in doubt %ld / %ld events\n",
         n.tx_committed.load(), n.ev_committed.load(), n.ev_committed.load() / secs,
         n.tx_rolled_back.load(), n.ev_rolled_back.load(), n.tx_failed_on_purpose.load(),
         n.tx_in_doubt.load(), n.ev_in_doubt.load());
  printf("load: stage changes committed %ld, refused by the guardrails %ld, rolled back %ld, "
         "lead not created yet %ld\n",
         n.ops_committed.load(), n.ops_refused.load(), n.ops_rolled_back.load(),
         n.ops_no_lead.load());
}

// ---- Oracle

struct ClientLog {
  std::unordered_set<std::string> committed, in_doubt, rolled_back; // keys
  std::unordered_map<std::string, std::string> tx_of;               // key -> tx
  long tx_committed = 0, tx_in_doubt = 0, tx_rolled_back = 0;
};

ClientLog read_logs(const Options &o) {
  ClientLog cl;
  std::vector<std::string> files;
  for (int i = 0; i < o.writers; i++)
    files.push_back(o.log_dir + "/w" + std::to_string(i) + ".log");
  for (int i = 0; i < o.stagers; i++)
    files.push_back(o.log_dir + "/s" + std::to_string(i) + ".log");
  for (const auto &path : files) {
    std::ifstream in(path);
    if (!in) {
      violation("no client log " + path);
      continue;
    }
    std::map<std::string, std::vector<std::string>> pending; // S without C yet
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      std::string kind, tx, key;
      ls >> kind >> tx;
      std::vector<std::string> keys;
      while (ls >> key)
        keys.push_back(key);
      for (const auto &k : keys)
        cl.tx_of[k] = tx;
      if (kind == "S") {
        pending[tx] = keys;
      } else if (kind == "C") {
        for (const auto &k : pending[tx])
          cl.committed.insert(k);
        pending.erase(tx);
        cl.tx_committed++;
      } else if (kind == "R") {
        for (const auto &k : keys)
          cl.rolled_back.insert(k);
        pending.erase(tx);
        cl.tx_rolled_back++;
      }
    }
    for (const auto &p : pending) {
      cl.tx_in_doubt++;
      for (const auto &k : p.second)
        cl.in_doubt.insert(k);
    }
  }
  return cl;
}

struct Ev {
  int64_t at;
  int64_t id;
  double w;
};

struct HistRow {
  int from; // -1: creation
  int to;
  int64_t changed_at;
  std::string reason, actor;
  double score;
  bool is_override;
};

struct LeadRow {
  int stage;
  double fit, intent;
  bool has_score_at, has_first_mql;
  int64_t score_at, stage_changed_at, created_at, first_mql_at;
  std::string employees_type, employees, country, role;
  bool has_country, has_role;
  std::vector<Ev> events;
  std::vector<HistRow> history;
};

bool ascii_iequal(const std::string &a, const std::string &b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (std::tolower((unsigned char)a[i]) != std::tolower((unsigned char)b[i])) return false;
  return true;
}

// The fit rules of setup(), evaluated as docs/scoring-and-qualification.md
// says: a missing attribute matches nothing; numbers compare numerically;
// strings compare with ASCII case folding.
double oracle_fit(const LeadRow &l) {
  double fit = 0;
  if (l.employees_type == "number" && std::stod(l.employees) >= 200) fit += 20;
  if (l.has_country && (ascii_iequal(l.country, "DE") || ascii_iequal(l.country, "FR"))) fit += 10;
  return fit;
}

bool oracle_excluded(const LeadRow &l) { return l.has_role && ascii_iequal(l.role, "student"); }

// Intent as of t from every event with occurred_at <= t.
double intent_at(const std::vector<Ev> &ev, int64_t t) {
  double v = 0;
  for (const Ev &e : ev)
    if (e.at <= t) v += e.w * std::exp2(-(double)(t - e.at) / (double)kHalfLife);
  return v;
}

bool close(double a, double b) {
  return std::fabs(a - b) <= kRelTol * std::max(std::fabs(a), std::fabs(b));
}

int64_t micros(const pqxx::field &f) { return f.as<int64_t>(); }

int check(const Options &o) {
  ClientLog cl = read_logs(o);
  pqxx::connection c(conninfo(o));
  const char *us = "(extract(epoch FROM %s) * 1000000)::bigint";
  auto usof = [&](const char *col) {
    char buf[128];
    snprintf(buf, sizeof buf, us, col);
    return std::string(buf);
  };

  std::map<long, LeadRow> leads;
  for (const auto &r : run(c, "SELECT lead_id, stage::text, fit_score, intent_score, " +
                                  usof("score_at") + ", " + usof("stage_changed_at") + ", " +
                                  usof("created_at") + ", " + usof("first_mql_at") +
                                  ", jsonb_typeof(attributes -> 'employees'), "
                                  "attributes ->> 'employees', attributes ->> 'country', "
                                  "attributes ->> 'role' FROM mql.leads")) {
    LeadRow l;
    l.stage = stage_of(r[1].as<std::string>());
    l.fit = r[2].as<double>();
    l.intent = r[3].as<double>();
    l.has_score_at = !r[4].is_null();
    l.score_at = l.has_score_at ? micros(r[4]) : 0;
    l.stage_changed_at = micros(r[5]);
    l.created_at = micros(r[6]);
    l.has_first_mql = !r[7].is_null();
    l.first_mql_at = l.has_first_mql ? micros(r[7]) : 0;
    l.employees_type = r[8].is_null() ? "" : r[8].as<std::string>();
    l.employees = r[9].is_null() ? "" : r[9].as<std::string>();
    l.has_country = !r[10].is_null();
    l.country = l.has_country ? r[10].as<std::string>() : "";
    l.has_role = !r[11].is_null();
    l.role = l.has_role ? r[11].as<std::string>() : "";
    leads[r[0].as<long>()] = l;
  }

  // Events against the client's log.
  long events = 0, present_in_doubt = 0;
  std::unordered_set<std::string> seen;
  std::map<std::string, std::pair<long, long>> doubt_tx; // tx -> (present, total)
  for (const auto &k : cl.in_doubt)
    doubt_tx[cl.tx_of[k]].second++;
  for (const auto &r :
       run(c, "SELECT lead_id, event_type, " + usof("occurred_at") +
                  ", event_id, properties ->> 'k' FROM mql.events ORDER BY lead_id, occurred_at, "
                  "event_id")) {
    events++;
    long lead = r[0].as<long>();
    std::string key = r[4].is_null() ? "" : r[4].as<std::string>();
    if (!seen.insert(key).second) violation("event " + key + " is stored twice");
    if (cl.in_doubt.count(key)) {
      present_in_doubt++;
      doubt_tx[cl.tx_of[key]].first++;
    } else if (!cl.committed.count(key)) {
      violation("event " + key + " (lead " + std::to_string(lead) +
                ") is stored but its transaction " +
                (cl.rolled_back.count(key) ? "was rolled back" : "was never committed"));
    }
    auto it = leads.find(lead);
    if (it == leads.end()) {
      violation("event " + key + " has no lead " + std::to_string(lead));
      continue;
    }
    it->second.events.push_back(
        Ev{micros(r[2]), r[3].as<int64_t>(), weight_of(r[1].as<std::string>())});
  }
  long missing = 0;
  for (const auto &k : cl.committed)
    if (k[0] == 'e' && !seen.count(k)) {
      if (++missing <= 20) violation("committed event " + k + " is missing");
    }
  if (missing > 20) violation(std::to_string(missing) + " committed events are missing in all");
  for (const auto &d : doubt_tx)
    if (d.second.first != 0 && d.second.first != d.second.second)
      violation("in-doubt transaction " + d.first +
                " is half there: " + std::to_string(d.second.first) + " of " +
                std::to_string(d.second.second) + " events");

  // History.
  long history_rows = 0, auto_rows = 0, requalified_rows = 0, manual_rows = 0;
  std::unordered_set<std::string> manual_seen;
  for (const auto &r :
       run(c, "SELECT lead_id, from_stage::text, to_stage::text, " + usof("changed_at") +
                  ", reason, score, actor, is_override FROM mql.stage_history "
                  "ORDER BY lead_id, history_id")) {
    history_rows++;
    long lead = r[0].as<long>();
    HistRow h;
    h.from = r[1].is_null() ? -1 : stage_of(r[1].as<std::string>());
    h.to = stage_of(r[2].as<std::string>());
    h.changed_at = micros(r[3]);
    h.reason = r[4].is_null() ? "" : r[4].as<std::string>();
    h.score = r[5].is_null() ? NAN : r[5].as<double>();
    h.actor = r[6].as<std::string>();
    h.is_override = r[7].as<bool>();
    auto it = leads.find(lead);
    if (it == leads.end()) {
      violation("history row for missing lead " + std::to_string(lead));
      continue;
    }
    it->second.history.push_back(h);
  }

  long by_stage[kStages] = {0};
  for (auto &kv : leads) {
    long id = kv.first;
    LeadRow &l = kv.second;
    std::string lid = "lead " + std::to_string(id);
    by_stage[l.stage]++;
    if (id > o.leads / 2 && l.events.empty())
      violation(lid + " exists but none of its events was committed");

    // Score: fit from the rules, intent from the committed events.
    double fit = oracle_fit(l);
    if (!close(fit, l.fit))
      violation(lid + ": fit_score " + std::to_string(l.fit) + ", expected " + std::to_string(fit));
    if (l.events.empty()) {
      if (l.has_score_at || l.intent != 0) violation(lid + ": intent without events");
    } else {
      int64_t t = 0;
      for (const Ev &e : l.events)
        t = std::max(t, e.at);
      double v = intent_at(l.events, t);
      if (!l.has_score_at || l.score_at != t)
        violation(lid + ": score_at is not its latest event's occurred_at");
      if (!close(v, l.intent)) {
        char buf[160];
        snprintf(buf, sizeof buf, ": intent_score %.17g, recomputed %.17g (relative error %.3g)",
                 l.intent, v, std::fabs(l.intent - v) / std::fabs(v));
        violation(lid + buf);
      }
    }

    // History invariants.
    const auto &h = l.history;
    if (h.empty() || h[0].from != -1 || h[0].reason != "created") {
      violation(lid + ": history does not start with its creation");
      continue;
    }
    if (h[0].to != Lead || h[0].changed_at != l.created_at)
      violation(lid + ": creation row does not match the lead");
    std::set<std::tuple<int, int, int64_t, std::string>> rows;
    bool first_mql_found = false;
    int64_t first_mql = 0;
    for (size_t i = 0; i < h.size(); i++) {
      if (!rows.insert(std::make_tuple(h[i].from, h[i].to, h[i].changed_at, h[i].reason)).second)
        violation(lid + ": duplicate history row " + h[i].reason);
      if (h[i].to == Mql && !first_mql_found) {
        first_mql_found = true;
        first_mql = h[i].changed_at;
      }
      if (i == 0) continue;
      const HistRow &p = h[i - 1], &x = h[i];
      std::string move =
          std::string(x.from >= 0 ? kStageNames[x.from] : "NULL") + " -> " + kStageNames[x.to];
      if (x.from == -1) violation(lid + ": a second creation row");
      if (x.from != p.to) violation(lid + ": " + move + " does not start where the last row ended");
      if (x.is_override) violation(lid + ": unexpected override row");
      if (x.from >= 0 && !kAllowed[x.from][x.to]) violation(lid + ": forbidden transition " + move);
      if (x.changed_at < p.changed_at) violation(lid + ": history dated backwards at " + move);
      if (x.actor == "pg_mql") {
        auto_rows++;
        bool requal = x.from == Recycled;
        if (requal) requalified_rows++;
        if (x.to != Mql || (x.from != Lead && !requal) ||
            x.reason != (requal ? "re-qualified: score reached the threshold after recycling"
                                : "qualified: score reached the threshold"))
          violation(lid + ": unexpected automatic row " + move + " (" + x.reason + ")");
        if (oracle_excluded(l)) violation(lid + ": an excluded lead qualified automatically");
        if (requal && x.changed_at <= p.changed_at)
          violation(lid + ": re-qualified by an event not after the recycling");
        // The events the qualifying statement saw are a subset of the
        // committed ones, and weights are positive: the score at changed_at
        // from all committed events is at least the recorded one.
        double s = fit + intent_at(l.events, x.changed_at);
        if (x.score < kThreshold * (1 - kRelTol) || s < x.score * (1 - kRelTol))
          violation(lid + ": qualified with score " + std::to_string(x.score) +
                    ", committed events give " + std::to_string(s));
      } else {
        manual_rows++;
        const std::string prefix = "stress op ";
        std::string key = x.reason.rfind(prefix, 0) == 0 ? x.reason.substr(prefix.size()) : "";
        if (key.empty()) {
          violation(lid + ": unexpected manual row " + move + " (" + x.reason + ")");
        } else {
          if (!manual_seen.insert(key).second) violation(lid + ": stage change " + key + " twice");
          if (!cl.committed.count(key) && !cl.in_doubt.count(key))
            violation(lid + ": stage change " + key + " is recorded but was not committed");
        }
      }
    }
    if (h.back().to != l.stage) violation(lid + ": leads.stage differs from its last history row");
    if (h.back().changed_at != l.stage_changed_at)
      violation(lid + ": stage_changed_at differs from its last history row");
    if (first_mql_found != l.has_first_mql || (first_mql_found && first_mql != l.first_mql_at))
      violation(lid + ": first_mql_at differs from its first mql row");

    // A lead never moved from `lead` must never have reached the threshold
    // after any of its events, judged at max(occurred_at, creation).
    if (h.size() == 1 && !oracle_excluded(l)) {
      for (const Ev &e : l.events) {
        int64_t tau = std::max(e.at, h[0].changed_at);
        double s = fit + intent_at(l.events, tau);
        if (s >= kThreshold * (1 + kRelTol)) {
          violation(lid + ": still a lead but scored " + std::to_string(s) + " at " +
                    fmt_time(tau));
          break;
        }
      }
    }
  }
  for (const auto &k : cl.committed)
    if (k[0] == 'o' && !manual_seen.count(k))
      violation("committed stage change " + k + " is not in the history");
  for (long id = 1; id <= o.leads / 2; id++)
    if (!leads.count(id)) violation("lead " + std::to_string(id) + " from the setup is missing");

  if (!o.crash && cl.tx_in_doubt != 0)
    violation(std::to_string(cl.tx_in_doubt) + " transactions were left in doubt without a crash");

  long rollup_diffs = run(c, "SELECT count(*) FROM mql.verify_rollups()")[0][0].as<long>();
  if (rollup_diffs != 0)
    violation("mql.verify_rollups() reports " + std::to_string(rollup_diffs) + " differences");

  long events_in_doubt = 0;
  for (const auto &k : cl.in_doubt)
    if (k[0] == 'e') events_in_doubt++;
  printf("check: client log: %ld transactions committed, %ld rolled back, %ld in doubt "
         "(%ld events in doubt, %ld of them present; %ld stage changes in doubt)\n",
         cl.tx_committed, cl.tx_rolled_back, cl.tx_in_doubt, events_in_doubt, present_in_doubt,
         (long)cl.in_doubt.size() - events_in_doubt);
  printf("check: %zu leads, %ld events, %ld history rows (%ld automatic qualifications, %ld of "
         "them re-qualifications after recycling; %ld manual changes)\n",
         leads.size(), events, history_rows, auto_rows, requalified_rows, manual_rows);
  printf("check: leads by stage:");
  for (int s = 0; s < kStages; s++)
    printf(" %s %ld", kStageNames[s], by_stage[s]);
  printf("\n");
  return 0;
}

void usage() {
  fprintf(stderr,
          "usage: mql_stress [--mode all|setup|load|check] [--seconds N] [--writers N]\n"
          "                  [--stagers N] [--leads N] [--seed N] [--db NAME] [--log-dir DIR]\n"
          "                  [--crash]\n"
          "Defaults: all, 60 s, 8 writers, 2 stage callers, 1000 leads, database mql_stress.\n");
  exit(2);
}

Options parse(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (a == "--mode")
      o.mode = val();
    else if (a == "--seconds")
      o.seconds = std::stoi(val());
    else if (a == "--writers")
      o.writers = std::stoi(val());
    else if (a == "--stagers")
      o.stagers = std::stoi(val());
    else if (a == "--leads")
      o.leads = std::stoi(val());
    else if (a == "--seed")
      o.seed = (unsigned)std::stoul(val());
    else if (a == "--db")
      o.db = val();
    else if (a == "--log-dir")
      o.log_dir = val();
    else if (a == "--crash")
      o.crash = true;
    else
      usage();
  }
  if (o.mode != "all" && o.mode != "setup" && o.mode != "load" && o.mode != "check") usage();
  if (o.leads < 2 || o.writers < 0 || o.stagers < 0 || o.seconds < 0) usage();
  if (o.log_dir.empty()) {
    if (o.mode == "load" || o.mode == "check") usage();
    char tmpl[] = "/tmp/mql_stress.XXXXXX";
    if (!mkdtemp(tmpl)) {
      perror("mkdtemp");
      exit(2);
    }
    o.log_dir = tmpl;
    o.temp_log_dir = true;
  }
  return o;
}

} // namespace

int main(int argc, char **argv) {
  Options o = parse(argc, argv);
  try {
    if (o.mode == "all" || o.mode == "setup") setup(o);
    if (o.mode == "all" || o.mode == "load") load(o);
    if (o.mode == "all" || o.mode == "check") check(o);
  } catch (const std::exception &e) {
    violation(std::string("stopped: ") + e.what());
  }
  if (!g_violations.empty()) {
    fprintf(stderr, "mql_stress: %zu violation(s):\n", g_violations.size());
    for (const auto &v : g_violations)
      fprintf(stderr, "  %s\n", v.c_str());
    fprintf(stderr, "FAILED (client logs in %s)\n", o.log_dir.c_str());
    return 1;
  }
  if (o.temp_log_dir) {
    for (int i = 0; i < o.writers; i++)
      unlink((o.log_dir + "/w" + std::to_string(i) + ".log").c_str());
    for (int i = 0; i < o.stagers; i++)
      unlink((o.log_dir + "/s" + std::to_string(i) + ".log").c_str());
    rmdir(o.log_dir.c_str());
  }
  printf("mql_stress %s: OK\n", o.mode.c_str());
  return 0;
}
