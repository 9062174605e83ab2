// Labour claims on a labour case: their status, the filing deadlines to warn about, and the
// monthly statistics (issue 12) kept in the same commits.

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/crypto/sealed_record.h"
#include "common/geo/geo.h"
#include "common/ids/ids.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.pb.h"
#include "services/workers/keys.h"
#include "services/workers/workers.h"

namespace enlace::workers {
namespace {

namespace cv1 = ::enlace::cases::v1;

std::string Etag(const google::protobuf::Timestamp& update_time) {
  return absl::StrCat(absl::ToUnixMicros(FromProtoTime(update_time)));
}

std::string MonthOf(absl::Time t) {
  return absl::FormatCivilTime(absl::ToCivilMonth(t, absl::UTCTimeZone()));
}

absl::CivilDay Today(const Clock* clock) {
  return absl::ToCivilDay(clock->Now(), absl::UTCTimeZone());
}

}  // namespace

absl::Status Workers::StageClaim(const std::string& id, const v1::LabourClaim* before,
                                 const v1::LabourClaim& after, bool create_key,
                                 txn::Transaction& txn) const {
  ENLACE_ASSIGN_OR_RETURN(
      std::string sealed,
      crypto::SealPersonal(vault_, keys::ClaimOwner(id), after, keys::Claim(id), create_key));
  txn.batch.Put(cf_, keys::Claim(id), sealed);
  // The deadline index holds the claims not yet before their forum.
  if (before != nullptr && IsBeforeFiling(before->status()) &&
      !before->filing_deadline().empty()) {
    txn.batch.Delete(cf_, keys::Deadline(before->filing_deadline(), id));
  }
  if (IsBeforeFiling(after.status()) && !after.filing_deadline().empty()) {
    v1::ClaimDeadline d;
    d.set_claim(after.name());
    d.set_case_(after.case_());
    d.set_post(after.post());
    d.set_type(after.type());
    d.set_status(after.status());
    d.set_filing_deadline(after.filing_deadline());
    txn.batch.Put(cf_, keys::Deadline(after.filing_deadline(), id), d.SerializeAsString());
  }
  const std::string opened = MonthOf(FromProtoTime(after.create_time()));
  if (before == nullptr || before->status() != after.status()) {
    if (before != nullptr) {
      txn.batch.AddToCounter(counts_, keys::Monthly(opened, before->type(), before->status()), -1);
    }
    txn.batch.AddToCounter(counts_, keys::Monthly(opened, after.type(), after.status()), 1);
  }
  const int64_t recovered =
      after.recovered().amount_minor() - (before ? before->recovered().amount_minor() : 0);
  if (recovered != 0) {
    txn.batch.AddToCounter(
        counts_, keys::Recovered(MonthOf(clock_->Now()), after.recovered().currency_code()),
        recovered);
  }
  // The secretariat's release: a claim counts once, at its latest outcome, in the month it
  // reached it (a partial recovery made whole moves from PARTIAL, a correction of that month);
  // what it recovered counts in the month recovered, with the claims that recovered in that
  // currency.
  const stats::Measure& ended = *stats::FindMeasure(stats::kLabourClaimsEnded);
  const std::string now = stats::MonthOf(clock_->Now());
  const std::string outcome = v1::ClaimStatus_Name(after.status());
  if (before != nullptr && before->status() != after.status() &&
      std::find(ended.columns.begin(), ended.columns.end(), outcome) != ended.columns.end()) {
    const std::string key = absl::StrCat("l|", id);
    ENLACE_ASSIGN_OR_RETURN(auto counted, tally_.Recall(key));
    if (counted.has_value()) {
      stats::Facts facts = counted->facts;
      if (!facts.column.empty()) tally_.Add(txn, ended, counted->month, facts, -1);
      facts.column = outcome;
      tally_.Add(txn, ended, now, facts);
      tally_.Remember(txn, key, now, facts);
    }
  }
  if (recovered != 0) {
    const bool first = before == nullptr || before->recovered().amount_minor() == 0;
    tally_.AddAmount(txn, ended, now, after.recovered().currency_code(), recovered,
                     first && after.recovered().amount_minor() > 0 ? 1 : 0);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::LabourClaim> Workers::CreateLabourClaim(
    const v1::CreateLabourClaimRequest& request, const Caller& caller) {
  ENLACE_RETURN_IF_ERROR(CheckParent(request.parent()));
  v1::LabourClaim c = request.claim();
  FieldViolations v;
  if (!request.request_id().empty() && !ids::IsValidRequestId(request.request_id())) {
    v.Add("request_id", "1-64 characters of A-Z a-z 0-9 _ -");
  }
  ValidateClaim(c, v);
  if (!v.empty()) return v.ToStatus();
  // The case as the caller may see it (the registry scopes officers and audits the read).
  cv1::GetCaseRequest gc;
  gc.set_name(c.case_());
  auto kase = registry_->GetCase(gc, caller);
  if (absl::IsInvalidArgument(kase.status()) || absl::IsNotFound(kase.status())) {
    return InvalidField("claim.case", "a case of this node: countries/{cc}/cases/{id}");
  }
  ENLACE_RETURN_IF_ERROR(kase.status());
  if (kase->category() != cv1::CATEGORY_LABOUR) {
    return absl::FailedPreconditionError(
        absl::StrCat(kase->name(), " is not a labour case: claims go on a CATEGORY_LABOUR case"));
  }
  c.clear_employer_registry_id();
  c.clear_recruiter_licence();
  // The secretariat's programme table: claims without a contract are "PROGRAMME_UNSPECIFIED".
  v1::Programme programme = v1::PROGRAMME_UNSPECIFIED;
  if (!c.employment().empty()) {
    auto id = IdOf(c.employment(), "employments", "claim.employment");
    v1::Employment e;
    if (id.ok()) {
      auto loaded = LoadSealed(keys::Employment(*id), c.employment(), &e);
      if (!loaded.ok() && !absl::IsNotFound(loaded)) return loaded;
    }
    if (!id.ok() || e.person() != kase->person()) {
      return InvalidField("claim.employment", "a contract of the case's person");
    }
    programme = e.programme();
    c.set_employer_registry_id(e.employer().registry_id());
    c.set_recruiter_licence(e.recruiter().licence());
  }
  const std::string request_key = keys::Request("claim", caller.identity, request.request_id());
  storage::ScopedKeyLocks lock(locks_, {request_key});
  ENLACE_ASSIGN_OR_RETURN(std::string earlier, EarlierResult(request_key));
  if (!earlier.empty()) {
    v1::GetLabourClaimRequest again;
    again.set_name(earlier);
    return GetLabourClaim(again, caller);
  }
  ENLACE_ASSIGN_OR_RETURN(auto guard, registry_->GuardPerson(kase->person()));
  const absl::Time now = clock_->Now();
  const std::string id = ids::NewId(now);
  c.set_name(absl::StrCat("countries/", self_, "/labourClaims/", id));
  c.set_case_(kase->name());
  c.set_post(kase->post());
  c.set_status(v1::CLAIM_STATUS_INTAKE);
  c.clear_recovered();
  c.clear_verified();
  c.clear_verified_by();
  c.clear_verify_time();
  *c.mutable_create_time() = ToProtoTime(now);
  *c.mutable_update_time() = c.create_time();
  c.set_etag(Etag(c.update_time()));
  txn::Transaction txn;
  ENLACE_RETURN_IF_ERROR(StageClaim(id, nullptr, c, /*create_key=*/true, txn));
  // What the claim counts under when it ends (kept apart: the person may be erased first).
  const std::string programme_key =
      programme != v1::PROGRAMME_UNSPECIFIED && v1::Programme_IsValid(programme)
          ? v1::Programme_Name(programme)
          : "PROGRAMME_UNSPECIFIED";
  tally_.Remember(txn, absl::StrCat("l|", id), stats::MonthOf(now),
                  {kase->post(), kase->host_country(), "", "unknown", "unknown", {programme_key}});
  if (!request_key.empty()) txn.batch.Put(cf_, request_key, c.name());
  registry_->LinkToPerson(txn, *guard, keys::ClaimOwner(id));
  txn.Audit(caller.identity, "workers.CreateLabourClaim", {c.name(), c.case_()})
      .set_detail(v1::ClaimType_Name(c.type()));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return c;
}

absl::StatusOr<v1::LabourClaim> Workers::GetLabourClaim(const v1::GetLabourClaimRequest& request,
                                                        const Caller& caller) {
  ENLACE_ASSIGN_OR_RETURN(v1::LabourClaim c, LoadClaim(request.name()));
  ENLACE_RETURN_IF_ERROR(CheckPost(c.post(), caller));
  txn::Transaction txn;
  txn.Audit(caller.identity, "workers.GetLabourClaim", {c.name(), c.case_()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return c;
}

absl::StatusOr<v1::LabourClaim> Workers::AdvanceLabourClaim(
    const v1::AdvanceLabourClaimRequest& request, const Caller& caller) {
  if (request.to() == 0 || !v1::ClaimStatus_IsValid(request.to())) {
    return InvalidField("to", "a claim status");
  }
  if (request.etag().empty()) return InvalidField("etag", "required: read the claim first");
  ENLACE_ASSIGN_OR_RETURN(std::string id, IdOf(request.name(), "labourClaims", "name"));
  storage::ScopedKeyLocks lock(locks_, {keys::Claim(id)});
  ENLACE_ASSIGN_OR_RETURN(const v1::LabourClaim before, LoadClaim(request.name()));
  ENLACE_RETURN_IF_ERROR(CheckPost(before.post(), caller));
  if (before.etag() != request.etag()) {
    return absl::AbortedError("etag does not match: read the claim again");
  }
  ENLACE_RETURN_IF_ERROR(CheckClaimStep(before.status(), request.to()));
  FieldViolations v;
  ValidateRecovery(before, request.to(), request.recovered(), v);
  if (!v.empty()) return v.ToStatus();
  v1::LabourClaim c = before;
  c.set_status(request.to());
  if (CarriesRecovery(request.to())) *c.mutable_recovered() = request.recovered();
  *c.mutable_update_time() = ToProtoTime(NextUpdate(before.update_time()));
  c.set_etag(Etag(c.update_time()));
  txn::Transaction txn;
  // The key exists while the person does: never re-created (an erasure wins).
  ENLACE_RETURN_IF_ERROR(StageClaim(id, &before, c, /*create_key=*/false, txn));
  txn.Audit(caller.identity, "workers.AdvanceLabourClaim", {c.name(), c.case_()})
      .set_detail(absl::StrCat(v1::ClaimStatus_Name(before.status()), " -> ",
                               v1::ClaimStatus_Name(c.status())));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return c;
}

absl::StatusOr<v1::ListClaimDeadlinesResponse> Workers::ListClaimDeadlines(
    const v1::ListClaimDeadlinesRequest& request, const Caller& caller) {
  ENLACE_RETURN_IF_ERROR(CheckParent(request.parent()));
  if (request.within_days() < 1 || request.within_days() > 366) {
    return InvalidField("within_days", "1-366");
  }
  std::string post = request.post();
  if (caller.role == Role::kOfficer) {
    ENLACE_RETURN_IF_ERROR(CheckPost(post.empty() ? caller.post : post, caller));
    post = caller.post;
  } else if (!post.empty() && !geo::IsPostCode(post)) {
    return InvalidField("post", "a consular post code, e.g. MX-LAX");
  }
  // Dates are the node's clock's, in UTC: a deadline is a day, and a day early is the safe side.
  const absl::CivilDay today = Today(clock_);
  const absl::CivilDay cutoff = today + request.within_days();
  v1::ListClaimDeadlinesResponse out;
  auto it = store_->Scan(cf_, "D|", absl::StrCat("D|", absl::FormatCivilTime(cutoff + 1)));
  for (; it->Valid(); it->Next()) {
    v1::ClaimDeadline d;
    if (!d.ParseFromArray(it->value().data(), it->value().size())) {
      return absl::DataLossError("stored claim deadline corrupt");
    }
    if (!post.empty() && d.post() != post) continue;
    absl::CivilDay day;
    if (!ParseDate(d.filing_deadline(), &day)) continue;
    d.set_days_left(static_cast<int32_t>(day - today));
    *out.add_deadlines() = std::move(d);
  }
  ENLACE_RETURN_IF_ERROR(it->status());
  return out;
}

}  // namespace enlace::workers
