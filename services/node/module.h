#ifndef ENLACE_SERVICES_NODE_MODULE_H_
#define ENLACE_SERVICES_NODE_MODULE_H_

// A node is a list of modules (services/node/modules.cc). A module owns its column families,
// its gRPC services, the envelope kinds it applies, its erasure duty and its background work;
// the node only wires what a module declares. Adding a module is one entry in that list.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "common/crypto/key_vault.h"
#include "common/crypto/signing.h"
#include "common/storage/store.h"
#include "common/time/clock.h"
#include "common/txn/committer.h"
#include "enlace/node/v1/config.pb.h"
#include "grpcpp/impl/codegen/service_type.h"
#include "services/cases/registry.h"
#include "services/federation/inbox.h"

namespace enlace::node {

class Module;

// What the node lends every module. Pointers outlive the module.
struct ModuleContext {
  const enlace::node::v1::NodeConfig* config = nullptr;
  storage::Store* store = nullptr;
  txn::Committer* committer = nullptr;
  crypto::KeyVault* vault = nullptr;  // null when sealing is disabled
  authz::Authorizer* authorizer = nullptr;
  ThreadPool* pool = nullptr;  // runs the work of gRPC calls, off the callback threads
  const Clock* clock = nullptr;
  cases::Registry* registry = nullptr;  // persons and cases: the domain every module builds on
  // The node's Ed25519 public key (checks audit checkpoints; null when standalone) and the
  // signed audit head file in the vault directory (empty without a vault).
  const crypto::Verifier* audit_key = nullptr;
  std::string audit_head_file;
  // The federation's members other than this node (empty when standalone).
  std::function<std::vector<std::string>()> peers;
  // The regional secretariat's members (MEMBER_KIND_SECRETARIAT): statistics go there only.
  std::function<std::vector<std::string>()> secretariats;
  // A module created earlier in the list, by name; null if absent.
  std::function<Module*(absl::string_view name)> find;
};

class Module {
 public:
  struct Service {
    std::string full_name;  // e.g. "enlace.cases.v1.CaseService", for health checks
    grpc::Service* service;
  };
  struct Handler {
    std::string kind;  // envelope kind, e.g. "transfer.offer"
    federation::EnvelopeHandler* handler;
  };

  virtual ~Module() = default;
  virtual absl::string_view name() const = 0;
  // Served on the node's mTLS API; every method needs a row in common/authz's policy table.
  virtual std::vector<Service> Services() { return {}; }
  // Registered with the inbox before the federation starts.
  virtual std::vector<Handler> Handlers() { return {}; }
  // Part of ErasePerson's transaction (Registry::ErasureHook): tell members that received a
  // copy about the person, drop what the module keeps about them.
  virtual absl::Status OnPersonErased(const std::string& person_id,
                                      const std::vector<std::string>& linked_key_owners,
                                      txn::Transaction& txn) {
    return absl::OkStatus();
  }
  // What a member that just joined the federation must receive first (e.g. the directory).
  virtual absl::Status BootstrapPeer(const std::string& peer, txn::Transaction& txn) {
    return absl::OkStatus();
  }
  // Background work; Start after every module exists, Stop (reverse order) after the API and
  // the federation have stopped.
  virtual void Start() {}
  virtual void Stop() {}
};

// How the node makes a module: column families are declared before the store opens, the
// module is created after.
struct ModuleSpec {
  const char* name;
  void (*add_column_families)(storage::StoreOptions& options);
  absl::StatusOr<std::unique_ptr<Module>> (*create)(const ModuleContext& context);
};

}  // namespace enlace::node

#endif  // ENLACE_SERVICES_NODE_MODULE_H_
