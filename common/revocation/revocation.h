#ifndef ENLACE_COMMON_REVOCATION_REVOCATION_H_
#define ENLACE_COMMON_REVOCATION_REVOCATION_H_

// Certificate revocation: a user's or a member node's certificate that must no longer be
// accepted, though it has not expired (a stolen laptop, a departed officer, a member's stolen
// node key). The operator puts the CRLs (X.509 v2, PEM, from `devpki revoke` or any CA) in one
// file named by the node's configuration; every call on the API port and every federation
// stream is checked against it, so a revocation takes effect on connections already open.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace enlace::revocation {

// The certificates revoked by a set of CRLs, each verified against the CA that issued it.
class RevocationList {
 public:
  // `crls_pem`: zero or more PEM CRLs. Each must be signed by one of `ca_pems` (PEM
  // certificates; a bundle may hold several): INVALID_ARGUMENT naming the problem for a CRL
  // that does not parse, of an unknown issuer, or whose signature does not verify.
  static absl::StatusOr<RevocationList> Parse(absl::string_view crls_pem,
                                              const std::vector<std::string>& ca_pems);
  RevocationList() = default;

  // Whether the certificate (PEM) is revoked by its issuer's CRL. A certificate that does not
  // parse is reported revoked: nothing unreadable is accepted.
  bool IsRevoked(absl::string_view cert_pem) const;
  size_t size() const { return revoked_.size(); }

 private:
  // (issuer name DER, serial hex)
  std::set<std::pair<std::string, std::string>> revoked_;
};

// The list in a file, re-read when the file changes (checked by stat on every call: a
// revocation written by the operator applies to the next call, with no polling interval).
// A file that turns unreadable or invalid keeps the last good list (and says so in
// last_error()): an operator's typo must not re-admit what was revoked.
class RevocationWatcher {
 public:
  // The file must exist and hold valid CRLs at start (else the error). `ca_pems` is asked on
  // every reload (the federation's members change with the manifest).
  static absl::StatusOr<std::unique_ptr<RevocationWatcher>> Create(
      std::string path, std::function<std::vector<std::string>()> ca_pems);

  bool IsRevoked(absl::string_view cert_pem);
  // Empty when the last reload succeeded.
  std::string last_error() const;
  // Revoked certificates in the current list.
  size_t size() const;

 private:
  struct Stamp {
    dev_t dev = 0;
    ino_t ino = 0;
    int64_t size = -1;
    int64_t mtime_ns = 0;
    bool operator==(const Stamp& o) const {
      return dev == o.dev && ino == o.ino && size == o.size && mtime_ns == o.mtime_ns;
    }
  };
  RevocationWatcher(std::string path, std::function<std::vector<std::string>()> ca_pems)
      : path_(std::move(path)), ca_pems_(std::move(ca_pems)) {}
  // Reloads if the file changed.
  void Refresh() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Load(const Stamp& stamp) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  const std::function<std::vector<std::string>()> ca_pems_;
  mutable absl::Mutex mu_;
  Stamp stamp_ ABSL_GUARDED_BY(mu_);
  RevocationList list_ ABSL_GUARDED_BY(mu_);
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  // Answers for certificates already seen under this list (parsing a certificate on every
  // call would cost more than the call); cleared on reload and when it grows too large.
  absl::flat_hash_map<std::string, bool> seen_ ABSL_GUARDED_BY(mu_);
};

}  // namespace enlace::revocation

#endif  // ENLACE_COMMON_REVOCATION_REVOCATION_H_
