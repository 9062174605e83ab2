#ifndef ENLACE_SERVICES_NODE_NODE_H_
#define ENLACE_SERVICES_NODE_NODE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/concurrency/thread_pool.h"
#include "common/ops/metrics.h"
#include "common/ops/ops_server.h"
#include "common/storage/store.h"
#include "enlace/node/v1/config.pb.h"
#include "grpcpp/server.h"
#include "common/audit/checkpointer.h"
#include "common/authz/authorizer.h"
#include "common/revocation/revocation.h"
#include "common/crypto/key_vault.h"
#include "common/crypto/signing.h"
#include "common/time/clock.h"
#include "common/txn/committer.h"
#include "services/cases/registry.h"
#include "services/federation/federation.h"
#include "services/node/module.h"

namespace enlace::node {

// One country node: the core (store, committer, vault, authorizer, case registry,
// federation), the modules of NodeModules() wired onto it, and the mTLS API server. Used by
// the enlace-node binary, and in-process by tests and benchmarks.
class Node {
 public:
  // Validates the config, opens the store and starts listening.
  static absl::StatusOr<std::unique_ptr<Node>> Start(const enlace::node::v1::NodeConfig& config);
  // Called with the store as soon as it opens, before anything commits: an HA node installs
  // its lease's fencing statement there (services/node/ha.h).
  using StoreHook = std::function<absl::Status(storage::Store*)>;
  static absl::StatusOr<std::unique_ptr<Node>> Start(const enlace::node::v1::NodeConfig& config,
                                                     StoreHook on_store_open);
  // The same with another list of modules than NodeModules() (tests of the wiring).
  static absl::StatusOr<std::unique_ptr<Node>> Start(const enlace::node::v1::NodeConfig& config,
                                                     std::vector<ModuleSpec> modules,
                                                     StoreHook on_store_open = nullptr);
  ~Node();

  int api_port() const { return api_port_; }
  // The ops port (/healthz, /readyz, /metrics); 0 without NodeConfig.ops.address.
  int ops_port() const { return ops_server_ ? ops_server_->port() : 0; }
  // OK when serving; otherwise why not (the ops port's /readyz answers 503 with it).
  absl::Status Readiness() const;
  // The first step of Shutdown, on its own: health turns NOT_SERVING and /readyz 503, so
  // load balancers and probes take the node out before calls are refused.
  void BeginDrain();
  // 0 when the node is standalone.
  int federation_port() const { return federation_ ? federation_->port() : 0; }
  federation::Federation* federation() { return federation_.get(); }
  // SIGHUP: re-reads the master key file; when it holds a newer version, re-wraps every data
  // key under it while the node keeps serving (then older versions can be removed).
  absl::Status ReloadMasterKeys();
  // Stops accepting calls, lets in-flight ones finish for up to `drain`, then closes the store.
  absl::Status Shutdown(absl::Duration drain);
  cases::Registry* registry() { return registry_.get(); }
  // Full names of the API's services (the modules' and the federation admin's).
  std::vector<std::string> ServedServices() const;

 private:
  Node() = default;
  enum class Phase { kStarting, kServing, kDraining, kStopped };
  // Starts the ops port (before the store opens, so /healthz answers during a long start).
  absl::Status StartOps(const enlace::node::v1::NodeConfig& config);
  // What /metrics reads at each scrape, once everything it reads exists.
  void AddCollectors();
  // First, so that it outlives everything that reports to it.
  std::unique_ptr<ops::Metrics> metrics_;
  std::atomic<Phase> phase_{Phase::kStarting};
  // Creates every module of NodeModules() and wires what each declares.
  std::vector<ModuleSpec> specs_;
  absl::Status StartModules(const enlace::node::v1::NodeConfig& config,
                            const std::string& audit_head_file);
  // Builds the API server with the modules' services and marks them serving.
  absl::Status Serve(const enlace::node::v1::NodeConfig& config);
  // The clock of time-based rules: the wall clock, or NodeConfig.testing_clock_file's.
  std::unique_ptr<Clock> testing_clock_;
  const Clock* clock_ = Clock::Real();
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<txn::Committer> committer_;
  std::unique_ptr<crypto::KeyVault> vault_;
  std::unique_ptr<revocation::RevocationWatcher> revocation_;
  std::unique_ptr<authz::Authorizer> authorizer_;
  std::unique_ptr<cases::Registry> registry_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<federation::Federation> federation_;
  // NodeModules(), in list order.
  std::vector<std::unique_ptr<Module>> modules_;
  std::unique_ptr<federation::FederationAdminServiceImpl> federation_admin_;
  // The node's Ed25519 key (federated nodes only) also signs audit checkpoints.
  std::unique_ptr<crypto::Signer> audit_signer_;
  std::unique_ptr<crypto::Verifier> audit_key_;
  std::unique_ptr<audit::Checkpointer> checkpointer_;
  std::unique_ptr<grpc::Server> server_;
  int api_port_ = 0;
  std::string master_key_file_;
  bool shut_down_ = false;
  // Last, so that it is destroyed first: its handlers read the members above.
  std::unique_ptr<ops::OpsServer> ops_server_;
};

// Every column family a node's store holds.
storage::StoreOptions NodeStoreOptions(const std::string& path);
storage::StoreOptions NodeStoreOptions(const std::string& path,
                                       const std::vector<ModuleSpec>& modules);
// The same for the store `config` chooses (storage: RocksDB in data_dir, or PostgreSQL).
storage::StoreOptions NodeStoreOptions(const enlace::node::v1::NodeConfig& config,
                                       const std::vector<ModuleSpec>& modules);

// The key vault directory: security.keys_dir, or "<data_dir>.keys" by default.
std::string KeysDir(const enlace::node::v1::NodeConfig& config);

// Reads a whole (small) file, e.g. a PEM.
absl::StatusOr<std::string> ReadSmallFile(const std::string& path);

}  // namespace enlace::node

#endif  // ENLACE_SERVICES_NODE_NODE_H_
