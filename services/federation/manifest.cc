#include "services/federation/manifest.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <fstream>
#include <iostream>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/geo/geo.h"
#include "common/log/log.h"
#include "common/status/errors.h"
#include "google/protobuf/text_format.h"

namespace enlace::federation {
namespace {

X509* ReadCert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

}  // namespace

absl::StatusOr<v1::FederationManifest> ParseManifest(const std::string& text) {
  if (text.size() > (4 << 20)) return absl::InvalidArgumentError("manifest larger than 4 MiB");
  v1::FederationManifest m;
  if (!google::protobuf::TextFormat::ParseFromString(text, &m)) {
    return absl::InvalidArgumentError("manifest does not parse as text-format protobuf");
  }
  return m;
}

absl::StatusOr<std::shared_ptr<const ManifestSnapshot>> ManifestSnapshot::Build(
    v1::FederationManifest manifest) {
  auto snap = std::make_shared<ManifestSnapshot>();
  FieldViolations v;
  if (manifest.version() <= 0) v.Add("version", "must be positive");
  std::set<std::string> identities;
  for (int i = 0; i < manifest.members_size(); ++i) {
    const auto& m = manifest.members(i);
    const std::string f = absl::StrCat("members[", i, "].");
    // A member state is named by its country; the secretariat by a user-assigned code.
    const bool secretariat = m.kind() == v1::MEMBER_KIND_SECRETARIAT;
    if (secretariat ? !geo::IsUserAssignedCode(m.country()) : !geo::IsCountryCode(m.country())) {
      v.Add(f + "country", secretariat ? "a user-assigned ISO 3166-1 code (e.g. XS)"
                                       : "must be an ISO 3166-1 alpha-2 code");
      continue;
    }
    if (!v1::MemberKind_IsValid(m.kind())) {
      v.Add(f + "kind", "unknown member kind");
      continue;
    }
    if (snap->peers_.count(m.country())) {
      v.Add(f + "country", "duplicate member");
      continue;
    }
    if (m.federation_endpoint().empty() || m.federation_endpoint().find(':') == std::string::npos) {
      v.Add(f + "federation_endpoint", "must be host:port");
    }
    if (m.node_identity().rfind("spiffe://", 0) != 0 || !identities.insert(m.node_identity()).second) {
      v.Add(f + "node_identity", "must be a unique spiffe:// URI");
    }
    auto verifier = crypto::Verifier::FromPem(m.signing_public_key_pem());
    if (!verifier.ok()) v.Add(f + "signing_public_key_pem", verifier.status().message());
    std::vector<std::unique_ptr<crypto::Verifier>> additional;
    for (int k = 0; k < m.additional_signing_public_key_pems_size(); ++k) {
      auto extra = crypto::Verifier::FromPem(m.additional_signing_public_key_pems(k));
      if (!extra.ok()) {
        v.Add(absl::StrCat(f, "additional_signing_public_key_pems[", k, "]"),
              extra.status().message());
        continue;
      }
      additional.push_back(*std::move(extra));
    }
    X509* ca = ReadCert(m.tls_ca_pem());
    if (ca == nullptr) v.Add(f + "tls_ca_pem", "not a PEM certificate");
    X509_free(ca);
    ERR_clear_error();
    if (!v.empty()) continue;
    snap->peers_[m.country()] = Peer{m, *std::move(verifier), std::move(additional)};
  }
  if (!v.empty()) return v.ToStatus();
  snap->manifest_ = std::move(manifest);
  return std::shared_ptr<const ManifestSnapshot>(std::move(snap));
}

const ManifestSnapshot::Peer* ManifestSnapshot::Find(const std::string& country) const {
  auto it = peers_.find(country);
  return it == peers_.end() ? nullptr : &it->second;
}

const ManifestSnapshot::Peer* ManifestSnapshot::FindByIdentity(const std::string& uri) const {
  for (const auto& [c, p] : peers_) {
    if (p.member.node_identity() == uri) return &p;
  }
  return nullptr;
}

bool ManifestSnapshot::IsSecretariat(const std::string& country) const {
  const Peer* p = Find(country);
  return p != nullptr && p->member.kind() == v1::MEMBER_KIND_SECRETARIAT;
}

std::vector<std::string> ManifestSnapshot::Countries() const {
  std::vector<std::string> out;
  for (const auto& [c, p] : peers_) out.push_back(c);
  return out;
}

std::string ManifestSnapshot::AllCaPem() const {
  std::string out;
  for (const auto& [c, p] : peers_) {
    out += p.member.tls_ca_pem();
    if (!out.empty() && out.back() != '\n') out += "\n";
  }
  return out;
}

bool ManifestSnapshot::Peer::VerifySignature(absl::string_view data,
                                              absl::string_view signature) const {
  if (verifier->Verify(data, signature)) return true;
  for (const auto& extra : additional_verifiers) {
    if (extra->Verify(data, signature)) return true;
  }
  return false;
}

bool CertificateIssuedBy(const std::string& leaf_pem, const std::string& ca_pem) {
  X509* leaf = ReadCert(leaf_pem);
  X509* ca = ReadCert(ca_pem);
  bool ok = false;
  if (leaf != nullptr && ca != nullptr) {
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, ca);
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    if (X509_STORE_CTX_init(ctx, store, leaf, nullptr) == 1) {
      ok = X509_verify_cert(ctx) == 1;
    }
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
  }
  X509_free(leaf);
  X509_free(ca);
  ERR_clear_error();
  return ok;
}

absl::StatusOr<std::unique_ptr<ManifestWatcher>> ManifestWatcher::Start(std::string path,
                                                                         absl::Duration poll) {
  auto w = absl::WrapUnique(new ManifestWatcher(std::move(path)));
  if (absl::Status s = w->Reload(); !s.ok()) return s;
  if (poll > absl::ZeroDuration()) {
    w->thread_ = std::thread([p = w.get(), poll] { p->Poll(poll); });
  }
  return w;
}

ManifestWatcher::~ManifestWatcher() {
  {
    absl::MutexLock l(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const ManifestSnapshot> ManifestWatcher::Current() const {
  absl::MutexLock l(&mu_);
  return current_;
}

void ManifestWatcher::AddListener(
    std::function<void(std::shared_ptr<const ManifestSnapshot>)> listener) {
  absl::MutexLock l(&mu_);
  listeners_.push_back(std::move(listener));
}

absl::Status ManifestWatcher::Reload() {
  absl::MutexLock reload(&reload_mu_);
  std::ifstream in(path_, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read manifest ", path_));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  {
    absl::MutexLock l(&mu_);
    if (current_ != nullptr && text == current_text_) return absl::OkStatus();
  }
  auto parsed = ParseManifest(text);
  if (!parsed.ok()) return parsed.status();
  auto snap = ManifestSnapshot::Build(*std::move(parsed));
  if (!snap.ok()) return snap.status();
  std::vector<std::function<void(std::shared_ptr<const ManifestSnapshot>)>> listeners;
  {
    absl::MutexLock l(&mu_);
    if (current_ != nullptr && (*snap)->version() < current_->version()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "manifest version ", (*snap)->version(), " is older than the current ",
          current_->version()));
    }
    // One version, one content: a changed manifest must carry a higher version, or two
    // members could hold different truths under the same number.
    if (current_ != nullptr && (*snap)->version() == current_->version() &&
        (*snap)->manifest().SerializeAsString() != current_->manifest().SerializeAsString()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "manifest version ", (*snap)->version(),
          " has a different content than the one loaded: raise the version to change it"));
    }
    current_ = *snap;
    current_text_ = text;
    listeners = listeners_;
  }
  log::Info("federation", "manifest_loaded",
            absl::StrCat("manifest version ", (*snap)->version(), " with ",
                         (*snap)->Countries().size(), " members"));
  for (auto& f : listeners) f(*snap);
  return absl::OkStatus();
}

void ManifestWatcher::Poll(absl::Duration poll) {
  while (true) {
    {
      absl::MutexLock l(&mu_);
      auto stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stop), poll)) return;
    }
    if (absl::Status s = Reload(); !s.ok()) {
      log::Error("federation", "manifest_refused",
                 absl::StrCat("manifest change ignored: ", s.ToString()));
    }
  }
}

}  // namespace enlace::federation
