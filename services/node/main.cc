// enlace-node: one member state's node (see docs/operations.md).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/audit/audit_head.h"
#include "common/audit/audit_log.h"
#include "common/crypto/signing.h"
#include "common/log/log.h"
#include "services/backup/backups.h"
#include "services/federation/sender.h"
#include "services/node/config.h"
#include "services/node/ha.h"
#include "services/node/modules.h"
#include "services/node/node.h"

ABSL_FLAG(std::string, config, "", "Path of the text-format NodeConfig.");
ABSL_FLAG(std::string, data_dir, "", "Overrides config data_dir.");
ABSL_FLAG(std::string, api_address, "", "Overrides config api_address (host:port).");
ABSL_FLAG(std::string, tls_dir, "",
          "Directory holding node.pem, node.key and ca.pem; overrides config api_tls.");
ABSL_FLAG(std::string, port_file, "",
          "Overrides config port_file (gets the API port, then the federation port).");
ABSL_FLAG(std::string, federation_address, "", "Overrides config federation.address.");
ABSL_FLAG(std::string, manifest, "", "Overrides config federation.manifest_file.");
ABSL_FLAG(std::string, signing_key, "", "Overrides config federation.signing_key_file.");
ABSL_FLAG(std::string, master_key, "",
          "Overrides config security.master_key_file (else ENLACE_MASTER_KEY is used).");
ABSL_FLAG(std::string, keys_dir, "", "Overrides config security.keys_dir.");
ABSL_FLAG(std::string, ops_address, "",
          "Overrides config ops.address (host:port of the plain-HTTP ops port: /healthz, "
          "/readyz, /metrics).");
ABSL_FLAG(bool, check, false,
          "Open the store, verify that indexes and counters agree with the records, and exit.");
ABSL_FLAG(bool, verify_audit, false,
          "With the node stopped: verify the audit log (hash chain and checkpoint signatures), "
          "print the report, and exit 0 when clean, 3 when not.");
ABSL_FLAG(std::string, restore_from, "",
          "With the node stopped: restore backup --backup_id from this directory of data store "
          "backups (and its key vault backup from --restore_vault_from, default the config's "
          "backup.vault_dir or DIR.vault) into the config's data_dir and keys_dir, which must be "
          "new or empty, and exit. Then run --check and --verify_audit.");
ABSL_FLAG(std::string, restore_vault_from, "", "Key vault backups for --restore_from.");
ABSL_FLAG(int64_t, backup_id, 0, "The backup --restore_from restores (enlacectl backup list).");

namespace {

// Abseil's mutex deadlock detection (a lock-order graph updated on every Lock) costs 8-11% of
// CreateCase throughput (BENCHMARKS.md). Debian's Abseil is built with it on, so a release
// (NDEBUG) binary turns it off, except under `bazel test` (TEST_TMPDIR set): a test that runs
// this binary as a child still aborts on a lock-order inversion.
bool DeadlockDetectionByDefault() {
#ifdef NDEBUG
  return getenv("TEST_TMPDIR") != nullptr;
#else
  return true;
#endif
}

}  // namespace

ABSL_FLAG(bool, mutex_deadlock_detection, DeadlockDetectionByDefault(),
          "Abseil's mutex deadlock detection (abort on a lock-order cycle). Default: off in "
          "release (-c opt) builds, on in debug builds and under `bazel test`.");

namespace {

int signal_pipe[2] = {-1, -1};

void OnSignal(int signo) {
  const char c = static_cast<char>(signo);
  // Only async-signal-safe work here: wake the main thread.
  (void)!write(signal_pipe[1], &c, 1);
}

int Fail(const absl::Status& s) {
  enlace::log::Error("enlace-node", "error", s.ToString());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Everything the node writes (data, keys, exports, port file) is owner-only.
  umask(077);
  absl::SetProgramUsageMessage("Runs an Enlace country node. Usage: enlace-node --config FILE");
  absl::ParseCommandLine(argc, argv);
  absl::SetMutexDeadlockDetectionMode(absl::GetFlag(FLAGS_mutex_deadlock_detection)
                                          ? absl::OnDeadlockCycle::kAbort
                                          : absl::OnDeadlockCycle::kIgnore);
  if (absl::GetFlag(FLAGS_config).empty()) {
    std::cerr << "enlace-node: --config is required\n";
    return 2;
  }
  auto config = enlace::node::LoadNodeConfig(absl::GetFlag(FLAGS_config));
  if (!config.ok()) return Fail(config.status());
  // Every line from here on is in the configured format (text, or JSON for collectors).
  auto log_format = enlace::log::ParseFormat(config->ops().log_format());
  if (!log_format.ok()) return Fail(log_format.status());
  enlace::log::SetFormat(*log_format);
  // One binary per kind of member, so neither runs as the other by a configuration mistake.
#ifdef ENLACE_SECRETARIAT_BINARY
  constexpr bool kSecretariat = true;
#else
  constexpr bool kSecretariat = false;
#endif
  if (config->secretariat() != kSecretariat) {
    return Fail(absl::InvalidArgumentError(
        kSecretariat ? "enlace-secretariat runs a config with `secretariat: true`"
                     : "a config with `secretariat: true` is run by enlace-secretariat"));
  }
  if (!absl::GetFlag(FLAGS_data_dir).empty()) config->set_data_dir(absl::GetFlag(FLAGS_data_dir));
  if (!absl::GetFlag(FLAGS_api_address).empty()) {
    config->set_api_address(absl::GetFlag(FLAGS_api_address));
  }
  if (!absl::GetFlag(FLAGS_tls_dir).empty()) {
    const std::string dir = absl::GetFlag(FLAGS_tls_dir);
    config->mutable_api_tls()->set_cert_file(dir + "/node.pem");
    config->mutable_api_tls()->set_key_file(dir + "/node.key");
    config->mutable_api_tls()->set_client_ca_file(dir + "/ca.pem");
  }
  if (!absl::GetFlag(FLAGS_port_file).empty()) config->set_port_file(absl::GetFlag(FLAGS_port_file));
  if (!absl::GetFlag(FLAGS_federation_address).empty()) {
    config->mutable_federation()->set_address(absl::GetFlag(FLAGS_federation_address));
  }
  if (!absl::GetFlag(FLAGS_manifest).empty()) {
    config->mutable_federation()->set_manifest_file(absl::GetFlag(FLAGS_manifest));
  }
  if (!absl::GetFlag(FLAGS_master_key).empty()) {
    config->mutable_security()->set_master_key_file(absl::GetFlag(FLAGS_master_key));
  }
  if (!absl::GetFlag(FLAGS_keys_dir).empty()) {
    config->mutable_security()->set_keys_dir(absl::GetFlag(FLAGS_keys_dir));
  }
  if (!absl::GetFlag(FLAGS_signing_key).empty()) {
    config->mutable_federation()->set_signing_key_file(absl::GetFlag(FLAGS_signing_key));
  }
  if (!absl::GetFlag(FLAGS_ops_address).empty()) {
    config->mutable_ops()->set_address(absl::GetFlag(FLAGS_ops_address));
  }

  if (!absl::GetFlag(FLAGS_restore_from).empty()) {
    if (absl::GetFlag(FLAGS_backup_id) <= 0) {
      std::cerr << "enlace-node: --restore_from needs --backup_id=N (enlacectl backup list)\n";
      return 2;
    }
    enlace::backup::RestoreRequest request;
    request.from.dir = absl::GetFlag(FLAGS_restore_from);
    request.from.vault_dir = !absl::GetFlag(FLAGS_restore_vault_from).empty()
                                 ? absl::GetFlag(FLAGS_restore_vault_from)
                                 : !config->backup().vault_dir().empty()
                                       ? config->backup().vault_dir()
                                       : request.from.dir + ".vault";
    request.backup_id = static_cast<uint32_t>(absl::GetFlag(FLAGS_backup_id));
    request.data_dir = config->data_dir();
    if (!config->security().disable_sealing()) request.keys_dir = enlace::node::KeysDir(*config);
    auto restored = enlace::backup::RestoreNode(request);
    if (!restored.ok()) return Fail(restored.status());
    {
      // Links rejoin their peers at their first handshake (services/federation/sender.h).
      auto store = enlace::storage::Store::Open(
          enlace::node::NodeStoreOptions(config->data_dir(), enlace::node::ModulesFor(*config)));
      if (!store.ok()) return Fail(store.status());
      absl::Status marked = enlace::federation::MarkRestored(
          store->get(), absl::StrCat("backup ", restored->id()));
      if (marked.ok()) marked = (*store)->Close();
      if (!marked.ok()) return Fail(marked);
    }
    std::cout << "restored backup " << restored->id() << " (vault backup " << restored->vault_id()
              << ", audit head " << restored->audit_head_seq() << ") into " << request.data_dir
              << (request.keys_dir.empty() ? "" : " and " + request.keys_dir)
              << "\nnext: --check, --verify_audit, then start the node (docs/operations.md, "
                 "\"Restore\")\n";
    return 0;
  }

  if (absl::GetFlag(FLAGS_verify_audit)) {
    // The node's own key checks the checkpoints it signed; a standalone node has none.
    std::unique_ptr<enlace::crypto::Verifier> key;
    if (config->has_federation() && !config->federation().signing_key_file().empty()) {
      auto pem = enlace::node::ReadSmallFile(config->federation().signing_key_file());
      if (!pem.ok()) return Fail(pem.status());
      auto public_pem = enlace::crypto::Ed25519PublicPem(*pem);
      if (!public_pem.ok()) return Fail(public_pem.status());
      auto verifier = enlace::crypto::Verifier::FromPem(*public_pem);
      if (!verifier.ok()) return Fail(verifier.status());
      key = *std::move(verifier);
    }
    // The last signed head, kept in the vault directory: a log that ends before it was
    // truncated or rolled back (common/audit/audit_head.h).
    std::optional<enlace::audit::AuditHead> head;
    if (!config->security().disable_sealing()) {
      auto h = enlace::audit::ReadAuditHead(enlace::audit::AuditHeadPath(
          enlace::node::KeysDir(*config)));
      if (!h.ok()) return Fail(h.status());
      head = *std::move(h);
    }
    // Read-only: a verification never changes the files it judges.
    auto report = enlace::audit::VerifyAuditLogFiles(config->data_dir(), key.get(),
                                                     head ? &*head : nullptr);
    if (!report.ok()) return Fail(report.status());
    std::cout << enlace::audit::FormatReport(*report);
    if (key == nullptr) {
      std::cout << "note: standalone node without a signing key: checkpoints are unsigned\n";
    }
    return report->ok ? 0 : 3;
  }

  if (absl::GetFlag(FLAGS_check)) {
    auto store = enlace::storage::Store::Open(
        enlace::node::NodeStoreOptions(*config, enlace::node::ModulesFor(*config)));
    if (!store.ok()) return Fail(store.status());
    // The secretariat's store holds releases only: opening it is the check.
    if (config->secretariat()) {
      std::cout << "consistent\n";
      return 0;
    }
    enlace::cases::Registry::Options options;
    options.country = config->country();
    for (const auto& p : config->posts()) options.post_codes.push_back(p.code());
    auto committer = enlace::txn::Committer::Create(store->get(), config->country());
    if (!committer.ok()) return Fail(committer.status());
    std::unique_ptr<enlace::crypto::KeyVault> vault;
    if (!config->security().disable_sealing()) {
      auto keys = enlace::crypto::LoadMasterKeys(config->security().master_key_file());
      if (!keys.ok()) return Fail(keys.status());
      auto v = enlace::crypto::KeyVault::Open(enlace::node::KeysDir(*config),
                                              *keys);
      if (!v.ok()) return Fail(v.status());
      vault = *std::move(v);
    }
    options.vault = vault.get();
    auto registry = enlace::cases::Registry::Create(options, store->get(), committer->get());
    if (!registry.ok()) return Fail(registry.status());
    auto problems = (*registry)->CheckConsistency();
    if (!problems.ok()) return Fail(problems.status());
    for (const auto& p : *problems) std::cout << p << "\n";
    std::cout << (problems->empty() ? "consistent" : "INCONSISTENT") << "\n";
    return problems->empty() ? 0 : 3;
  }

  // gRPC has started threads already: handle signals with a self-pipe, not sigwait.
  if (pipe2(signal_pipe, O_CLOEXEC) != 0) return Fail(absl::InternalError("pipe"));
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // An HA pair's standby waits here, serving nothing but its ops port, until it holds the
  // lease; from then on every commit is fenced by the lease's epoch, and losing the lease ends
  // the process (crash-only: the other process of the pair takes over).
  std::unique_ptr<enlace::ha::Lease> lease;
  if (!config->ha().lease_conninfo().empty()) {
    auto held = enlace::node::AwaitLease(*config, signal_pipe[0]);
    if (absl::IsCancelled(held.status())) {
      enlace::log::Info("enlace-node", "stopped", "signal while standby");
      return 0;
    }
    if (!held.ok()) return Fail(held.status());
    lease = *std::move(held);
    lease->StartRenewing([](const absl::Status& lost) {
      enlace::log::Error("enlace-node", "lease_lost", lost.ToString());
      _exit(75);
    });
  }
  const absl::Time started = absl::Now();
  auto node = enlace::node::Node::Start(
      *config, [&lease](enlace::storage::Store* store) -> absl::Status {
        if (lease == nullptr) return absl::OkStatus();
        enlace::ha::FenceStatement fence = lease->Fence();
        absl::Status s = store->SetCommitPrecondition(fence.sql, fence.params);
        if (!s.ok()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "ha: the store cannot fence its commits by the lease (an HA pair needs the "
              "PostgreSQL store): ", s.ToString()));
        }
        return absl::OkStatus();
      });
  if (!node.ok()) return Fail(node.status());
  const int port = (*node)->api_port();
  if (!config->port_file().empty()) {
    // Written atomically so a watcher never reads a half-written port.
    const std::string tmp = config->port_file() + ".tmp";
    {
      std::ofstream out(tmp);
      out << port << "\n" << (*node)->federation_port() << "\n";
    }
    std::rename(tmp.c_str(), config->port_file().c_str());
  }
  enlace::log::Info(
      "enlace-node", "ready",
      absl::StrCat("country ", config->country(), ", ", config->posts_size(),
                   " posts, API (mTLS) on port ", port, ", federation on port ",
                   (*node)->federation_port(),
                   (*node)->ops_port() > 0 ? absl::StrCat(", ops on port ", (*node)->ops_port())
                                           : std::string(),
                   ", ready in ", absl::ToInt64Milliseconds(absl::Now() - started), " ms"));

  char c = 0;
  while (true) {
    if (read(signal_pipe[0], &c, 1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (c != SIGHUP) break;
    // SIGHUP: re-read the federation manifest and the master key file now.
    if ((*node)->federation() != nullptr) {
      absl::Status s = (*node)->federation()->ReloadManifest();
      enlace::log::Write({s.ok() ? enlace::log::Level::kInfo : enlace::log::Level::kError,
                          "enlace-node", "manifest_reload",
                          absl::StrCat("SIGHUP, manifest reload: ", s.ToString())});
    }
    absl::Status keys = (*node)->ReloadMasterKeys();
    enlace::log::Write({keys.ok() ? enlace::log::Level::kInfo : enlace::log::Level::kError,
                        "enlace-node", "master_keys_reload",
                        absl::StrCat("SIGHUP, master keys: ", keys.ToString())});
  }
  enlace::log::Info("enlace-node", "draining",
                    absl::StrCat("signal ", static_cast<int>(c), ", draining"));
  const int drain = config->drain_seconds() > 0 ? config->drain_seconds() : 10;
  absl::Status s = (*node)->Shutdown(absl::Seconds(drain));
  if (!s.ok()) return Fail(s);
  if (lease != nullptr) {
    // The standby takes over now rather than when the term runs out.
    lease->StopRenewing();
    absl::Status released = lease->Release();
    enlace::log::Info("enlace-node", "lease_released", released.ToString());
  }
  enlace::log::Info("enlace-node", "stopped", "store closed cleanly");
  return 0;
}
