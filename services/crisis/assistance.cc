// Members acting for each other's nationals: one member asks another to act in an area where
// it has no post; both keep the request (the exchanged-record core), the acting member is the
// only writer of its state and tells the asking member every change.

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/crypto/sealed_record.h"
#include "common/ids/ids.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/proto_time.h"
#include "services/crisis/crisis.h"
#include "services/crisis/keys.h"

namespace enlace::crisis {

absl::StatusOr<v1::AssistanceRequest> Crises::RequestAssistance(
    const v1::RequestAssistanceRequest& request, const Caller& caller) {
  ENLACE_ASSIGN_OR_RETURN(const std::string parent, CheckParent(request.parent()));
  v1::AssistanceRequest a = request.assistance();
  ENLACE_ASSIGN_OR_RETURN(const v1::Crisis crisis, LiveCrisis(a.crisis(), "assistance.crisis"));
  FieldViolations v;
  CheckRequestId(request.request_id(), v);
  const std::vector<std::string> peers = peers_();
  if (a.to_country() == self_ ||
      std::find(peers.begin(), peers.end(), a.to_country()) == peers.end()) {
    v.Add("assistance.to_country", "another member of the federation");
  }
  if (std::find(crisis.areas().begin(), crisis.areas().end(), a.area()) == crisis.areas().end()) {
    v.Add("assistance.area", "must be one of the crisis's areas");
  }
  if (a.nationals() < 0 || a.nationals() > 1000000) v.Add("assistance.nationals", "0 to 1000000");
  if (a.request().empty() || a.request().size() > 2000) {
    v.Add("assistance.request", "1-2000 bytes: what is asked");
  }
  if (a.from_post().empty() && config_.posts_size() > 0) a.set_from_post(config_.posts(0).code());
  if (std::none_of(config_.posts().begin(), config_.posts().end(),
                   [&](const auto& p) { return p.code() == a.from_post(); })) {
    v.Add("assistance.from_post", "one of this node's posts");
  }
  if (!v.empty()) return v.ToStatus();
  const std::string request_key = RequestKey(caller, request.request_id());
  storage::ScopedKeyLocks lock(locks_, {request_key});
  ENLACE_ASSIGN_OR_RETURN(std::string earlier, EarlierResult(request_key));
  if (!earlier.empty()) {
    ENLACE_ASSIGN_OR_RETURN(auto l, assistance_.Find(earlier));
    return l.record;
  }
  const std::string id = ids::NewId(clock_->Now());
  a.set_name(assistance_.Name(self_, id));
  a.set_crisis(crisis.name());
  a.set_from_country(self_);
  a.clear_to_post();
  a.set_state(v1::ASSISTANCE_STATE_REQUESTED);
  a.clear_response();
  a.clear_outcome();
  a.set_requested_by(caller.identity);
  a.clear_answered_by();
  *a.mutable_create_time() = ToProtoTime(clock_->Now());
  *a.mutable_update_time() = a.create_time();
  const std::string key = Assistance::OutKey(id);
  ENLACE_ASSIGN_OR_RETURN(std::string sealed,
                          crypto::SealPersonal(vault_, assistance_.KeyOwner(self_, id), a, key));
  txn::Transaction txn;
  txn.batch.Put(cf_, key, sealed);
  txn.batch.Put(cf_, Assistance::OutPostKey(a.from_post(), id), "");
  if (!request_key.empty()) txn.batch.Put(cf_, request_key, a.name());
  txn.envelopes.push_back({a.to_country(), kAssistRequestKind, a.SerializeAsString()});
  txn.Audit(caller.identity, "crisis.RequestAssistance", {a.name(), crisis.name()})
      .set_detail(absl::StrCat("asked of ", a.to_country(), " for ", a.area()));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return a;
}

absl::StatusOr<v1::AssistanceRequest> Crises::RespondToAssistance(
    const v1::RespondToAssistanceRequest& request, const Caller& caller) {
  storage::ScopedKeyLocks lock(locks_, {request.name()});
  ENLACE_ASSIGN_OR_RETURN(auto l, assistance_.Find(request.name()));
  if (!l.incoming) {
    return absl::PermissionDeniedError(
        "only the member asked to act answers; this node asked for it");
  }
  // A request not yet assigned to a post is the supervisors' to take.
  if (caller.role == Role::kOfficer && l.record.to_post().empty()) {
    return absl::PermissionDeniedError("a supervisor assigns the request to a post first");
  }
  ENLACE_RETURN_IF_ERROR(assistance_.CheckAccess(l, caller));
  v1::AssistanceRequest a = l.record;
  const v1::AssistanceState from = a.state();
  const v1::AssistanceState to = request.state();
  const bool answer = from == v1::ASSISTANCE_STATE_REQUESTED &&
                      (to == v1::ASSISTANCE_STATE_ACCEPTED || to == v1::ASSISTANCE_STATE_DECLINED);
  const bool done = from == v1::ASSISTANCE_STATE_ACCEPTED && to == v1::ASSISTANCE_STATE_DONE;
  if (!answer && !done) {
    return absl::FailedPreconditionError(
        absl::StrCat("a request in state ", v1::AssistanceState_Name(from), " cannot become ",
                     v1::AssistanceState_Name(to)));
  }
  FieldViolations v;
  if (request.note().size() > 2000) v.Add("note", "at most 2000 bytes");
  if (done && request.note().empty()) v.Add("note", "required: what was done");
  if (to == v1::ASSISTANCE_STATE_ACCEPTED) {
    std::string post = request.post();
    if (post.empty() && caller.role == Role::kOfficer) post = caller.post;
    if (std::none_of(config_.posts().begin(), config_.posts().end(),
                     [&](const auto& p) { return p.code() == post; })) {
      v.Add("post", "required when accepting: one of this node's posts");
    }
    a.set_to_post(post);
  }
  if (!v.empty()) return v.ToStatus();
  a.set_state(to);
  (done ? a.mutable_outcome() : a.mutable_response())->assign(request.note());
  a.set_answered_by(caller.identity);
  *a.mutable_update_time() = ToProtoTime(clock_->Now());
  std::string from_country, id;
  assistance_.ParseName(a.name(), &from_country, &id);
  ENLACE_ASSIGN_OR_RETURN(std::string sealed,
                          crypto::SealPersonal(vault_, assistance_.KeyOwner(from_country, id), a,
                                               l.key, /*create_key=*/false));
  txn::Transaction txn;
  txn.batch.Put(cf_, l.key, sealed);
  if (to == v1::ASSISTANCE_STATE_ACCEPTED) {
    txn.batch.Put(cf_, Assistance::InPostKey(a.to_post(), from_country, id), "");
  }
  txn.envelopes.push_back({from_country, kAssistUpdateKind, a.SerializeAsString()});
  txn.Audit(caller.identity, "crisis.RespondToAssistance", {a.name(), a.crisis()})
      .set_detail(v1::AssistanceState_Name(to));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return a;
}

absl::StatusOr<v1::ListAssistanceResponse> Crises::ListAssistance(
    const v1::ListAssistanceRequest& request, const Caller& caller) {
  ENLACE_ASSIGN_OR_RETURN(auto page, assistance_.List({request.incoming(), request.post(),
                                                       request.page_size(), request.page_token()},
                                                      caller, "crisis.ListAssistance"));
  v1::ListAssistanceResponse out;
  for (auto& l : page.records) *out.add_requests() = std::move(l.record);
  out.set_next_page_token(page.next_page_token);
  return out;
}

absl::Status Crises::ApplyAssistance(const enlace::federation::v1::EnvelopeBody& body,
                                     txn::Transaction& txn) {
  v1::AssistanceRequest a;
  if (!a.ParseFromString(body.payload())) {
    return absl::InvalidArgumentError("payload is not an AssistanceRequest");
  }
  std::string from, id;
  if (!assistance_.ParseName(a.name(), &from, &id)) {
    return absl::InvalidArgumentError("malformed assistance request name");
  }
  if (body.kind() == kAssistRequestKind) {
    // Only the asking member creates a request, addressed to this node.
    if (from != body.sender() || a.from_country() != body.sender() || a.to_country() != self_ ||
        a.state() != v1::ASSISTANCE_STATE_REQUESTED || !a.to_post().empty()) {
      return absl::InvalidArgumentError("an assistance request not from its asking member");
    }
    const std::string key = Assistance::InKey(from, id);
    ENLACE_ASSIGN_OR_RETURN(auto have, store_->Get(cf_, key));
    if (have.has_value()) return absl::OkStatus();  // a duplicate
    ENLACE_ASSIGN_OR_RETURN(std::string sealed,
                            crypto::SealPersonal(vault_, assistance_.KeyOwner(from, id), a, key));
    txn.batch.Put(cf_, key, sealed);
    return absl::OkStatus();
  }
  // An update: only the member asked to act writes the state, and only forward.
  if (from != self_ || a.to_country() != body.sender()) {
    return absl::InvalidArgumentError("an assistance update not from the member asked to act");
  }
  const std::string key = Assistance::OutKey(id);
  auto l = assistance_.Find(a.name());
  if (absl::IsNotFound(l.status())) {
    return absl::FailedPreconditionError("an update of a request this node never made");
  }
  ENLACE_RETURN_IF_ERROR(l.status());
  if (a.state() <= l->record.state() || a.state() == v1::ASSISTANCE_STATE_REQUESTED) {
    return absl::OkStatus();  // late or repeated
  }
  // What the asking member said stays as it asked it.
  v1::AssistanceRequest merged = l->record;
  merged.set_state(a.state());
  merged.set_to_post(a.to_post());
  merged.set_response(a.response());
  merged.set_outcome(a.outcome());
  merged.set_answered_by(a.answered_by());
  *merged.mutable_update_time() = a.update_time();
  ENLACE_ASSIGN_OR_RETURN(std::string sealed,
                          crypto::SealPersonal(vault_, assistance_.KeyOwner(self_, id), merged, key,
                                               /*create_key=*/false));
  txn.batch.Put(cf_, key, sealed);
  return absl::OkStatus();
}

}  // namespace enlace::crisis
