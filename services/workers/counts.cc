// Employers' and recruiters' complaint history, shared between members only as verified
// counts by claim type: a supervisor verifies a claim, this member's counts for the claim's
// employer (and recruiter) go up by one, and the new report goes to every member. A report
// carries no claim, case, person or date of a claim: nothing that leads back to a worker.
// Each member is the only writer of its own reports; a higher revision replaces a lower one.

#include <map>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/proto_time.h"
#include "services/workers/keys.h"
#include "services/workers/workers.h"

namespace enlace::workers {

absl::Status Workers::StageVerifiedCount(v1::SubjectKind kind, const std::string& subject,
                                         v1::ClaimType type, txn::Transaction& txn) {
  v1::CountsReport report;
  report.set_member(self_);
  report.set_kind(kind);
  report.set_subject_id(subject);
  ENLACE_ASSIGN_OR_RETURN(int64_t revision,
                          store_->GetCounter(counts_, keys::Revision(kind, subject)));
  report.set_revision(revision + 1);
  *report.mutable_as_of() = ToProtoTime(clock_->Now());
  for (int t = 1; t <= v1::ClaimType_MAX; ++t) {
    if (!v1::ClaimType_IsValid(t)) continue;
    ENLACE_ASSIGN_OR_RETURN(int64_t n, store_->GetCounter(counts_, keys::Verified(kind, subject, t)));
    if (t == type) ++n;
    if (n == 0) continue;
    v1::TypeCount* c = report.add_counts();
    c->set_type(static_cast<v1::ClaimType>(t));
    c->set_count(n);
  }
  txn.batch.AddToCounter(counts_, keys::Verified(kind, subject, type), 1);
  txn.batch.AddToCounter(counts_, keys::Revision(kind, subject), 1);
  const std::string payload = report.SerializeAsString();
  if (revision > 0) txn.batch.Delete(cf_, keys::Report(kind, subject, self_, revision));
  txn.batch.Put(cf_, keys::Report(kind, subject, self_, report.revision()), payload);
  for (const auto& peer : peers_()) txn.envelopes.push_back({peer, kCountsKind, payload});
  return absl::OkStatus();
}

absl::StatusOr<v1::LabourClaim> Workers::VerifyLabourClaim(
    const v1::VerifyLabourClaimRequest& request, const Caller& caller) {
  if (request.etag().empty()) return InvalidField("etag", "required: read the claim first");
  ENLACE_ASSIGN_OR_RETURN(std::string id, IdOf(request.name(), "labourClaims", "name"));
  storage::ScopedKeyLocks lock(locks_, {keys::Claim(id)});
  ENLACE_ASSIGN_OR_RETURN(const v1::LabourClaim before, LoadClaim(request.name()));
  ENLACE_RETURN_IF_ERROR(CheckPost(before.post(), caller));
  if (before.etag() != request.etag()) {
    return absl::AbortedError("etag does not match: read the claim again");
  }
  if (before.verified()) return absl::FailedPreconditionError("the claim is already verified");
  if (before.status() == v1::CLAIM_STATUS_INTAKE ||
      before.status() == v1::CLAIM_STATUS_WITHDRAWN) {
    return absl::FailedPreconditionError(
        "a claim is verified once documented, and never once withdrawn");
  }
  if (before.employer_registry_id().empty() && before.recruiter_licence().empty()) {
    return absl::FailedPreconditionError(
        "the claim names no employer registry id or recruiter licence: nothing to count");
  }
  v1::LabourClaim c = before;
  c.set_verified(true);
  c.set_verified_by(caller.identity);
  const absl::Time now = NextUpdate(before.update_time());
  *c.mutable_verify_time() = ToProtoTime(now);
  *c.mutable_update_time() = ToProtoTime(now);
  c.set_etag(absl::StrCat(absl::ToUnixMicros(now)));
  txn::Transaction txn;
  ENLACE_RETURN_IF_ERROR(StageClaim(id, &before, c, /*create_key=*/false, txn));
  absl::MutexLock counts(&counts_mu_);
  if (!c.employer_registry_id().empty()) {
    ENLACE_RETURN_IF_ERROR(
        StageVerifiedCount(v1::SUBJECT_KIND_EMPLOYER, c.employer_registry_id(), c.type(), txn));
  }
  if (!c.recruiter_licence().empty()) {
    ENLACE_RETURN_IF_ERROR(
        StageVerifiedCount(v1::SUBJECT_KIND_RECRUITER, c.recruiter_licence(), c.type(), txn));
  }
  txn.Audit(caller.identity, "workers.VerifyLabourClaim", {c.name(), c.case_()})
      .set_detail(absl::StrCat("counted for employer ", c.employer_registry_id(),
                               " and recruiter ", c.recruiter_licence(), " as ",
                               v1::ClaimType_Name(c.type())));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return c;
}

absl::StatusOr<v1::EmployerCounts> Workers::GetEmployerCounts(
    const v1::GetEmployerCountsRequest& request, const Caller&) {
  const bool employer = !request.employer_registry_id().empty();
  if (employer == !request.recruiter_licence().empty()) {
    return InvalidField("employer_registry_id",
                        "exactly one of employer_registry_id and recruiter_licence");
  }
  const std::string& subject =
      employer ? request.employer_registry_id() : request.recruiter_licence();
  if (!IsRegistryId(subject)) {
    return InvalidField(employer ? "employer_registry_id" : "recruiter_licence",
                        "1-64 of A-Z a-z 0-9 . / -");
  }
  v1::EmployerCounts out;
  out.set_kind(employer ? v1::SUBJECT_KIND_EMPLOYER : v1::SUBJECT_KIND_RECRUITER);
  out.set_subject_id(subject);
  // Keys are in member, then revision order: each member's last one is its newest.
  std::map<std::string, v1::CountsReport> newest;
  auto it = store_->ScanPrefix(cf_, keys::Reports(out.kind(), subject));
  for (; it->Valid(); it->Next()) {
    v1::CountsReport r;
    if (!r.ParseFromArray(it->value().data(), it->value().size())) {
      return absl::DataLossError("stored counts report corrupt");
    }
    newest[r.member()] = std::move(r);
  }
  ENLACE_RETURN_IF_ERROR(it->status());
  std::map<int, int64_t> totals;
  for (auto& [member, r] : newest) {
    for (const auto& c : r.counts()) totals[c.type()] += c.count();
    *out.add_reports() = std::move(r);
  }
  for (const auto& [type, count] : totals) {
    v1::TypeCount* t = out.add_totals();
    t->set_type(static_cast<v1::ClaimType>(type));
    t->set_count(count);
  }
  return out;
}

absl::Status Workers::Apply(const enlace::federation::v1::EnvelopeBody& body,
                            txn::Transaction& txn) {
  if (body.kind() != kCountsKind) {
    return absl::InvalidArgumentError(absl::StrCat("unknown kind ", body.kind()));
  }
  v1::CountsReport report;
  if (!report.ParseFromString(body.payload())) {
    return absl::InvalidArgumentError("payload is not a CountsReport");
  }
  ENLACE_RETURN_IF_ERROR(ValidateCountsReport(report, body.sender()));
  if (report.member() == self_) return absl::InvalidArgumentError("counts from ourselves");
  // What this store already holds (not what an earlier envelope of this batch staged: the
  // revision in the key keeps the higher of two such reports readable, whatever their order).
  const std::string prefix = keys::Reports(report.kind(), report.subject_id(), report.member());
  std::vector<std::string> older;
  auto it = store_->ScanPrefix(cf_, prefix);
  for (; it->Valid(); it->Next()) {
    int64_t revision = 0;
    if (!absl::SimpleAtoi(it->key().substr(prefix.size()), &revision)) {
      return absl::DataLossError("stored counts report key corrupt");
    }
    if (revision >= report.revision()) return absl::OkStatus();  // a late copy
    older.emplace_back(it->key());
  }
  ENLACE_RETURN_IF_ERROR(it->status());
  for (const auto& key : older) txn.batch.Delete(cf_, key);
  txn.batch.Put(cf_,
                keys::Report(report.kind(), report.subject_id(), report.member(),
                             report.revision()),
                report.SerializeAsString());
  return absl::OkStatus();
}

absl::Status Workers::Bootstrap(const std::string& peer, txn::Transaction& txn) {
  auto it = store_->ScanPrefix(cf_, "P|");
  for (; it->Valid(); it->Next()) {
    // P|{kind}|{subject}|{member}|{revision}: this member's own (one per subject).
    std::vector<absl::string_view> p = absl::StrSplit(it->key(), '|');
    if (p.size() != 5 || p[3] != self_) continue;
    txn.envelopes.push_back({peer, kCountsKind, std::string(it->value())});
  }
  return it->status();
}

}  // namespace enlace::workers
