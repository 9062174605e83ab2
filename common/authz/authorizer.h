#ifndef ENLACE_COMMON_AUTHZ_AUTHORIZER_H_
#define ENLACE_COMMON_AUTHZ_AUTHORIZER_H_

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/identity/caller.h"
#include "common/txn/committer.h"
#include "grpcpp/security/auth_context.h"

namespace enlace::authz {

struct AuthorizerOptions {
  std::string country;  // callers must belong to this node's country
  // Per-identity token bucket: sustained calls per second and burst.
  double rate_per_second = 500;
  double burst = 1000;
};

// Runs before any handler: identifies the caller, applies the policy table and the
// per-identity rate limit. A denial is PERMISSION_DENIED (RESOURCE_EXHAUSTED when over the
// limit) and is written to the audit log.
class Authorizer {
 public:
  // `committer` may be null (no audit, e.g. in unit tests).
  Authorizer(AuthorizerOptions options, txn::Committer* committer)
      : options_(std::move(options)), committer_(committer) {}

  absl::StatusOr<Caller> Authorize(absl::string_view method, const grpc::AuthContext* context);
  // Same, for an already parsed caller (tests, in-process callers).
  absl::StatusOr<Caller> Authorize(absl::string_view method, absl::StatusOr<Caller> caller);

 private:
  bool TakeToken(const std::string& identity);
  void AuditDenial(absl::string_view method, const std::string& actor, const absl::Status& why);

  const AuthorizerOptions options_;
  txn::Committer* committer_;
  struct Bucket {
    double tokens;
    absl::Time last;
  };
  absl::Mutex mu_;
  std::map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace enlace::authz

#endif  // ENLACE_COMMON_AUTHZ_AUTHORIZER_H_
