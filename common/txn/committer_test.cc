#include "common/txn/committer.h"

#include <cstdlib>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "enlace/federation/v1/federation.pb.h"
#include "gtest/gtest.h"

namespace enlace::txn {
namespace {

std::string TempDir() {
  std::string tmpl = std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") +
                     "/committer_XXXXXX";
  return mkdtemp(tmpl.data());
}

std::unique_ptr<storage::Store> Open(const std::string& dir) {
  storage::StoreOptions o;
  o.path = dir;
  o.column_families = {"things"};
  Committer::AddColumnFamilies(o);
  auto s = storage::Store::Open(o);
  EXPECT_TRUE(s.ok()) << s.status();
  return std::move(*s);
}

TEST(CommitterTest, ConcurrentTransactionsGetGapFreeSequencesAndAChainedAudit) {
  const std::string dir = TempDir();
  {
    auto store = Open(dir);
    auto committer = Committer::Create(store.get(), "MX");
    ASSERT_TRUE(committer.ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 100; ++i) {
          Transaction txn;
          txn.batch.Put(store->cf("things"), absl::StrCat(t, "-", i), "x");
          txn.envelopes.push_back({"GT", "test", absl::StrCat(t, "-", i)});
          if (i % 2) txn.envelopes.push_back({"HN", "test", "y"});
          enlace::audit::v1::AuditRecord r;
          r.set_actor("test");
          r.set_action("thing.put");
          txn.audit.push_back(r);
          ASSERT_TRUE((*committer)->Commit(txn).ok());
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ((*committer)->LastQueued("GT"), 800u);
    EXPECT_EQ((*committer)->LastQueued("HN"), 400u);
    EXPECT_EQ((*committer)->LastAuditSeq(), 800u);
  }
  // After reopening, numbering continues and the stored log is complete and chained.
  auto store = Open(dir);
  auto committer = Committer::Create(store.get(), "MX");
  ASSERT_TRUE(committer.ok());
  EXPECT_EQ((*committer)->LastQueued("GT"), 800u);
  uint64_t expect = 1;
  std::set<std::string> payloads;
  for (auto it = store->ScanPrefix((*committer)->outbox_cf(), "GT|"); it->Valid(); it->Next()) {
    enlace::federation::v1::EnvelopeBody body;
    ASSERT_TRUE(body.ParseFromArray(it->value().data(), it->value().size()));
    EXPECT_EQ(body.seq(), expect++);
    EXPECT_EQ(body.sender(), "MX");
    payloads.insert(body.payload());
  }
  EXPECT_EQ(payloads.size(), 800u);
  std::string prev;
  uint64_t seq = 0;
  for (auto it = store->ScanPrefix((*committer)->audit_cf(), ""); it->Valid(); it->Next()) {
    enlace::audit::v1::AuditRecord r;
    ASSERT_TRUE(r.ParseFromArray(it->value().data(), it->value().size()));
    EXPECT_EQ(r.seq(), ++seq);
    EXPECT_EQ(r.prev_hash(), prev);
    EXPECT_EQ(Committer::ChainHash(prev, r), r.hash());
    prev = r.hash();
  }
  EXPECT_EQ(seq, 800u);
  Transaction txn;
  txn.envelopes.push_back({"GT", "test", "after"});
  ASSERT_TRUE((*committer)->Commit(txn).ok());
  EXPECT_EQ((*committer)->LastQueued("GT"), 801u);
}

TEST(CommitterTest, WaitForQueuedWakesOnCommit) {
  auto store = Open(TempDir());
  auto committer = Committer::Create(store.get(), "MX");
  ASSERT_TRUE(committer.ok());
  EXPECT_EQ((*committer)->WaitForQueued("GT", 0, absl::Milliseconds(10)), 0u);
  std::thread t([&] {
    Transaction txn;
    txn.envelopes.push_back({"GT", "k", "p"});
    ASSERT_TRUE((*committer)->Commit(txn).ok());
  });
  EXPECT_EQ((*committer)->WaitForQueued("GT", 0, absl::Seconds(10)), 1u);
  t.join();
}

}  // namespace
}  // namespace enlace::txn
