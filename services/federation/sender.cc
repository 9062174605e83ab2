#include "services/federation/sender.h"

#include <fstream>
#include <iostream>
#include <iterator>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/text/utf8.h"
#include "common/testing/sync_point.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "services/federation/batch.h"
#include "services/federation/protocol.h"

namespace enlace::federation {

namespace fv1 = ::enlace::federation::v1;

namespace {
// "UNAVAILABLE: Socket closed": the code and message of a call's status, for LAST_ERROR.
std::string Describe(const absl::Status& st) {
  return absl::StrCat(absl::StatusCodeToString(st.code()), ": ",
                      st.message().empty() ? "(no message)" : st.message());
}

// One call of FederationService.Exchange on its own channel. The call starts with the first
// Write; a Cancel before it (TryCancel on a context without a call) still cancels it.
class GrpcExchangeStream final : public ExchangeStream {
 public:
  GrpcExchangeStream(const std::shared_ptr<grpc::Channel>& channel, absl::Duration lifetime)
      : stub_(fv1::FederationService::NewStub(channel)) {
    ctx_.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(lifetime));
  }
  ~GrpcExchangeStream() override {
    if (stream_ != nullptr && !finished_) {
      ctx_.TryCancel();
      stream_->Finish();
    }
  }
  bool Write(const fv1::ExchangeRequest& request, bool buffer_hint) override {
    if (stream_ == nullptr) stream_ = stub_->Exchange(&ctx_);
    grpc::WriteOptions wo;
    if (buffer_hint) wo.set_buffer_hint();
    return stream_->Write(request, wo);
  }
  bool Read(fv1::ExchangeResponse* response) override {
    return stream_ != nullptr && stream_->Read(response);
  }
  void Cancel() override { ctx_.TryCancel(); }
  absl::Status Finish() override {
    if (stream_ == nullptr) return absl::CancelledError("never started");
    finished_ = true;
    const grpc::Status st = stream_->Finish();
    return absl::Status(static_cast<absl::StatusCode>(st.error_code()), st.error_message());
  }

 private:
  std::unique_ptr<fv1::FederationService::Stub> stub_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReaderWriter<fv1::ExchangeRequest, fv1::ExchangeResponse>> stream_;
  bool finished_ = false;
};

class GrpcExchangeDialer final : public ExchangeDialer {
 public:
  GrpcExchangeDialer(std::string endpoint, std::string peer_ca_pem, NodeTls tls)
      : endpoint_(std::move(endpoint)),
        peer_ca_pem_(std::move(peer_ca_pem)),
        tls_(std::move(tls)) {}

  std::unique_ptr<ExchangeStream> Open(absl::Duration lifetime) override {
    const NodeTls tls = CurrentTls();
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = peer_ca_pem_;
    ssl.pem_cert_chain = tls.cert_pem;
    ssl.pem_private_key = tls.key_pem;
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
    args.SetMaxReceiveMessageSize(1 << 20);
    auto channel = grpc::CreateCustomChannel(endpoint_, grpc::SslCredentials(ssl), args);
    return std::make_unique<GrpcExchangeStream>(channel, lifetime);
  }

 private:
  // The certificate and key files as they are now (a rotated pair is presented from the
  // next stream on); the last good pair while they cannot be read (e.g. half replaced).
  NodeTls CurrentTls() {
    absl::MutexLock l(&mu_);
    if (tls_.cert_file.empty() || tls_.key_file.empty()) return tls_;
    auto cert = ReadFile(tls_.cert_file);
    auto key = ReadFile(tls_.key_file);
    if (cert.ok() && key.ok() && !cert->empty() && !key->empty()) {
      tls_.cert_pem = *std::move(cert);
      tls_.key_pem = *std::move(key);
    }
    return tls_;
  }

  static absl::StatusOr<std::string> ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path));
    return data;
  }

  const std::string endpoint_, peer_ca_pem_;
  absl::Mutex mu_;
  NodeTls tls_ ABSL_GUARDED_BY(mu_);
};
}  // namespace

std::unique_ptr<ExchangeDialer> NewGrpcExchangeDialer(std::string endpoint, std::string peer_ca_pem,
                                                      NodeTls tls) {
  return std::make_unique<GrpcExchangeDialer>(std::move(endpoint), std::move(peer_ca_pem),
                                              std::move(tls));
}

Sender::Sender(std::string self, std::string peer, std::string endpoint, std::string peer_ca_pem,
               NodeTls tls, const crypto::Signer* signer, storage::Store* store,
               txn::Committer* committer, SenderOptions options)
    : Sender(std::move(self), std::move(peer), endpoint, peer_ca_pem,
             NewGrpcExchangeDialer(endpoint, peer_ca_pem, std::move(tls)), signer, store, committer,
             options) {}

Sender::Sender(std::string self, std::string peer, std::string endpoint, std::string peer_ca_pem,
               std::unique_ptr<ExchangeDialer> dialer, const crypto::Signer* signer,
               storage::Store* store, txn::Committer* committer, SenderOptions options)
    : self_(std::move(self)),
      peer_(std::move(peer)),
      endpoint_(std::move(endpoint)),
      peer_ca_pem_(std::move(peer_ca_pem)),
      dialer_(std::move(dialer)),
      signer_(signer),
      store_(store),
      committer_(committer),
      options_(options) {
  thread_ = std::thread([this] { Run(); });
}

Sender::~Sender() {
  {
    absl::MutexLock l(&mu_);
    stopping_ = true;
    if (live_stream_ != nullptr) live_stream_->Cancel();
  }
  thread_.join();
}

void Sender::Nudge() {
  absl::MutexLock l(&mu_);
  nudged_ = true;
}

void Sender::SetError(const absl::Status& s) {
  absl::MutexLock l(&mu_);
  // A peer's status message is untrusted text; FederationStatus carries it as a string.
  last_error_ = text::ValidUtf8(s.message().substr(0, 300));
  last_error_time_ = absl::Now();
}

std::string Sender::HaltKey() const { return absl::StrCat("sender|halted|", peer_); }

namespace {
constexpr absl::string_view kRestoredKey = kRestoredMarkerKey;

std::string Be64(uint64_t v) {
  std::string s;
  storage::AppendBigEndian64(&s, v);
  return s;
}
// An outbox body under its number on the wire: the body names its own sequence number,
// which the receiver checks against the envelope's place in the link. The signature and the
// receiver's evidence cover the bytes as sent, so they need not be deterministic.
absl::StatusOr<std::string> Renumbered(const std::string& bytes, uint64_t seq) {
  fv1::EnvelopeBody body;
  if (!body.ParseFromString(bytes)) return absl::DataLossError("outbox entry does not parse");
  body.set_seq(seq);
  return body.SerializeAsString();
}
}  // namespace

absl::Status MarkRestored(storage::Store* store, absl::string_view why) {
  // Each link's floor is the outbox's end as the backup holds it: the committer's per-peer
  // last queued sequence (txn::Committer, "outbox|last|PEER"). A peer without one had nothing
  // queued: its floor is 0 (LoadRejoinFloor). Links that rejoined after an earlier restore
  // rejoin again; their inbox sides too (Inbox::Rejoining).
  constexpr absl::string_view kOutboxLast = "outbox|last|";
  storage::WriteBatch batch;
  for (auto it = store->ScanPrefix(store->cf("meta"), kOutboxLast); it->Valid(); it->Next()) {
    batch.Put(store->cf("meta"),
              absl::StrCat("sender|rejoin|", it->key().substr(kOutboxLast.size())), it->value());
  }
  for (absl::string_view done : {"sender|rejoined|", "inbox|rejoined|", "sender|rejoin_gap|"}) {
    for (auto it = store->ScanPrefix(store->cf("meta"), done); it->Valid(); it->Next()) {
      batch.Delete(store->cf("meta"), it->key());
    }
  }
  batch.Put(store->cf("meta"), kRestoredKey, why);
  return store->Commit(batch);
}

void Sender::LoadRejoinFloor() {
  absl::MutexLock l(&mu_);
  auto offset = store_->Get(store_->cf("meta"), absl::StrCat("sender|offset|", peer_));
  if (offset.ok() && offset->has_value() && (*offset)->size() == 8) {
    offset_ = storage::ReadBigEndian64(**offset);
  }
  auto floor = store_->Get(store_->cf("meta"), absl::StrCat("sender|rejoin|", peer_));
  if (floor.ok() && floor->has_value() && (*floor)->size() == 8) {
    rejoin_floor_ = storage::ReadBigEndian64(**floor);
    return;
  }
  auto restored = store_->Get(store_->cf("meta"), kRestoredKey);
  auto rejoined = store_->Get(store_->cf("meta"), absl::StrCat("sender|rejoined|", peer_));
  if (restored.ok() && restored->has_value() && rejoined.ok() && !rejoined->has_value()) {
    rejoin_floor_ = 0;
  }
}

absl::Status Sender::CheckRejoinFloor(uint64_t peer_applied) {
  std::optional<uint64_t> floor;
  uint64_t offset;
  {
    absl::MutexLock l(&mu_);
    floor = rejoin_floor_;
    offset = offset_;
  }
  if (!floor) return absl::OkStatus();
  if (peer_applied > *floor + offset) {
    // Kept for the operator's Resume, which moves this link's numbers past it.
    storage::WriteBatch gap;
    gap.Put(store_->cf("meta"), absl::StrCat("sender|rejoin_gap|", peer_), Be64(peer_applied));
    if (absl::Status s = store_->Commit(gap); !s.ok()) return s;
    return absl::DataLossError(absl::StrCat(
        "restored from a backup: ", peer_, " says it applied ", peer_applied,
        " envelopes but only ", *floor + offset, " were queued when the backup was taken; ",
        *floor + offset + 1, "..", peer_applied,
        " were sent before the loss and sending on would reuse their numbers; once the gap is "
        "reviewed, `enlacectl federation resume` moves this link's numbers past ",
        peer_applied, " (docs/operations.md, \"Restoring a federated node\")"));
  }
  storage::WriteBatch batch;
  batch.Delete(store_->cf("meta"), absl::StrCat("sender|rejoin|", peer_));
  batch.Put(store_->cf("meta"), absl::StrCat("sender|rejoined|", peer_), "");
  if (absl::Status s = store_->Commit(batch); !s.ok()) return s;
  absl::MutexLock l(&mu_);
  rejoin_floor_.reset();
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Sender::ServeRejoin(uint64_t start, uint64_t wire_start) {
  // The first envelope still held past `start`. What lies between was deleted here only once
  // the peer acknowledged it (GarbageCollect): it is what the peer lost, not what it missed.
  const uint64_t queued = committer_->LastQueued(peer_);
  uint64_t first = queued + 1;
  auto it = store_->Scan(committer_->outbox_cf(), txn::Committer::OutboxKey(peer_, start + 1),
                         txn::Committer::OutboxKey(peer_, queued + 1));
  if (it->Valid()) {
    const absl::string_view key = it->key();
    if (key.size() < 8) return absl::DataLossError("malformed outbox key");
    first = storage::ReadBigEndian64(key.substr(key.size() - 8));
  }
  if (!it->status().ok()) return it->status();
  if (first <= start + 1) return start;  // nothing deleted that the peer lost
  const std::string served_key = absl::StrCat("sender|rejoin_served|", peer_);
  auto served = store_->Get(store_->cf("meta"), served_key);
  if (!served.ok()) return served.status();
  if (served->has_value() && **served == Be64(wire_start)) return first - 1;  // done already
  txn::Transaction txn;
  if (options_.rebootstrap) {
    if (absl::Status s = options_.rebootstrap(peer_, txn); !s.ok()) return s;
  }
  txn.batch.Put(store_->cf("meta"), served_key, Be64(wire_start));
  enlace::audit::v1::AuditRecord r;
  r.set_actor(self_);
  r.set_action("federation.link.rejoin_served");
  r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
  r.set_detail(absl::StrCat(peer_, " was restored from a backup: it lost envelopes ",
                            wire_start + 1, "..", wire_start + (first - 1 - start),
                            " it had acknowledged (deleted here); sending on from ",
                            wire_start + (first - start), ", ", txn.envelopes.size(),
                            " bootstrap envelopes re-sent"));
  txn.audit.push_back(std::move(r));
  if (absl::Status s = committer_->Commit(txn); !s.ok()) return s;
  return first - 1;
}

void Sender::Halt(const absl::Status& why) {
  // Kept in the store: a restart must not turn the link healthy again by itself.
  storage::WriteBatch batch;
  batch.Put(store_->cf("meta"), HaltKey(), std::string(why.message()));
  txn::Transaction txn;
  txn.batch = std::move(batch);
  enlace::audit::v1::AuditRecord r;
  r.set_actor(self_);
  r.set_action("federation.link.halted");
  r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_REJECTED);
  r.set_detail(absl::StrCat(peer_, ": ", why.message().substr(0, 300)));
  txn.audit.push_back(std::move(r));
  absl::Status committed = committer_->Commit(txn);
  {
    log::Entry e;
    e.level = log::Level::kError;
    e.component = "federation";
    e.event = "link_halted";
    e.peer = peer_;
    e.message = absl::StrCat("ALARM: link to ", peer_, " halted for an operator: ", why.message(),
                             committed.ok() ? ""
                                            : absl::StrCat(" (halt not recorded: ",
                                                           committed.ToString(), ")"));
    log::Write(e);
  }
  absl::MutexLock l(&mu_);
  halted_ = true;
}

absl::Status Sender::Resume(absl::string_view actor, absl::string_view reason) {
  const std::string gap_key = absl::StrCat("sender|rejoin_gap|", peer_);
  auto gap = store_->Get(store_->cf("meta"), gap_key);
  if (!gap.ok()) return gap.status();
  std::optional<uint64_t> floor;
  uint64_t offset;
  {
    absl::MutexLock l(&mu_);
    floor = rejoin_floor_;
    offset = offset_;
  }
  txn::Transaction txn;
  txn.batch.Delete(store_->cf("meta"), HaltKey());
  std::optional<uint64_t> new_offset;
  if (gap->has_value() && (*gap)->size() == 8 && floor) {
    // The peer applied up to W of this node's numbers; the outbox, restored, ends at Q
    // (outbox numbering). From now on outbox Q+1 goes as W+1: offset W - Q, in the same
    // commit as the end of the floor, so no number the peer applied is sent again.
    const uint64_t applied = storage::ReadBigEndian64(**gap);
    if (applied > *floor + offset) {
      new_offset = applied - *floor;
      txn.batch.Put(store_->cf("meta"), absl::StrCat("sender|offset|", peer_), Be64(*new_offset));
      txn.batch.Delete(store_->cf("meta"), absl::StrCat("sender|rejoin|", peer_));
      txn.batch.Put(store_->cf("meta"), absl::StrCat("sender|rejoined|", peer_), "");
      enlace::audit::v1::AuditRecord r;
      r.set_actor(std::string(actor));
      r.set_action("federation.link.rejoined");
      r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
      r.set_detail(absl::StrCat(
          "to ", peer_, " after a restore: envelopes ", *floor + offset + 1, "..", applied,
          " this node sent before the loss were applied by ", peer_,
          " and are gone here; this node's envelopes go on from ", applied + 1, ": ",
          reason.substr(0, 500)));
      txn.audit.push_back(std::move(r));
    }
  }
  txn.batch.Delete(store_->cf("meta"), gap_key);
  if (absl::Status s = committer_->Commit(txn); !s.ok()) return s;
  absl::MutexLock l(&mu_);
  if (new_offset) {
    offset_ = *new_offset;
    rejoin_floor_.reset();
  }
  halted_ = false;
  nudged_ = true;
  last_error_.clear();
  return absl::OkStatus();
}

void Sender::Run() {
  absl::BitGen gen;
  absl::Duration backoff = options_.initial_backoff;
  LoadRejoinFloor();
  {
    auto halt = store_->Get(store_->cf("meta"), HaltKey());
    if (halt.ok() && halt->has_value()) {
      absl::MutexLock l(&mu_);
      halted_ = true;
      last_error_ = absl::StrCat("HALTED: ", **halt);
      last_error_time_ = absl::Now();
    }
  }
  while (true) {
    bool halted;
    {
      absl::MutexLock l(&mu_);
      halted = halted_ && !stopping_;
    }
    if (halted) ENLACE_TEST_SYNC_POINT("Sender::Run:Halted");
    {
      absl::MutexLock l(&mu_);
      // A halted link waits for an operator (ResumeLink) and never resumes by itself.
      auto resumable = [this]()
                           ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !halted_; };
      mu_.Await(absl::Condition(&resumable));
      if (stopping_) return;
      // Nudges from now on (while this attempt runs and fails) cut the backoff after it.
      nudged_ = false;
    }
    const absl::Time started = absl::Now();
    absl::Status s = RunStream();
    {
      // Whatever ended the stream, the link is down now (a halted one too).
      absl::MutexLock l(&mu_);
      connected_ = false;
    }
    if (s.code() == absl::StatusCode::kDataLoss) {
      Halt(s);
      SetError(absl::DataLossError(absl::StrCat("HALTED: ", s.message())));
      continue;
    }
    {
      absl::MutexLock l(&mu_);
      if (stopping_) return;
    }
    if (!s.ok()) SetError(s);
    // A stream that lived a while resets the backoff; repeated failures double it.
    if (absl::Now() - started > absl::Seconds(10)) backoff = options_.initial_backoff;
    const double jitter = absl::Uniform(gen, 0.5, 1.5);
    const absl::Duration sleep = backoff * jitter;
    backoff = std::min(backoff * 2, options_.max_backoff);
    ENLACE_TEST_SYNC_POINT("Sender::Run:Backoff");
    absl::MutexLock l(&mu_);
    auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || nudged_; };
    mu_.AwaitWithTimeout(absl::Condition(&wake), sleep);
    if (nudged_) backoff = options_.initial_backoff;
  }
}

absl::Status Sender::RunStream() {
  // Not started yet: registered first, so that the destructor can cancel it at any point.
  std::unique_ptr<ExchangeStream> stream = dialer_->Open(options_.stream_deadline);
  {
    absl::MutexLock l(&mu_);
    if (stopping_) return absl::CancelledError("stopping");
    live_stream_ = stream.get();
    stream_broken_ = false;
  }
  auto clear_context = [this] {
    absl::MutexLock l(&mu_);
    live_stream_ = nullptr;
  };
  fv1::ExchangeRequest hello;
  hello.mutable_hello()->set_sender(self_);
  hello.mutable_hello()->set_receiver(peer_);
  const ProtocolRange offered = options_.protocol;
  FillHello(offered, hello.mutable_hello());
  fv1::ExchangeResponse welcome;
  if (!stream->Write(hello, false) || !stream->Read(&welcome) || !welcome.has_welcome()) {
    absl::Status st = stream->Finish();
    clear_context();
    return absl::UnavailableError(
        absl::StrCat("handshake with ", peer_, " at ", endpoint_, " failed: ", Describe(st)));
  }
  // A Welcome this release cannot speak: nothing is sent (and nothing collected) on it.
  absl::StatusOr<Agreement> agreed = CheckWelcome(offered, welcome.welcome(), peer_);
  if (!agreed.ok()) {
    stream->Cancel();
    stream->Finish().IgnoreError();
    clear_context();
    return agreed.status();
  }
  // Both speak batches: one signature per batch instead of one per envelope.
  const bool batches = agreed->Has(kBatchSignatureFeature);
  // Numbers on the wire are the outbox's plus the link's offset (non-zero only once a rejoin
  // moved them past what the peer applied before this node's restore); `start` and every
  // count below are in the outbox's numbering.
  uint64_t offset;
  {
    absl::MutexLock l(&mu_);
    offset = offset_;
  }
  const uint64_t wire_start = welcome.welcome().applied_seq();
  auto refuse = [&](absl::Status why) {
    stream->Cancel();
    stream->Finish().IgnoreError();  // it says only CANCELLED
    clear_context();
    return why;
  };
  if (absl::Status floor = CheckRejoinFloor(wire_start); !floor.ok()) return refuse(floor);
  if (wire_start > committer_->LastQueued(peer_) + offset || wire_start < offset) {
    return refuse(absl::DataLossError(
        absl::StrCat(peer_, " says it applied ", wire_start, " envelopes but only ",
                     committer_->LastQueued(peer_) + offset, " were queued",
                     wire_start < offset ? " (and fewer than it applied before)" : "")));
  }
  uint64_t start = wire_start - offset;
  if (welcome.welcome().rejoining() && agreed->Has(kRejoinFeature)) {
    absl::StatusOr<uint64_t> from = ServeRejoin(start, wire_start);
    if (!from.ok()) return refuse(from.status());
    start = *from;
  }
  {
    absl::MutexLock l(&mu_);
    connected_ = true;
    acked_ = start;
    sent_ = start;
    last_error_.clear();
  }
  GarbageCollect(start);

  // Acknowledgements arrive on their own thread.
  std::thread reader([&] {
    fv1::ExchangeResponse response;
    while (stream->Read(&response)) {
      if (!response.has_ack()) continue;
      absl::MutexLock l(&mu_);
      const uint64_t applied = response.ack().applied_seq();
      if (applied > sent_ + offset) {
        // The peer claims envelopes this node never sent: its log and ours disagree.
        peer_ahead_ = applied;
        stream->Cancel();
        break;
      }
      if (applied >= offset) acked_ = std::max(acked_, applied - offset);
    }
    absl::MutexLock l(&mu_);
    stream_broken_ = true;
  });

  uint64_t next = start + 1;
  absl::Status result = absl::OkStatus();
  absl::Time last_gc = absl::Now();
  while (true) {
    uint64_t acked;
    {
      absl::MutexLock l(&mu_);
      auto can_send = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || stream_broken_ || next <= acked_ + options_.window;
      };
      mu_.AwaitWithTimeout(absl::Condition(&can_send), absl::Seconds(1));
      if (stopping_ || stream_broken_) break;
      acked = acked_;
    }
    if (absl::Now() - last_gc > absl::Milliseconds(200)) {
      GarbageCollect(acked);
      last_gc = absl::Now();
    }
    if (next > acked + options_.window) continue;
    const uint64_t queued = committer_->WaitForQueued(peer_, next - 1, absl::Milliseconds(200));
    if (queued < next) continue;
    const uint64_t last = std::min(queued, acked + options_.window);
    // Read the outbox range [next, last] in one scan, sign and send.
    auto it = store_->Scan(committer_->outbox_cf(), txn::Committer::OutboxKey(peer_, next),
                           txn::Committer::OutboxKey(peer_, last + 1));
    uint64_t expect = next;
    bool write_failed = false;
    // Batches: envelopes gathered until the batch is full or the range ends, then signed
    // once and written as one message.
    std::vector<fv1::Envelope> pending;
    size_t pending_bytes = 0;
    auto write = [&](const fv1::ExchangeRequest& req, uint64_t last_seq) {
      // Let gRPC coalesce a burst into few frames; the last one flushes.
      const bool buffer_hint = last_seq != last;
      {
        // Counted as sent before it is written: the peer's ack for it may arrive before
        // Write returns, and an ack above `sent_` means the peer holds what was never sent.
        absl::MutexLock l(&mu_);
        sent_ = last_seq;
      }
      return stream->Write(req, buffer_hint);
    };
    auto flush = [&]() -> bool {
      if (pending.empty()) return true;
      const uint64_t last_seq = pending.back().seq() - offset;
      fv1::ExchangeRequest req;
      auto batch = SignBatch(*signer_, self_, peer_, std::move(pending));
      pending.clear();
      pending_bytes = 0;
      if (!batch.ok()) {
        result = batch.status();
        return false;
      }
      *req.mutable_batch() = *std::move(batch);
      return write(req, last_seq);
    };
    for (; it->Valid(); it->Next()) {
      // The outbox has no holes; if one appears (a store restored from an old backup), stop
      // rather than send an envelope under the wrong number.
      if (it->key() != txn::Committer::OutboxKey(peer_, expect)) break;
      auto body = committer_->OpenOutboxEntry(it->value(), it->key());
      if (body.ok() && offset != 0) body = Renumbered(*body, expect + offset);
      if (!body.ok()) {
        result = body.status();
        write_failed = true;
        break;
      }
      if (batches) {
        if (!pending.empty() && pending_bytes + body->size() > kMaxBatchBodyBytes &&
            !flush()) {
          write_failed = true;
          break;
        }
        pending_bytes += body->size();
        fv1::Envelope& env = pending.emplace_back();
        env.set_body(*std::move(body));
        env.set_seq(expect + offset);
        ++expect;
        if ((pending.size() >= kMaxBatchEnvelopes || expect > last) && !flush()) {
          write_failed = true;
          break;
        }
        continue;
      }
      fv1::ExchangeRequest req;
      auto* env = req.mutable_envelope();
      env->set_body(*std::move(body));
      env->set_seq(expect + offset);
      auto sig = signer_->Sign(env->body());
      if (!sig.ok()) {
        result = sig.status();
        write_failed = true;
        break;
      }
      env->set_signature(*sig);
      if (!write(req, expect)) {
        write_failed = true;
        break;
      }
      ++expect;
    }
    // What a short scan (a hole) left gathered is sent: it is all authentic and in order.
    if (!write_failed && !flush()) write_failed = true;
    if (!it->status().ok()) {
      result = it->status();
      break;
    }
    if (write_failed) break;
    if (expect <= last) {
      result =
          absl::DataLossError(absl::StrCat("outbox for ", peer_, " is missing envelope ", expect));
      break;
    }
    next = expect;
  }
  // A stream that the peer ended (its reads or a write failed) carries the peer's status,
  // which LAST_ERROR shows; only a stream that this side ends is cancelled (its status would
  // only say CANCELLED).
  bool peer_ended;
  {
    absl::MutexLock l(&mu_);
    peer_ended = result.ok() && !stopping_;
  }
  if (peer_ended) {
    reader.join();
  } else {
    stream->Cancel();
  }
  absl::Status st = stream->Finish();
  if (!peer_ended) reader.join();
  clear_context();
  {
    absl::MutexLock l(&mu_);
    if (stopping_) return absl::OkStatus();
  }
  if (!result.ok()) return result;
  {
    absl::MutexLock l(&mu_);
    if (peer_ahead_ > 0) {
      const uint64_t claimed = std::exchange(peer_ahead_, 0);
      return absl::DataLossError(absl::StrCat(peer_, " acknowledged envelope ", claimed,
                                              " but only ", sent_ + offset, " were sent"));
    }
  }
  return absl::UnavailableError(absl::StrCat("stream to ", peer_, " ended: ", Describe(st)));
}

void Sender::GarbageCollect(uint64_t acked) {
  uint64_t from;
  {
    absl::MutexLock l(&mu_);
    if (acked <= collected_) return;
    from = collected_;
  }
  // Acknowledged envelopes are durable at the peer; their outbox copies can go. A lost
  // deletion only means re-deleting later: it needs no sync.
  storage::WriteBatch batch;
  auto it = store_->Scan(committer_->outbox_cf(), txn::Committer::OutboxKey(peer_, from),
                         txn::Committer::OutboxKey(peer_, acked + 1));
  for (; it->Valid(); it->Next()) batch.Delete(committer_->outbox_cf(), it->key());
  if (!batch.empty() && !store_->Commit(batch).ok()) return;
  {
    absl::MutexLock l(&mu_);
    collected_ = acked;
  }
  ENLACE_TEST_SYNC_POINT_CALLBACK("Sender::GarbageCollect:Collected", &acked);
}

void Sender::FillStatus(fv1::PeerStatus* status) const {
  absl::MutexLock l(&mu_);
  const uint64_t queued = committer_->LastQueued(peer_);
  status->set_connected(connected_);
  status->set_halted(halted_);
  // In the peer's numbering (the wire's), which its own status reports.
  status->set_last_seq_queued(queued + offset_);
  status->set_last_seq_sent(sent_ + offset_);
  status->set_last_seq_acked(acked_ + offset_);
  status->set_outbox_depth(queued > acked_ ? queued - acked_ : 0);
  status->set_last_error(last_error_);
  if (!last_error_.empty()) {
    status->mutable_last_error_time()->set_seconds(absl::ToUnixSeconds(last_error_time_));
  }
  if (queued > acked_) {
    auto oldest =
        store_->Get(committer_->outbox_cf(), txn::Committer::OutboxKey(peer_, acked_ + 1));
    fv1::EnvelopeBody body;
    absl::StatusOr<std::string> bytes =
        oldest.ok() && oldest->has_value()
            ? committer_->OpenOutboxEntry(**oldest, txn::Committer::OutboxKey(peer_, acked_ + 1))
            : absl::StatusOr<std::string>(absl::NotFoundError("none"));
    if (bytes.ok() && body.ParseFromString(*bytes)) {
      status->set_lag_seconds(
          absl::ToDoubleSeconds(absl::Now() - absl::FromUnixSeconds(body.create_time().seconds())));
    }
  }
}

}  // namespace enlace::federation
