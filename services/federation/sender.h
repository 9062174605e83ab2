#ifndef ENLACE_SERVICES_FEDERATION_SENDER_H_
#define ENLACE_SERVICES_FEDERATION_SENDER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/crypto/signing.h"
#include "common/storage/store.h"
#include "common/txn/committer.h"
#include "enlace/federation/v1/admin.pb.h"
#include "enlace/federation/v1/federation.grpc.pb.h"
#include "services/federation/protocol.h"

namespace enlace::federation {

// TLS material a node presents to its peers.
struct NodeTls {
  std::string cert_pem;
  std::string key_pem;
  // Where the material comes from, when it is a pair of files: then they are re-read at each
  // dial (the sender's client side) and watched by the federation listener, so that a
  // certificate rotation needs no restart. cert_pem and key_pem are what was read at start.
  std::string cert_file;
  std::string key_file;
};

struct SenderOptions {
  // Envelopes sent and not yet acknowledged, at most.
  uint64_t window = 4096;
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(30);
  // Each stream is one call with this deadline; it is then reopened.
  absl::Duration stream_deadline = absl::Minutes(10);
  // What this side offers in the Hello (a test narrows it to stand for an older release).
  ProtocolRange protocol = LocalProtocol();
  // Adds to `txn` what a member joining receives first from this node (the federation's
  // bootstraps): re-sent, once, to a peer restored from a backup that lost envelopes this node
  // had already deleted (Welcome.rejoining). Unset: nothing is re-sent.
  std::function<absl::Status(const std::string& peer, txn::Transaction& txn)> rebootstrap;
};

// One open Exchange stream to the peer: the network seam of Sender (a gRPC call over mTLS in
// production, a fake peer in sender_test.cc). Write and Read run on two threads at once;
// Cancel may come from any thread at any time and makes both return false.
class ExchangeStream {
 public:
  virtual ~ExchangeStream() = default;
  // `buffer_hint`: more follows at once, so the transport may hold this one to coalesce.
  virtual bool Write(const v1::ExchangeRequest& request, bool buffer_hint) = 0;
  virtual bool Read(v1::ExchangeResponse* response) = 0;
  virtual void Cancel() = 0;
  // Once, after the reads ended or Cancel: how the stream ended.
  virtual absl::Status Finish() = 0;
};

// Opens streams to one peer.
class ExchangeDialer {
 public:
  virtual ~ExchangeDialer() = default;
  // A stream that ends after `lifetime` at the latest. Nothing need be sent before the first
  // Write, and a Cancel before it must not be lost.
  virtual std::unique_ptr<ExchangeStream> Open(absl::Duration lifetime) = 0;
};

// The production dialer: FederationService.Exchange on `endpoint`, a new mTLS channel per
// stream, trusting only `peer_ca_pem` and presenting `tls`.
std::unique_ptr<ExchangeDialer> NewGrpcExchangeDialer(std::string endpoint, std::string peer_ca_pem,
                                                      NodeTls tls);

// Marks a store just restored from a backup (enlace-node --restore_from): at its first start
// each sender records the outbox's last queued sequence as the link's rejoin floor, and halts
// the link at the first handshake whose peer has applied more than that floor, even once the
// outbox has grown past it (sending on would reuse sequence numbers the peer applied with the
// lost content). docs/operations.md, "Restoring a federated node".
absl::Status MarkRestored(storage::Store* store, absl::string_view why);

// Streams one peer's outbox to it: opens Exchange on the peer's federation port, resumes from
// the peer's watermark, keeps up to `window` envelopes in flight, deletes what the peer has
// acknowledged, and reconnects with exponential backoff and jitter. One thread per link, plus
// one for reading acknowledgements while a stream is open.
class Sender {
 public:
  Sender(std::string self, std::string peer, std::string endpoint, std::string peer_ca_pem,
         NodeTls tls, const crypto::Signer* signer, storage::Store* store,
         txn::Committer* committer, SenderOptions options = {});
  // The same over any transport (`endpoint` and `peer_ca_pem` are then only reported).
  Sender(std::string self, std::string peer, std::string endpoint, std::string peer_ca_pem,
         std::unique_ptr<ExchangeDialer> dialer, const crypto::Signer* signer,
         storage::Store* store, txn::Committer* committer, SenderOptions options = {});
  ~Sender();  // stops and joins

  const std::string& peer() const { return peer_; }
  const std::string& endpoint() const { return endpoint_; }
  const std::string& peer_ca_pem() const { return peer_ca_pem_; }
  // Link state for FederationAdminService.
  void FillStatus(enlace::federation::v1::PeerStatus* status) const;
  // Wakes a sleeping reconnect (e.g. after the manifest changed).
  void Nudge();
  // Clears a halt (the operator `actor` decided the link may go on, for `reason`) and
  // reconnects. A link halted at the rejoin gap of a restore (the peer applied Q+1..W of
  // this node's envelopes, lost here) moves on past W: the envelopes queued from Q+1 go as
  // W+1, W+2 ... (re-signed under their new numbers), recorded with the gap in the audit log
  // as federation.link.rejoined, so no number the peer applied is ever reused.
  absl::Status Resume(absl::string_view actor = "operator", absl::string_view reason = "");

 private:
  void Run();
  // One stream's life; returns the reason it ended.
  absl::Status RunStream();
  void GarbageCollect(uint64_t acked);
  void SetError(const absl::Status& s);
  // The peer is ahead of this node's log (it claims envelopes never queued or sent): stop
  // for good, record why, alarm.
  void Halt(const absl::Status& why);
  std::string HaltKey() const;
  // The rejoin floor of a restored store (MarkRestored): read, or recorded at the first start.
  void LoadRejoinFloor();
  // At the handshake of a link with a floor: DATA_LOSS when the peer applied past it (W is
  // kept for Resume), else the link has rejoined (recorded) and the floor is gone.
  absl::Status CheckRejoinFloor(uint64_t peer_applied);
  // The peer was restored and lost what it applied after `start` (outbox numbering): where to
  // send from, past what this side already deleted as acknowledged; re-sends the bootstrap
  // once per loss (`wire_start` identifies it), recorded in the audit log.
  absl::StatusOr<uint64_t> ServeRejoin(uint64_t start, uint64_t wire_start);

  const std::string self_, peer_, endpoint_, peer_ca_pem_;
  const std::unique_ptr<ExchangeDialer> dialer_;
  const crypto::Signer* signer_;
  storage::Store* store_;
  txn::Committer* committer_;
  const SenderOptions options_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool nudged_ ABSL_GUARDED_BY(mu_) = false;
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
  bool halted_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t peer_ahead_ ABSL_GUARDED_BY(mu_) = 0;
  bool stream_broken_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t sent_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t acked_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t collected_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  absl::Time last_error_time_ ABSL_GUARDED_BY(mu_);
  ExchangeStream* live_stream_ ABSL_GUARDED_BY(mu_) = nullptr;
  // A restored store's rejoin floor (outbox numbering), until the link has rejoined.
  std::optional<uint64_t> rejoin_floor_ ABSL_GUARDED_BY(mu_);
  // Added to outbox numbers on the wire: non-zero once a rejoin moved this link's numbers past
  // what the peer applied before a restore (kept in the store, "sender|offset|PEER").
  uint64_t offset_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace enlace::federation

#endif  // ENLACE_SERVICES_FEDERATION_SENDER_H_
