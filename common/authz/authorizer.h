#ifndef ENLACE_COMMON_AUTHZ_AUTHORIZER_H_
#define ENLACE_COMMON_AUTHZ_AUTHORIZER_H_

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/identity/caller.h"
#include "common/txn/committer.h"
#include "grpcpp/security/auth_context.h"

namespace enlace::authz {

struct AuthorizerOptions {
  std::string country;  // callers must belong to this node's country
  // Per-identity token bucket: sustained calls per second and burst. Refused calls take a
  // token too, so a flood of denied calls is throttled like any other.
  double rate_per_second = 500;
  double burst = 1000;
  // Denials of one identity written to the audit log one by one per window; further ones in
  // the window are counted and written as one summary record when the window ends, so a
  // denial flood cannot grow the log (each record a synced write) without bound.
  int audited_denials_per_window = 20;
  absl::Duration denial_window = absl::Minutes(1);
  // Injected in tests; never the wall clock there.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Whether the peer's certificate (PEM) is revoked (the node's CRL file); unset: none is.
  // Asked on every call, so a revocation reaches connections already open.
  std::function<bool(absl::string_view cert_pem)> revoked;
};

// Runs before any handler: identifies the caller, applies the per-identity rate limit and the
// policy table. A denial is PERMISSION_DENIED (RESOURCE_EXHAUSTED when over the limit) and is
// audited, within the bound above.
class Authorizer {
 public:
  // `committer` may be null (no audit, e.g. in unit tests).
  Authorizer(AuthorizerOptions options, txn::Committer* committer)
      : options_(std::move(options)), committer_(committer) {}

  absl::StatusOr<Caller> Authorize(absl::string_view method, const grpc::AuthContext* context);
  // Same, for an already parsed caller (tests, in-process callers).
  absl::StatusOr<Caller> Authorize(absl::string_view method, absl::StatusOr<Caller> caller);

  // Audits a refusal decided after authorization (e.g. the domain's scoping rules), within
  // the same per-identity bound as the policy's own denials.
  void AuditRefusal(absl::string_view method, const Caller& caller, const absl::Status& why);

  // Writes the summary records of every denial window that has ended (all of them when
  // `all`). Also done on later calls; the node calls it with `all` before closing the store.
  void FlushDenialSummaries(bool all = false);

  // Calls refused by the rate limit since start (the ops port's metrics).
  int64_t rate_limited() const { return rate_limited_.load(std::memory_order_relaxed); }

 private:
  struct Bucket {
    double tokens;
    absl::Time last;
  };
  struct DenialWindow {
    absl::Time start;
    int audited = 0;
    int64_t suppressed = 0;
    std::string last_method;
  };
  struct Summary {
    std::string actor;
    DenialWindow window;
    absl::Time end;
  };

  bool TakeToken(const std::string& key, absl::Time now);
  // Refuses a call before the policy is consulted (a revoked certificate).
  absl::Status Refuse(absl::string_view method, const std::string& actor, absl::Status why);
  // Writes the summaries of ended windows, at most every tenth of a window.
  void SweepIfDue(absl::Time now);
  std::vector<enlace::audit::v1::AuditRecord> SummaryRecords(
      const std::vector<Summary>& summaries) const;
  void Deny(absl::string_view method, const std::string& actor, const absl::Status& why,
            absl::Time now);
  // Moves ended windows (all when `all`) to `out`.
  void TakeEndedWindows(absl::Time now, bool all, std::vector<Summary>* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WriteAudit(std::vector<enlace::audit::v1::AuditRecord> records);

  const AuthorizerOptions options_;
  txn::Committer* committer_;
  std::atomic<int64_t> rate_limited_{0};
  absl::Mutex mu_;
  std::map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, DenialWindow> denials_ ABSL_GUARDED_BY(mu_);
  absl::Time next_sweep_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace enlace::authz

#endif  // ENLACE_COMMON_AUTHZ_AUTHORIZER_H_
