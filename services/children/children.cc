#include "services/children/children.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto/sealed_record.h"
#include "common/ids/ids.h"
#include "common/pagetoken/node_secret.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.pb.h"
#include "enlace/cases/v1/person_service.pb.h"

namespace enlace::children {
namespace {

namespace cv1 = ::enlace::cases::v1;

constexpr char kCf[] = "children";

std::string RecordKey(absl::string_view id) { return absl::StrCat("R|", id); }
std::string Owner(absl::string_view id) { return absl::StrCat("child:", id); }
std::string Etag(const v1::ChildRecord& r) {
  return absl::StrCat(absl::ToUnixMicros(FromProtoTime(r.update_time())));
}

}  // namespace

void ChildRecords::AddColumnFamilies(storage::StoreOptions& options) {
  if (std::find(options.column_families.begin(), options.column_families.end(), kCf) ==
      options.column_families.end()) {
    options.column_families.push_back(kCf);
  }
}

ChildRecords::ChildRecords(storage::Store* store, txn::Committer* committer,
                           crypto::KeyVault* vault, cases::Registry* registry,
                           directory::Directory* directory, std::string self,
                           std::function<std::vector<std::string>()> peers, const Clock* clock)
    : store_(store),
      committer_(committer),
      vault_(vault),
      registry_(registry),
      directory_(directory),
      self_(std::move(self)),
      peers_(std::move(peers)),
      clock_(clock),
      cf_(store->cf(kCf)),
      handovers_({self_, "handovers", "handover", store, cf_, vault, committer,
                  NodeSecretOrEphemeral(store, "children_handovers_page_token_secret")}),
      worker_({"children"}, [this] { return SettleAnswers(); }) {}

ChildRecords::~ChildRecords() { worker_.Stop(); }

absl::StatusOr<std::string> ChildRecords::Seal(const std::string& id, const v1::ChildRecord& r,
                                               bool create_key) const {
  v1::ChildRecord stored = r;
  stored.clear_content_withheld();
  return crypto::SealPersonal(vault_, Owner(id), stored, RecordKey(id), create_key);
}

absl::StatusOr<ChildRecords::Loaded> ChildRecords::Load(absl::string_view name) const {
  std::vector<absl::string_view> p = absl::StrSplit(name, '/');
  if (p.size() != 4 || p[0] != "countries" || p[1] != self_ || p[2] != "childRecords" ||
      !ids::IsValidId(p[3])) {
    return InvalidField("name", absl::StrCat("must be countries/", self_, "/childRecords/{id}"));
  }
  Loaded l;
  l.id = std::string(p[3]);
  ENLACE_ASSIGN_OR_RETURN(auto raw, store_->Get(cf_, RecordKey(l.id)));
  if (!raw.has_value()) return absl::NotFoundError(absl::StrCat(name, " not found"));
  ENLACE_ASSIGN_OR_RETURN(bool opened, crypto::OpenRecord(vault_, *raw, RecordKey(l.id), &l.record));
  l.sealed_part_gone = !opened;
  return l;
}

absl::StatusOr<bool> ChildRecords::MaySeeContent(const std::string& post,
                                                 const Caller& caller) const {
  if (caller.role == Role::kSupervisor) return true;
  if (caller.role != Role::kOfficer) return absl::PermissionDeniedError("officers and supervisors");
  if (post != caller.post) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the case belongs to ", post, "; an officer of ", caller.post, " does not see it"));
  }
  ENLACE_ASSIGN_OR_RETURN(auto raw, store_->Get(cf_, absl::StrCat("G|", caller.identity)));
  v1::ChildProtectionGrant grant;
  return raw.has_value() && grant.ParseFromString(*raw) && grant.granted();
}

absl::StatusOr<v1::ChildRecord> ChildRecords::CreateChildRecord(
    const v1::CreateChildRecordRequest& request, const Caller& caller) {
  const absl::Time now = clock_->Now();
  v1::ChildRecord r = request.record();
  FieldViolations v;
  if (!request.request_id().empty() && !ids::IsValidRequestId(request.request_id())) {
    v.Add("request_id", "1-64 characters of A-Z a-z 0-9 _ -");
  }
  ValidateFacts(r, now, v, "record.");
  if (!v.empty()) return v.ToStatus();
  // The case, as its post sees it (the registry applies the officer's scoping and audits).
  cv1::GetCaseRequest gc;
  gc.set_name(r.case_());
  auto kase = registry_->GetCase(gc, caller);
  if (absl::IsInvalidArgument(kase.status())) return InvalidField("record.case", "a case name");
  ENLACE_RETURN_IF_ERROR(kase.status());
  cv1::GetPersonRequest gp;
  gp.set_name(kase->person());
  ENLACE_ASSIGN_OR_RETURN(cv1::Person person,
                          registry_->GetPerson(gp, SystemCaller(self_, "children")));
  if (!IsUnder18(person, now)) {
    return absl::FailedPreconditionError(
        "a child-protection record is for a person under 18 (or who may be: a partial birth "
        "date counts from its latest day)");
  }
  // Officers need the grant to write content; without it they may only learn it exists.
  ENLACE_ASSIGN_OR_RETURN(bool content, MaySeeContent(kase->post(), caller));
  if (!content) return absl::PermissionDeniedError("a child-protection grant is required");
  const std::string request_key =
      request.request_id().empty() ? ""
                                   : absl::StrCat("Q|", caller.identity, "|", request.request_id());
  storage::ScopedKeyLocks lock(locks_, {absl::StrCat("C|", kase->name()), request_key});
  if (!request_key.empty()) {
    ENLACE_ASSIGN_OR_RETURN(auto earlier, store_->Get(cf_, request_key));
    if (earlier.has_value()) {
      v1::GetChildRecordRequest again;
      again.set_name(*earlier);
      return GetChildRecord(again, caller);
    }
  }
  ENLACE_ASSIGN_OR_RETURN(auto existing, store_->Get(cf_, absl::StrCat("C|", kase->name())));
  if (existing.has_value()) {
    return absl::AlreadyExistsError(
        absl::StrCat(kase->name(), " already has a record: ", *existing));
  }
  ENLACE_ASSIGN_OR_RETURN(auto guard, registry_->GuardPerson(kase->person()));
  const std::string id = ids::NewId(now);
  r.set_name(absl::StrCat("countries/", self_, "/childRecords/", id));
  r.set_case_(kase->name());
  r.set_post(kase->post());
  r.set_state(v1::WORKFLOW_STATE_NEW);
  r.clear_assessments();
  r.clear_determination();
  r.clear_tracing();
  r.clear_return_plan();
  r.clear_content_withheld();
  *r.mutable_create_time() = ToProtoTime(now);
  *r.mutable_update_time() = r.create_time();
  r.set_etag(Etag(r));
  ENLACE_ASSIGN_OR_RETURN(std::string sealed, Seal(id, r, /*create_key=*/true));
  txn::Transaction txn;
  txn.batch.Put(cf_, RecordKey(id), sealed);
  txn.batch.Put(cf_, absl::StrCat("C|", kase->name()), r.name());
  if (!request_key.empty()) txn.batch.Put(cf_, request_key, r.name());
  registry_->LinkToPerson(txn, *guard, Owner(id));
  txn.Audit(caller.identity, "children.CreateChildRecord", {r.name(), kase->name()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return r;
}

absl::StatusOr<v1::ChildRecord> ChildRecords::GetChildRecord(
    const v1::GetChildRecordRequest& request, const Caller& caller) {
  ENLACE_ASSIGN_OR_RETURN(Loaded l, Load(request.name()));
  ENLACE_ASSIGN_OR_RETURN(bool content, MaySeeContent(l.record.post(), caller));
  if (!content) return Withheld(l.record);
  txn::Transaction txn;
  txn.Audit(caller.identity, "children.GetChildRecord", {l.record.name(), l.record.case_()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return l.record;
}

absl::StatusOr<v1::ChildRecord> ChildRecords::Change(
    absl::string_view name, absl::string_view etag, const Caller& caller, absl::string_view action,
    const std::function<absl::Status(v1::ChildRecord&)>& change,
    const std::function<absl::Status(const v1::ChildRecord&, txn::Transaction&)>& also) {
  if (etag.empty()) return InvalidField("etag", "required: read the record first");
  storage::ScopedKeyLocks lock(locks_, {std::string(name)});
  ENLACE_ASSIGN_OR_RETURN(Loaded l, Load(name));
  ENLACE_ASSIGN_OR_RETURN(bool content, MaySeeContent(l.record.post(), caller));
  if (!content) return absl::PermissionDeniedError("a child-protection grant is required");
  if (l.record.etag() != etag) return absl::AbortedError("etag does not match: read it again");
  v1::ChildRecord r = l.record;
  ENLACE_RETURN_IF_ERROR(change(r));
  absl::Time now = clock_->Now();
  // Etags are update times: never twice the same, even within one clock tick.
  if (now <= FromProtoTime(l.record.update_time())) {
    now = FromProtoTime(l.record.update_time()) + absl::Microseconds(1);
  }
  *r.mutable_update_time() = ToProtoTime(now);
  r.set_etag(Etag(r));
  // The key exists while the child does: never re-created (an erasure wins).
  ENLACE_ASSIGN_OR_RETURN(std::string sealed, Seal(l.id, r, /*create_key=*/false));
  txn::Transaction txn;
  txn.batch.Put(cf_, RecordKey(l.id), sealed);
  txn.Audit(caller.identity, std::string(action), {r.name(), r.case_()})
      .set_detail(v1::WorkflowState_Name(r.state()));
  if (also) ENLACE_RETURN_IF_ERROR(also(r, txn));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return r;
}

absl::StatusOr<v1::ChildRecord> ChildRecords::UpdateChildRecord(
    const v1::UpdateChildRecordRequest& request, const Caller& caller) {
  const v1::ChildRecord& in = request.record();
  FieldViolations v;
  ValidateFacts(in, clock_->Now(), v, "record.");
  if (!v.empty()) return v.ToStatus();
  return Change(in.name(), in.etag(), caller, "children.UpdateChildRecord",
                [&](v1::ChildRecord& r) {
                  r.set_accompaniment(in.accompaniment());
                  r.set_age_basis(in.age_basis());
                  *r.mutable_concerns() = in.concerns();
                  *r.mutable_care() = in.care();
                  r.set_legal_representative(in.legal_representative());
                  *r.mutable_views_heard() = in.views_heard();
                  r.set_tracing_consent(in.tracing_consent());
                  r.set_assent(in.assent());
                  r.set_override_reason(in.override_reason());
                  return absl::OkStatus();
                });
}

absl::StatusOr<v1::ChildRecord> ChildRecords::AdvanceChildRecord(
    const v1::AdvanceChildRecordRequest& request, const Caller& caller) {
  if (!v1::WorkflowState_IsValid(request.to()) || request.to() == 0) {
    return InvalidField("to", "a workflow state");
  }
  return Change(request.name(), request.etag(), caller, "children.AdvanceChildRecord",
                [&](v1::ChildRecord& r) {
                  ENLACE_RETURN_IF_ERROR(CheckAdvance(r, request.to()));
                  r.set_state(request.to());
                  return absl::OkStatus();
                });
}

absl::StatusOr<v1::ChildRecord> ChildRecords::AddAssessment(const v1::AddAssessmentRequest& request,
                                                            const Caller& caller) {
  FieldViolations v;
  ValidateAssessment(request.assessment(), clock_->Now(), v);
  if (!v.empty()) return v.ToStatus();
  return Change(request.name(), request.etag(), caller, "children.AddAssessment",
                [&](v1::ChildRecord& r) {
                  if (r.state() == v1::WORKFLOW_STATE_CLOSED) {
                    return absl::FailedPreconditionError("the record is closed: reopen it");
                  }
                  v1::Assessment* a = r.add_assessments();
                  *a = request.assessment();
                  a->set_assessor(caller.identity);
                  return absl::OkStatus();
                });
}

absl::StatusOr<v1::ChildRecord> ChildRecords::RequestDetermination(
    const v1::RequestDeterminationRequest& request, const Caller& caller) {
  FieldViolations v;
  ValidateDetermination(request.determination(), v);
  if (!v.empty()) return v.ToStatus();
  return Change(
      request.name(), request.etag(), caller, "children.RequestDetermination",
      [&](v1::ChildRecord& r) {
        if (r.state() != v1::WORKFLOW_STATE_CASE_PLAN) {
          return absl::FailedPreconditionError("a determination is requested from the case plan");
        }
        if (r.assessments_size() == 0) {
          return absl::FailedPreconditionError(
              "a best interests assessment comes before a determination");
        }
        v1::Determination* d = r.mutable_determination();
        *d = request.determination();
        d->set_status(v1::DETERMINATION_STATUS_PENDING);
        d->set_requested_by(caller.identity);
        d->clear_decided_by();
        d->clear_decision_note();
        *d->mutable_request_time() = ToProtoTime(clock_->Now());
        d->clear_decide_time();
        r.set_state(v1::WORKFLOW_STATE_DETERMINATION_PENDING);
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::ChildRecord> ChildRecords::DecideDetermination(
    const v1::DecideDeterminationRequest& request, const Caller& caller) {
  if (request.note().size() > 2000) return InvalidField("note", "at most 2000 bytes");
  return Change(request.name(), request.etag(), caller, "children.DecideDetermination",
                [&](v1::ChildRecord& r) {
                  v1::Determination* d = r.mutable_determination();
                  if (d->status() != v1::DETERMINATION_STATUS_PENDING) {
                    return absl::FailedPreconditionError("no determination is pending");
                  }
                  // Four eyes: whoever asked for it does not decide it.
                  if (d->requested_by() == caller.identity) {
                    return absl::PermissionDeniedError(
                        "the supervisor who requested a determination cannot decide it");
                  }
                  d->set_status(request.approve() ? v1::DETERMINATION_STATUS_APPROVED
                                                  : v1::DETERMINATION_STATUS_REJECTED);
                  d->set_decided_by(caller.identity);
                  d->set_decision_note(request.note());
                  *d->mutable_decide_time() = ToProtoTime(clock_->Now());
                  r.set_state(request.approve() ? v1::WORKFLOW_STATE_DETERMINATION_APPROVED
                                                : v1::WORKFLOW_STATE_CASE_PLAN);
                  return absl::OkStatus();
                });
}

absl::StatusOr<v1::ChildRecord> ChildRecords::AddTracingEntry(
    const v1::AddTracingEntryRequest& request, const Caller& caller) {
  const v1::TracingEntry& e = request.entry();
  FieldViolations v;
  if (e.relation().empty() || e.relation().size() > 100) v.Add("entry.relation", "1-100 bytes");
  if (e.name().size() > 200) v.Add("entry.name", "at most 200 bytes");
  if (e.last_place().size() > 500) v.Add("entry.last_place", "at most 500 bytes");
  if (!v.empty()) return v.ToStatus();
  return Change(request.name(), request.etag(), caller, "children.AddTracingEntry",
                [&](v1::ChildRecord& r) {
                  if (!r.tracing_consent()) {
                    return absl::FailedPreconditionError(
                        "tracing needs the consent recorded on the record (tracing_consent)");
                  }
                  if (r.tracing_size() >= 50) {
                    return absl::ResourceExhaustedError("at most 50 tracing entries");
                  }
                  v1::TracingEntry* added = r.add_tracing();
                  *added = e;
                  added->set_id(r.tracing_size());
                  added->set_status(v1::TRACING_STATUS_OPEN);
                  return absl::OkStatus();
                });
}

absl::StatusOr<v1::ChildRecord> ChildRecords::UpdateTracingEntry(
    const v1::UpdateTracingEntryRequest& request, const Caller& caller) {
  if (request.status() == 0 || !v1::TracingStatus_IsValid(request.status())) {
    return InvalidField("status", "a tracing status");
  }
  return Change(request.name(), request.etag(), caller, "children.UpdateTracingEntry",
                [&](v1::ChildRecord& r) {
                  if (request.id() < 1 || request.id() > r.tracing_size()) {
                    return absl::NotFoundError(absl::StrCat("no tracing entry ", request.id()));
                  }
                  v1::TracingEntry* e = r.mutable_tracing(request.id() - 1);
                  // Forward only, except that a proposed match can be found wrong.
                  const bool back_to_open = e->status() == v1::TRACING_STATUS_MATCH_PROPOSED &&
                                            request.status() == v1::TRACING_STATUS_OPEN;
                  if (request.status() <= e->status() && !back_to_open) {
                    return absl::FailedPreconditionError(absl::StrCat(
                        "tracing entry ", request.id(), " is ", v1::TracingStatus_Name(e->status()),
                        "; it cannot become ", v1::TracingStatus_Name(request.status())));
                  }
                  e->set_status(request.status());
                  return absl::OkStatus();
                });
}

absl::StatusOr<v1::ChildProtectionGrant> ChildRecords::SetChildProtectionGrant(
    const v1::SetChildProtectionGrantRequest& request, const Caller& caller) {
  auto grantee = ParseIdentity(request.identity());
  if (!grantee.ok() || grantee->role != Role::kOfficer || grantee->country != self_) {
    return InvalidField("identity", absl::StrCat("an officer's identity of ", self_));
  }
  if (request.reason().empty() || request.reason().size() > 500) {
    return InvalidField("reason", "1-500 bytes: why the grant is given or taken back");
  }
  v1::ChildProtectionGrant grant;
  grant.set_identity(request.identity());
  grant.set_granted(request.granted());
  grant.set_granted_by(caller.identity);
  *grant.mutable_time() = ToProtoTime(clock_->Now());
  txn::Transaction txn;
  txn.batch.Put(cf_, absl::StrCat("G|", request.identity()), grant.SerializeAsString());
  txn.Audit(caller.identity, "children.SetChildProtectionGrant", {request.identity()})
      .set_detail(absl::StrCat(request.granted() ? "granted: " : "revoked: ", request.reason()));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return grant;
}

}  // namespace enlace::children
