#include "services/federation/federation.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "grpcpp/server_builder.h"

namespace enlace::federation {

namespace {
constexpr char kKnownPrefix[] = "federation|known|";

// Written whole then renamed, so that the listener's file watcher never reads half of it.
absl::Status WriteFileAtomically(const std::string& path, const std::string& data) {
  const std::string tmp = absl::StrCat(path, ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << data;
    out.close();
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot rename ", tmp, " to ", path));
  }
  return absl::OkStatus();
}
}  // namespace

void Federation::AddColumnFamilies(storage::StoreOptions& options) {
  txn::Committer::AddColumnFamilies(options);
  Inbox::AddColumnFamilies(options);
}

Federation::Federation(FederationOptions options, storage::Store* store,
                       txn::Committer* committer, ThreadPool* pool)
    : options_(std::move(options)), store_(store), committer_(committer), pool_(pool) {}

absl::StatusOr<std::unique_ptr<Federation>> Federation::Create(FederationOptions options,
                                                               storage::Store* store,
                                                               txn::Committer* committer,
                                                               ThreadPool* pool) {
  auto f = absl::WrapUnique(new Federation(std::move(options), store, committer, pool));
  auto signer = crypto::Signer::FromPem(f->options_.signing_key_pem);
  if (!signer.ok()) return signer.status();
  f->signer_ = *std::move(signer);
  auto watcher = ManifestWatcher::Start(f->options_.manifest_file, f->options_.manifest_poll);
  if (!watcher.ok()) return watcher.status();
  f->watcher_ = *std::move(watcher);
  if (f->watcher_->Current()->Find(f->options_.self) == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("this node's country ", f->options_.self, " is not in the manifest"));
  }
  f->inbox_ = std::make_unique<Inbox>(store, committer, f->options_.self);
  Federation* raw = f.get();
  f->exchange_ = std::make_unique<ExchangeService>(f->options_.self, f->inbox_.get(), pool,
                                                   [raw] { return raw->watcher_->Current(); });
  return f;
}

Federation::~Federation() { Shutdown(); }

void Federation::AddBootstrap(Bootstrap bootstrap) { bootstraps_.push_back(std::move(bootstrap)); }

void Federation::SetRevocationCheck(std::function<bool(absl::string_view)> revoked) {
  exchange_->SetRevocationCheck(std::move(revoked));
}

absl::Status Federation::Start() {
  auto snapshot = watcher_->Current();
  {
    absl::MutexLock l(&mu_);
    started_ = true;
    if (absl::Status s = StartServerLocked(*snapshot); !s.ok()) return s;
  }
  watcher_->AddListener([this](std::shared_ptr<const ManifestSnapshot> s) { OnManifest(s); });
  OnManifest(snapshot);
  return absl::OkStatus();
}

void Federation::Shutdown() {
  std::map<std::string, std::unique_ptr<Sender>> senders;
  std::unique_ptr<grpc::Server> server;
  {
    absl::MutexLock l(&mu_);
    if (!started_) return;
    started_ = false;
    senders.swap(senders_);
    server = std::move(server_);
  }
  senders.clear();  // joins the sender threads
  if (server != nullptr) {
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server->Wait();
  }
  watcher_.reset();
}

int Federation::port() const {
  absl::MutexLock l(&mu_);
  return port_;
}

absl::Status Federation::StartServerLocked(const ManifestSnapshot& snapshot) {
  const std::string roots = snapshot.AllCaPem();
  if (server_ != nullptr && roots == server_roots_) return absl::OkStatus();
  // The listener's client roots are the members' CAs: a changed membership rebuilds it (the
  // API port is untouched; peers' senders just reconnect).
  std::string address = options_.listen_address;
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
    server_->Wait();
    server_.reset();
    address = absl::StrCat(address.substr(0, address.rfind(':')), ":", port_);
  }
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (!options_.tls.cert_file.empty() && !options_.tls.key_file.empty() &&
      !options_.roots_file.empty()) {
    // As the API port: the files are re-read when they change (checked every second), so a
    // rotated certificate is presented to new connections without a restart.
    if (absl::Status s = WriteFileAtomically(options_.roots_file, roots); !s.ok()) return s;
    auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
        options_.tls.key_file, options_.tls.cert_file, options_.roots_file,
        /*refresh_interval_sec=*/1);
    grpc::experimental::TlsServerCredentialsOptions tls(provider);
    tls.watch_root_certs();
    tls.watch_identity_key_cert_pairs();
    tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    credentials = grpc::experimental::TlsServerCredentials(tls);
  } else {
    grpc::SslServerCredentialsOptions tls(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    tls.pem_root_certs = roots;
    tls.pem_key_cert_pairs.push_back({options_.tls.key_pem, options_.tls.cert_pem});
    credentials = grpc::SslServerCredentials(tls);
  }
  grpc::ServerBuilder builder;
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(static_cast<int>(Inbox::kMaxPayloadBytes) + (64 << 10));
  int port = 0;
  builder.AddListeningPort(address, credentials, &port);
  builder.RegisterService(exchange_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen for federation on ", address));
  }
  port_ = port;
  server_roots_ = roots;
  return absl::OkStatus();
}

void Federation::OnManifest(std::shared_ptr<const ManifestSnapshot> snapshot) {
  {
    absl::MutexLock l(&mu_);
    if (!started_) return;
    if (absl::Status s = StartServerLocked(*snapshot); !s.ok()) {
      log::Error("federation", "listen_failed", s.ToString());
    }
    std::set<std::string> wanted;
    // The secretariat only receives: it has no links of its own.
    const bool self_is_secretariat = snapshot->IsSecretariat(options_.self);
    for (const auto& country : snapshot->Countries()) {
      if (country == options_.self || self_is_secretariat) continue;
      wanted.insert(country);
      const auto* peer = snapshot->Find(country);
      auto it = senders_.find(country);
      if (it != senders_.end() && it->second->endpoint() == peer->member.federation_endpoint() &&
          it->second->peer_ca_pem() == peer->member.tls_ca_pem()) {
        it->second->Nudge();
        continue;
      }
      SenderOptions sender_options = options_.sender;
      sender_options.rebootstrap = [this](const std::string& peer, txn::Transaction& txn) {
        return RebootstrapPeer(peer, txn);
      };
      senders_[country] = std::make_unique<Sender>(
          options_.self, country, peer->member.federation_endpoint(), peer->member.tls_ca_pem(),
          options_.tls, signer_.get(), store_, committer_, std::move(sender_options));
    }
    for (auto it = senders_.begin(); it != senders_.end();) {
      if (wanted.count(it->first) == 0) {
        log::Entry e;
        e.component = "federation";
        e.event = "member_left";
        e.peer = it->first;
        e.message = absl::StrCat(it->first, " left the manifest; link stopped");
        log::Write(e);
        it = senders_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (absl::Status s = BootstrapNewPeers(*snapshot); !s.ok()) {
    log::Error("federation", "bootstrap_failed",
               absl::StrCat("bootstrap of new members failed: ", s.ToString()));
  }
}

absl::Status Federation::BootstrapNewPeers(const ManifestSnapshot& snapshot) {
  for (const auto& country : snapshot.Countries()) {
    // What members replicate to each other is not the secretariat's to hold.
    if (country == options_.self || snapshot.IsSecretariat(country) ||
        snapshot.IsSecretariat(options_.self)) {
      continue;
    }
    const std::string key = absl::StrCat(kKnownPrefix, country);
    auto known = store_->Get(store_->cf("meta"), key);
    if (!known.ok()) return known.status();
    if (known->has_value()) continue;
    // Everything a new member must learn from this node, queued in one transaction together
    // with the marker, so it happens exactly once.
    txn::Transaction txn;
    for (const auto& b : bootstraps_) {
      if (absl::Status s = b(country, txn); !s.ok()) return s;
    }
    txn.batch.Put(store_->cf("meta"), key, "1");
    enlace::audit::v1::AuditRecord r;
    r.set_actor(options_.self);
    r.set_action("federation.member.bootstrapped");
    r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
    r.set_detail(absl::StrCat(country, ": ", txn.envelopes.size(), " envelopes queued"));
    txn.audit.push_back(r);
    if (absl::Status s = committer_->Commit(txn); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Federation::RebootstrapPeer(const std::string& peer, txn::Transaction& txn) {
  // As BootstrapNewPeers: the secretariat holds none of what members replicate.
  auto snapshot = watcher_->Current();
  if (snapshot->IsSecretariat(peer) || snapshot->IsSecretariat(options_.self)) {
    return absl::OkStatus();
  }
  for (const auto& b : bootstraps_) {
    if (absl::Status s = b(peer, txn); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::vector<std::string> Federation::Peers() const {
  std::vector<std::string> out;
  auto snapshot = watcher_->Current();
  for (const auto& c : snapshot->Countries()) {
    if (c != options_.self && !snapshot->IsSecretariat(c)) out.push_back(c);
  }
  return out;
}

std::vector<std::string> Federation::Secretariats() const {
  std::vector<std::string> out;
  auto snapshot = watcher_->Current();
  for (const auto& c : snapshot->Countries()) {
    if (c != options_.self && snapshot->IsSecretariat(c)) out.push_back(c);
  }
  return out;
}

absl::StatusOr<v1::FederationStatus> Federation::Status() const {
  v1::FederationStatus status;
  auto snapshot = watcher_->Current();
  status.set_country(options_.self);
  status.set_manifest_version(snapshot->version());
  absl::MutexLock l(&mu_);
  for (const auto& [country, sender] : senders_) {
    auto* p = status.add_peers();
    p->set_country(country);
    p->set_endpoint(sender->endpoint());
    sender->FillStatus(p);
    auto applied = inbox_->AppliedSeq(country);
    if (applied.ok()) p->set_inbound_applied_seq(*applied);
    auto q = inbox_->QuarantineCount(country);
    if (q.ok()) p->set_quarantined(*q);
    auto refused = inbox_->LastRefusal(country);
    if (refused.ok() && refused->has_value()) *p->mutable_last_inbound_refusal() = **refused;
  }
  // Members this node only receives from (the secretariat receives from every member and
  // sends to none): their inbound side alone.
  for (const std::string& country : snapshot->Countries()) {
    if (country == options_.self || senders_.count(country) > 0) continue;
    auto applied = inbox_->AppliedSeq(country);
    auto q = inbox_->QuarantineCount(country);
    auto refused = inbox_->LastRefusal(country);
    const bool heard = (applied.ok() && *applied > 0) || (q.ok() && *q > 0) ||
                       (refused.ok() && refused->has_value());
    if (!heard) continue;
    auto* p = status.add_peers();
    p->set_country(country);
    if (applied.ok()) p->set_inbound_applied_seq(*applied);
    if (q.ok()) p->set_quarantined(*q);
    if (refused.ok() && refused->has_value()) *p->mutable_last_inbound_refusal() = **refused;
  }
  return status;
}

absl::StatusOr<v1::FederationStatus> Federation::GetFederationStatus(
    const v1::GetFederationStatusRequest&, const Caller&) {
  return Status();
}

absl::StatusOr<v1::ListQuarantineResponse> Federation::ListQuarantine(
    const v1::ListQuarantineRequest& request, const Caller&) {
  return inbox_->ListQuarantine(request);
}

absl::StatusOr<v1::ResumeLinkResponse> Federation::ResumeLink(
    const v1::ResumeLinkRequest& request, const Caller& caller) {
  if (request.reason().empty() || request.reason().size() > 500) {
    return InvalidField("reason", "required: 1-500 bytes saying why the link may go on");
  }
  Sender* sender = nullptr;
  {
    absl::MutexLock l(&mu_);
    auto it = senders_.find(request.country());
    if (it != senders_.end()) sender = it->second.get();
  }
  if (sender == nullptr) {
    return InvalidField("country", "not a peer of this node in the current manifest");
  }
  v1::PeerStatus before;
  sender->FillStatus(&before);
  v1::ResumeLinkResponse response;
  response.set_resumed(before.halted());
  txn::Transaction txn;
  enlace::audit::v1::AuditRecord r;
  r.set_actor(caller.identity);
  r.set_action("federation.ResumeLink");
  r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
  r.set_detail(absl::StrCat(request.country(), before.halted() ? " resumed: " : " was not halted: ",
                            request.reason()));
  txn.audit.push_back(std::move(r));
  if (absl::Status s = committer_->Commit(txn); !s.ok()) return s;
  if (before.halted()) {
    if (absl::Status s = sender->Resume(caller.identity, request.reason()); !s.ok()) return s;
  }
  return response;
}

}  // namespace enlace::federation
