#ifndef ENLACE_SERVICES_FEDERATION_FEDERATION_H_
#define ENLACE_SERVICES_FEDERATION_FEDERATION_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/concurrency/thread_pool.h"
#include "common/crypto/signing.h"
#include "common/identity/caller.h"
#include "common/storage/store.h"
#include "common/txn/committer.h"
#include "enlace/federation/v1/admin.pb.h"
#include "grpcpp/server.h"
// FederationAdminServiceImpl, the API port's adapter over this Federation.
#include "services/federation/admin_service.h"
#include "services/federation/exchange_service.h"
#include "services/federation/inbox.h"
#include "services/federation/manifest.h"
#include "services/federation/sender.h"

namespace enlace::federation {

struct FederationOptions {
  std::string self;            // this node's country
  std::string listen_address;  // federation port, host:port (port 0 picks one)
  std::string manifest_file;
  NodeTls tls;                 // the node's certificate, presented both ways
  // With tls.cert_file and tls.key_file set: a file this node writes the members' CAs to
  // (its listener's client roots), so that the listener watches the certificate, key and
  // roots files and a rotated certificate is presented without a restart. Empty: the
  // listener keeps the certificate it started with.
  std::string roots_file;
  std::string signing_key_pem;
  absl::Duration manifest_poll = absl::Seconds(1);
  SenderOptions sender;
};

// A node's membership in the federation: the manifest, the inbound listener, one sender per
// peer, and the admin view. Modules plug in envelope handlers and a bootstrap hook that
// queues what a newly added member must receive (e.g. this node's directory entries).
class Federation final : public FederationAdmin {
 public:
  static void AddColumnFamilies(storage::StoreOptions& options);
  // Loads the manifest; nothing listens or sends until Start().
  static absl::StatusOr<std::unique_ptr<Federation>> Create(FederationOptions options,
                                                            storage::Store* store,
                                                            txn::Committer* committer,
                                                            ThreadPool* pool);
  ~Federation() override;

  Inbox* inbox() { return inbox_.get(); }
  using Bootstrap = std::function<absl::Status(const std::string& peer, txn::Transaction& txn)>;
  void AddBootstrap(Bootstrap bootstrap);

  // Streams from a peer whose certificate this says is revoked are refused (see
  // ExchangeService::SetRevocationCheck). Call before Start().
  void SetRevocationCheck(std::function<bool(absl::string_view cert_pem)> revoked);

  absl::Status Start();
  void Shutdown();

  int port() const;
  std::shared_ptr<const ManifestSnapshot> manifest() const { return watcher_->Current(); }
  // Peers of the current manifest (every member but this node).
  std::vector<std::string> Peers() const;
  // The regional secretariat's members (MEMBER_KIND_SECRETARIAT): they receive statistics
  // releases and nothing else; Peers() never lists them.
  std::vector<std::string> Secretariats() const;
  absl::Status ReloadManifest() { return watcher_->Reload(); }
  absl::StatusOr<v1::FederationStatus> Status() const;

  // FederationAdmin (operators, through FederationAdminServiceImpl).
  absl::StatusOr<v1::FederationStatus> GetFederationStatus(
      const v1::GetFederationStatusRequest& request, const Caller& caller) override;
  absl::StatusOr<v1::ListQuarantineResponse> ListQuarantine(
      const v1::ListQuarantineRequest& request, const Caller& caller) override;
  // Clears the halt of the outgoing link to request.country, audited.
  absl::StatusOr<v1::ResumeLinkResponse> ResumeLink(const v1::ResumeLinkRequest& request,
                                                    const Caller& caller) override;

 private:
  Federation(FederationOptions options, storage::Store* store, txn::Committer* committer,
             ThreadPool* pool);
  void OnManifest(std::shared_ptr<const ManifestSnapshot> snapshot);
  absl::Status StartServerLocked(const ManifestSnapshot& snapshot)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status BootstrapNewPeers(const ManifestSnapshot& snapshot);
  // What BootstrapNewPeers queues for `peer`, again: for a peer restored from a backup that
  // lost what this node had sent it and already deleted (Sender::ServeRejoin).
  absl::Status RebootstrapPeer(const std::string& peer, txn::Transaction& txn);

  const FederationOptions options_;
  storage::Store* store_;
  txn::Committer* committer_;
  ThreadPool* pool_;
  std::unique_ptr<crypto::Signer> signer_;
  std::unique_ptr<ManifestWatcher> watcher_;
  std::unique_ptr<Inbox> inbox_;
  std::unique_ptr<ExchangeService> exchange_;
  std::vector<Bootstrap> bootstraps_;

  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<grpc::Server> server_ ABSL_GUARDED_BY(mu_);
  std::string server_roots_ ABSL_GUARDED_BY(mu_);
  int port_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, std::unique_ptr<Sender>> senders_ ABSL_GUARDED_BY(mu_);
};

}  // namespace enlace::federation

#endif  // ENLACE_SERVICES_FEDERATION_FEDERATION_H_
