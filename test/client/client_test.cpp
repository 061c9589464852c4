// Tests that need a real client connection (libpqxx): binary parameters
// through mql.stage's receive function, and what a second connection sees
// of an event insert that commits or rolls back. Connects with the usual
// libpq environment (PGHOST, PGPORT, PGUSER, ...) to a server with pg_mql
// installed, and works in its own database, created and dropped here.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <functional>
#include <memory>
#include <string>

namespace {

const char *kDb = "mql_client_test";

class ClientTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    pqxx::connection admin("dbname=postgres");
    pqxx::nontransaction nt(admin);
    nt.exec(std::string("DROP DATABASE IF EXISTS ") + kDb);
    nt.exec(std::string("CREATE DATABASE ") + kDb);
  }

  static void TearDownTestSuite() {
    pqxx::connection admin("dbname=postgres");
    pqxx::nontransaction nt(admin);
    nt.exec(std::string("DROP DATABASE IF EXISTS ") + kDb);
  }

  void SetUp() override {
    conn_ = std::make_unique<pqxx::connection>(std::string("dbname=") + kDb);
    pqxx::work tx(*conn_);
    tx.exec("SET client_min_messages = warning");
    tx.exec("DROP EXTENSION IF EXISTS pg_mql CASCADE");
    tx.exec("CREATE EXTENSION pg_mql");
    tx.exec("INSERT INTO mql.event_weights VALUES ('demo_request', 120, 'web')");
    tx.commit();
  }

  std::unique_ptr<pqxx::connection> conn_;
};

std::string sqlstate_of(const std::function<void()> &f) {
  try {
    f();
  } catch (const pqxx::sql_error &e) {
    return e.sqlstate();
  }
  return "no error";
}

TEST_F(ClientTest, BinaryParameterGoesThroughStageReceive) {
  pqxx::work tx(*conn_);
  pqxx::binarystring bytes(std::string("  Sales_Qualified-Lead "));
  auto r = tx.exec_params("SELECT $1::mql.stage::text", bytes);
  EXPECT_EQ(r[0][0].as<std::string>(), "sql");
}

TEST_F(ClientTest, BinaryReceiveRejectsWhatTextInputRejects) {
  pqxx::work tx(*conn_);
  pqxx::binarystring bytes(std::string("leads"));
  EXPECT_EQ(sqlstate_of([&] { tx.exec_params("SELECT $1::mql.stage", bytes); }), "22P02");
}

TEST_F(ClientTest, TextParameterRoundTrip) {
  pqxx::work tx(*conn_);
  auto rank = tx.exec_params("SELECT mql.stage_rank($1::mql.stage)", "Opportunity");
  EXPECT_EQ(rank[0][0].as<int>(), 4);
}

TEST_F(ClientTest, OtherSessionsSeeQualificationOnlyAfterCommit) {
  pqxx::connection other(std::string("dbname=") + kDb);
  {
    pqxx::work tx(*conn_);
    tx.exec("INSERT INTO mql.events (lead_id, event_type) VALUES (7, 'demo_request')");
    auto mine = tx.exec("SELECT stage::text FROM mql.leads WHERE lead_id = 7");
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_EQ(mine[0][0].as<std::string>(), "mql"); // same transaction as the insert
    pqxx::nontransaction peek(other);
    EXPECT_EQ(peek.exec("SELECT 1 FROM mql.leads WHERE lead_id = 7").size(), 0u);
    tx.commit();
  }
  pqxx::nontransaction peek(other);
  auto r = peek.exec("SELECT stage::text FROM mql.leads WHERE lead_id = 7");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0][0].as<std::string>(), "mql");
}

TEST_F(ClientTest, RolledBackInsertLeavesNothing) {
  {
    pqxx::work tx(*conn_);
    tx.exec("INSERT INTO mql.events (lead_id, event_type) VALUES (8, 'demo_request')");
    tx.abort();
  }
  pqxx::nontransaction nt(*conn_);
  EXPECT_EQ(nt.exec("SELECT 1 FROM mql.leads WHERE lead_id = 8").size(), 0u);
  EXPECT_EQ(nt.exec("SELECT 1 FROM mql.events WHERE lead_id = 8").size(), 0u);
  EXPECT_EQ(nt.exec("SELECT 1 FROM mql.stage_history WHERE lead_id = 8").size(), 0u);
}

TEST_F(ClientTest, CoreExceptionLeavesTheConnectionUsable) {
  pqxx::nontransaction nt(*conn_);
  EXPECT_EQ(sqlstate_of([&] { nt.exec("SELECT mql.core_selftest('runtime')"); }), "XX000");
  EXPECT_EQ(nt.exec("SELECT 1")[0][0].as<int>(), 1);
}

} // namespace
