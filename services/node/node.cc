#include "services/node/node.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/audit/audit_head.h"
#include "common/authz/policy.h"
#include "common/crypto/key_file.h"
#include "common/log/log.h"
#include "common/ops/rpc_observer.h"
#include "common/status/macros.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "grpcpp/server_builder.h"
#include "services/node/config.h"
#include "services/node/modules.h"
#include "services/federation/manifest.h"
#include "services/node/node_metrics.h"

namespace enlace::node {

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.size() > (1 << 20)) return absl::InvalidArgumentError(absl::StrCat(path, " too large"));
  return data;
}

std::string KeysDir(const enlace::node::v1::NodeConfig& config) {
  return config.security().keys_dir().empty() ? config.data_dir() + ".keys"
                                              : config.security().keys_dir();
}

storage::StoreOptions NodeStoreOptions(const std::string& path) {
  return NodeStoreOptions(path, NodeModules());
}

storage::StoreOptions NodeStoreOptions(const std::string& path,
                                       const std::vector<ModuleSpec>& modules) {
  storage::StoreOptions options = cases::RegistryStoreOptions(path);
  federation::Federation::AddColumnFamilies(options);
  for (const ModuleSpec& spec : modules) spec.add_column_families(options);
  return options;
}

storage::StoreOptions NodeStoreOptions(const v1::NodeConfig& config,
                                       const std::vector<ModuleSpec>& modules) {
  storage::StoreOptions options = NodeStoreOptions(config.data_dir(), modules);
  if (config.storage().has_postgres()) {
    options.postgres_conninfo = config.storage().postgres().conninfo();
    // Enough kept open for every RPC worker and the background threads (senders, workers)
    // at once: a call that finds none idle opens one, which on the server is a new process,
    // and with 8 kept the store got slower the more callers it had (BENCHMARKS.md, "Storage
    // backends").
    const int workers = config.worker_threads() > 0 ? config.worker_threads() : 32;
    options.postgres_idle_connections = config.storage().postgres().idle_connections() > 0
                                            ? config.storage().postgres().idle_connections()
                                            : workers + 8;
  }
  return options;
}

absl::StatusOr<std::unique_ptr<Node>> Node::Start(const v1::NodeConfig& config) {
  return Start(config, ModulesFor(config));
}

absl::StatusOr<std::unique_ptr<Node>> Node::Start(const v1::NodeConfig& config,
                                                  StoreHook on_store_open) {
  return Start(config, ModulesFor(config), std::move(on_store_open));
}

absl::StatusOr<std::unique_ptr<Node>> Node::Start(const v1::NodeConfig& config,
                                                  std::vector<ModuleSpec> modules,
                                                  StoreHook on_store_open) {
  // Everything the node writes (RocksDB files, vault, exports) is owner-only: RocksDB creates
  // its files 0644 and leaves the rest to the umask.
  umask(077);
  if (absl::Status s = ValidateNodeConfig(config); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid config: ", s.message()));
  }
  auto cert = ReadSmallFile(config.api_tls().cert_file());
  if (!cert.ok()) return cert.status();
  // Private keys readable by other local accounts are refused before anything is read.
  if (absl::Status s = crypto::CheckKeyFileIsPrivate(config.api_tls().key_file(), "TLS key");
      !s.ok()) {
    return s;
  }
  auto key = ReadSmallFile(config.api_tls().key_file());
  if (!key.ok()) return key.status();
  auto ca = ReadSmallFile(config.api_tls().client_ca_file());
  if (!ca.ok()) return ca.status();

  auto node = absl::WrapUnique(new Node());
  node->specs_ = std::move(modules);
  ENLACE_RETURN_IF_ERROR(node->StartOps(config));
  if (!config.testing_clock_file().empty()) {
    node->testing_clock_ = std::make_unique<FileClock>(config.testing_clock_file());
    node->clock_ = node->testing_clock_.get();
  }
  auto store = storage::Store::Open(NodeStoreOptions(config, node->specs_));
  if (!store.ok()) return store.status();
  node->store_ = *std::move(store);
  if (on_store_open) ENLACE_RETURN_IF_ERROR(on_store_open(node->store_.get()));
  auto committer = txn::Committer::Create(node->store_.get(), config.country());
  if (!committer.ok()) return committer.status();
  node->committer_ = *std::move(committer);
  // A commit that may or may not be durable leaves the committer's counters possibly behind
  // the store; it refuses further commits, and the node exits crash-only (as on a lost lease,
  // services/node/main.cc) so the supervisor or the standby restarts it and Create reloads
  // the outbox and audit heads from the store.
  node->committer_->SetOnOutcomeUnknown([](const absl::Status& s) {
    log::Error("enlace-node", "commit_outcome_unknown", s.ToString());
    _exit(75);
  });
  node->committer_->SetCommitObserver(
      [metrics = node->metrics_.get()](int transactions, absl::Duration write) {
        metrics->ObserveCommit(transactions, write);
      });
  const auto& sec = config.security();
  if (!sec.disable_sealing()) {
    auto keys = crypto::LoadMasterKeys(sec.master_key_file());
    if (!keys.ok()) return keys.status();
    auto vault = crypto::KeyVault::Open(KeysDir(config), *keys);
    if (!vault.ok()) return vault.status();
    node->vault_ = *std::move(vault);
    node->master_key_file_ = sec.master_key_file();
  }
  if (node->vault_ != nullptr) {
    // Envelopes wait in the outbox until acknowledged; their payloads are sealed meanwhile.
    auto outbox_key = node->vault_->DataKey("outbox");
    if (!outbox_key.ok() && outbox_key.status().code() == absl::StatusCode::kNotFound) {
      outbox_key = node->vault_->CreateDataKey("outbox");
    }
    if (!outbox_key.ok()) return outbox_key.status();
    node->committer_->SetOutboxKey(*outbox_key);
  }
  // The log must reach the last signed audit head, kept in the vault directory where damage
  // to the data directory cannot take it along (common/audit/audit_head.h).
  const std::string audit_head_file =
      node->vault_ == nullptr ? std::string() : audit::AuditHeadPath(KeysDir(config));
  if (!audit_head_file.empty()) {
    if (absl::Status s =
            audit::CheckLogReachesHeadFile(node->store_.get(), *node->committer_, audit_head_file);
        !s.ok()) {
      return s;
    }
  }
  authz::AuthorizerOptions ao;
  ao.country = config.country();
  if (sec.rate_per_second() > 0) ao.rate_per_second = sec.rate_per_second();
  if (sec.rate_burst() > 0) ao.burst = sec.rate_burst();
  if (!config.api_tls().crl_file().empty()) {
    // CRLs of this node's client CA and of the members' CAs (the manifest as it is now).
    const std::string client_ca_file = config.api_tls().client_ca_file();
    const std::string manifest_file = config.federation().manifest_file();
    auto watcher = revocation::RevocationWatcher::Create(
        config.api_tls().crl_file(), [client_ca_file, manifest_file] {
          std::vector<std::string> cas;
          if (auto ca = ReadSmallFile(client_ca_file); ca.ok()) cas.push_back(*ca);
          if (manifest_file.empty()) return cas;
          auto text = ReadSmallFile(manifest_file);
          if (!text.ok()) return cas;
          if (auto manifest = federation::ParseManifest(*text); manifest.ok()) {
            for (const auto& m : manifest->members()) cas.push_back(m.tls_ca_pem());
          }
          return cas;
        });
    if (!watcher.ok()) return watcher.status();
    node->revocation_ = *std::move(watcher);
    ao.revoked = [w = node->revocation_.get()](absl::string_view pem) {
      return w->IsRevoked(pem);
    };
  }
  node->authorizer_ = std::make_unique<authz::Authorizer>(ao, node->committer_.get());
  // The secretariat holds no person and no case: it has no registry at all.
  if (!config.secretariat()) {
    cases::Registry::Options options;
    options.country = config.country();
    for (const auto& p : config.posts()) options.post_codes.push_back(p.code());
    options.vault = node->vault_.get();
    options.audit_reads = !sec.disable_read_audit();
    // The node's one clock (a file a test moves, NodeConfig.testing_clock_file): cases carry
    // the same times the modules that count and expire them read.
    options.clock = [clock = node->clock_] { return clock->Now(); };
    auto registry =
        cases::Registry::Create(std::move(options), node->store_.get(), node->committer_.get());
    if (!registry.ok()) return registry.status();
    node->registry_ = *std::move(registry);
  }
  node->pool_ =
      std::make_unique<ThreadPool>(config.worker_threads() > 0 ? config.worker_threads() : 32);
  if (config.has_federation()) {
    const auto& fc = config.federation();
    federation::FederationOptions fo;
    fo.self = config.country();
    fo.listen_address = fc.address();
    fo.manifest_file = fc.manifest_file();
    if (absl::Status s = crypto::CheckKeyFileIsPrivate(fc.signing_key_file(), "signing key");
        !s.ok()) {
      return s;
    }
    if (!fc.key_file().empty()) {
      if (absl::Status s = crypto::CheckKeyFileIsPrivate(fc.key_file(), "federation TLS key");
          !s.ok()) {
        return s;
      }
    }
    auto signing_key = ReadSmallFile(fc.signing_key_file());
    if (!signing_key.ok()) return signing_key.status();
    fo.signing_key_pem = *signing_key;
    auto audit_signer = crypto::Signer::FromPem(*signing_key);
    auto public_pem = crypto::Ed25519PublicPem(*signing_key);
    if (!audit_signer.ok()) return audit_signer.status();
    if (!public_pem.ok()) return public_pem.status();
    auto audit_key = crypto::Verifier::FromPem(*public_pem);
    if (!audit_key.ok()) return audit_key.status();
    node->audit_signer_ = *std::move(audit_signer);
    node->audit_key_ = *std::move(audit_key);
    auto fcert = fc.cert_file().empty() ? cert : ReadSmallFile(fc.cert_file());
    auto fkey = fc.key_file().empty() ? key : ReadSmallFile(fc.key_file());
    if (!fcert.ok()) return fcert.status();
    if (!fkey.ok()) return fkey.status();
    fo.tls = {*fcert, *fkey};
    // The files are watched (listener) and re-read at each dial (senders): rotation needs no
    // restart. The listener's client roots (the members' CAs) go to a file in data_dir.
    fo.tls.cert_file = fc.cert_file().empty() ? config.api_tls().cert_file() : fc.cert_file();
    fo.tls.key_file = fc.key_file().empty() ? config.api_tls().key_file() : fc.key_file();
    fo.roots_file = config.data_dir() + "/federation_client_roots.pem";
    if (fc.window() > 0) fo.sender.window = fc.window();
    auto federation = federation::Federation::Create(std::move(fo), node->store_.get(),
                                                     node->committer_.get(), node->pool_.get());
    if (!federation.ok()) return federation.status();
    node->federation_ = *std::move(federation);
  }
  ENLACE_RETURN_IF_ERROR(node->StartModules(config, audit_head_file));
  audit::CheckpointerOptions co;
  co.actor = absl::StrCat("node/", config.country());
  co.head_file = audit_head_file;
  auto checkpointer = audit::Checkpointer::Create(node->store_.get(), node->committer_.get(),
                                                  node->audit_signer_.get(), co);
  if (!checkpointer.ok()) return checkpointer.status();
  node->checkpointer_ = *std::move(checkpointer);
  node->checkpointer_->Start();
  ENLACE_RETURN_IF_ERROR(node->Serve(config));
  node->AddCollectors();
  node->phase_ = Phase::kServing;
  return node;
}

absl::Status Node::StartOps(const v1::NodeConfig& config) {
  metrics_ = std::make_unique<ops::Metrics>();
  if (config.ops().address().empty()) return absl::OkStatus();
  ops::OpsHandlers handlers;
  handlers.ready = [this] { return Readiness(); };
  handlers.metrics = [this] { return metrics_->Render(); };
  auto server = ops::OpsServer::Start(config.ops().address(), std::move(handlers));
  if (!server.ok()) return server.status();
  ops_server_ = *std::move(server);
  if (!config.ops().port_file().empty()) {
    // Written atomically so a watcher never reads a half-written port.
    const std::string& path = config.ops().port_file();
    const std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp);
      out << ops_server_->port() << "\n";
      if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
      return absl::UnavailableError(absl::StrCat("cannot write ", path));
    }
  }
  return absl::OkStatus();
}

void Node::AddCollectors() {
  metrics_->AddCollector([this] {
    return NodeFamilies(committer_->LastAuditSeq(), authorizer_->rate_limited(),
                        Readiness().ok());
  });
  metrics_->AddCollector([this] {
    auto stats = store_->GetStats();
    return stats.ok() ? StoreFamilies(*stats) : std::vector<ops::PulledFamily>();
  });
  if (federation_ != nullptr) {
    metrics_->AddCollector([this] {
      auto status = federation_->Status();
      return status.ok() ? FederationFamilies(*status) : std::vector<ops::PulledFamily>();
    });
  }
}

absl::Status Node::Readiness() const {
  switch (phase_.load()) {
    case Phase::kStarting:
      return absl::UnavailableError("starting (opening the store and vault, loading the manifest)");
    case Phase::kServing:
      return absl::OkStatus();
    case Phase::kDraining:
      return absl::UnavailableError("draining");
    case Phase::kStopped:
      return absl::UnavailableError("stopped");
  }
  return absl::UnavailableError("unknown");
}

void Node::BeginDrain() {
  phase_ = Phase::kDraining;
  if (server_ != nullptr) server_->GetHealthCheckService()->SetServingStatus(false);
}

absl::Status Node::StartModules(const v1::NodeConfig& config, const std::string& audit_head_file) {
  federation::Federation* fed = federation_.get();
  ModuleContext ctx;
  ctx.config = &config;
  ctx.store = store_.get();
  ctx.committer = committer_.get();
  ctx.vault = vault_.get();
  ctx.authorizer = authorizer_.get();
  ctx.pool = pool_.get();
  ctx.clock = clock_;
  ctx.registry = registry_.get();
  ctx.audit_key = audit_key_.get();
  ctx.audit_head_file = audit_head_file;
  ctx.peers = [fed]() { return fed ? fed->Peers() : std::vector<std::string>(); };
  ctx.secretariats = [fed]() {
    return fed ? fed->Secretariats() : std::vector<std::string>();
  };
  ctx.find = [this](absl::string_view name) -> Module* {
    for (const auto& m : modules_) {
      if (m->name() == name) return m.get();
    }
    return nullptr;
  };
  for (const ModuleSpec& spec : specs_) {
    auto module = spec.create(ctx);
    if (!module.ok()) {
      return absl::Status(module.status().code(),
                          absl::StrCat("module ", spec.name, ": ", module.status().message()));
    }
    modules_.push_back(*std::move(module));
  }
  for (const auto& m : modules_) {
    Module* module = m.get();
    // An erasure tells every member that received a copy about the person, in the
    // erasure's own transaction (invariant 9).
    if (registry_ != nullptr) {
      registry_->AddErasureHook(
          [module](const std::string& person, const std::vector<std::string>& linked,
                   txn::Transaction& txn) { return module->OnPersonErased(person, linked, txn); });
    }
    module->Start();
  }
  if (fed == nullptr) return absl::OkStatus();
  // Every handler is in place before the first envelope can arrive.
  for (const auto& m : modules_) {
    for (const Module::Handler& h : m->Handlers()) fed->inbox()->RegisterHandler(h.kind, h.handler);
    Module* module = m.get();
    fed->AddBootstrap([module](const std::string& peer, txn::Transaction& txn) {
      return module->BootstrapPeer(peer, txn);
    });
  }
  if (revocation_ != nullptr) {
    fed->SetRevocationCheck(
        [w = revocation_.get()](absl::string_view pem) { return w->IsRevoked(pem); });
  }
  ENLACE_RETURN_IF_ERROR(fed->Start());
  federation_admin_ =
      std::make_unique<federation::FederationAdminServiceImpl>(fed, pool_.get(), authorizer_.get());
  return absl::OkStatus();
}

absl::Status Node::Serve(const v1::NodeConfig& config) {
  // Certificates, key and client CA are re-read from disk when they change (checked every
  // second), so a rotation needs no restart and drops no connection. gRPC's TLS never
  // negotiates below TLS 1.2.
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      config.api_tls().key_file(), config.api_tls().cert_file(), config.api_tls().client_ca_file(),
      /*refresh_interval_sec=*/1);
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_root_certs();
  tls.watch_identity_key_cert_pairs();
  tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // A second node on the same port must fail loudly, not silently share it.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(4 << 20);
  builder.AddListeningPort(config.api_address(), grpc::experimental::TlsServerCredentials(tls),
                           &api_port_);
  // grpc.health.v1.Health answers for "" (the node) and for each service by its full name
  // ("enlace.cases.v1.CaseService"), as `grpc_health_probe -service=NAME` asks; an unknown
  // name is NOT_FOUND. Shutdown turns them all NOT_SERVING.
  std::vector<std::string> served = {"grpc.reflection.v1alpha.ServerReflection"};
  for (const auto& m : modules_) {
    for (const Module::Service& service : m->Services()) {
      ENLACE_RETURN_IF_ERROR(authz::CheckServiceDeclaresAccess(service.full_name));
      builder.RegisterService(service.service);
      served.push_back(service.full_name);
    }
  }
  if (federation_admin_ != nullptr) {
    ENLACE_RETURN_IF_ERROR(authz::CheckServiceDeclaresAccess(
        federation::v1::FederationAdminService::service_full_name()));
    builder.RegisterService(federation_admin_.get());
    served.push_back(federation::v1::FederationAdminService::service_full_name());
  }
  // Every call is counted and timed by method and code (and logged in the JSON format).
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> observers;
  observers.push_back(
      std::make_unique<ops::RpcObserverFactory>(metrics_.get(), ops::MethodsOf(served)));
  builder.experimental().SetInterceptorCreators(std::move(observers));
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || api_port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config.api_address()));
  }
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  for (const std::string& service : served) health->SetServingStatus(service, true);
  health->SetServingStatus(true);
  return absl::OkStatus();
}

std::vector<std::string> Node::ServedServices() const {
  std::vector<std::string> served;
  for (const auto& m : modules_) {
    for (const Module::Service& service : m->Services()) served.push_back(service.full_name);
  }
  if (federation_admin_ != nullptr) {
    served.push_back(federation::v1::FederationAdminService::service_full_name());
  }
  return served;
}

absl::Status Node::ReloadMasterKeys() {
  if (vault_ == nullptr) return absl::OkStatus();
  auto keys = crypto::LoadMasterKeys(master_key_file_);
  if (!keys.ok()) return keys.status();
  if (keys->current() == vault_->current_version()) return absl::OkStatus();
  return vault_->Rotate(*std::move(keys));
}

absl::Status Node::Shutdown(absl::Duration drain) {
  if (shut_down_) return absl::OkStatus();
  shut_down_ = true;
  BeginDrain();
  // In-flight calls get `drain` to finish; later ones are cancelled.
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoSeconds(drain));
  server_->Wait();
  if (federation_ != nullptr) federation_->Shutdown();
  for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) (*it)->Stop();
  pool_.reset();  // runs whatever was already handed to the workers
  authorizer_->FlushDenialSummaries(/*all=*/true);  // counts of denials not audited one by one
  // The last checkpoint seals everything the node wrote, so a clean stop leaves no unsealed tail.
  absl::Status sealed = checkpointer_->Stop();
  // A scrape must not read the store while it closes; /healthz stays up until the end.
  metrics_->ClearCollectors();
  absl::Status closed = store_->Close();
  phase_ = Phase::kStopped;
  if (ops_server_ != nullptr) ops_server_->Stop();
  return sealed.ok() ? closed : sealed;
}

Node::~Node() {
  if (!shut_down_ && server_ != nullptr) Shutdown(absl::ZeroDuration()).IgnoreError();
}

}  // namespace enlace::node
