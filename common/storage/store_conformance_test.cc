// One suite, both engines: every Store behaviour the node relies on, run against the embedded
// RocksDB store and the PostgreSQL store (a real server, common/testing/postgres_server.h).
// Then what only the PostgreSQL store has: the commit precondition (fencing), UNAVAILABLE
// (UNKNOWN during COMMIT) on a connection lost mid-commit, and reconnecting by itself after a
// server restart.

#include <postgresql/libpq-fe.h>
#include <stdlib.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/storage/store.h"
#include "common/testing/postgres_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace enlace::storage {
namespace {

using ::testing::HasSubstr;

enum class Engine { kRocksDb, kPostgres };

testing::PostgresServer* server = nullptr;

std::string TempDir() {
  std::string tmpl = std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") +
                     "/conformance_XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) abort();
  return tmpl;
}

class StoreConformanceTest : public ::testing::TestWithParam<Engine> {
 protected:
  static void SetUpTestSuite() {
    if (server != nullptr) return;
    auto s = testing::PostgresServer::Start();
    ASSERT_TRUE(s.ok()) << s.status();
    server = s->release();
    atexit([] { delete server; });  // stops it and removes its directory
  }

  void SetUp() override {
    options_.column_families = {"plain", "other"};
    options_.counter_families = {"counters"};
    if (GetParam() == Engine::kPostgres) {
      // A database per test: tests never see each other's rows.
      static int n = 0;
      const std::string db = absl::StrCat("conformance_", ++n);
      ASSERT_TRUE(server->CreateDatabase(db).ok());
      options_.postgres_conninfo = server->Conninfo(db);
    } else {
      options_.path = TempDir();
    }
    store_ = Open();
  }

  std::unique_ptr<Store> Open() {
    auto s = Store::Open(options_);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : nullptr;
  }

  std::optional<std::string> Get(const char* cf, absl::string_view key) {
    auto v = store_->Get(store_->cf(cf), key);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : std::nullopt;
  }

  std::vector<std::string> Keys(std::unique_ptr<Iterator> it) {
    std::vector<std::string> keys;
    for (; it->Valid(); it->Next()) keys.emplace_back(it->key());
    EXPECT_TRUE(it->status().ok()) << it->status();
    return keys;
  }

  StoreOptions options_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreConformanceTest, BatchIsAtomicAcrossFamiliesAndSurvivesReopen) {
  WriteBatch b;
  b.Put(store_->cf("plain"), "a", "1");
  b.Put(store_->cf("other"), "b", std::string("\0\xff", 2));
  b.AddToCounter(store_->cf("counters"), "n", 5);
  ASSERT_TRUE(store_->Commit(b).ok());
  ASSERT_TRUE(store_->Close().ok());
  EXPECT_EQ(store_->Get(store_->cf("plain"), "a").status().code(),
            absl::StatusCode::kFailedPrecondition);
  store_ = Open();
  EXPECT_EQ(Get("plain", "a"), "1");
  EXPECT_EQ(Get("other", "b"), std::string("\0\xff", 2));
  EXPECT_EQ(*store_->GetCounter(store_->cf("counters"), "n"), 5);
}

TEST_P(StoreConformanceTest, BadInputIsRefusedAndWritesNothing) {
  WriteBatch add_to_plain;
  add_to_plain.Put(store_->cf("plain"), "k", "v");
  add_to_plain.AddToCounter(store_->cf("plain"), "k2", 1);
  absl::Status s = store_->Commit(add_to_plain);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("not a counter family"));

  WriteBatch bad_counter;
  bad_counter.Put(store_->cf("plain"), "k", "v");
  bad_counter.Put(store_->cf("counters"), "c", "seven");
  EXPECT_EQ(store_->Commit(bad_counter).code(), absl::StatusCode::kInvalidArgument);

  StoreOptions other_options;
  other_options.path = TempDir();
  other_options.column_families = {"plain"};
  auto other = Store::Open(other_options);
  ASSERT_TRUE(other.ok());
  WriteBatch foreign;
  foreign.Put(store_->cf("plain"), "k", "v");
  foreign.Put((*other)->cf("plain"), "k", "v");
  EXPECT_EQ(store_->Commit(foreign).code(), absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(Get("plain", "k"), std::nullopt);
  EXPECT_EQ(Get("counters", "c"), std::nullopt);
  EXPECT_TRUE(store_->Commit(WriteBatch()).ok());
}

TEST_P(StoreConformanceTest, LaterOperationsOnAKeyWinWithinABatch) {
  WriteBatch setup;
  setup.Put(store_->cf("plain"), "deleted-then-put", "old");
  setup.Put(store_->cf("plain"), "put-then-deleted", "old");
  setup.AddToCounter(store_->cf("counters"), "reset", 40);
  ASSERT_TRUE(store_->Commit(setup).ok());
  WriteBatch b;
  b.Delete(store_->cf("plain"), "deleted-then-put");
  b.Put(store_->cf("plain"), "deleted-then-put", "new");
  b.Put(store_->cf("plain"), "put-then-deleted", "x");
  b.Delete(store_->cf("plain"), "put-then-deleted");
  b.Put(store_->cf("plain"), "", "empty key");
  b.Put(store_->cf("plain"), "empty value", "");
  b.Delete(store_->cf("counters"), "reset");
  b.AddToCounter(store_->cf("counters"), "reset", 2);
  b.AddToCounter(store_->cf("counters"), "fresh", -3);
  b.AddToCounter(store_->cf("counters"), "fresh", 1);
  ASSERT_TRUE(store_->Commit(b).ok());
  EXPECT_EQ(Get("plain", "deleted-then-put"), "new");
  EXPECT_EQ(Get("plain", "put-then-deleted"), std::nullopt);
  EXPECT_EQ(Get("plain", ""), "empty key");
  EXPECT_EQ(Get("plain", "empty value"), "");
  EXPECT_EQ(*store_->GetCounter(store_->cf("counters"), "reset"), 2);
  EXPECT_EQ(*store_->GetCounter(store_->cf("counters"), "fresh"), -2);
  EXPECT_EQ(*store_->GetCounter(store_->cf("counters"), "absent"), 0);
}

TEST_P(StoreConformanceTest, ScansAreBytewiseOrderedBoundedAndOnASnapshot) {
  WriteBatch b;
  for (const std::string& k : {std::string("p\xff", 2), std::string("p"), std::string("p\0", 2),
                               std::string("pa"), std::string("q"), std::string("o\xff", 2)}) {
    b.Put(store_->cf("plain"), k, "v");
  }
  // More rows than one fetch of the PostgreSQL store (its cursor path).
  for (int i = 0; i < 2500; ++i) {
    std::string k = "r";
    AppendBigEndian64(&k, i);
    b.Put(store_->cf("plain"), k, absl::StrCat(i));
  }
  ASSERT_TRUE(store_->Commit(b).ok());
  EXPECT_EQ(Keys(store_->ScanPrefix(store_->cf("plain"), "p")),
            (std::vector<std::string>{"p", std::string("p\0", 2), "pa", std::string("p\xff", 2)}));
  EXPECT_EQ(Keys(store_->Scan(store_->cf("plain"), "pa", "q")),
            (std::vector<std::string>{"pa", std::string("p\xff", 2)}));
  EXPECT_EQ(Keys(store_->Scan(store_->cf("plain"), "q", "")).size(), 2501u);  // no upper bound
  EXPECT_TRUE(Keys(store_->ScanPrefix(store_->cf("other"), "")).empty());

  // Iterators opened before a commit do not see it, small range or long.
  auto small = store_->ScanPrefix(store_->cf("plain"), "p");
  auto large = store_->ScanPrefix(store_->cf("plain"), "r");
  WriteBatch change;
  change.Delete(store_->cf("plain"), "pa");
  change.Put(store_->cf("plain"), "pb", "new");
  for (int i = 0; i < 2500; i += 2) {
    std::string k = "r";
    AppendBigEndian64(&k, i);
    change.Delete(store_->cf("plain"), k);
  }
  change.Put(store_->cf("plain"), "rz", "new");
  ASSERT_TRUE(store_->Commit(change).ok());
  EXPECT_EQ(Keys(std::move(small)).size(), 4u);
  std::vector<std::string> old = Keys(std::move(large));
  ASSERT_EQ(old.size(), 2500u);
  for (int i = 0; i < 2500; ++i) EXPECT_EQ(ReadBigEndian64(old[i].substr(1)), i) << i;
  EXPECT_EQ(Keys(store_->ScanPrefix(store_->cf("plain"), "r")).size(), 1251u);
}

TEST_P(StoreConformanceTest, LastIsTheGreatestKey) {
  auto none = store_->Last(store_->cf("other"));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  WriteBatch b;
  b.Put(store_->cf("other"), "b", "2");
  b.Put(store_->cf("other"), std::string("b\xff", 2), "3");
  b.Put(store_->cf("other"), "a", "1");
  ASSERT_TRUE(store_->Commit(b).ok());
  auto last = store_->Last(store_->cf("other"));
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->first, std::string("b\xff", 2));
  EXPECT_EQ((*last)->second, "3");
}

TEST_P(StoreConformanceTest, OverlaysShowUncommittedWritesToThisThreadsGetsOnly) {
  WriteBatch base;
  base.Put(store_->cf("plain"), "k", "committed");
  base.Put(store_->cf("plain"), "gone", "committed");
  ASSERT_TRUE(store_->Commit(base).ok());
  WriteBatch outer, inner;
  outer.Put(store_->cf("plain"), "k", "outer");
  outer.Delete(store_->cf("plain"), "gone");
  inner.Put(store_->cf("plain"), "k", "inner");
  {
    ScopedReadOverlay o1(&outer);
    EXPECT_EQ(Get("plain", "k"), "outer");
    EXPECT_EQ(Get("plain", "gone"), std::nullopt);
    {
      ScopedReadOverlay o2(&inner);
      EXPECT_EQ(Get("plain", "k"), "inner");
      std::optional<std::string> elsewhere;
      std::thread([&] { elsewhere = *store_->Get(store_->cf("plain"), "k"); }).join();
      EXPECT_EQ(elsewhere, "committed");
      // Scans do not see overlays.
      auto it = store_->ScanPrefix(store_->cf("plain"), "k");
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(it->value(), "committed");
    }
    EXPECT_EQ(Get("plain", "k"), "outer");
  }
  EXPECT_EQ(Get("plain", "k"), "committed");
  EXPECT_EQ(Get("plain", "gone"), "committed");
}

TEST_P(StoreConformanceTest, ConcurrentCommitsAllLandAndCountersAddUp) {
  constexpr int kThreads = 8, kCommits = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommits; ++i) {
        WriteBatch b;
        b.Put(store_->cf("plain"), absl::StrCat("t", t, "/", i), "v");
        b.AddToCounter(store_->cf("counters"), "shared", 1);
        b.AddToCounter(store_->cf("counters"), absl::StrCat("own", t), 2);
        if (!store_->Commit(b).ok()) ++failures;
        if (!store_->Get(store_->cf("plain"), absl::StrCat("t", t, "/", i)).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*store_->GetCounter(store_->cf("counters"), "shared"), kThreads * kCommits);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(*store_->GetCounter(store_->cf("counters"), absl::StrCat("own", t)), 2 * kCommits);
    EXPECT_EQ(Keys(store_->ScanPrefix(store_->cf("plain"), absl::StrCat("t", t, "/"))).size(),
              static_cast<size_t>(kCommits));
  }
}

TEST_P(StoreConformanceTest, PurgeKeepsLiveDataAndStatsNameEveryFamily) {
  WriteBatch b;
  b.Put(store_->cf("plain"), "keep", "1");
  b.Put(store_->cf("plain"), "drop", "secret");
  ASSERT_TRUE(store_->Commit(b).ok());
  WriteBatch d;
  d.Delete(store_->cf("plain"), "drop");
  ASSERT_TRUE(store_->Commit(d).ok());
  ASSERT_TRUE(store_->Purge(store_->cf("plain")).ok());
  EXPECT_EQ(Get("plain", "keep"), "1");
  EXPECT_EQ(Get("plain", "drop"), std::nullopt);
  auto stats = store_->GetStats();
  ASSERT_TRUE(stats.ok());
  std::vector<std::string> names;
  for (const auto& f : stats->families) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"counters", "default", "other", "plain"}));
}

TEST_P(StoreConformanceTest, CommitPreconditionOnlyOnPostgres) {
  absl::Status s = store_->SetCommitPrecondition("SELECT 1", {});
  if (GetParam() == Engine::kRocksDb) {
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(store_->CreateBackup(TempDir(), "", 1).status().code(), absl::StatusCode::kOk);
  } else {
    EXPECT_TRUE(s.ok());
    auto backup = store_->CreateBackup(TempDir(), "", 1);
    EXPECT_EQ(backup.status().code(), absl::StatusCode::kUnimplemented);
    EXPECT_THAT(backup.status().message(), HasSubstr("pg_basebackup"));
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreConformanceTest,
                         ::testing::Values(Engine::kRocksDb, Engine::kPostgres),
                         [](const ::testing::TestParamInfo<Engine>& info) {
                           return info.param == Engine::kRocksDb ? std::string("RocksDb")
                                                                 : std::string("Postgres");
                         });

// What only the PostgreSQL store does.
class PostgresStoreTest : public StoreConformanceTest {
 protected:
  // SQL on a connection of its own (the lease table, a trigger).
  void Sql(const std::string& sql) {
    PGconn* conn = PQconnectdb(options_.postgres_conninfo.c_str());
    PGresult* r = PQexec(conn, sql.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(conn);
  }
};

TEST_P(PostgresStoreTest, FencingPreconditionGatesEveryCommit) {
  Sql("CREATE TABLE lease (name text PRIMARY KEY, holder text); "
      "INSERT INTO lease VALUES ('MX', 'node-a')");
  const std::string fence = "SELECT 1 FROM lease WHERE name = $1 AND holder = $2 FOR SHARE";
  ASSERT_TRUE(store_->SetCommitPrecondition(fence, {"MX", "node-a"}).ok());
  WriteBatch b;
  b.Put(store_->cf("plain"), "k", "under a's lease");
  EXPECT_TRUE(store_->Commit(b).ok());

  Sql("UPDATE lease SET holder = 'node-b'");
  WriteBatch stale;
  stale.Put(store_->cf("plain"), "k", "after a lost the lease");
  stale.AddToCounter(store_->cf("counters"), "n", 1);
  absl::Status s = store_->Commit(stale);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(s.message(), HasSubstr("0 rows"));
  EXPECT_EQ(Get("plain", "k"), "under a's lease");
  EXPECT_EQ(*store_->GetCounter(store_->cf("counters"), "n"), 0);

  // Two rows are no pass, and neither is a statement that fails.
  Sql("INSERT INTO lease VALUES ('GT', 'node-b')");
  ASSERT_TRUE(store_->SetCommitPrecondition("SELECT 1 FROM lease WHERE holder = $1",
                                            {"node-b"}).ok());
  EXPECT_EQ(store_->Commit(stale).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->SetCommitPrecondition("SELECT 1 FROM no_such_table", {}).ok());
  EXPECT_EQ(store_->Commit(stale).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Get("plain", "k"), "under a's lease");

  ASSERT_TRUE(store_->SetCommitPrecondition(fence, {"MX", "node-b"}).ok());
  EXPECT_TRUE(store_->Commit(stale).ok());
  EXPECT_EQ(Get("plain", "k"), "after a lost the lease");
  ASSERT_TRUE(store_->SetCommitPrecondition("", {}).ok());
  Sql("DELETE FROM lease");
  EXPECT_TRUE(store_->Commit(b).ok());
}

TEST_P(PostgresStoreTest, ConnectionLostMidCommitIsUnavailableOrUnknownAndThePoolReconnects) {
  // The session ends inside the transaction, before COMMIT: nothing was written.
  ASSERT_TRUE(
      store_->SetCommitPrecondition("SELECT pg_terminate_backend(pg_backend_pid())", {}).ok());
  WriteBatch b;
  b.Put(store_->cf("plain"), "k", "v");
  absl::Status s = store_->Commit(b);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_THAT(s.message(), HasSubstr("nothing written"));
  ASSERT_TRUE(store_->SetCommitPrecondition("", {}).ok());
  EXPECT_EQ(Get("plain", "k"), std::nullopt);

  // The session ends while COMMIT runs (a deferred constraint trigger): outcome unknown, so
  // UNKNOWN (not UNAVAILABLE, which promises nothing was written).
  Sql("CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(5); RETURN NULL; END $$; "
      "CREATE CONSTRAINT TRIGGER die AFTER INSERT ON enlace_other DEFERRABLE INITIALLY DEFERRED "
      "FOR EACH ROW EXECUTE FUNCTION die()");
  WriteBatch doomed;
  doomed.Put(store_->cf("plain"), "k", "v");
  doomed.Put(store_->cf("other"), "k", "v");
  s = store_->Commit(doomed);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnknown) << s;
  EXPECT_THAT(s.message(), HasSubstr("outcome unknown"));
  Sql("DROP TRIGGER die ON enlace_other");

  // Later calls reconnect by themselves.
  EXPECT_TRUE(store_->Commit(b).ok());
  EXPECT_EQ(Get("plain", "k"), "v");
}

TEST_P(PostgresStoreTest, ServerRestartAndOutageAreSurvived) {
  WriteBatch b;
  b.Put(store_->cf("plain"), "before", "1");
  ASSERT_TRUE(store_->Commit(b).ok());
  ASSERT_TRUE(server->Restart().ok());
  // Pooled connections are dead now; the first calls replace them by themselves.
  EXPECT_EQ(Get("plain", "before"), "1");
  WriteBatch c;
  c.Put(store_->cf("plain"), "after", "2");
  EXPECT_TRUE(store_->Commit(c).ok());

  ASSERT_TRUE(server->Stop().ok());
  WriteBatch d;
  d.Put(store_->cf("plain"), "during", "3");
  EXPECT_EQ(store_->Commit(d).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->Get(store_->cf("plain"), "before").status().code(),
            absl::StatusCode::kUnavailable);
  ASSERT_TRUE(server->StartAgain().ok());
  EXPECT_TRUE(store_->Commit(d).ok());
  EXPECT_EQ(Get("plain", "during"), "3");
  EXPECT_EQ(Get("plain", "after"), "2");
}

INSTANTIATE_TEST_SUITE_P(Engines, PostgresStoreTest, ::testing::Values(Engine::kPostgres),
                         [](const ::testing::TestParamInfo<Engine>&) {
                           return std::string("Postgres");
                         });

}  // namespace
}  // namespace enlace::storage
