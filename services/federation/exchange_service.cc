#include "services/federation/exchange_service.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/grpc_status.h"
#include "grpc/grpc_security_constants.h"
#include "services/federation/batch.h"

namespace enlace::federation {
namespace {
// Read-ahead per stream, in envelopes and in bytes: what one peer can make this node hold
// (one stream per peer, see Register) is bounded by kMaxQueuedBytes plus one message.
constexpr size_t kMaxQueued = 8192;
constexpr size_t kMaxQueuedBytes = 8 << 20;
// Envelopes handed to the Inbox at once; it commits them in chunks, acknowledged as each
// becomes durable.
constexpr size_t kMaxPerApply = 4096;

bool SameMember(const v1::Member& a, const v1::Member& b) {
  return a.node_identity() == b.node_identity() &&
         a.signing_public_key_pem() == b.signing_public_key_pem() &&
         std::equal(a.additional_signing_public_key_pems().begin(),
                    a.additional_signing_public_key_pems().end(),
                    b.additional_signing_public_key_pems().begin(),
                    b.additional_signing_public_key_pems().end()) &&
         a.tls_ca_pem() == b.tls_ca_pem();
}

// Why a received batch is refused before it is queued, else "". The limits are the ones the
// sender builds to (batch.h); without them an empty batch would cost memory but count for
// nothing in the read-ahead, and an oversized one would exceed what the limits assume.
std::string BatchShapeProblem(const v1::EnvelopeBatch& batch) {
  const size_t n = static_cast<size_t>(batch.envelopes_size());
  if (n == 0) return "a batch must hold at least one envelope";
  if (n > kMaxBatchEnvelopes) {
    return absl::StrCat("a batch holds at most ", kMaxBatchEnvelopes, " envelopes, this one ", n);
  }
  size_t body_bytes = 0;
  for (const v1::Envelope& e : batch.envelopes()) body_bytes += e.body().size();
  if (n > 1 && body_bytes > kMaxBatchBodyBytes) {
    return absl::StrCat("a batch of more than one envelope holds at most ", kMaxBatchBodyBytes,
                        " bytes of bodies, this one ", body_bytes);
  }
  return "";
}

// What one queued batch counts for in the read-ahead: at least one envelope, so that no
// message is free.
size_t QueueWeight(const v1::EnvelopeBatch& batch) {
  return std::max<size_t>(1, static_cast<size_t>(batch.envelopes_size()));
}
}  // namespace

class ExchangeService::Reactor
    : public grpc::ServerBidiReactor<v1::ExchangeRequest, v1::ExchangeResponse> {
 public:
  Reactor(ExchangeService* service, grpc::CallbackServerContext* context)
      : service_(service), context_(context) {
    absl::Status s = Authenticate();
    if (!s.ok()) {
      log::Warning("federation", "peer_refused", absl::StrCat("refused a peer: ", s.message()));
      Finish(ToGrpcStatus(s));
      return;
    }
    service_->Register(peer_country_, this);
    registered_ = true;
    StartRead(&request_);
  }

  // A newer stream from the same peer supersedes this one: it drops what it read ahead and
  // ends at its next event. (Called under the service's lock, so no gRPC call from here.)
  void Supersede() { superseded_.store(true, std::memory_order_relaxed); }

  void OnReadDone(bool ok) override {
    absl::MutexLock l(&mu_);
    if (superseded_.load(std::memory_order_relaxed)) {
      queue_.clear();
      queued_bytes_ = 0;
      queued_count_ = 0;
      MaybeFinishLocked(grpc::Status(grpc::StatusCode::ABORTED,
                                     "superseded by a newer stream from the same peer"));
      return;
    }
    if (!ok) {  // the sender closed its side or went away
      reads_done_ = true;
      MaybeFinishLocked(grpc::Status::OK);
      return;
    }
    if (!hello_done_) {
      if (!request_.has_hello() || request_.hello().sender() != peer_country_ ||
          request_.hello().receiver() != service_->self_) {
        MaybeFinishLocked(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                       "first message must be Hello{sender: your country, "
                                       "receiver: this node's country}"));
        return;
      }
      // A peer without a version in common is refused before anything of its link is read
      // or moved; it retries, and connects once one side is upgraded.
      absl::StatusOr<ProtocolRange> theirs = FromHello(request_.hello());
      absl::StatusOr<Agreement> agreed =
          theirs.ok() ? Negotiate(service_->protocol_, *theirs, peer_country_)
                      : absl::StatusOr<Agreement>(theirs.status());
      if (!agreed.ok()) {
        log::Entry e;
        e.level = log::Level::kWarning;
        e.component = "federation";
        e.event = "peer_refused";
        e.peer = peer_country_;
        e.message = absl::StrCat("refused a peer: ", agreed.status().message());
        log::Write(e);
        MaybeFinishLocked(ToGrpcStatus(agreed.status()));
        return;
      }
      hello_done_ = true;
      auto applied = service_->inbox_->AppliedSeq(peer_country_);
      if (!applied.ok()) {
        MaybeFinishLocked(ToGrpcStatus(applied.status()));
        return;
      }
      auto rejoining = service_->inbox_->Rejoining(peer_country_);
      if (!rejoining.ok()) {
        MaybeFinishLocked(ToGrpcStatus(rejoining.status()));
        return;
      }
      welcome_.mutable_welcome()->set_applied_seq(*applied);
      welcome_.mutable_welcome()->set_rejoining(*rejoining);
      welcome_.mutable_welcome()->set_protocol_version(agreed->version);
      for (const auto& f : agreed->features) welcome_.mutable_welcome()->add_features(f);
      batches_ = agreed->Has(kBatchSignatureFeature);
      writing_ = true;
      StartWrite(&welcome_);
      StartRead(&request_);
      return;
    }
    // A batch only where the Welcome agreed batches; one without a manifest would be read as
    // envelopes signed alone, which only the Inbox's own callers make.
    if (request_.has_batch() && batches_ && !request_.batch().manifest().empty()) {
      const std::string problem = BatchShapeProblem(request_.batch());
      if (!problem.empty()) {
        MaybeFinishLocked(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, problem));
        return;
      }
      queued_bytes_ += request_.batch().ByteSizeLong();
      queued_count_ += QueueWeight(request_.batch());
      queue_.push_back(std::move(*request_.mutable_batch()));
    } else if (request_.has_envelope()) {
      queued_bytes_ += request_.envelope().ByteSizeLong();
      ++queued_count_;
      v1::EnvelopeBatch& alone = queue_.emplace_back();
      *alone.add_envelopes() = std::move(*request_.mutable_envelope());
    } else {
      MaybeFinishLocked(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                     batches_ ? "expected an envelope or a signed batch"
                                              : "expected an envelope"));
      return;
    }
    ScheduleApplyLocked();
    if (queued_count_ < kMaxQueued && queued_bytes_ < kMaxQueuedBytes) {
      StartRead(&request_);
    } else {
      read_paused_ = true;  // resumed once the applier catches up
    }
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock l(&mu_);
    writing_ = false;
    if (!ok) {
      MaybeFinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed"));
      return;
    }
    MaybeWriteAckLocked();
    MaybeFinishLocked(grpc::Status::OK);
  }

  void OnCancel() override {
    absl::MutexLock l(&mu_);
    reads_done_ = true;
    MaybeFinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
  }

  void OnDone() override {
    if (registered_) service_->Unregister(peer_country_, this);
    bool destroy;
    {
      absl::MutexLock l(&mu_);
      done_ = true;
      destroy = !applying_;
    }
    if (destroy) delete this;
  }

 private:
  absl::Status Authenticate() {
    auto auth = context_->auth_context();
    if (auth == nullptr || !auth->IsPeerAuthenticated()) {
      return absl::UnauthenticatedError("a verified peer certificate is required");
    }
    auto uris = auth->FindPropertyValues(GRPC_PEER_URI_PROPERTY_NAME);
    auto pems = auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
    if (uris.size() != 1 || pems.size() != 1) {
      return absl::PermissionDeniedError("peer certificate must name exactly one node");
    }
    manifest_ = service_->manifest_();
    const std::string uri(uris[0].data(), uris[0].size());
    const ManifestSnapshot::Peer* peer = manifest_ ? manifest_->FindByIdentity(uri) : nullptr;
    if (peer == nullptr) {
      return absl::PermissionDeniedError(absl::StrCat(uri.substr(0, 128),
                                                      " is not a member of the federation"));
    }
    if (!CertificateIssuedBy(std::string(pems[0].data(), pems[0].size()),
                             peer->member.tls_ca_pem())) {
      return absl::PermissionDeniedError(absl::StrCat(
          "certificate for ", uri.substr(0, 128), " was not issued by ",
          peer->member.country(), "'s CA"));
    }
    cert_pem_.assign(pems[0].data(), pems[0].size());
    if (service_->revoked_ && service_->revoked_(cert_pem_)) {
      return absl::PermissionDeniedError(absl::StrCat(
          "the certificate of ", uri.substr(0, 128), " is revoked (this node's CRL names it)"));
    }
    if (peer->member.country() == service_->self_) {
      return absl::PermissionDeniedError("a node does not federate with itself");
    }
    // The secretariat sends nothing: a link from it is refused wherever it connects.
    if (peer->member.kind() == v1::MEMBER_KIND_SECRETARIAT) {
      return absl::PermissionDeniedError("the secretariat sends nothing to the members");
    }
    peer_ = peer;
    peer_country_ = peer->member.country();
    return absl::OkStatus();
  }

  void ScheduleApplyLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (applying_ || finishing_) return;
    applying_ = true;
    service_->pool_->Schedule([this] { ApplyLoop(); });
  }

  // On a pool thread: apply everything queued, one commit per round, then acknowledge.
  void ApplyLoop() {
    while (true) {
      std::vector<v1::EnvelopeBatch> batch;
      size_t envelopes = 0;
      mu_.Lock();
      if (superseded_.load(std::memory_order_relaxed)) {
        queue_.clear();
        queued_bytes_ = 0;
        queued_count_ = 0;
      }
      if (queue_.empty() || finishing_) {
        applying_ = false;
        const bool destroy = done_;  // OnDone already ran: this thread owns the reactor
        mu_.Unlock();
        if (destroy) delete this;
        return;
      }
      while (!queue_.empty() && envelopes < kMaxPerApply) {
        queued_bytes_ -= std::min(queued_bytes_, queue_.front().ByteSizeLong());
        const size_t n = QueueWeight(queue_.front());
        queued_count_ -= std::min(queued_count_, n);
        envelopes += n;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      mu_.Unlock();
      // A stream lives as long as its sender wants: its certificate is asked again before every
      // apply (the watcher caches the answer), so a revocation stops a stream already open.
      if (service_->revoked_ && service_->revoked_(cert_pem_)) {
        absl::MutexLock l(&mu_);
        queue_.clear();
        queued_bytes_ = 0;
        queued_count_ = 0;
        MaybeFinishLocked(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                                       "the certificate of this stream's peer is revoked (this "
                                       "node's CRL names it)"));
        continue;
      }
      // Keys rotated or the member removed since this stream was authenticated: nothing more
      // is accepted under the old ones; the peer reconnects under the new manifest.
      auto current = service_->manifest_();
      const ManifestSnapshot::Peer* now =
          current ? current->Find(peer_country_) : nullptr;
      if (now == nullptr || !SameMember(now->member, peer_->member)) {
        absl::MutexLock l(&mu_);
        queue_.clear();
        MaybeFinishLocked(grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                                       "the federation manifest changed this member's keys or "
                                       "identity: reconnect"));
        continue;
      }
      manifest_ = std::move(current);
      peer_ = now;
      // Each durable chunk is acknowledged at once, so the sender's window refills while the
      // rest of the call is applied.
      auto applied = service_->inbox_->ApplyBatches(
          peer_country_, *peer_, batch, [this](uint64_t durable) {
            absl::MutexLock l(&mu_);
            ack_to_send_ = std::max(ack_to_send_, durable);
            MaybeWriteAckLocked();
          });
      absl::MutexLock l(&mu_);
      if (!applied.ok()) {
        log::Entry e;
        e.level = log::Level::kError;
        e.component = "federation";
        e.event = "inbound_link_stopped";
        e.peer = peer_country_;
        e.message = absl::StrCat("link from ", peer_country_, ": ", applied.status().ToString());
        log::Write(e);
        queue_.clear();
        MaybeFinishLocked(ToGrpcStatus(applied.status()));
        continue;
      }
      ack_to_send_ = std::max(ack_to_send_, *applied);
      MaybeWriteAckLocked();
      if (read_paused_ && queued_count_ < kMaxQueued / 2 &&
          queued_bytes_ < kMaxQueuedBytes / 2 && !finishing_) {
        read_paused_ = false;
        StartRead(&request_);
      }
    }
  }

  void MaybeWriteAckLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || finishing_ || ack_to_send_ <= ack_sent_) return;
    ack_.mutable_ack()->set_applied_seq(ack_to_send_);
    ack_sent_ = ack_to_send_;
    writing_ = true;
    StartWrite(&ack_);
  }

  // Finishes once nothing is in flight; the first status given wins.
  void MaybeFinishLocked(grpc::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!status.ok() && !finish_status_set_) {
      finish_status_ = status;
      finish_status_set_ = true;
      finishing_ = true;
    }
    if (reads_done_) finishing_ = true;
    if (!finishing_ || finished_ || writing_) return;
    finished_ = true;
    Finish(finish_status_);
  }

  ExchangeService* service_;
  grpc::CallbackServerContext* context_;
  std::shared_ptr<const ManifestSnapshot> manifest_;
  const ManifestSnapshot::Peer* peer_ = nullptr;
  std::string peer_country_;
  std::string cert_pem_;  // the peer's certificate, asked again before every apply
  v1::ExchangeRequest request_;
  v1::ExchangeResponse welcome_;
  v1::ExchangeResponse ack_;

  absl::Mutex mu_;
  bool hello_done_ ABSL_GUARDED_BY(mu_) = false;
  bool registered_ = false;  // set in the constructor only
  std::atomic<bool> superseded_{false};
  // Batches as received; an envelope signed alone is a batch of one without a manifest.
  std::deque<v1::EnvelopeBatch> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  size_t queued_count_ ABSL_GUARDED_BY(mu_) = 0;  // envelopes in queue_
  bool batches_ ABSL_GUARDED_BY(mu_) = false;     // the Welcome agreed batches
  bool applying_ ABSL_GUARDED_BY(mu_) = false;
  bool read_paused_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t ack_to_send_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t ack_sent_ ABSL_GUARDED_BY(mu_) = 0;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool finish_status_set_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status finish_status_ ABSL_GUARDED_BY(mu_) = grpc::Status::OK;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

void ExchangeService::Register(const std::string& peer, Reactor* stream) {
  absl::MutexLock l(&streams_mu_);
  auto [it, inserted] = streams_.try_emplace(peer, stream);
  if (!inserted) {
    it->second->Supersede();
    it->second = stream;
  }
}

void ExchangeService::Unregister(const std::string& peer, Reactor* stream) {
  absl::MutexLock l(&streams_mu_);
  auto it = streams_.find(peer);
  if (it != streams_.end() && it->second == stream) streams_.erase(it);
}

grpc::ServerBidiReactor<v1::ExchangeRequest, v1::ExchangeResponse>* ExchangeService::Exchange(
    grpc::CallbackServerContext* context) {
  return new Reactor(this, context);
}

}  // namespace enlace::federation
