// The lease's fence on a real PostgreSQL store: a stale active's commit after a takeover writes
// nothing (FAILED_PRECONDITION), and the new holder's commits go through.
#include <memory>

#include "common/ha/lease.h"
#include "common/testing/postgres_server.h"
#include "common/storage/store.h"
#include "gtest/gtest.h"

namespace enlace::ha {
namespace {

TEST(FenceTest, StaleActiveCannotCommitAfterTakeover) {
  auto pg = testing::PostgresServer::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  storage::StoreOptions so;
  so.postgres_conninfo = (*pg)->TcpConninfo();
  so.column_families = {"data"};
  auto old_store = storage::Store::Open(so);
  auto new_store = storage::Store::Open(so);
  ASSERT_TRUE(old_store.ok()) << old_store.status();
  ASSERT_TRUE(new_store.ok()) << new_store.status();
  const storage::ColumnFamily* cf = (*old_store)->cf("data");

  LeaseOptions lo;
  lo.conninfo = (*pg)->TcpConninfo();
  lo.name = "MX";
  lo.ttl = absl::Hours(1);  // ended with Release, never waited for
  lo.holder = "a";
  auto a = Lease::Create(lo);
  lo.holder = "b";
  auto b = Lease::Create(lo);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->TryAcquire().value_or(false));
  FenceStatement fa = (*a)->Fence();
  ASSERT_TRUE((*old_store)->SetCommitPrecondition(fa.sql, fa.params).ok());

  storage::WriteBatch first;
  first.Put(cf, "k1", "by a");
  ASSERT_TRUE((*old_store)->Commit(first).ok());

  // a's term ends (here by release; a partition would let it run out) and b takes over.
  ASSERT_TRUE((*a)->Release().ok());
  ASSERT_TRUE((*b)->TryAcquire().value_or(false));
  FenceStatement fb = (*b)->Fence();
  ASSERT_TRUE((*new_store)->SetCommitPrecondition(fb.sql, fb.params).ok());

  storage::WriteBatch stale;
  stale.Put(cf, "k1", "by stale a");
  stale.Put(cf, "k2", "by stale a");
  absl::Status s = (*old_store)->Commit(stale);
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;

  storage::WriteBatch fresh;
  fresh.Put((*new_store)->cf("data"), "k3", "by b");
  absl::Status fresh_status = (*new_store)->Commit(fresh);
  ASSERT_TRUE(fresh_status.ok()) << fresh_status;

  // Nothing of the fenced batch is there.
  auto k1 = (*new_store)->Get((*new_store)->cf("data"), "k1");
  ASSERT_TRUE(k1.ok());
  EXPECT_EQ(k1->value_or(""), "by a");
  auto k2 = (*new_store)->Get((*new_store)->cf("data"), "k2");
  ASSERT_TRUE(k2.ok());
  EXPECT_FALSE(k2->has_value());
}

}  // namespace
}  // namespace enlace::ha
