// Inbox alone: a real RocksDB store in a temp dir and a real committer, real Ed25519 keys for
// the peers, a FakeClock, and a recording handler standing in for the modules.

#include "services/federation/inbox.h"
#include "services/federation/sender.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/signing.h"
#include "services/federation/batch.h"
#include "common/testing/sync_point.h"
#include "common/time/clock.h"
#include "gtest/gtest.h"

namespace enlace::federation {
namespace {

constexpr char kSelf[] = "MX";

std::string TempDir() {
  std::string tmpl =
      std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") + "/inbox_XXXXXX";
  return mkdtemp(tmpl.data());
}

// A module's handler: payload "put:K" writes K to the "things" family; "invalid:",
// "precondition:" and "denied:" refuse with that code after writing a partial effect;
// "internal:" fails as storage trouble would; "reply:K" also queues an envelope back;
// "next:K" reads K as a number (0 when absent) and writes it plus one, as a revision check
// or a state machine's step reads before it writes.
class RecordingHandler : public EnvelopeHandler {
 public:
  RecordingHandler(const storage::Store* store, const storage::ColumnFamily* things)
      : store_(store), things_(things) {}

  absl::Status Apply(const v1::EnvelopeBody& body, txn::Transaction& txn) override {
    {
      absl::MutexLock l(&mu_);
      calls_.push_back(body.seq());
    }
    const std::string& p = body.payload();
    const std::string key = p.substr(p.find(':') + 1);
    if (absl::StartsWith(p, "put:")) {
      txn.batch.Put(things_, key, absl::StrCat(body.sender(), " seq ", body.seq()));
      return absl::OkStatus();
    }
    if (absl::StartsWith(p, "next:")) {
      auto now = store_->Get(things_, key);
      if (!now.ok()) return now.status();
      int n = 0;
      if (now->has_value() && !absl::SimpleAtoi(**now, &n)) return absl::InternalError("junk");
      txn.batch.Put(things_, key, absl::StrCat(n + 1));
      return absl::OkStatus();
    }
    if (absl::StartsWith(p, "reply:")) {
      txn.batch.Put(things_, key, "replied");
      txn.envelopes.push_back({body.sender(), "test.reply", key});
      return absl::OkStatus();
    }
    txn.batch.Put(things_, absl::StrCat("partial-", key), "must never be committed");
    if (absl::StartsWith(p, "invalid:")) return absl::InvalidArgumentError("bad " + key);
    if (absl::StartsWith(p, "precondition:")) return absl::FailedPreconditionError("old " + key);
    if (absl::StartsWith(p, "denied:")) return absl::PermissionDeniedError("not yours " + key);
    return absl::InternalError("disk trouble");
  }

  std::vector<uint64_t> calls() const {
    absl::MutexLock l(&mu_);
    return calls_;
  }
  void ClearCalls() {
    absl::MutexLock l(&mu_);
    calls_.clear();
  }

 private:
  const storage::Store* store_;
  const storage::ColumnFamily* things_;
  mutable absl::Mutex mu_;
  std::vector<uint64_t> calls_ ABSL_GUARDED_BY(mu_);
};

struct Member {
  crypto::Ed25519KeyPair keys;
  std::unique_ptr<crypto::Signer> signer;
  ManifestSnapshot::Peer peer;
};

Member MakeMember(const std::string& country) {
  Member m;
  auto keys = crypto::GenerateEd25519();
  EXPECT_TRUE(keys.ok()) << keys.status();
  m.keys = *keys;
  auto signer = crypto::Signer::FromPem(m.keys.private_pem);
  EXPECT_TRUE(signer.ok()) << signer.status();
  m.signer = *std::move(signer);
  m.peer.member.set_country(country);
  m.peer.member.set_signing_public_key_pem(m.keys.public_pem);
  auto verifier = crypto::Verifier::FromPem(m.keys.public_pem);
  EXPECT_TRUE(verifier.ok()) << verifier.status();
  m.peer.verifier = *std::move(verifier);
  return m;
}

class InboxTest : public ::testing::Test {
 protected:
  InboxTest() : clock_(absl::FromUnixSeconds(1767225600)) {}

  void SetUp() override {
    dir_ = TempDir();
    gt_ = MakeMember("GT");
    hn_ = MakeMember("HN");
    OpenNode();
  }
  void TearDown() override { SyncPoint::GetInstance()->Reset(); }

  void OpenNode() {
    storage::StoreOptions o;
    o.path = dir_;
    o.column_families = {"things"};
    txn::Committer::AddColumnFamilies(o);
    Inbox::AddColumnFamilies(o);
    auto store = storage::Store::Open(o);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto committer = txn::Committer::Create(store_.get(), kSelf);
    ASSERT_TRUE(committer.ok()) << committer.status();
    committer_ = *std::move(committer);
    inbox_ = std::make_unique<Inbox>(store_.get(), committer_.get(), kSelf, &clock_);
    handler_ = std::make_unique<RecordingHandler>(store_.get(), store_->cf("things"));
    inbox_->RegisterHandler("test.thing", handler_.get());
  }

  // Closes everything and opens the same files again: what a restart keeps.
  void Reopen() {
    inbox_.reset();
    committer_.reset();
    store_.reset();
    OpenNode();
  }

  static v1::EnvelopeBody Body(uint64_t seq, const std::string& payload,
                               const std::string& sender = "GT",
                               const std::string& receiver = kSelf,
                               const std::string& kind = "test.thing") {
    v1::EnvelopeBody body;
    body.set_sender(sender);
    body.set_receiver(receiver);
    body.set_seq(seq);
    body.set_id(absl::StrCat(sender, "-", receiver, "-", seq));
    body.set_kind(kind);
    body.set_payload(payload);
    return body;
  }

  // An envelope carrying `body`, signed by `by`, placed at `seq` in the link.
  static v1::Envelope Seal(const v1::EnvelopeBody& body, const Member& by, uint64_t seq) {
    v1::Envelope env;
    env.set_body(body.SerializeAsString());
    env.set_seq(seq);
    auto sig = by.signer->Sign(env.body());
    EXPECT_TRUE(sig.ok()) << sig.status();
    env.set_signature(*sig);
    return env;
  }

  // A genuine envelope of GT's link to this node.
  v1::Envelope FromGt(uint64_t seq, const std::string& payload) const {
    return Seal(Body(seq, payload), gt_, seq);
  }
  // Genuine envelopes 1..n (or from..to), each putting "k<seq>".
  std::vector<v1::Envelope> Range(uint64_t from, uint64_t to) const {
    std::vector<v1::Envelope> out;
    for (uint64_t s = from; s <= to; ++s) out.push_back(FromGt(s, absl::StrCat("put:k", s)));
    return out;
  }

  absl::StatusOr<uint64_t> ApplyFromGt(const std::vector<v1::Envelope>& envelopes) {
    return inbox_->Apply("GT", gt_.peer, envelopes);
  }

  uint64_t Watermark(const std::string& sender = "GT") const {
    auto w = inbox_->AppliedSeq(sender);
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? *w : ~0ull;
  }

  // Keys of the "things" family, in order.
  std::vector<std::string> Things() const {
    std::vector<std::string> out;
    for (auto it = store_->ScanPrefix(store_->cf("things"), ""); it->Valid(); it->Next()) {
      out.emplace_back(it->key());
    }
    return out;
  }

  // Actions of the audit log, in order.
  std::vector<std::string> AuditActions() const {
    std::vector<std::string> out;
    for (auto it = store_->ScanPrefix(committer_->audit_cf(), ""); it->Valid(); it->Next()) {
      enlace::audit::v1::AuditRecord r;
      EXPECT_TRUE(r.ParseFromArray(it->value().data(), it->value().size()));
      out.push_back(r.action());
    }
    return out;
  }

  int64_t Applied(const std::string& sender = "GT") const {
    auto n = inbox_->AppliedCount(sender);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }
  int64_t Quarantined(const std::string& sender = "GT") const {
    auto n = inbox_->QuarantineCount(sender);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }
  std::optional<v1::LinkRefusal> Refusal(const std::string& sender = "GT") const {
    auto r = inbox_->LastRefusal(sender);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::nullopt;
  }

  FakeClock clock_;
  std::string dir_;
  Member gt_, hn_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<txn::Committer> committer_;
  std::unique_ptr<Inbox> inbox_;
  std::unique_ptr<RecordingHandler> handler_;
};

using Strings = std::vector<std::string>;
using Seqs = std::vector<uint64_t>;

// --- Order, exactly once ---------------------------------------------------------------

TEST_F(InboxTest, AppliesInOrderAndCommitsTheEffectWithTheWatermark) {
  auto w = ApplyFromGt(Range(1, 3));
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, 3u);
  EXPECT_EQ(handler_->calls(), (Seqs{1, 2, 3}));
  EXPECT_EQ(Things(), (Strings{"k1", "k2", "k3"}));
  EXPECT_EQ(Applied(), 3);
  EXPECT_EQ(AuditActions(), (Strings{"federation.envelope.received", "federation.envelope.received",
                                     "federation.envelope.received"}));
  // Durable: a restart keeps the effect and the watermark together.
  Reopen();
  EXPECT_EQ(Watermark(), 3u);
  EXPECT_EQ(Things(), (Strings{"k1", "k2", "k3"}));
  EXPECT_EQ(Applied(), 3);
}

// The batch commits once, at its end: a handler must still read what the envelopes before it
// in the batch wrote, or two steps of one record in one batch would both start from the old
// state (the second overwriting the first, or refused as a skipped step).
TEST_F(InboxTest, AHandlerReadsWhatEarlierEnvelopesOfItsBatchWrote) {
  std::vector<v1::Envelope> batch;
  for (uint64_t s = 1; s <= 3; ++s) batch.push_back(FromGt(s, "next:counter"));
  ASSERT_TRUE(ApplyFromGt(batch).ok());
  auto v = store_->Get(store_->cf("things"), "counter");
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_EQ(**v, "3");
  // A refused envelope's writes are not seen by the next one.
  ASSERT_TRUE(ApplyFromGt({FromGt(4, "invalid:counter"), FromGt(5, "next:partial-counter")}).ok());
  auto partial = store_->Get(store_->cf("things"), "partial-counter");
  ASSERT_TRUE(partial.ok() && partial->has_value());
  EXPECT_EQ(**partial, "1");
}

TEST_F(InboxTest, ReplayedBatchIsADuplicateAndChangesNothing) {
  ASSERT_TRUE(ApplyFromGt(Range(1, 3)).ok());
  handler_->ClearCalls();
  auto w = ApplyFromGt(Range(1, 3));
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, 3u);
  EXPECT_TRUE(handler_->calls().empty()) << "a duplicate reached the handler";
  EXPECT_EQ(Applied(), 3);
  EXPECT_EQ(Quarantined(), 0);
  const Strings audit = AuditActions();
  EXPECT_EQ(std::count(audit.begin(), audit.end(), "federation.envelope.duplicate"), 3);
}

// A resend after a lost ack overlaps what was applied: only the new tail takes effect.
TEST_F(InboxTest, ResendAfterALostAckAppliesOnlyTheNewTail) {
  ASSERT_TRUE(ApplyFromGt(Range(1, 2)).ok());
  handler_->ClearCalls();
  auto w = ApplyFromGt(Range(1, 4));
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, 4u);
  EXPECT_EQ(handler_->calls(), (Seqs{3, 4}));
  EXPECT_EQ(Applied(), 4);
}

TEST_F(InboxTest, GapIsAProtocolErrorAndCommitsNothingOfTheBatch) {
  std::vector<v1::Envelope> batch = Range(1, 2);
  batch.push_back(FromGt(4, "put:k4"));
  auto w = ApplyFromGt(batch);
  EXPECT_EQ(w.status().code(), absl::StatusCode::kFailedPrecondition) << w.status();
  EXPECT_EQ(Watermark(), 0u);
  EXPECT_TRUE(Things().empty()) << "effects of the envelopes before the gap were committed";
  EXPECT_EQ(Applied(), 0);
  EXPECT_FALSE(Refusal().has_value()) << "a gap is not a forgery";
  // The sender resends from the watermark and the link goes on.
  auto again = ApplyFromGt(Range(1, 4));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, 4u);
  EXPECT_EQ(Things(), (Strings{"k1", "k2", "k3", "k4"}));
}

TEST_F(InboxTest, EmptyBatchCommitsNothing) {
  const uint64_t audit_before = committer_->LastAuditSeq();
  auto w = ApplyFromGt({});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, 0u);
  EXPECT_EQ(committer_->LastAuditSeq(), audit_before);
}

TEST_F(InboxTest, LinksAreIndependent) {
  ASSERT_TRUE(ApplyFromGt(Range(1, 3)).ok());
  auto hn = inbox_->Apply("HN", hn_.peer, {Seal(Body(1, "put:h1", "HN"), hn_, 1)});
  ASSERT_TRUE(hn.ok()) << hn.status();
  EXPECT_EQ(*hn, 1u);
  EXPECT_EQ(Watermark("GT"), 3u);
  EXPECT_EQ(Watermark("HN"), 1u);
  EXPECT_EQ(Applied("HN"), 1);
}

// Several streams of one peer (a superseded one still applying) never apply an envelope twice.
TEST_F(InboxTest, ConcurrentOverlappingBatchesOfOneLinkApplyEachEnvelopeOnce) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (uint64_t end = 5; end <= 60; end += 5) {
        auto w = ApplyFromGt(Range(end > 12 ? end - 12 + t : 1, end));
        // A batch that starts past the watermark is a gap; any other outcome is a bug.
        if (!w.ok()) {
          EXPECT_EQ(w.status().code(), absl::StatusCode::kFailedPrecondition) << w.status();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(ApplyFromGt(Range(1, 60)).ok());
  Seqs calls = handler_->calls();
  std::sort(calls.begin(), calls.end());
  Seqs expected;
  for (uint64_t s = 1; s <= 60; ++s) expected.push_back(s);
  EXPECT_EQ(calls, expected);
  EXPECT_EQ(Applied(), 60);
  EXPECT_EQ(Watermark(), 60u);
}

// --- Only the authentic moves a link -------------------------------------------------------

// --- Rejoining after a restore (docs/operations.md, "Restoring a federated node") ---------

// This node was restored from a backup: it lost what it applied from GT after its watermark,
// and GT deleted that once acknowledged. GT sends from the first envelope it still holds; the
// inbox takes that ONE authentic jump, records the gap, and from then on a gap is an error
// again. Attacks: a forged envelope cannot take the jump (nor end the rejoin), and a node
// that was never restored never jumps.
TEST_F(InboxTest, RestoredNodeTakesOneAuthenticJumpRecordedAsTheGap) {
  ASSERT_TRUE(ApplyFromGt(Range(1, 2)).ok());
  ASSERT_FALSE(*inbox_->Rejoining("GT"));
  EXPECT_EQ(ApplyFromGt(Range(6, 6)).status().code(), absl::StatusCode::kFailedPrecondition)
      << "a node that was not restored jumped";
  ASSERT_TRUE(MarkRestored(store_.get(), "restore drill").ok());
  Reopen();
  EXPECT_TRUE(*inbox_->Rejoining("GT"));
  EXPECT_TRUE(*inbox_->Rejoining("HN"));

  // HN's key on GT's link cannot take the jump, and the rejoin stays open for GT.
  EXPECT_EQ(ApplyFromGt({Seal(Body(6, "put:forged"), hn_, 6)}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Watermark(), 2u);
  EXPECT_TRUE(*inbox_->Rejoining("GT"));

  auto w = ApplyFromGt(Range(6, 7));
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, 7u);
  EXPECT_EQ(Things(), (Strings{"k1", "k2", "k6", "k7"}));
  EXPECT_FALSE(*inbox_->Rejoining("GT"));
  EXPECT_TRUE(*inbox_->Rejoining("HN")) << "one link's rejoin ended another's";
  const Strings actions = AuditActions();
  ASSERT_GE(actions.size(), 3u);
  EXPECT_EQ(actions[actions.size() - 3], "federation.link.rejoined");
  // The second jump is the protocol error it always was.
  EXPECT_EQ(ApplyFromGt(Range(9, 9)).status().code(), absl::StatusCode::kFailedPrecondition);
  // A restart keeps the rejoin closed.
  Reopen();
  EXPECT_FALSE(*inbox_->Rejoining("GT"));
  EXPECT_EQ(Watermark(), 7u);
}

// Rejoining with nothing lost: the next envelope in order ends the rejoin, no jump is taken.
TEST_F(InboxTest, RestoredNodeWithNothingLostEndsItsRejoinAtTheNextEnvelope) {
  ASSERT_TRUE(ApplyFromGt(Range(1, 2)).ok());
  ASSERT_TRUE(MarkRestored(store_.get(), "restore drill").ok());
  ASSERT_TRUE(ApplyFromGt(Range(3, 3)).ok());
  EXPECT_FALSE(*inbox_->Rejoining("GT"));
  EXPECT_EQ(ApplyFromGt(Range(5, 5)).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Watermark(), 3u);
}

TEST_F(InboxTest, EnvelopeSignedWithAnotherKeyIsRefusedAndNeverMovesTheWatermark) {
  // HN's key on GT's link: someone holding a TLS key but not GT's signing key.
  auto w = ApplyFromGt({Seal(Body(1, "put:forged"), hn_, 1)});
  EXPECT_EQ(w.status().code(), absl::StatusCode::kUnauthenticated) << w.status();
  EXPECT_EQ(Watermark(), 0u);
  EXPECT_TRUE(handler_->calls().empty());
  EXPECT_TRUE(Things().empty());
  EXPECT_EQ(Quarantined(), 0) << "a forgery was quarantined: that would move the watermark";
  auto refusal = Refusal();
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->seq(), 1u);
  EXPECT_TRUE(absl::StrContains(refusal->reason(), "does not verify")) << refusal->reason();
  EXPECT_EQ(refusal->time().seconds(), absl::ToUnixSeconds(clock_.Now()));
  EXPECT_EQ(AuditActions(), (Strings{"federation.envelope.refused"}));
  // The genuine envelope of that number still takes effect: the link was not poisoned.
  auto genuine = ApplyFromGt(Range(1, 1));
  ASSERT_TRUE(genuine.ok()) << genuine.status();
  EXPECT_EQ(*genuine, 1u);
  EXPECT_EQ(Things(), (Strings{"k1"}));
}

TEST_F(InboxTest, UnsignedEnvelopeIsRefused) {
  v1::Envelope env = FromGt(1, "put:k1");
  env.clear_signature();
  auto w = ApplyFromGt({env});
  EXPECT_EQ(w.status().code(), absl::StatusCode::kUnauthenticated) << w.status();
  EXPECT_EQ(Watermark(), 0u);
  EXPECT_TRUE(Things().empty());
}

TEST_F(InboxTest, BodyTamperedAfterSigningIsRefused) {
  v1::Envelope env = FromGt(1, "put:k1");
  env.set_body(Body(1, "put:tampered").SerializeAsString());
  auto w = ApplyFromGt({env});
  EXPECT_EQ(w.status().code(), absl::StatusCode::kUnauthenticated) << w.status();
  EXPECT_EQ(Watermark(), 0u);
  EXPECT_TRUE(handler_->calls().empty());
}

// Unreadable and unsigned: if it were quarantined as "body does not parse", the watermark
// would move past it and GT's genuine envelope 1 would later be dropped as a duplicate.
TEST_F(InboxTest, ForgedEnvelopeWithAnUnreadableBodyIsRefusedNotQuarantined) {
  v1::Envelope env;
  env.set_seq(1);
  env.set_body("\xff\xff\xff garbage");
  env.set_signature(std::string(64, '\0'));
  auto w = ApplyFromGt({env});
  EXPECT_EQ(w.status().code(), absl::StatusCode::kUnauthenticated) << w.status();
  EXPECT_EQ(Watermark(), 0u);
  EXPECT_EQ(Quarantined(), 0);
  auto genuine = ApplyFromGt(Range(1, 1));
  ASSERT_TRUE(genuine.ok()) << genuine.status();
  EXPECT_EQ(handler_->calls(), (Seqs{1}));
}

// A holder of a stolen TLS key re-sends GT's genuine envelope 1 under number 2: accepted, it
// would make GT's real envelope 2 a "duplicate".
TEST_F(InboxTest, GenuineBodyReplayedUnderTheNextSequenceNumberIsRefused) {
  ASSERT_TRUE(ApplyFromGt(Range(1, 1)).ok());
  auto w = ApplyFromGt({Seal(Body(1, "put:k1"), gt_, 2)});
  EXPECT_EQ(w.status().code(), absl::StatusCode::kUnauthenticated) << w.status();
  EXPECT_EQ(Watermark(), 1u);
  auto refusal = Refusal();
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->seq(), 2u);
  EXPECT_TRUE(absl::StrContains(refusal->reason(), "a replay")) << refusal->reason();
  EXPECT_EQ(handler_->calls(), (Seqs{1}));
}

// GT's genuine envelope to HN, replayed on GT's link to this node.
TEST_F(InboxTest, GenuineEnvelopeOfAnotherLinkReplayedHereIsRefused) {
  auto w = ApplyFromGt({Seal(Body(1, "put:for-hn", "GT", "HN"), gt_, 1)});
  EXPECT_EQ(w.status().code(), absl::StatusCode::kUnauthenticated) << w.status();
  EXPECT_EQ(Watermark(), 0u);
  EXPECT_TRUE(handler_->calls().empty());
}

// Signed by GT but claiming to come from HN: GT cannot speak for HN.
TEST_F(InboxTest, BodyNamingAnotherSenderIsRefused) {
  auto w = ApplyFromGt({Seal(Body(1, "put:as-hn", "HN"), gt_, 1)});
  EXPECT_EQ(w.status().code(), absl::StatusCode::kUnauthenticated) << w.status();
  EXPECT_EQ(Watermark(), 0u);
  EXPECT_TRUE(Things().empty());
}

TEST_F(InboxTest, WhatPrecedesAForgeryIsCommittedWhatFollowsIsNot) {
  std::vector<v1::Envelope> batch = Range(1, 2);
  batch.push_back(Seal(Body(3, "put:forged"), hn_, 3));
  batch.push_back(FromGt(4, "put:k4"));
  auto w = ApplyFromGt(batch);
  EXPECT_EQ(w.status().code(), absl::StatusCode::kUnauthenticated) << w.status();
  EXPECT_EQ(Watermark(), 2u);
  EXPECT_EQ(Things(), (Strings{"k1", "k2"}));
  EXPECT_EQ(Applied(), 2);
  EXPECT_EQ(Refusal()->seq(), 3u);
  Reopen();
  EXPECT_EQ(Watermark(), 2u);
  EXPECT_EQ(Applied(), 2);
}

// Batches of 32 or more are verified on two threads: a forgery in either half is caught.
TEST_F(InboxTest, ForgeryInALargeBatchIsCaughtInEitherHalfOfTheParallelCheck) {
  std::vector<v1::Envelope> batch = Range(1, 40);
  batch[29] = Seal(Body(30, "put:forged"), hn_, 30);  // second half
  auto w = ApplyFromGt(batch);
  EXPECT_EQ(w.status().code(), absl::StatusCode::kUnauthenticated) << w.status();
  EXPECT_EQ(Watermark(), 29u);

  batch = Range(30, 70);
  batch[4] = Seal(Body(34, "put:forged"), hn_, 34);  // first half
  w = ApplyFromGt(batch);
  EXPECT_EQ(w.status().code(), absl::StatusCode::kUnauthenticated) << w.status();
  EXPECT_EQ(Watermark(), 33u);
  EXPECT_EQ(Applied(), 33);
}

// A forged copy of an already applied number is only a duplicate: nothing moves.
TEST_F(InboxTest, ForgedReplayOfAnAppliedNumberChangesNothing) {
  ASSERT_TRUE(ApplyFromGt(Range(1, 2)).ok());
  handler_->ClearCalls();
  auto w = ApplyFromGt({Seal(Body(2, "put:forged"), hn_, 2)});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, 2u);
  EXPECT_TRUE(handler_->calls().empty());
  EXPECT_EQ(Things(), (Strings{"k1", "k2"}));
}

// --- Signed batches (feature "envelope.batch_signature") --------------------------------

class InboxBatchTest : public InboxTest {
 protected:
  v1::EnvelopeBatch Batch(uint64_t from, uint64_t to, const Member* by = nullptr) const {
    std::vector<v1::Envelope> envs = Range(from, to);
    auto batch = SignBatch(*(by ? by : &gt_)->signer, "GT", kSelf, std::move(envs));
    EXPECT_TRUE(batch.ok()) << batch.status();
    return *batch;
  }
  absl::StatusOr<uint64_t> ApplyBatches(const std::vector<v1::EnvelopeBatch>& batches) {
    return inbox_->ApplyBatches("GT", gt_.peer, batches);
  }
  // The body GT signed as envelope `seq` (what Range makes).
  static std::string BodyBytes(uint64_t seq) {
    return Body(seq, absl::StrCat("put:k", seq)).SerializeAsString();
  }
};

TEST_F(InboxBatchTest, BatchesApplyWithOneSignatureEachAndEveryEnvelopeIsProvable) {
  auto w = ApplyBatches({Batch(1, 3), Batch(4, 6)});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, 6u);
  EXPECT_EQ(handler_->calls(), (Seqs{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(Applied(), 6);
  // After a restart, from the store and GT's published key alone: envelope 5 is GT's.
  Reopen();
  auto proof = ProveEnvelope(*store_, gt_.peer, kSelf, "GT", 5, BodyBytes(5));
  ASSERT_TRUE(proof.ok()) << proof.status();
  EXPECT_EQ(proof->index, 1u);
  EXPECT_EQ(proof->body_sha256, Sha256(BodyBytes(5)));
  v1::BatchManifest manifest;
  ASSERT_TRUE(manifest.ParseFromString(proof->manifest));
  EXPECT_EQ(manifest.first_seq(), 4u);
  EXPECT_TRUE(gt_.peer.VerifySignature(proof->manifest, proof->signature));
  // The proof holds for that body only, at that number only, and only with GT's keys.
  EXPECT_EQ(ProveEnvelope(*store_, gt_.peer, kSelf, "GT", 5, BodyBytes(4)).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ProveEnvelope(*store_, gt_.peer, kSelf, "GT", 5,
                          Body(5, "put:other").SerializeAsString())
                .status()
                .code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ProveEnvelope(*store_, hn_.peer, kSelf, "GT", 5, BodyBytes(5)).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ProveEnvelope(*store_, gt_.peer, kSelf, "GT", 7, BodyBytes(7)).status().code(),
            absl::StatusCode::kNotFound);
  for (uint64_t seq = 1; seq <= 6; ++seq) {
    EXPECT_TRUE(ProveEnvelope(*store_, gt_.peer, kSelf, "GT", seq, BodyBytes(seq)).ok()) << seq;
  }
}

// A peer without batches: each envelope's own signature is what is kept and proves it.
TEST_F(InboxBatchTest, EnvelopesSignedAloneAreProvableToo) {
  ASSERT_TRUE(ApplyFromGt(Range(1, 2)).ok());
  auto proof = ProveEnvelope(*store_, gt_.peer, kSelf, "GT", 2, BodyBytes(2));
  ASSERT_TRUE(proof.ok()) << proof.status();
  EXPECT_TRUE(proof->manifest.empty());
  EXPECT_TRUE(gt_.peer.VerifySignature(BodyBytes(2), proof->signature));
  EXPECT_EQ(ProveEnvelope(*store_, gt_.peer, kSelf, "GT", 2, BodyBytes(1)).status().code(),
            absl::StatusCode::kUnauthenticated);
}

// One envelope changed inside a signed batch: the whole batch is refused, the batch before
// it in the same call is committed, nothing of the tampered one applies or moves the link.
TEST_F(InboxBatchTest, TamperedEnvelopeInsideASignedBatchRefusesTheWholeBatch) {
  v1::EnvelopeBatch bad = Batch(4, 8);
  bad.mutable_envelopes(3)->set_body(Body(7, "put:tampered").SerializeAsString());
  auto w = ApplyBatches({Batch(1, 3), bad});
  EXPECT_EQ(w.status().code(), absl::StatusCode::kUnauthenticated) << w.status();
  EXPECT_EQ(Watermark(), 3u);
  EXPECT_EQ(Things(), (Strings{"k1", "k2", "k3"}));
  EXPECT_EQ(Applied(), 3);
  EXPECT_EQ(Quarantined(), 0);
  auto refusal = Refusal();
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->seq(), 4u) << "the batch is refused from its first envelope";
  EXPECT_TRUE(absl::StrContains(refusal->reason(), "does not hash")) << refusal->reason();
  EXPECT_EQ(ProveEnvelope(*store_, gt_.peer, kSelf, "GT", 4, BodyBytes(4)).status().code(),
            absl::StatusCode::kNotFound);
  // The genuine batch still takes effect afterwards.
  auto genuine = ApplyBatches({Batch(4, 8)});
  ASSERT_TRUE(genuine.ok()) << genuine.status();
  EXPECT_EQ(*genuine, 8u);
  EXPECT_EQ(Applied(), 8);
}

TEST_F(InboxBatchTest, ForgedOrMisplacedBatchesAreRefusedAndMoveNothing) {
  struct Case {
    std::string name;
    v1::EnvelopeBatch batch;
    std::string reason;
  };
  std::vector<Case> cases;
  cases.push_back({"signed by HN", Batch(1, 3, &hn_), "does not verify"});
  {
    v1::EnvelopeBatch b = Batch(1, 3);
    b.clear_signature();
    cases.push_back({"unsigned", b, "does not verify"});
  }
  {
    // GT's genuine batch to HN, replayed on GT's link to this node.
    std::vector<v1::Envelope> envs;
    for (uint64_t s = 1; s <= 3; ++s) envs.push_back(Seal(Body(s, "put:x", "GT", "HN"), gt_, s));
    auto b = SignBatch(*gt_.signer, "GT", "HN", std::move(envs));
    ASSERT_TRUE(b.ok());
    cases.push_back({"another link", *b, "another place"});
  }
  {
    v1::EnvelopeBatch b = Batch(1, 3);
    b.mutable_envelopes()->RemoveLast();  // a shortened batch
    cases.push_back({"shortened", b, "lists 3"});
  }
  {
    v1::EnvelopeBatch b = Batch(1, 3);
    b.mutable_envelopes()->SwapElements(1, 2);  // reordered
    cases.push_back({"reordered", b, "place"});
  }
  {
    v1::EnvelopeBatch b = Batch(1, 3);
    b.mutable_envelopes(2)->set_body(b.envelopes(1).body());  // a genuine body, wrong place
    cases.push_back({"body moved", b, "does not hash"});
  }
  for (const Case& c : cases) {
    auto w = ApplyBatches({c.batch});
    EXPECT_EQ(w.status().code(), absl::StatusCode::kUnauthenticated) << c.name << w.status();
    EXPECT_EQ(Watermark(), 0u) << c.name;
    ASSERT_TRUE(Refusal().has_value()) << c.name;
    EXPECT_TRUE(absl::StrContains(Refusal()->reason(), c.reason))
        << c.name << ": " << Refusal()->reason();
  }
  EXPECT_TRUE(handler_->calls().empty());
  EXPECT_TRUE(Things().empty());
  EXPECT_EQ(Quarantined(), 0);
}

// A resend after a lost ack overlaps the watermark: the applied part is a duplicate, the
// rest applies, and each new envelope is provable through the resent batch's manifest.
TEST_F(InboxBatchTest, ResentBatchOverlappingTheWatermarkAppliesOnlyItsTail) {
  ASSERT_TRUE(ApplyBatches({Batch(1, 4)}).ok());
  handler_->ClearCalls();
  auto w = ApplyBatches({Batch(3, 8)});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, 8u);
  EXPECT_EQ(handler_->calls(), (Seqs{5, 6, 7, 8}));
  for (uint64_t seq = 1; seq <= 8; ++seq) {
    EXPECT_TRUE(ProveEnvelope(*store_, gt_.peer, kSelf, "GT", seq, BodyBytes(seq)).ok()) << seq;
  }
}

// A long call commits in chunks, each prepared while the one before syncs: the handler of
// the next chunk still reads what the chunk in flight wrote (1,100 steps of one counter end
// at 1,100), each chunk is reported durable in order, and a forgery in the last chunk leaves
// the chunks before it committed and the watermark below it.
TEST_F(InboxBatchTest, LongCallsCommitInChunksThatReadTheChunkInFlight) {
  std::vector<v1::Envelope> envs;
  for (uint64_t seq = 1; seq <= 1100; ++seq) envs.push_back(FromGt(seq, "next:counter"));
  std::vector<v1::EnvelopeBatch> batches;
  for (size_t from = 0; from < envs.size(); from += 100) {
    std::vector<v1::Envelope> part(envs.begin() + from,
                                   envs.begin() + std::min(envs.size(), from + 100));
    auto b = SignBatch(*gt_.signer, "GT", kSelf, std::move(part));
    ASSERT_TRUE(b.ok());
    batches.push_back(*std::move(b));
  }
  std::vector<uint64_t> durable;
  auto w = inbox_->ApplyBatches("GT", gt_.peer, batches,
                                [&](uint64_t seq) { durable.push_back(seq); });
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, 1100u);
  EXPECT_EQ(durable, (Seqs{512, 1024}));
  EXPECT_EQ(*store_->Get(store_->cf("things"), "counter"), std::optional<std::string>("1100"));
  EXPECT_EQ(Applied(), 1100);

  std::vector<v1::EnvelopeBatch> more;
  for (uint64_t from = 1101; from <= 2101; from += 500) {
    more.push_back(Batch(from, from + 499));
  }
  more.back().mutable_envelopes(10)->set_body(Body(2111, "put:tampered").SerializeAsString());
  durable.clear();
  w = inbox_->ApplyBatches("GT", gt_.peer, more, [&](uint64_t seq) { durable.push_back(seq); });
  EXPECT_EQ(w.status().code(), absl::StatusCode::kUnauthenticated) << w.status();
  EXPECT_EQ(durable, (Seqs{1100 + 512}));
  EXPECT_EQ(Watermark(), 2100u);
  EXPECT_EQ(Applied(), 2100);
  EXPECT_EQ(Refusal()->seq(), 2101u);
}

// --- Authentic but unusable: quarantined in its place ------------------------------------

TEST_F(InboxTest, EnvelopesAHandlerRefusesAreQuarantinedAndTheLinkMovesOn) {
  std::vector<v1::Envelope> batch = {FromGt(1, "put:k1"), FromGt(2, "invalid:a"),
                                     FromGt(3, "precondition:b"), FromGt(4, "denied:c"),
                                     FromGt(5, "put:k5")};
  auto w = ApplyFromGt(batch);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, 5u);
  // The refusing handlers' partial writes left no trace.
  EXPECT_EQ(Things(), (Strings{"k1", "k5"}));
  EXPECT_EQ(Applied(), 2);
  EXPECT_EQ(Quarantined(), 3);
  EXPECT_FALSE(Refusal().has_value());

  v1::ListQuarantineRequest req;
  req.set_sender("GT");
  auto list = inbox_->ListQuarantine(req);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->envelopes_size(), 3);
  std::map<uint64_t, v1::QuarantinedEnvelope> by_seq;
  for (const auto& q : list->envelopes()) by_seq[q.seq()] = q;
  EXPECT_EQ(by_seq[2].reason(), "cannot apply: bad a");
  EXPECT_EQ(by_seq[3].reason(), "cannot apply: old b");
  EXPECT_EQ(by_seq[4].reason(), "cannot apply: not yours c");
  EXPECT_EQ(by_seq[2].kind(), "test.thing");
  EXPECT_EQ(by_seq[2].sender(), "GT");
  EXPECT_EQ(by_seq[2].receive_time().seconds(), absl::ToUnixSeconds(clock_.Now()));
  EXPECT_GT(by_seq[2].size_bytes(), 0);

  // Quarantine, watermark and effects were one commit: all survive a restart.
  Reopen();
  EXPECT_EQ(Watermark(), 5u);
  EXPECT_EQ(Quarantined(), 3);
  EXPECT_EQ(Things(), (Strings{"k1", "k5"}));
}

// Attack: a peer's payload crafted so that the handler's refusal quotes ill-formed UTF-8.
// The quarantine record (a proto3 string) must stay readable: stored text is made
// well-formed at the inbox, whatever a handler's message quotes.
TEST_F(InboxTest, RefusalQuotingIllFormedUtf8StaysReadableInTheQuarantine) {
  auto w = ApplyFromGt({FromGt(1, "invalid:\xc3(\xff")});
  ASSERT_TRUE(w.ok()) << w.status();
  v1::ListQuarantineRequest req;
  req.set_sender("GT");
  auto list = inbox_->ListQuarantine(req);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->envelopes_size(), 1);
  EXPECT_TRUE(absl::StartsWith(list->envelopes(0).reason(), "cannot apply: bad "))
      << list->envelopes(0).reason();
  EXPECT_NE(list->envelopes(0).reason().find("\xef\xbf\xbd"), std::string::npos)
      << "ill-formed bytes were not replaced by U+FFFD";
}

TEST_F(InboxTest, UnknownKindOversizedPayloadAndUnreadableSignedBodyAreQuarantined) {
  v1::Envelope unreadable;
  unreadable.set_seq(3);
  unreadable.set_body("\xff\xff\xff signed garbage");
  unreadable.set_signature(*gt_.signer->Sign(unreadable.body()));
  std::vector<v1::Envelope> batch = {
      Seal(Body(1, "put:x", "GT", kSelf, "test.nobody-handles-this"), gt_, 1),
      FromGt(2, "put:" + std::string(Inbox::kMaxPayloadBytes + 1, 'p')),
      unreadable,
      FromGt(4, "put:k4"),
  };
  auto w = ApplyFromGt(batch);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, 4u);
  EXPECT_EQ(Things(), (Strings{"k4"}));
  EXPECT_EQ(handler_->calls(), (Seqs{4}));
  auto list = inbox_->ListQuarantine({});
  ASSERT_TRUE(list.ok()) << list.status();
  std::map<uint64_t, std::string> reasons;
  for (const auto& q : list->envelopes()) reasons[q.seq()] = q.reason();
  EXPECT_EQ(reasons[1], "unknown kind \"test.nobody-handles-this\"");
  EXPECT_TRUE(absl::StartsWith(reasons[2], "oversized payload")) << reasons[2];
  EXPECT_EQ(reasons[3], "body does not parse");
}

// A handler failing for another reason (storage) commits nothing, not even what came before
// it; the resend then applies everything exactly once.
TEST_F(InboxTest, HandlerStorageTroubleCommitsNothingAndTheResendAppliesOnce) {
  auto w = ApplyFromGt({FromGt(1, "put:k1"), FromGt(2, "internal:x")});
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInternal) << w.status();
  EXPECT_EQ(Watermark(), 0u);
  EXPECT_TRUE(Things().empty());
  EXPECT_EQ(Quarantined(), 0);
  EXPECT_EQ(Applied(), 0);
  handler_->ClearCalls();
  auto again = ApplyFromGt({FromGt(1, "put:k1"), FromGt(2, "put:k2")});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(handler_->calls(), (Seqs{1, 2}));
  EXPECT_EQ(Applied(), 2);
}

// The envelopes a handler queues (a receipt back to the sender) are committed with the
// effect and the watermark; when that commit fails, none of the three is written.
TEST_F(InboxTest, EffectQueuedReplyAndWatermarkCommitTogetherOrNotAtAll) {
  committer_->SetOutboxKey(std::string(32, 'k'));
  SyncPoint::GetInstance()->SetCallBack("Committer::CommitGroup:Sealed", [](void* arg) {
    *static_cast<absl::StatusOr<std::string>*>(arg) = absl::InternalError("injected");
  });
  SyncPoint::GetInstance()->EnableProcessing();
  auto w = ApplyFromGt({FromGt(1, "reply:r1")});
  SyncPoint::GetInstance()->Reset();
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(Watermark(), 0u);
  EXPECT_TRUE(Things().empty());
  EXPECT_EQ(committer_->LastQueued("GT"), 0u);

  w = ApplyFromGt({FromGt(1, "reply:r1")});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(Watermark(), 1u);
  EXPECT_EQ(Things(), (Strings{"r1"}));
  EXPECT_EQ(committer_->LastQueued("GT"), 1u);
}

// --- The operator's view -------------------------------------------------------------------

// Quarantines of one burst share a second: the newest must still come first, and a page of
// one must hold the newest, not whichever the sort left there.
TEST_F(InboxTest, ListQuarantineIsNewestFirstEvenWithinOneSecond) {
  ASSERT_TRUE(ApplyFromGt({FromGt(1, "invalid:a")}).ok());
  clock_.Advance(absl::Milliseconds(300));
  ASSERT_TRUE(ApplyFromGt({FromGt(2, "invalid:b")}).ok());
  clock_.Advance(absl::Milliseconds(300));
  ASSERT_TRUE(ApplyFromGt({FromGt(3, "invalid:c"), FromGt(4, "invalid:d")}).ok());
  ASSERT_TRUE(inbox_->Apply("HN", hn_.peer, {Seal(Body(1, "invalid:h", "HN"), hn_, 1)}).ok());

  auto all = inbox_->ListQuarantine({});
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->envelopes_size(), 5);
  for (int i = 1; i < all->envelopes_size(); ++i) {
    const auto& a = all->envelopes(i - 1).receive_time();
    const auto& b = all->envelopes(i).receive_time();
    EXPECT_TRUE(a.seconds() > b.seconds() || (a.seconds() == b.seconds() && a.nanos() >= b.nanos()))
        << "entry " << i << " is newer than the one before it";
  }
  v1::ListQuarantineRequest req;
  req.set_sender("GT");
  auto gt = inbox_->ListQuarantine(req);
  ASSERT_TRUE(gt.ok()) << gt.status();
  std::vector<uint64_t> seqs;
  for (const auto& q : gt->envelopes()) seqs.push_back(q.seq());
  EXPECT_EQ(seqs, (Seqs{4, 3, 2, 1}));

  req.set_page_size(1);
  auto newest = inbox_->ListQuarantine(req);
  ASSERT_TRUE(newest.ok()) << newest.status();
  ASSERT_EQ(newest->envelopes_size(), 1);
  EXPECT_EQ(newest->envelopes(0).seq(), 4u);
}

TEST_F(InboxTest, ListQuarantineRejectsANegativePageSize) {
  v1::ListQuarantineRequest req;
  req.set_page_size(-1);
  EXPECT_EQ(inbox_->ListQuarantine(req).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace enlace::federation
