#include "common/authz/authorizer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/authz/policy.h"

namespace enlace::authz {

absl::StatusOr<Caller> Authorizer::Authorize(absl::string_view method,
                                             const grpc::AuthContext* context) {
  return Authorize(method, CallerFromAuthContext(context));
}

absl::StatusOr<Caller> Authorizer::Authorize(absl::string_view method,
                                             absl::StatusOr<Caller> caller) {
  if (!caller.ok()) {
    AuditDenial(method, "(unidentified)", caller.status());
    return caller.status();
  }
  if (caller->country != options_.country) {
    absl::Status s = absl::PermissionDeniedError(
        absl::StrCat("identities of ", caller->country, " have no access to the node of ",
                     options_.country));
    AuditDenial(method, caller->identity, s);
    return s;
  }
  if (!PolicyAllows(method, caller->role)) {
    absl::Status s = absl::PermissionDeniedError(
        absl::StrCat("role ", RoleName(caller->role), " may not call ", method));
    AuditDenial(method, caller->identity, s);
    return s;
  }
  if (!TakeToken(caller->identity)) {
    absl::Status s = absl::ResourceExhaustedError(
        absl::StrCat("rate limit of ", options_.rate_per_second,
                     " calls per second exceeded for this identity; retry later"));
    AuditDenial(method, caller->identity, s);
    return s;
  }
  return caller;
}

bool Authorizer::TakeToken(const std::string& identity) {
  const absl::Time now = absl::Now();
  absl::MutexLock l(&mu_);
  if (buckets_.size() > 100000) buckets_.clear();  // bounded memory under identity churn
  auto [it, inserted] = buckets_.try_emplace(identity, Bucket{options_.burst, now});
  Bucket& b = it->second;
  b.tokens = std::min(options_.burst,
                      b.tokens + absl::ToDoubleSeconds(now - b.last) * options_.rate_per_second);
  b.last = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

void Authorizer::AuditDenial(absl::string_view method, const std::string& actor,
                             const absl::Status& why) {
  if (committer_ == nullptr) return;
  txn::Transaction txn;
  enlace::audit::v1::AuditRecord r;
  r.set_actor(actor.substr(0, 512));
  r.set_action(std::string(method));
  r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_DENIED);
  r.set_detail(std::string(why.message().substr(0, 300)));
  txn.audit.push_back(std::move(r));
  committer_->Commit(txn).IgnoreError();  // a failed audit write must not hide the denial
}

}  // namespace enlace::authz
