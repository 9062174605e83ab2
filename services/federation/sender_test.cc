// Sender alone: a real RocksDB store and committer holding the outbox, a real Ed25519 key,
// and a fake peer behind ExchangeDialer in place of the network and the peer's node.

#include "services/federation/sender.h"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/testing/sync_point.h"
#include "services/federation/batch.h"
#include "services/federation/protocol.h"
#include "gtest/gtest.h"

namespace enlace::federation {
namespace {

constexpr char kSelf[] = "MX";
constexpr char kPeer[] = "GT";
// Long enough that only a sender that never gets there fails; nothing is timed.
constexpr absl::Duration kPatience = absl::Seconds(60);

std::string TempDir() {
  std::string tmpl =
      std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") + "/sender_XXXXXX";
  return mkdtemp(tmpl.data());
}

// How the fake peer treats one stream (the n-th opened).
struct StreamPolicy {
  bool refuse_handshake = false;          // the connection fails (peer down)
  std::optional<uint64_t> claim_applied;  // the Welcome claims this instead of the truth
  bool ack = true;                        // acknowledge after every envelope
  uint64_t ack_beyond_by = 0;             // acks claim this many more than received
  int end_after = -1;                     // the peer ends the stream after this many envelopes
  uint32_t welcome_version = 0;           // the Welcome's protocol version (0: a v1 peer's)
  std::vector<std::string> welcome_features;  // the features the Welcome agrees
  // The Welcome says the peer was restored (Welcome.rejoining): like the Inbox, it then
  // applies the first envelope beyond its watermark even past a gap, once.
  bool rejoining = false;
};

struct Received {
  uint64_t seq;
  bool buffer_hint;
  bool signature_ok;
  v1::EnvelopeBody body;
  int stream;
};

class FakePeer;

class FakeStream : public ExchangeStream {
 public:
  FakeStream(FakePeer* peer, int index, StreamPolicy policy)
      : peer_(peer), index_(index), policy_(policy) {}
  ~FakeStream() override;
  bool Write(const v1::ExchangeRequest& request, bool buffer_hint) override;
  bool Read(v1::ExchangeResponse* response) override;
  void Cancel() override;
  absl::Status Finish() override;

 private:
  friend class FakePeer;
  FakePeer* peer_;
  const int index_;
  const StreamPolicy policy_;
  // Guarded by peer_->mu_.
  bool cancelled_ = false;
  bool ended_ = false;
  absl::Status end_status_;
  int envelopes_ = 0;
  bool jump_open_ = false;  // rejoining and nothing received yet
  std::deque<v1::ExchangeResponse> responses_;
};

// The receiving node: applies in order like the Inbox (keeps a watermark across streams),
// verifies each signature, and records everything it was sent.
class FakePeer : public ExchangeDialer {
 public:
  explicit FakePeer(std::unique_ptr<crypto::Verifier> verifier) : verifier_(std::move(verifier)) {}

  std::unique_ptr<ExchangeStream> Open(absl::Duration lifetime) override {
    absl::MutexLock l(&mu_);
    const int index = opens_++;
    lifetimes_.push_back(lifetime);
    StreamPolicy policy =
        index < static_cast<int>(policies_.size()) ? policies_[index] : StreamPolicy{};
    auto stream = std::make_unique<FakeStream>(this, index, policy);
    if (policy.refuse_handshake) {
      stream->ended_ = true;
      stream->end_status_ = absl::UnavailableError("connection refused");
    }
    live_ = stream.get();
    return stream;
  }

  // Policies of the streams to come, in order; later ones are well-behaved.
  void SetPolicies(const std::vector<StreamPolicy>& policies) {
    absl::MutexLock l(&mu_);
    policies_.assign(opens_, StreamPolicy{});  // the streams already opened keep theirs
    policies_.insert(policies_.end(), policies.begin(), policies.end());
  }

  // Acknowledges up to `seq` on the live stream (for streams that do not ack by themselves).
  void Ack(uint64_t seq) {
    absl::MutexLock l(&mu_);
    ASSERT_NE(live_, nullptr);
    v1::ExchangeResponse r;
    r.mutable_ack()->set_applied_seq(seq);
    live_->responses_.push_back(r);
  }

  // The peer ends the live stream (it restarts, say).
  void EndLive() {
    absl::MutexLock l(&mu_);
    ASSERT_NE(live_, nullptr);
    live_->ended_ = true;
    live_->end_status_ = absl::UnavailableError("peer restarted");
  }

  // Waits until `done` holds for the peer's state; false if it never does.
  template <typename F>
  bool WaitFor(F done) {
    absl::MutexLock l(&mu_);
    auto cond = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return done(*this); };
    return mu_.AwaitWithTimeout(absl::Condition(&cond), kPatience);
  }

  // State, read under WaitFor or through the accessors.
  uint64_t applied_ = 0;
  int opens_ = 0;
  std::vector<Received> received_;
  std::vector<std::string> window_violations_;
  int batches_ = 0;  // signed batches received

  int batches() {
    absl::MutexLock l(&mu_);
    return batches_;
  }
  uint64_t applied() {
    absl::MutexLock l(&mu_);
    return applied_;
  }
  int opens() {
    absl::MutexLock l(&mu_);
    return opens_;
  }
  std::vector<Received> received() {
    absl::MutexLock l(&mu_);
    return received_;
  }
  std::vector<absl::Duration> lifetimes() {
    absl::MutexLock l(&mu_);
    return lifetimes_;
  }
  // Set by the test: the sender's window, checked at every envelope against what was acked.
  void ExpectWindow(uint64_t window) {
    absl::MutexLock l(&mu_);
    window_ = window;
  }
  std::vector<std::string> window_violations() {
    absl::MutexLock l(&mu_);
    return window_violations_;
  }

 private:
  friend class FakeStream;
  absl::Mutex mu_;
  std::unique_ptr<crypto::Verifier> verifier_;
  std::vector<StreamPolicy> policies_;
  std::vector<absl::Duration> lifetimes_;
  FakeStream* live_ = nullptr;
  uint64_t window_ = 0;
  uint64_t acked_ = 0;  // highest ack handed to the sender
};

FakeStream::~FakeStream() {
  absl::MutexLock l(&peer_->mu_);
  if (peer_->live_ == this) peer_->live_ = nullptr;
}

bool FakeStream::Write(const v1::ExchangeRequest& request, bool buffer_hint) {
  absl::MutexLock l(&peer_->mu_);
  if (cancelled_ || ended_) return false;
  if (request.has_hello()) {
    EXPECT_EQ(request.hello().sender(), kSelf);
    EXPECT_EQ(request.hello().receiver(), kPeer);
    EXPECT_EQ(request.hello().protocol_version(), kProtocolVersion);
    EXPECT_EQ(request.hello().min_protocol_version(), kMinProtocolVersion);
    // A lower claim is a peer that lost its tail (restored from a backup); a higher one lies.
    if (policy_.claim_applied.has_value() && *policy_.claim_applied < peer_->applied_) {
      peer_->applied_ = *policy_.claim_applied;
    }
    v1::ExchangeResponse welcome;
    welcome.mutable_welcome()->set_applied_seq(policy_.claim_applied.value_or(peer_->applied_));
    welcome.mutable_welcome()->set_protocol_version(policy_.welcome_version);
    for (const auto& f : policy_.welcome_features) welcome.mutable_welcome()->add_features(f);
    welcome.mutable_welcome()->set_rejoining(policy_.rejoining);
    jump_open_ = policy_.rejoining;
    peer_->acked_ = welcome.welcome().applied_seq();
    responses_.push_back(welcome);
    return true;
  }
  // A signed batch is checked whole, as the Inbox does; each of its envelopes is recorded.
  std::vector<std::pair<const v1::Envelope*, bool>> envelopes;
  if (request.has_batch()) {
    ++peer_->batches_;
    v1::BatchManifest manifest;
    const bool ok = peer_->verifier_->Verify(request.batch().manifest(),
                                             request.batch().signature()) &&
                    CheckBatchManifest(request.batch(), kSelf, kPeer, &manifest).empty();
    for (int i = 0; i < request.batch().envelopes_size(); ++i) {
      const v1::Envelope& env = request.batch().envelopes(i);
      envelopes.emplace_back(&env, ok && Sha256(env.body()) == manifest.body_sha256(i));
    }
  } else {
    const v1::Envelope& env = request.envelope();
    envelopes.emplace_back(&env, peer_->verifier_->Verify(env.body(), env.signature()));
  }
  for (const auto& [envp, signature_ok] : envelopes) {
    const v1::Envelope& env = *envp;
    Received r;
    r.seq = env.seq();
    r.buffer_hint = buffer_hint;
    r.signature_ok = signature_ok;
    EXPECT_TRUE(r.body.ParseFromString(env.body()));
    r.stream = index_;
    if (peer_->window_ > 0 && env.seq() > peer_->acked_ + peer_->window_) {
      peer_->window_violations_.push_back(
          absl::StrCat("sent ", env.seq(), " with only ", peer_->acked_, " acknowledged"));
    }
    peer_->received_.push_back(std::move(r));
    if (env.seq() == peer_->applied_ + 1 ||
        (jump_open_ && signature_ok && env.seq() > peer_->applied_)) {
      peer_->applied_ = env.seq();
    }
    jump_open_ = false;
    if (++envelopes_ == policy_.end_after) {
      ended_ = true;
      end_status_ = absl::UnavailableError("peer went away");
      break;
    }
  }
  if (policy_.ack) {
    v1::ExchangeResponse ack;
    ack.mutable_ack()->set_applied_seq(peer_->applied_ + policy_.ack_beyond_by);
    peer_->acked_ = std::max(peer_->acked_, peer_->applied_);
    responses_.push_back(ack);
  }
  return true;
}

bool FakeStream::Read(v1::ExchangeResponse* response) {
  absl::MutexLock l(&peer_->mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(peer_->mu_) {
    return cancelled_ || ended_ || !responses_.empty();
  };
  peer_->mu_.Await(absl::Condition(&ready));
  if (cancelled_ || responses_.empty()) return false;
  *response = responses_.front();
  responses_.pop_front();
  if (response->has_ack()) {
    peer_->acked_ =
        std::max(peer_->acked_, std::min(response->ack().applied_seq(), peer_->applied_));
  }
  return true;
}

void FakeStream::Cancel() {
  absl::MutexLock l(&peer_->mu_);
  cancelled_ = true;
}

absl::Status FakeStream::Finish() {
  absl::MutexLock l(&peer_->mu_);
  if (cancelled_) return absl::CancelledError("cancelled");
  return ended_ ? end_status_ : absl::OkStatus();
}

class SenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    storage::StoreOptions o;
    o.path = dir_;
    txn::Committer::AddColumnFamilies(o);
    auto store = storage::Store::Open(o);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto committer = txn::Committer::Create(store_.get(), kSelf);
    ASSERT_TRUE(committer.ok()) << committer.status();
    committer_ = *std::move(committer);
    auto keys = crypto::GenerateEd25519();
    ASSERT_TRUE(keys.ok());
    keys_ = *keys;
    auto signer = crypto::Signer::FromPem(keys_.private_pem);
    ASSERT_TRUE(signer.ok());
    signer_ = *std::move(signer);
    auto verifier = crypto::Verifier::FromPem(keys_.public_pem);
    ASSERT_TRUE(verifier.ok());
    peer_owner_ = std::make_unique<FakePeer>(*std::move(verifier));
    peer_ = peer_owner_.get();
    options_.initial_backoff = absl::Milliseconds(1);
    options_.max_backoff = absl::Milliseconds(5);
    options_.stream_deadline = absl::Minutes(3);

    auto* sp = SyncPoint::GetInstance();
    sp->SetCallBack("Sender::Run:Halted", [this](void*) {
      absl::MutexLock l(&events_mu_);
      ++halted_waits_;
    });
    sp->SetCallBack("Sender::GarbageCollect:Collected", [this](void* arg) {
      absl::MutexLock l(&events_mu_);
      collected_ = std::max(collected_, *static_cast<uint64_t*>(arg));
    });
    sp->EnableProcessing();
  }

  void TearDown() override {
    sender_.reset();
    SyncPoint::GetInstance()->Reset();
  }

  // Queues n envelopes to the peer, as modules do (committed with some change).
  void Queue(int n) {
    for (int i = 0; i < n; ++i) {
      txn::Transaction txn;
      txn.envelopes.push_back({kPeer, "test.thing", absl::StrCat("payload ", ++queued_)});
      ASSERT_TRUE(committer_->Commit(txn).ok());
    }
  }

  void Start() {
    // The peer outlives the sender (and a restart of it): the sender gets a forwarder.
    struct Forward : ExchangeDialer {
      explicit Forward(FakePeer* p) : peer(p) {}
      std::unique_ptr<ExchangeStream> Open(absl::Duration lifetime) override {
        return peer->Open(lifetime);
      }
      FakePeer* peer;
    };
    sender_ = std::make_unique<Sender>(kSelf, kPeer, "gt.example:7443", "(ca)",
                                       std::make_unique<Forward>(peer_), signer_.get(),
                                       store_.get(), committer_.get(), options_);
  }

  // Stops the sender and starts another on the same store and peer: a node restart.
  void Restart() {
    sender_.reset();
    Start();
  }

  // Waits until the sender thread has parked, halted, for the n-th time.
  bool WaitUntilHalted(int n) {
    absl::MutexLock l(&events_mu_);
    auto cond = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(events_mu_) { return halted_waits_ >= n; };
    return events_mu_.AwaitWithTimeout(absl::Condition(&cond), kPatience);
  }
  bool WaitUntilCollected(uint64_t seq) {
    absl::MutexLock l(&events_mu_);
    auto cond = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(events_mu_) { return collected_ >= seq; };
    return events_mu_.AwaitWithTimeout(absl::Condition(&cond), kPatience);
  }

  v1::PeerStatus Status() {
    v1::PeerStatus s;
    sender_->FillStatus(&s);
    return s;
  }

  // Sequence numbers still in the outbox for the peer.
  std::vector<uint64_t> Outbox() {
    std::vector<uint64_t> out;
    for (auto it = store_->ScanPrefix(committer_->outbox_cf(), absl::StrCat(kPeer, "|"));
         it->Valid(); it->Next()) {
      auto body = committer_->OpenOutboxEntry(it->value(), it->key());
      v1::EnvelopeBody b;
      EXPECT_TRUE(body.ok() && b.ParseFromString(*body));
      out.push_back(b.seq());
    }
    return out;
  }

  std::vector<std::string> AuditActions() {
    std::vector<std::string> out;
    for (auto it = store_->ScanPrefix(committer_->audit_cf(), ""); it->Valid(); it->Next()) {
      enlace::audit::v1::AuditRecord r;
      EXPECT_TRUE(r.ParseFromArray(it->value().data(), it->value().size()));
      out.push_back(r.action());
    }
    return out;
  }

  static std::vector<uint64_t> Seqs(const std::vector<Received>& received) {
    std::vector<uint64_t> out;
    for (const auto& r : received) out.push_back(r.seq);
    return out;
  }
  static std::vector<uint64_t> Iota(uint64_t from, uint64_t to) {
    std::vector<uint64_t> out;
    for (uint64_t s = from; s <= to; ++s) out.push_back(s);
    return out;
  }

  std::string dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<txn::Committer> committer_;
  crypto::Ed25519KeyPair keys_;
  std::unique_ptr<crypto::Signer> signer_;
  std::unique_ptr<FakePeer> peer_owner_;
  FakePeer* peer_ = nullptr;
  SenderOptions options_;
  std::unique_ptr<Sender> sender_;
  int queued_ = 0;

  absl::Mutex events_mu_;
  int halted_waits_ ABSL_GUARDED_BY(events_mu_) = 0;
  uint64_t collected_ ABSL_GUARDED_BY(events_mu_) = 0;
};

// --- Delivery ------------------------------------------------------------------------------

TEST_F(SenderTest, DeliversTheOutboxInOrderSignedAndDeletesWhatWasAcknowledged) {
  Queue(5);
  Start();
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.applied_ == 5; }));
  const auto received = peer_->received();
  EXPECT_EQ(Seqs(received), Iota(1, 5));
  for (const auto& r : received) {
    EXPECT_TRUE(r.signature_ok) << "envelope " << r.seq << " is not signed with MX's key";
    EXPECT_EQ(r.body.seq(), r.seq);
    EXPECT_EQ(r.body.sender(), kSelf);
    EXPECT_EQ(r.body.receiver(), kPeer);
    EXPECT_EQ(r.body.payload(), absl::StrCat("payload ", r.seq));
  }
  EXPECT_EQ(peer_->lifetimes(), std::vector<absl::Duration>{absl::Minutes(3)});
  // What the peer acknowledged is durable there: its outbox copies go.
  ASSERT_TRUE(WaitUntilCollected(5));
  EXPECT_TRUE(Outbox().empty());
  // Queued later, sent on the same stream.
  Queue(2);
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.applied_ == 7; }));
  EXPECT_EQ(peer_->opens(), 1);
  const v1::PeerStatus s = Status();
  EXPECT_TRUE(s.connected());
  EXPECT_FALSE(s.halted());
  EXPECT_EQ(s.last_seq_queued(), 7u);
  EXPECT_EQ(s.last_error(), "");
}

// Outbox entries are sealed at rest (they carry personal data until acknowledged): the peer
// receives, and the signature covers, the plain body.
TEST_F(SenderTest, SealedOutboxEntriesGoOutOpenedAndSigned) {
  committer_->SetOutboxKey(std::string(32, 'k'));
  Queue(3);
  for (auto it = store_->ScanPrefix(committer_->outbox_cf(), "GT|"); it->Valid(); it->Next()) {
    v1::EnvelopeBody plain;
    ASSERT_FALSE(plain.ParseFromArray(it->value().data(), it->value().size()) && plain.seq() > 0 &&
                 plain.sender() == kSelf)
        << "outbox entry stored in the clear";
  }
  Start();
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.applied_ == 3; }));
  for (const auto& r : peer_->received()) {
    EXPECT_TRUE(r.signature_ok) << r.seq;
    EXPECT_EQ(r.body.payload(), absl::StrCat("payload ", r.seq));
  }
}

// A backlog goes out as one burst that the transport may coalesce: every envelope but the
// last carries the buffer hint, the last one flushes.
TEST_F(SenderTest, BacklogIsSentAsOneBurstFlushedByItsLastEnvelope) {
  Queue(10);
  Start();
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.received_.size() == 10; }));
  const auto received = peer_->received();
  for (const auto& r : received) {
    EXPECT_EQ(r.buffer_hint, r.seq != 10) << "envelope " << r.seq;
  }
}

// A peer that agrees batches gets the backlog in signed batches (one signature per batch,
// each body's hash in its manifest), at most kMaxBatchEnvelopes each; the last flushes.
TEST_F(SenderTest, PeerThatAgreesBatchesGetsSignedBatches) {
  Queue(300);
  peer_->SetPolicies({StreamPolicy{.welcome_version = kProtocolVersion,
                                   .welcome_features = {kBatchSignatureFeature}}});
  Start();
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.applied_ == 300; }));
  const auto received = peer_->received();
  EXPECT_EQ(Seqs(received), Iota(1, 300));
  for (const auto& r : received) {
    EXPECT_TRUE(r.signature_ok) << "envelope " << r.seq << " is not in a batch MX signed";
    EXPECT_EQ(r.body.seq(), r.seq);
  }
  EXPECT_EQ(peer_->batches(), 3) << "300 envelopes in batches of at most 128";
  EXPECT_FALSE(received.back().buffer_hint);
}

// A peer that does not agree the feature (an older release) gets envelopes signed one by one.
TEST_F(SenderTest, PeerWithoutBatchesGetsEnvelopesSignedAlone) {
  Queue(5);
  peer_->SetPolicies({StreamPolicy{.welcome_version = kProtocolVersion}});
  Start();
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.applied_ == 5; }));
  for (const auto& r : peer_->received()) EXPECT_TRUE(r.signature_ok) << r.seq;
  EXPECT_EQ(peer_->batches(), 0);
}

TEST_F(SenderTest, NeverHasMoreThanAWindowUnacknowledged) {
  options_.window = 4;
  peer_->ExpectWindow(4);
  peer_->SetPolicies({StreamPolicy{.ack = false}});
  Queue(10);
  Start();
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.received_.size() >= 4; }));
  peer_->Ack(2);
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.received_.size() >= 6; }));
  peer_->Ack(6);
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.received_.size() >= 10; }));
  peer_->Ack(10);
  ASSERT_TRUE(WaitUntilCollected(10));
  EXPECT_EQ(Seqs(peer_->received()), Iota(1, 10));
  EXPECT_TRUE(peer_->window_violations().empty()) << peer_->window_violations()[0];
}

// --- Retries -------------------------------------------------------------------------------

TEST_F(SenderTest, RetriesAnUnreachablePeerAndShowsWhyMeanwhile) {
  peer_->SetPolicies(std::vector<StreamPolicy>(1000, StreamPolicy{.refuse_handshake = true}));
  Queue(3);
  Start();
  // The second attempt starts only after the first one's failure was recorded.
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.opens_ >= 2; }));
  {
    const v1::PeerStatus s = Status();
    EXPECT_FALSE(s.connected());
    EXPECT_TRUE(absl::StrContains(s.last_error(),
                                  "handshake with GT at gt.example:7443 failed: "
                                  "UNAVAILABLE: connection refused"))
        << s.last_error();
    EXPECT_EQ(s.outbox_depth(), 3u);
  }
  peer_->SetPolicies({});  // the peer is back
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.applied_ == 3; }));
  EXPECT_EQ(Seqs(peer_->received()), Iota(1, 3));
  EXPECT_EQ(Status().last_error(), "");
}

// A receiver that answers in a version this release never offered: nothing is sent on that
// stream, nothing is collected, LAST_ERROR says why, and the link retries (the peer may be
// downgraded or fixed); a Welcome without a version (a receiver from before versioning,
// version 1) carries the link.
TEST_F(SenderTest, WelcomeInAVersionThisReleaseDoesNotSpeakSendsNothing) {
  peer_->SetPolicies(std::vector<StreamPolicy>(1000, StreamPolicy{.welcome_version = 9}));
  Queue(3);
  Start();
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.opens_ >= 2; }));
  {
    const v1::PeerStatus s = Status();
    EXPECT_FALSE(s.connected());
    EXPECT_TRUE(absl::StrContains(s.last_error(),
                                  "GT chose federation protocol version 9 but this node "
                                  "offered versions 1 to 2"))
        << s.last_error();
    EXPECT_EQ(s.outbox_depth(), 3u);
  }
  EXPECT_TRUE(peer_->received().empty());
  peer_->SetPolicies({});
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.applied_ == 3; }));
  EXPECT_EQ(Seqs(peer_->received()), Iota(1, 3));
}

// The stream breaks after the peer applied 3 envelopes but before any ack reached the
// sender: the next stream starts from the peer's watermark, so nothing is applied twice and
// nothing is skipped.
TEST_F(SenderTest, ResumesFromThePeersWatermarkAfterABrokenStreamWithLostAcks) {
  peer_->SetPolicies({StreamPolicy{.ack = false, .end_after = 3}});
  Queue(8);
  Start();
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.applied_ == 8; }));
  const auto received = peer_->received();
  std::vector<uint64_t> first, second;
  for (const auto& r : received) (r.stream == 0 ? first : second).push_back(r.seq);
  EXPECT_EQ(first, Iota(1, 3));
  EXPECT_EQ(second, Iota(4, 8));
  EXPECT_EQ(peer_->opens(), 2);
  ASSERT_TRUE(WaitUntilCollected(8));
  EXPECT_TRUE(Outbox().empty());
}

// A peer restored from an older backup (or one that lost its unsynced tail) asks again for
// what it acknowledged before: the sender resends it if it still has it.
TEST_F(SenderTest, ResendsFromALowerWatermarkWhileTheOutboxStillHoldsIt) {
  options_.window = 3;
  peer_->SetPolicies(
      {StreamPolicy{.ack = false, .end_after = 3}, StreamPolicy{.claim_applied = 1}});
  Queue(5);
  Start();
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.applied_ == 5; }));
  std::vector<uint64_t> second;
  for (const auto& r : peer_->received()) {
    if (r.stream == 1) second.push_back(r.seq);
  }
  EXPECT_EQ(second, Iota(2, 5));
}

// The known limit of that (docs/federation.md, Known limitations): what the peer acknowledged
// is gone from the outbox, so a peer that comes back below it cannot be served; the link
// halts instead of sending later envelopes after a gap.
TEST_F(SenderTest, PeerBackBelowWhatWasAlreadyCollectedHaltsTheLink) {
  Queue(5);
  Start();
  ASSERT_TRUE(WaitUntilCollected(5));
  peer_->SetPolicies({StreamPolicy{.claim_applied = 2}});
  peer_->EndLive();
  ASSERT_TRUE(WaitUntilHalted(1));
  EXPECT_TRUE(absl::StrContains(Status().last_error(), "outbox for GT is missing envelope 3"))
      << Status().last_error();
  EXPECT_EQ(Seqs(peer_->received()), Iota(1, 5)) << "something was sent after the gap";
}

// --- Links that must not go on: DATA_LOSS halts them until an operator resumes ------------

// The peer claims to have applied more than this node ever queued for it (its log or ours
// was restored from a backup): sending would put envelopes under numbers it already holds.
TEST_F(SenderTest, HaltsWhenThePeerClaimsMoreThanWasEverQueued) {
  peer_->SetPolicies({StreamPolicy{.claim_applied = 9}});
  Queue(2);
  Start();
  ASSERT_TRUE(WaitUntilHalted(1));
  v1::PeerStatus s = Status();
  EXPECT_TRUE(s.halted());
  EXPECT_FALSE(s.connected());
  EXPECT_TRUE(absl::StartsWith(s.last_error(), "HALTED: GT says it applied 9 envelopes but only 2"))
      << s.last_error();
  EXPECT_EQ(peer_->opens(), 1);
  EXPECT_TRUE(peer_->received().empty());
  EXPECT_EQ(Outbox(), Iota(1, 2)) << "the peer's claim must not delete anything";
  EXPECT_EQ(AuditActions().back(), "federation.link.halted");

  // A restart does not make the link healthy by itself.
  Restart();
  ASSERT_TRUE(WaitUntilHalted(2));
  EXPECT_TRUE(Status().halted());
  EXPECT_TRUE(absl::StartsWith(Status().last_error(), "HALTED: ")) << Status().last_error();
  EXPECT_EQ(peer_->opens(), 1) << "a halted link reconnected after a restart";

  // The operator resumes it once the peer is repaired.
  ASSERT_TRUE(sender_->Resume().ok());
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.applied_ == 2; }));
  EXPECT_FALSE(Status().halted());
}

// --- Restores (docs/operations.md, "Restoring a federated node") ----------------------------

// The PEER was restored: it lost 3..5, which this node deleted once acknowledged. Told
// `rejoining`, the sender sends from the first envelope it still holds instead of halting,
// and re-sends its bootstrap once (not again at the next reconnect), recorded in the audit
// log. Without the rejoin feature agreed it halts as before (PeerBackBelowWhat... above).
TEST_F(SenderTest, RestoredPeerIsServedFromTheFirstHeldEnvelopeAndRebootstrappedOnce) {
  int rebootstraps = 0;
  options_.rebootstrap = [&](const std::string& peer, txn::Transaction& txn) {
    EXPECT_EQ(peer, kPeer);
    ++rebootstraps;
    txn.envelopes.push_back({kPeer, "directory.bootstrap", "everything GT must know"});
    return absl::OkStatus();
  };
  Queue(5);
  Start();
  ASSERT_TRUE(WaitUntilCollected(5));
  const StreamPolicy restored{.claim_applied = 2,
                              .welcome_version = kProtocolVersion,
                              .welcome_features = {kRejoinFeature},
                              .rejoining = true};
  peer_->SetPolicies({restored});
  peer_->EndLive();
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.applied_ == 6; }));
  std::vector<Received> got = peer_->received();
  ASSERT_EQ(Seqs(got), (std::vector<uint64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(got.back().body.kind(), "directory.bootstrap");
  EXPECT_EQ(got.back().body.seq(), 6u);
  EXPECT_TRUE(got.back().signature_ok);
  EXPECT_FALSE(Status().halted());
  EXPECT_EQ(rebootstraps, 1);
  const std::vector<std::string> actions = AuditActions();
  EXPECT_NE(std::find(actions.begin(), actions.end(), "federation.link.rejoin_served"),
            actions.end());
  // The same loss seen again at a reconnect (the rejoin envelope not yet applied there): the
  // bootstrap is not queued twice.
  peer_->SetPolicies({restored});
  peer_->EndLive();
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.opens_ >= 3; }));
  Queue(1);
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.applied_ == 7; }));
  EXPECT_EQ(rebootstraps, 1);
}

// THIS node was restored: the backup's outbox for GT ended at 3, GT had applied 7 of this
// node's envelopes before the loss. The link halts (sending 4.. would reuse numbers GT applied
// with the lost content); the operator's Resume moves the link's numbers past 7: what the
// outbox holds from 4 goes as 8, 9, signed with bodies naming their new numbers, the gap in
// the audit log; a restart keeps the new numbering.
TEST_F(SenderTest, RestoredNodeMovesItsNumbersPastWhatThePeerAppliedWhenResumed) {
  Queue(3);
  ASSERT_TRUE(MarkRestored(store_.get(), "restore drill").ok());
  Queue(2);
  peer_->applied_ = 7;  // before any stream: GT applied 1..7 of this node's numbers
  Start();
  ASSERT_TRUE(WaitUntilHalted(1));
  EXPECT_TRUE(absl::StrContains(Status().last_error(), "says it applied 7 envelopes but only 3"))
      << Status().last_error();
  EXPECT_TRUE(peer_->received().empty());

  ASSERT_TRUE(sender_->Resume("spiffe://mx/role/supervisor/user/op", "gap 4..7 reviewed").ok());
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.applied_ == 9; }));
  std::vector<Received> got = peer_->received();
  ASSERT_EQ(Seqs(got), (std::vector<uint64_t>{8, 9}));
  for (const Received& r : got) {
    EXPECT_TRUE(r.signature_ok);
    EXPECT_EQ(r.body.seq(), r.seq) << "the body still names its outbox number";
  }
  EXPECT_EQ(got[0].body.payload(), "payload 4");
  EXPECT_EQ(got[1].body.payload(), "payload 5");
  EXPECT_FALSE(Status().halted());
  EXPECT_EQ(Status().last_seq_queued(), 9u);
  // The ack reaches the sender's reader thread after the peer applied it.
  const absl::Time give_up = absl::Now() + kPatience;
  while (Status().last_seq_acked() != 9 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(Status().last_seq_acked(), 9u) << "acks are reported in the peer's numbering";
  const std::vector<std::string> actions = AuditActions();
  EXPECT_NE(std::find(actions.begin(), actions.end(), "federation.link.rejoined"),
            actions.end());

  Restart();
  Queue(1);
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.applied_ == 10; }));
  EXPECT_EQ(peer_->received().back().body.payload(), "payload 6");
}

// An ack for an envelope never sent: the peer holds what this node did not send.
TEST_F(SenderTest, HaltsWhenThePeerAcknowledgesWhatWasNeverSent) {
  peer_->SetPolicies({StreamPolicy{.ack_beyond_by = 50}});
  Queue(3);
  Start();
  ASSERT_TRUE(WaitUntilHalted(1));
  const v1::PeerStatus s = Status();
  EXPECT_TRUE(s.halted());
  EXPECT_FALSE(s.connected()) << "a halted link is shown connected";
  EXPECT_TRUE(absl::StrContains(s.last_error(), "HALTED: GT acknowledged envelope 51 but only"))
      << s.last_error();
  EXPECT_EQ(s.last_seq_acked(), 0u) << "the bogus ack was taken";
  EXPECT_EQ(Outbox(), Iota(1, 3)) << "the bogus ack deleted outbox entries";
  EXPECT_EQ(peer_->opens(), 1);
}

// A hole in the outbox (a store restored from an old backup): envelope 3 is gone, so 4
// must never go out under its number or after 2.
TEST_F(SenderTest, HaltsOnAHoleInTheOutboxAfterSendingWhatPrecedesIt) {
  Queue(5);
  storage::WriteBatch hole;
  hole.Delete(committer_->outbox_cf(), txn::Committer::OutboxKey(kPeer, 3));
  ASSERT_TRUE(store_->Commit(hole).ok());
  Start();
  ASSERT_TRUE(WaitUntilHalted(1));
  EXPECT_EQ(Seqs(peer_->received()), Iota(1, 2));
  const v1::PeerStatus s = Status();
  EXPECT_TRUE(s.halted());
  EXPECT_FALSE(s.connected()) << "a halted link is shown connected";
  EXPECT_TRUE(absl::StrContains(s.last_error(), "outbox for GT is missing envelope 3"))
      << s.last_error();
}

// A manifest change nudges the sender; one that lands while an attempt is failing must still
// cut the backoff that follows, or the link sleeps up to max_backoff after the fix arrived.
TEST_F(SenderTest, NudgeWhileAnAttemptFailsCutsTheBackoffAfterIt) {
  options_.initial_backoff = absl::Hours(1);
  options_.max_backoff = absl::Hours(1);
  peer_->SetPolicies({StreamPolicy{.refuse_handshake = true}});
  absl::Notification at_backoff, nudged;
  SyncPoint::GetInstance()->SetCallBack("Sender::Run:Backoff", [&](void*) {
    if (at_backoff.HasBeenNotified()) return;
    at_backoff.Notify();
    nudged.WaitForNotification();
  });
  Queue(1);
  Start();
  ASSERT_TRUE(at_backoff.WaitForNotificationWithTimeout(kPatience));
  sender_->Nudge();
  nudged.Notify();
  // Without the nudge the next attempt is an hour away.
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.applied_ == 1; }));
  EXPECT_EQ(peer_->opens(), 2);
}

// --- Stopping ------------------------------------------------------------------------------

TEST_F(SenderTest, DestroyingTheSenderEndsALiveStream) {
  peer_->SetPolicies({StreamPolicy{.ack = false}});
  options_.window = 2;
  Queue(5);
  Start();
  // The sender now waits for acks that never come, with the stream open.
  ASSERT_TRUE(peer_->WaitFor([](FakePeer& p) { return p.received_.size() == 2; }));
  sender_.reset();  // returns only if the stream was cancelled and the threads joined
  EXPECT_EQ(peer_->opens(), 1);
}

}  // namespace
}  // namespace enlace::federation
