#ifndef ENLACE_SERVICES_FEDERATION_MANIFEST_H_
#define ENLACE_SERVICES_FEDERATION_MANIFEST_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/crypto/signing.h"
#include "enlace/federation/v1/manifest.pb.h"

namespace enlace::federation {


// A validated manifest with its keys parsed, immutable once built and shared by readers.
class ManifestSnapshot {
 public:
  struct Peer {
    v1::Member member;
    std::unique_ptr<crypto::Verifier> verifier;
    // member.additional_signing_public_key_pems, parsed (a key rotation in progress).
    std::vector<std::unique_ptr<crypto::Verifier>> additional_verifiers;
    // Whether any of the member's published keys signed `data`.
    bool VerifySignature(absl::string_view data, absl::string_view signature) const;
  };
  static absl::StatusOr<std::shared_ptr<const ManifestSnapshot>> Build(
      v1::FederationManifest manifest);

  const v1::FederationManifest& manifest() const { return manifest_; }
  int64_t version() const { return manifest_.version(); }
  // nullptr when `country` is not a member.
  const Peer* Find(const std::string& country) const;
  // The member whose node identity is `uri`, or nullptr.
  const Peer* FindByIdentity(const std::string& uri) const;
  std::vector<std::string> Countries() const;
  // Whether `country` is the regional secretariat (MEMBER_KIND_SECRETARIAT).
  bool IsSecretariat(const std::string& country) const;
  // Every member's TLS CA, concatenated: the federation listener's client roots.
  std::string AllCaPem() const;

 private:
  v1::FederationManifest manifest_;
  std::map<std::string, Peer> peers_;
};

absl::StatusOr<v1::FederationManifest> ParseManifest(const std::string& text);

// Checks that `pem_chain`'s leaf certificate was issued by the CA in `ca_pem` and is valid now.
// gRPC has already verified the chain against the union of member CAs; this pins each
// identity to its own member's CA, so one member's CA cannot vouch for another member.
bool CertificateIssuedBy(const std::string& leaf_pem, const std::string& ca_pem);

// Holds the current manifest; re-reads the file on Reload() (SIGHUP) and when its contents
// change (polled), and tells listeners. A manifest that fails validation is logged and ignored:
// the node keeps running on the last good one.
class ManifestWatcher {
 public:
  static absl::StatusOr<std::unique_ptr<ManifestWatcher>> Start(std::string path,
                                                                 absl::Duration poll);
  ~ManifestWatcher();

  std::shared_ptr<const ManifestSnapshot> Current() const;
  // Called (on the watcher's thread, or Reload's caller) after each accepted change.
  void AddListener(std::function<void(std::shared_ptr<const ManifestSnapshot>)> listener);
  // Re-reads now; returns the error if the new file is not acceptable.
  absl::Status Reload();

 private:
  ManifestWatcher(std::string path) : path_(std::move(path)) {}
  void Poll(absl::Duration poll);

  const std::string path_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const ManifestSnapshot> current_ ABSL_GUARDED_BY(mu_);
  std::string current_text_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void(std::shared_ptr<const ManifestSnapshot>)>> listeners_
      ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex reload_mu_;  // one reload at a time
  std::thread thread_;
};

}  // namespace enlace::federation

#endif  // ENLACE_SERVICES_FEDERATION_MANIFEST_H_
