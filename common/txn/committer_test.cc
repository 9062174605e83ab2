#include "common/txn/committer.h"

#include <atomic>
#include <cstdlib>
#include <vector>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/testing/sync_point.h"
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
    // The ops port's commit metrics: every transaction is in exactly one observed group.
    std::atomic<int> observed_txns{0}, groups{0};
    (*committer)->SetCommitObserver([&](int transactions, absl::Duration write) {
      observed_txns += transactions;
      ++groups;
      EXPECT_GE(write, absl::ZeroDuration());
    });
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
    EXPECT_EQ(observed_txns.load(), 800);
    EXPECT_GE(groups.load(), 1);
    EXPECT_LE(groups.load(), 800);
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

// A worker woken by a handler must find the handler's writes: callbacks run after the
// commit is durable (the store already holds the write when they run) and never on failure.
TEST(CommitterTest, OnCommitRunsAfterTheWriteIsDurableAndNeverOnFailure) {
  auto store = Open(TempDir());
  auto committer = Committer::Create(store.get(), "MX");
  ASSERT_TRUE(committer.ok());
  const storage::ColumnFamily* cf = (*committer)->outbox_cf();
  Transaction txn;
  txn.batch.Put(cf, "zz|probe", "v");
  std::vector<std::string> seen;
  txn.OnCommit([&] {
    auto got = store->Get(cf, "zz|probe");
    seen.push_back(got.ok() && got->has_value() ? "written" : "missing");
  });
  txn.OnCommit([&] { seen.push_back("second"); });
  ASSERT_TRUE((*committer)->Commit(txn).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"written", "second"}));

  SyncPoint::GetInstance()->SetCallBack("Committer::CommitGroup:Sealed", [](void* arg) {
    *static_cast<absl::StatusOr<std::string>*>(arg) = absl::InternalError("injected");
  });
  SyncPoint::GetInstance()->EnableProcessing();
  (*committer)->SetOutboxKey(std::string(32, 'k'));
  Transaction failing;
  failing.envelopes.push_back({"GT", "k", "p"});
  bool ran = false;
  failing.OnCommit([&] { ran = true; });
  EXPECT_FALSE((*committer)->Commit(failing).ok());
  SyncPoint::GetInstance()->Reset();
  EXPECT_FALSE(ran) << "a callback ran for a transaction that was not committed";
}

// A handler's scratch transaction joins the inbox's with everything it holds.
TEST(TransactionTest, AbsorbMovesWritesEnvelopesAuditAndCallbacks) {
  Transaction outer, inner;
  inner.envelopes.push_back({"GT", "k", "p"});
  inner.Audit("GT", "thing.received");
  int runs = 0;
  inner.OnCommit([&] { ++runs; });
  outer.Absorb(std::move(inner));
  EXPECT_EQ(outer.envelopes.size(), 1u);
  EXPECT_EQ(outer.audit.size(), 1u);
  ASSERT_EQ(outer.on_commit.size(), 1u);
  EXPECT_TRUE(inner.on_commit.empty());
  outer.on_commit[0]();
  EXPECT_EQ(runs, 1);
}

// Helpers for the sealing-failure tests: read back what the store holds.
std::vector<uint64_t> OutboxSeqs(storage::Store* store, const Committer& c,
                                 const std::string& peer) {
  std::vector<uint64_t> seqs;
  for (auto it = store->ScanPrefix(c.outbox_cf(), peer + "|"); it->Valid(); it->Next()) {
    auto body_bytes = c.OpenOutboxEntry(it->value(), it->key());
    EXPECT_TRUE(body_bytes.ok()) << body_bytes.status();
    enlace::federation::v1::EnvelopeBody body;
    EXPECT_TRUE(body.ParseFromString(*body_bytes));
    seqs.push_back(body.seq());
  }
  return seqs;
}

// Returns the number of stored audit records after checking seq continuity and the chain.
uint64_t CheckAuditChain(storage::Store* store, const Committer& c) {
  std::string prev;
  uint64_t seq = 0;
  for (auto it = store->ScanPrefix(c.audit_cf(), ""); it->Valid(); it->Next()) {
    enlace::audit::v1::AuditRecord r;
    EXPECT_TRUE(r.ParseFromArray(it->value().data(), it->value().size()));
    EXPECT_EQ(r.seq(), ++seq);
    EXPECT_EQ(r.prev_hash(), prev) << "chain broken at " << r.seq();
    EXPECT_EQ(Committer::ChainHash(prev, r), r.hash());
    prev = r.hash();
  }
  return seq;
}

Transaction AuditedEnvelopes(const std::string& name, int envelopes) {
  Transaction txn;
  for (int i = 0; i < envelopes; ++i) {
    txn.envelopes.push_back({"GT", "test", absl::StrCat(name, "-", i)});
  }
  txn.Audit("test", absl::StrCat("thing.", name));
  return txn;
}

class CommitterSealFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Open(TempDir());
    auto c = Committer::Create(store_.get(), "MX");
    ASSERT_TRUE(c.ok()) << c.status();
    committer_ = std::move(*c);
    committer_->SetOutboxKey(std::string(32, 'k'));
  }
  void TearDown() override { SyncPoint::GetInstance()->Reset(); }

  // Makes the n-th seal (1-based, counted from now) fail.
  void FailNthSeal(int n) {
    SyncPoint::GetInstance()->SetCallBack(
        "Committer::CommitGroup:Sealed", [this, n](void* arg) {
          if (++seals_ == n) {
            *static_cast<absl::StatusOr<std::string>*>(arg) =
                absl::InternalError("injected sealing failure");
          }
        });
    SyncPoint::GetInstance()->EnableProcessing();
  }

  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Committer> committer_;
  std::atomic<int> seals_{0};
};

// A transaction whose second envelope fails to seal has already numbered its first one; the
// failed commit must give that number back, or GT's outbox gets a hole at 2.
TEST_F(CommitterSealFailureTest, SealingFailureLeavesNoOutboxHole) {
  Transaction first = AuditedEnvelopes("first", 1);
  ASSERT_TRUE(committer_->Commit(first).ok());
  FailNthSeal(2);
  Transaction failing = AuditedEnvelopes("failing", 2);
  EXPECT_EQ(committer_->Commit(failing).code(), absl::StatusCode::kInternal);
  EXPECT_EQ(committer_->LastQueued("GT"), 1u);
  EXPECT_EQ(committer_->LastAuditSeq(), 1u);

  Transaction next = AuditedEnvelopes("next", 2);
  ASSERT_TRUE(committer_->Commit(next).ok());
  EXPECT_EQ(committer_->LastQueued("GT"), 3u);
  EXPECT_EQ(OutboxSeqs(store_.get(), *committer_, "GT"), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(CheckAuditChain(store_.get(), *committer_), 2u);
}

// A group of two transactions in which the first is fully numbered (envelope and audit record)
// and the second fails to seal. The group is formed deterministically with sync points: the
// leader of the first commit is held at CommitGroup:Start until both others are queued.
TEST_F(CommitterSealFailureTest, SealingFailureInAGroupLeavesNoAuditOrOutboxHole) {
  auto* sp = SyncPoint::GetInstance();
  sp->LoadDependency({{"Test:ReleaseFirstLeader", "Committer::CommitGroup:Start"}});
  // Seals: 1 = the held leader's transaction; 2 = first of the group; 3 = second: fails.
  FailNthSeal(3);

  absl::Status first_status, a_status, b_status;
  std::thread leader([&] {
    Transaction t = AuditedEnvelopes("held", 1);
    first_status = committer_->Commit(t);
  });
  while (sp->HitCount("Committer::Commit:Queued") < 1) std::this_thread::yield();
  std::thread a([&] {
    Transaction t = AuditedEnvelopes("a", 1);
    a_status = committer_->Commit(t);
  });
  std::thread b([&] {
    Transaction t = AuditedEnvelopes("b", 1);
    b_status = committer_->Commit(t);
  });
  // Both queued behind the held leader: they will commit as one group.
  while (sp->HitCount("Committer::Commit:Queued") < 3) std::this_thread::yield();
  ENLACE_TEST_SYNC_POINT("Test:ReleaseFirstLeader");
  leader.join();
  a.join();
  b.join();
  ASSERT_TRUE(first_status.ok()) << first_status;
  EXPECT_EQ(a_status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(b_status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(sp->HitCount("Committer::CommitGroup:Start"), 2);
  EXPECT_EQ(committer_->LastQueued("GT"), 1u);
  EXPECT_EQ(committer_->LastAuditSeq(), 1u);
  sp->Reset();

  Transaction next = AuditedEnvelopes("next", 1);
  ASSERT_TRUE(committer_->Commit(next).ok());
  EXPECT_EQ(OutboxSeqs(store_.get(), *committer_, "GT"), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(CheckAuditChain(store_.get(), *committer_), 2u);
  EXPECT_EQ(committer_->LastAuditSeq(), 2u);
}

// Reads' audit records (audit-only transactions, as Registry::AuditRead commits them) that
// queue while a group is being written are committed together as ONE next group, each caller
// returning only after that group's write, and the chain stays whole. The first leader is held
// at CommitGroup:Start until 15 others are queued, so the grouping is deterministic.
TEST(CommitterTest, QueuedAuditOnlyAppendsCommitAsOneGroupAndKeepTheChain) {
  auto store = Open(TempDir());
  auto committer = Committer::Create(store.get(), "MX");
  ASSERT_TRUE(committer.ok()) << committer.status();
  std::vector<int> groups;  // transactions per group, in commit order (one leader at a time)
  (*committer)->SetCommitObserver(
      [&](int transactions, absl::Duration) { groups.push_back(transactions); });
  auto* sp = SyncPoint::GetInstance();
  sp->LoadDependency({{"Test:ReleaseFirstLeader", "Committer::CommitGroup:Start"}});
  sp->EnableProcessing();
  constexpr int kReaders = 15;
  std::atomic<int> returned{0};
  auto read = [&](int i) {
    Transaction t;
    t.Audit("reader", "cases.GetCase", {absl::StrCat("countries/MX/cases/", i)});
    EXPECT_TRUE((*committer)->Commit(t).ok());
    ++returned;
  };
  std::thread first([&] { read(0); });
  while (sp->HitCount("Committer::Commit:Queued") < 1) std::this_thread::yield();
  std::vector<std::thread> readers;
  for (int i = 1; i <= kReaders; ++i) readers.emplace_back([&, i] { read(i); });
  while (sp->HitCount("Committer::Commit:Queued") < kReaders + 1) std::this_thread::yield();
  // Nothing has been written yet, so no caller may have returned.
  EXPECT_EQ(returned.load(), 0);
  ENLACE_TEST_SYNC_POINT("Test:ReleaseFirstLeader");
  first.join();
  for (auto& t : readers) t.join();
  sp->DisableProcessing();
  sp->Reset();
  EXPECT_EQ(groups, (std::vector<int>{1, kReaders}));
  EXPECT_EQ((*committer)->LastAuditSeq(), kReaders + 1u);
  EXPECT_EQ(CheckAuditChain(store.get(), **committer), kReaders + 1u);
  // Then many concurrent readers at once: every record numbered once, the chain whole.
  readers.clear();
  for (int t = 0; t < 16; ++t) {
    readers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) read(1000 + t * 50 + i);
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(CheckAuditChain(store.get(), **committer), kReaders + 1u + 16 * 50);
}

// The store's UNKNOWN (PostgreSQL: connection lost during COMMIT) may mean the batch is
// durable. Here it is (the injection turns a real, successful write into UNKNOWN): a later
// commit that reused its numbers would overwrite GT's outbox entry 1 and audit record 1.
TEST(CommitterTest, AfterAnUnknownOutcomeNoCommitWritesUntilARestartReloads) {
  auto store = Open(TempDir());
  auto committer = Committer::Create(store.get(), "MX");
  ASSERT_TRUE(committer.ok());
  std::vector<std::string> unknown;
  (*committer)->SetOnOutcomeUnknown(
      [&](const absl::Status& s) { unknown.push_back(std::string(s.message())); });
  auto* sp = SyncPoint::GetInstance();
  sp->SetCallBack("Committer::CommitGroup:Written", [](void* arg) {
    auto* s = static_cast<absl::Status*>(arg);
    if (s->ok()) *s = absl::UnknownError("injected: outcome unknown");
  });
  sp->EnableProcessing();
  auto make = [&](const std::string& tag) {
    Transaction txn;
    txn.batch.Put(store->cf("things"), tag, "x");
    txn.envelopes.push_back({"GT", "test", tag});
    txn.Audit("test", "thing." + tag);
    return txn;
  };
  Transaction first = make("first");
  EXPECT_TRUE(absl::IsUnknown((*committer)->Commit(first)));
  sp->Reset();
  EXPECT_EQ(unknown, std::vector<std::string>{"injected: outcome unknown"});

  Transaction second = make("second");
  bool ran = false;
  second.OnCommit([&] { ran = true; });
  absl::Status s = (*committer)->Commit(second);
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_FALSE(ran);
  EXPECT_EQ(unknown.size(), 1u);
  auto got = store->Get(store->cf("things"), "second");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value()) << "a commit after an unknown outcome wrote";
  auto outbox = store->Get((*committer)->outbox_cf(), Committer::OutboxKey("GT", 1));
  ASSERT_TRUE(outbox.ok() && outbox->has_value());
  enlace::federation::v1::EnvelopeBody body;
  ASSERT_TRUE(body.ParseFromString(**outbox));
  EXPECT_EQ(body.payload(), "first") << "outbox entry 1 was overwritten";
  auto last = store->Last((*committer)->audit_cf());
  ASSERT_TRUE(last.ok() && last->has_value());
  enlace::audit::v1::AuditRecord record;
  ASSERT_TRUE(record.ParseFromString((*last)->second));
  EXPECT_EQ(record.seq(), 1u);
  EXPECT_EQ(record.action(), "thing.first") << "audit record 1 was overwritten";

  // A restart reloads the counters from what the store holds and numbering continues.
  auto restarted = Committer::Create(store.get(), "MX");
  ASSERT_TRUE(restarted.ok());
  Transaction third = make("third");
  ASSERT_TRUE((*restarted)->Commit(third).ok());
  EXPECT_EQ((*restarted)->LastQueued("GT"), 2u);
  EXPECT_EQ((*restarted)->LastAuditSeq(), 2u);
}

// A refusal reason may carry a peer's bytes cut mid-character; the committed record must
// still parse (ListAudit, VerifyAuditLog) and chain.
TEST(CommitterTest, InvalidUtf8InAnAuditRecordIsReplacedAndTheRecordParses) {
  auto store = Open(TempDir());
  auto committer = Committer::Create(store.get(), "MX");
  ASSERT_TRUE(committer.ok());
  Transaction txn;
  enlace::audit::v1::AuditRecord& r =
      txn.Audit("peer \xC3", "federation.refused", {"links/G\xFF"});
  r.set_detail("manifest signed for another place (Espa\xC3->GT): a replay");
  r.mutable_disclosure()->add_fields("na\xED\xA0\x80me");
  ASSERT_TRUE((*committer)->Commit(txn).ok());
  auto last = store->Last((*committer)->audit_cf());
  ASSERT_TRUE(last.ok() && last->has_value());
  enlace::audit::v1::AuditRecord stored;
  ASSERT_TRUE(stored.ParseFromString((*last)->second)) << "the stored record does not parse";
  EXPECT_EQ(stored.detail(), "manifest signed for another place (Espa\xEF\xBF\xBD->GT): a replay");
  EXPECT_EQ(stored.actor(), "peer \xEF\xBF\xBD");
  EXPECT_EQ(stored.resources(0), "links/G\xEF\xBF\xBD");
  EXPECT_EQ(stored.disclosure().fields(0), "na\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDme");
  EXPECT_EQ(Committer::ChainHash("", stored), stored.hash());
}

}  // namespace
}  // namespace enlace::txn
