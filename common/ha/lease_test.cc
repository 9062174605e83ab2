#include "common/ha/lease.h"

#include <libpq-fe.h>

#include <memory>
#include <string>

#include "absl/synchronization/notification.h"
#include "common/testing/postgres_server.h"
#include "gtest/gtest.h"

namespace enlace::ha {
namespace {

class LeaseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto pg = testing::PostgresServer::Start();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = pg->release();
  }
  static void TearDownTestSuite() { delete pg_; }

  // Each test its own lease row.
  LeaseOptions Options(const std::string& holder) {
    LeaseOptions o;
    o.conninfo = pg_->TcpConninfo();
    o.name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    o.holder = holder;
    o.ttl = absl::Hours(1);  // expiry is forced with SQL, never waited for
    o.renew_interval = absl::Milliseconds(100);
    return o;
  }

  // Runs `sql` with `params` on a connection of its own; the number of rows, -1 on error.
  static int Rows(const std::string& sql, const std::vector<std::string>& params = {}) {
    PGconn* c = PQconnectdb(pg_->TcpConninfo().c_str());
    std::vector<const char*> v;
    for (const auto& p : params) v.push_back(p.c_str());
    PGresult* r = PQexecParams(c, sql.c_str(), v.size(), nullptr, v.data(), nullptr, nullptr, 0);
    const ExecStatusType st = PQresultStatus(r);
    const int n = st == PGRES_TUPLES_OK ? PQntuples(r) : st == PGRES_COMMAND_OK ? 0 : -1;
    if (n < 0) ADD_FAILURE() << PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(c);
    return n;
  }
  static int FenceRows(const Lease& lease) {
    const FenceStatement f = lease.Fence();
    return Rows(f.sql, f.params);
  }
  // What an operator (or time) does: the current term ends in the database.
  void Expire(const std::string& name) {
    ASSERT_EQ(Rows("UPDATE enlace_lease SET expires_at = now() - interval '1 s' WHERE id = $1 "
                   "RETURNING 1",
                   {name}),
              1);
  }

  static testing::PostgresServer* pg_;
};

testing::PostgresServer* LeaseTest::pg_ = nullptr;

TEST_F(LeaseTest, BadOptionsAreRefused) {
  LeaseOptions o = Options("a");
  o.holder = "";
  EXPECT_TRUE(absl::IsInvalidArgument(Lease::Create(o).status()));
  o = Options("a");
  o.renew_interval = o.ttl;
  EXPECT_TRUE(absl::IsInvalidArgument(Lease::Create(o).status()));
  o = Options("a");
  o.conninfo = "";
  EXPECT_TRUE(absl::IsInvalidArgument(Lease::Create(o).status()));
}

TEST_F(LeaseTest, UnreachableDatabaseIsUnavailable) {
  LeaseOptions o = Options("a");
  o.conninfo = "host=127.0.0.1 port=1 user=postgres connect_timeout=2";
  auto lease = Lease::Create(o);
  EXPECT_TRUE(absl::IsUnavailable(lease.status())) << lease.status();
}

TEST_F(LeaseTest, OneHolderAtATime) {
  auto a = Lease::Create(Options("a"));
  auto b = Lease::Create(Options("b"));
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ((*a)->epoch(), 0);
  ASSERT_EQ((*a)->TryAcquire().value_or(false), true);
  EXPECT_EQ((*a)->epoch(), 1);
  auto got = (*b)->TryAcquire();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(*got) << "b took a lease a holds";
  EXPECT_TRUE((*a)->Renew().ok());
  EXPECT_TRUE(absl::IsFailedPrecondition((*b)->Renew())) << "b never acquired";
  EXPECT_EQ(FenceRows(**a), 1);
  EXPECT_EQ(FenceRows(**b), 0);
}

TEST_F(LeaseTest, TakeoverAfterExpiryFencesTheOldHolder) {
  auto a = Lease::Create(Options("a"));
  auto b = Lease::Create(Options("b"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->TryAcquire().value_or(false));
  const FenceStatement old_fence = (*a)->Fence();
  Expire((*a)->options().name);
  // Expired but not yet taken: a's commits are already fenced.
  EXPECT_EQ(FenceRows(**a), 0);
  ASSERT_TRUE((*b)->TryAcquire().value_or(false));
  EXPECT_EQ((*b)->epoch(), 2);
  EXPECT_EQ(FenceRows(**b), 1);
  EXPECT_EQ(Rows(old_fence.sql, old_fence.params), 0);
  absl::Status renewed = (*a)->Renew();
  EXPECT_TRUE(absl::IsFailedPrecondition(renewed)) << renewed;
  // And a stays out while b's term runs.
  EXPECT_FALSE((*a)->TryAcquire().value_or(true));
}

TEST_F(LeaseTest, ReacquireBySameHolderStartsANewTerm) {
  // A restarted process with the same holder name takes its lease back at once, in a new term
  // that fences its previous incarnation.
  auto first = Lease::Create(Options("a"));
  auto second = Lease::Create(Options("a"));
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE((*first)->TryAcquire().value_or(false));
  ASSERT_TRUE((*second)->TryAcquire().value_or(false));
  EXPECT_EQ((*second)->epoch(), 2);
  EXPECT_EQ(FenceRows(**first), 0);
  EXPECT_EQ(FenceRows(**second), 1);
  EXPECT_TRUE(absl::IsFailedPrecondition((*first)->Renew()));
}

TEST_F(LeaseTest, ReleaseLetsTheStandbyTakeOverAtOnce) {
  auto a = Lease::Create(Options("a"));
  auto b = Lease::Create(Options("b"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->TryAcquire().value_or(false));
  EXPECT_FALSE((*b)->TryAcquire().value_or(true));
  ASSERT_TRUE((*a)->Release().ok());
  EXPECT_EQ(FenceRows(**a), 0);
  absl::Notification never;
  ASSERT_TRUE((*b)->AcquireBlocking(&never).ok());
  EXPECT_EQ((*b)->epoch(), 2);
}

TEST_F(LeaseTest, AcquireBlockingStopsWhenTold) {
  auto a = Lease::Create(Options("a"));
  auto b = Lease::Create(Options("b"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->TryAcquire().value_or(false));
  absl::Notification stop;
  stop.Notify();
  EXPECT_TRUE(absl::IsCancelled((*b)->AcquireBlocking(&stop)));
}

TEST_F(LeaseTest, RenewalReportsALostTermOnce) {
  auto a = Lease::Create(Options("a"));
  auto b = Lease::Create(Options("b"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->TryAcquire().value_or(false));
  absl::Mutex mu;
  int calls = 0;
  absl::Status lost;
  (*a)->StartRenewing([&](const absl::Status& s) {
    absl::MutexLock lock(&mu);
    ++calls;
    lost = s;
  });
  Expire((*a)->options().name);
  ASSERT_TRUE((*b)->TryAcquire().value_or(false));
  {
    absl::MutexLock lock(&mu);
    // Bounded only so a broken renewal fails rather than hangs.
    mu.AwaitWithTimeout(absl::Condition(+[](int* c) { return *c > 0; }, &calls),
                        absl::Seconds(30));
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(absl::IsFailedPrecondition(lost)) << lost;
  }
  (*a)->StopRenewing();
  absl::MutexLock lock(&mu);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace enlace::ha
