#include "common/authz/authorizer.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/authz/policy.h"
#include "grpc/grpc_security_constants.h"

namespace enlace::authz {
namespace {

// Callers without a usable identity share one bucket and one denial window.
constexpr char kUnidentified[] = "(unidentified)";
// Bounded memory under identity churn.
constexpr size_t kMaxTracked = 100000;
constexpr char kSuppressedAction[] = "authz.denials_suppressed";

}  // namespace

absl::StatusOr<Caller> Authorizer::Authorize(absl::string_view method,
                                             const grpc::AuthContext* context) {
  absl::StatusOr<Caller> caller = CallerFromAuthContext(context);
  if (caller.ok() && options_.revoked) {
    // The certificate the TLS handshake verified: exactly one.
    auto pems = context->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
    if (pems.size() != 1 ||
        options_.revoked(absl::string_view(pems[0].data(), pems[0].size()))) {
      return Refuse(method, caller->identity,
                    absl::PermissionDeniedError(
                        "the client certificate is revoked (the node's CRL names it): ask your "
                        "ministry's administrator for a new one"));
    }
  }
  return Authorize(method, std::move(caller));
}

absl::Status Authorizer::Refuse(absl::string_view method, const std::string& actor,
                                absl::Status why) {
  const absl::Time now = options_.clock();
  SweepIfDue(now);
  // As any refusal: it costs a token, and it is audited within the denial bound.
  if (!TakeToken(actor, now)) rate_limited_.fetch_add(1, std::memory_order_relaxed);
  Deny(method, actor, why, now);
  return why;
}

absl::StatusOr<Caller> Authorizer::Authorize(absl::string_view method,
                                             absl::StatusOr<Caller> caller) {
  const absl::Time now = options_.clock();
  SweepIfDue(now);
  const std::string actor = caller.ok() ? caller->identity : kUnidentified;
  // The token is taken before the policy is consulted: a refused call costs the caller as
  // much as an accepted one, so denials cannot be sent at line rate.
  if (!TakeToken(actor, now)) {
    rate_limited_.fetch_add(1, std::memory_order_relaxed);
    absl::Status s = absl::ResourceExhaustedError(
        absl::StrCat("rate limit of ", options_.rate_per_second,
                     " calls per second exceeded for this identity; retry later"));
    Deny(method, actor, s, now);
    return s;
  }
  if (!caller.ok()) {
    Deny(method, actor, caller.status(), now);
    return caller.status();
  }
  if (caller->country != options_.country) {
    absl::Status s = absl::PermissionDeniedError(
        absl::StrCat("identities of ", caller->country, " have no access to the node of ",
                     options_.country));
    Deny(method, actor, s, now);
    return s;
  }
  if (!PolicyAllows(method, caller->role)) {
    absl::Status s = absl::PermissionDeniedError(
        absl::StrCat("role ", RoleName(caller->role), " may not call ", method));
    Deny(method, actor, s, now);
    return s;
  }
  return caller;
}

bool Authorizer::TakeToken(const std::string& key, absl::Time now) {
  absl::MutexLock l(&mu_);
  if (buckets_.size() > kMaxTracked) buckets_.clear();
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{options_.burst, now});
  Bucket& b = it->second;
  const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - b.last));
  b.tokens = std::min(options_.burst, b.tokens + elapsed * options_.rate_per_second);
  b.last = std::max(b.last, now);
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

void Authorizer::SweepIfDue(absl::Time now) {
  if (committer_ == nullptr) return;
  std::vector<Summary> ended;
  {
    absl::MutexLock l(&mu_);
    if (now < next_sweep_) return;
    next_sweep_ = now + std::max(absl::Seconds(1), options_.denial_window / 10);
    // Summaries of windows that ended while their identity stayed quiet.
    TakeEndedWindows(now, /*all=*/false, &ended);
  }
  WriteAudit(SummaryRecords(ended));
}

std::vector<enlace::audit::v1::AuditRecord> Authorizer::SummaryRecords(
    const std::vector<Summary>& summaries) const {
  std::vector<enlace::audit::v1::AuditRecord> records;
  for (const Summary& s : summaries) {
    enlace::audit::v1::AuditRecord& r = records.emplace_back();
    r.set_actor(s.actor.substr(0, 512));
    r.set_action(kSuppressedAction);
    r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_DENIED);
    r.set_detail(absl::StrCat(
        s.window.suppressed, " further denied calls of this identity (last: ",
        s.window.last_method.substr(0, 200), ") from ", absl::FormatTime(s.window.start),
        " to ", absl::FormatTime(s.end), " were not recorded one by one (at most ",
        options_.audited_denials_per_window, " per window)"));
  }
  return records;
}

void Authorizer::TakeEndedWindows(absl::Time now, bool all, std::vector<Summary>* out) {
  for (auto it = denials_.begin(); it != denials_.end();) {
    const absl::Time end = it->second.start + options_.denial_window;
    if (all || now >= end) {
      if (it->second.suppressed > 0) {
        out->push_back(Summary{it->first, it->second, std::min(now, end)});
      }
      it = denials_.erase(it);
    } else {
      ++it;
    }
  }
}

void Authorizer::Deny(absl::string_view method, const std::string& actor,
                      const absl::Status& why, absl::Time now) {
  if (committer_ == nullptr) return;
  std::vector<Summary> ended;
  bool audit_this = false;
  {
    absl::MutexLock l(&mu_);
    if (denials_.size() > kMaxTracked) TakeEndedWindows(now, /*all=*/true, &ended);
    auto it = denials_.find(actor);
    if (it != denials_.end() && now >= it->second.start + options_.denial_window) {
      if (it->second.suppressed > 0) {
        ended.push_back(Summary{actor, it->second, it->second.start + options_.denial_window});
      }
      denials_.erase(it);
      it = denials_.end();
    }
    if (it == denials_.end()) it = denials_.emplace(actor, DenialWindow{now}).first;
    DenialWindow& w = it->second;
    if (w.audited < options_.audited_denials_per_window) {
      ++w.audited;
      audit_this = true;
    } else {
      ++w.suppressed;
      w.last_method = std::string(method);
    }
  }
  std::vector<enlace::audit::v1::AuditRecord> records = SummaryRecords(ended);
  if (audit_this) {
    enlace::audit::v1::AuditRecord& r = records.emplace_back();
    r.set_actor(actor.substr(0, 512));
    r.set_action(std::string(method));
    r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_DENIED);
    r.set_detail(std::string(why.message().substr(0, 300)));
  }
  WriteAudit(std::move(records));
}

void Authorizer::AuditRefusal(absl::string_view method, const Caller& caller,
                              const absl::Status& why) {
  Deny(method, caller.identity, why, options_.clock());
}

void Authorizer::FlushDenialSummaries(bool all) {
  std::vector<Summary> ended;
  {
    absl::MutexLock l(&mu_);
    TakeEndedWindows(options_.clock(), all, &ended);
  }
  WriteAudit(SummaryRecords(ended));
}

void Authorizer::WriteAudit(std::vector<enlace::audit::v1::AuditRecord> records) {
  if (committer_ == nullptr || records.empty()) return;
  txn::Transaction txn;
  txn.audit = std::move(records);
  committer_->Commit(txn).IgnoreError();  // a failed audit write must not hide the denial
}

}  // namespace enlace::authz
