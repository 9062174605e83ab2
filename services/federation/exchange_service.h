#ifndef ENLACE_SERVICES_FEDERATION_EXCHANGE_SERVICE_H_
#define ENLACE_SERVICES_FEDERATION_EXCHANGE_SERVICE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

#include "common/concurrency/thread_pool.h"
#include "enlace/federation/v1/federation.grpc.pb.h"
#include "services/federation/inbox.h"
#include "services/federation/manifest.h"
#include "services/federation/protocol.h"

namespace enlace::federation {

// The receiving end of FederationService.Exchange. Authenticates the peer (its certificate's
// URI SAN must be a member's node identity, issued by that member's own CA), answers Hello
// with the link's watermark and the protocol version both sides speak (refusing a peer with
// none in common: FAILED_PRECONDITION), and hands envelopes to the Inbox on a worker pool (never
// blocking a gRPC thread), acknowledging cumulatively after each commit.
class ExchangeService final : public v1::FederationService::CallbackService {
 public:
  ExchangeService(std::string self, Inbox* inbox, ThreadPool* pool,
                  std::function<std::shared_ptr<const ManifestSnapshot>()> manifest,
                  ProtocolRange protocol = LocalProtocol())
      : self_(std::move(self)),
        inbox_(inbox),
        pool_(pool),
        manifest_(std::move(manifest)),
        protocol_(std::move(protocol)) {}

  grpc::ServerBidiReactor<v1::ExchangeRequest, v1::ExchangeResponse>* Exchange(
      grpc::CallbackServerContext* context) override;

  // Whether a peer's certificate (PEM) is revoked (the node's CRL file); asked when a stream
  // opens and again before every apply on it, so a revoked node key is refused on its next
  // stream and an open stream ends (PERMISSION_DENIED) applying nothing more. Called on pool
  // threads: it must be cheap and not block. Set before serving.
  void SetRevocationCheck(std::function<bool(absl::string_view cert_pem)> revoked) {
    revoked_ = std::move(revoked);
  }

 private:
  class Reactor;
  // At most one live stream per peer: a new one cancels the old, so a peer cannot pin
  // memory by opening many.
  void Register(const std::string& peer, Reactor* stream);
  void Unregister(const std::string& peer, Reactor* stream);

  const std::string self_;
  Inbox* inbox_;
  ThreadPool* pool_;
  std::function<std::shared_ptr<const ManifestSnapshot>()> manifest_;
  // What this side speaks (a test may narrow it to stand for another release).
  const ProtocolRange protocol_;
  std::function<bool(absl::string_view)> revoked_;
  absl::Mutex streams_mu_;
  std::map<std::string, Reactor*> streams_ ABSL_GUARDED_BY(streams_mu_);
};

}  // namespace enlace::federation

#endif  // ENLACE_SERVICES_FEDERATION_EXCHANGE_SERVICE_H_
