// Employment contracts on a person: one record per contract, the permit number sealed under
// the record's own key, linked to the person so that an erasure reaches it.

#include "absl/strings/str_cat.h"
#include "common/crypto/sealed_record.h"
#include "common/ids/ids.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/person_service.pb.h"
#include "services/workers/keys.h"
#include "services/workers/workers.h"

namespace enlace::workers {
namespace {

namespace cv1 = ::enlace::cases::v1;

std::string Etag(const google::protobuf::Timestamp& update_time) {
  return absl::StrCat(absl::ToUnixMicros(FromProtoTime(update_time)));
}

}  // namespace

absl::StatusOr<v1::Employment> Workers::CreateEmployment(
    const v1::CreateEmploymentRequest& request, const Caller& caller) {
  ENLACE_RETURN_IF_ERROR(CheckParent(request.parent()));
  v1::Employment e = request.employment();
  FieldViolations v;
  if (!request.request_id().empty() && !ids::IsValidRequestId(request.request_id())) {
    v.Add("request_id", "1-64 characters of A-Z a-z 0-9 _ -");
  }
  ValidateEmployment(e, v);
  if (!v.empty()) return v.ToStatus();
  ENLACE_ASSIGN_OR_RETURN(const std::string post, PostFor(e.post(), caller, "employment.post"));
  // The person as the caller may see them (the registry scopes officers and audits the read).
  cv1::GetPersonRequest gp;
  gp.set_name(e.person());
  auto person = registry_->GetPerson(gp, caller);
  if (absl::IsInvalidArgument(person.status()) || absl::IsNotFound(person.status())) {
    return InvalidField("employment.person", "a person of this node: countries/{cc}/persons/{id}");
  }
  ENLACE_RETURN_IF_ERROR(person.status());
  const std::string request_key = keys::Request("employment", caller.identity, request.request_id());
  storage::ScopedKeyLocks lock(locks_, {request_key});
  ENLACE_ASSIGN_OR_RETURN(std::string earlier, EarlierResult(request_key));
  if (!earlier.empty()) {
    v1::GetEmploymentRequest again;
    again.set_name(earlier);
    return GetEmployment(again, caller);
  }
  ENLACE_ASSIGN_OR_RETURN(auto guard, registry_->GuardPerson(person->name()));
  const absl::Time now = clock_->Now();
  const std::string id = ids::NewId(now);
  e.set_name(absl::StrCat("countries/", self_, "/employments/", id));
  e.set_person(person->name());
  e.set_post(post);
  *e.mutable_create_time() = ToProtoTime(now);
  *e.mutable_update_time() = e.create_time();
  e.set_etag(Etag(e.update_time()));
  ENLACE_ASSIGN_OR_RETURN(
      std::string sealed,
      crypto::SealPersonal(vault_, keys::EmploymentOwner(id), e, keys::Employment(id)));
  txn::Transaction txn;
  txn.batch.Put(cf_, keys::Employment(id), sealed);
  txn.batch.Put(cf_, absl::StrCat(keys::PersonEmployments(guard->person_id()), id), "");
  if (!request_key.empty()) txn.batch.Put(cf_, request_key, e.name());
  registry_->LinkToPerson(txn, *guard, keys::EmploymentOwner(id));
  txn.Audit(caller.identity, "workers.CreateEmployment", {e.name(), e.person()})
      .set_detail(v1::Programme_Name(e.programme()));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return e;
}

absl::StatusOr<v1::Employment> Workers::GetEmployment(const v1::GetEmploymentRequest& request,
                                                      const Caller& caller) {
  ENLACE_ASSIGN_OR_RETURN(std::string id, IdOf(request.name(), "employments", "name"));
  v1::Employment e;
  ENLACE_RETURN_IF_ERROR(LoadSealed(keys::Employment(id), request.name(), &e));
  ENLACE_RETURN_IF_ERROR(CheckPost(e.post(), caller));
  txn::Transaction txn;
  txn.Audit(caller.identity, "workers.GetEmployment", {e.name(), e.person()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return e;
}

absl::StatusOr<v1::ListEmploymentsResponse> Workers::ListEmployments(
    const v1::ListEmploymentsRequest& request, const Caller& caller) {
  cv1::GetPersonRequest gp;
  gp.set_name(request.person());
  auto person = registry_->GetPerson(gp, caller);
  if (absl::IsInvalidArgument(person.status())) {
    return InvalidField("person", "countries/{cc}/persons/{id}");
  }
  ENLACE_RETURN_IF_ERROR(person.status());
  const std::string prefix =
      keys::PersonEmployments(request.person().substr(request.person().rfind('/') + 1));
  std::vector<std::string> ids;
  {
    auto it = store_->ScanPrefix(cf_, prefix);
    for (; it->Valid(); it->Next()) ids.emplace_back(it->key().substr(prefix.size()));
    ENLACE_RETURN_IF_ERROR(it->status());
  }
  v1::ListEmploymentsResponse out;
  txn::Transaction txn;
  auto& audit = txn.Audit(caller.identity, "workers.ListEmployments", {request.person()});
  // Ids grow with time: the newest contract first.
  for (auto id = ids.rbegin(); id != ids.rend(); ++id) {
    v1::Employment e;
    ENLACE_RETURN_IF_ERROR(LoadSealed(keys::Employment(*id), *id, &e));
    // An officer sees the contracts its own post keeps.
    if (!CheckPost(e.post(), caller).ok()) continue;
    audit.add_resources(e.name());
    *out.add_employments() = std::move(e);
  }
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return out;
}

}  // namespace enlace::workers
