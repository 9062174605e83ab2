// The return handover: the sending member's plan, the receiving member's answers, and the
// answer "received" taken into the record that planned it. Only the receiving member writes a
// handover's state once sent; a received answer reaches the record through a follow-up pass
// under the record's lock (the inbox commits after Apply returns, so Apply never rewrites a
// record an officer may be changing).

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto/sealed_record.h"
#include "common/geo/geo.h"
#include "common/ids/ids.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.pb.h"
#include "enlace/cases/v1/person_service.pb.h"
#include "services/children/children.h"

namespace enlace::children {
namespace {

namespace cv1 = ::enlace::cases::v1;
namespace dv1 = ::enlace::directory::v1;

std::string RecordKey(absl::string_view id) { return absl::StrCat("R|", id); }
std::string IndexKey(absl::string_view handover_id) { return absl::StrCat("H|", handover_id); }
std::string AnswerKey(absl::string_view handover_id, v1::HandoverState state) {
  return absl::StrCat("F|", handover_id, "|", static_cast<int>(state));
}

// What goes back to the sending member: the answer, nothing about the child.
v1::Handover AnswerOf(const v1::Handover& h) {
  v1::Handover a;
  a.set_name(h.name());
  a.set_from_country(h.from_country());
  a.set_to_country(h.to_country());
  a.set_to_post(h.to_post());
  a.set_state(h.state());
  a.set_note(h.note());
  a.set_answered_by(h.answered_by());
  *a.mutable_update_time() = h.update_time();
  return a;
}

// The fields a handover discloses, for the audit record's disclosure.
const std::vector<std::string>& DisclosedFields() {
  static const auto* fields = new std::vector<std::string>{
      "given_names", "family_names",    "birth_date", "sex",          "accompaniment",
      "authority",   "reception_point", "escort",     "handover_time"};
  return *fields;
}

}  // namespace

absl::StatusOr<v1::ChildRecord> ChildRecords::SetReturnPlan(const v1::SetReturnPlanRequest& request,
                                                            const Caller& caller) {
  const absl::Time now = clock_->Now();
  const v1::ReturnPlan& plan = request.plan();
  FieldViolations v;
  ValidateReturnPlan(plan, now, v);
  const std::vector<std::string> peers = peers_();
  if (plan.receiving_country() != self_ &&
      std::find(peers.begin(), peers.end(), plan.receiving_country()) == peers.end()) {
    v.Add("plan.receiving_country", "this member or another member of the federation");
  }
  if (!v.empty()) return v.ToStatus();
  dv1::GetOrganisationRequest g;
  g.set_name(plan.authority());
  auto authority = directory_->GetOrganisation(g, caller);
  if (!authority.ok() ||
      std::find(authority->services().begin(), authority->services().end(),
                dv1::SERVICE_CHILD_PROTECTION) == authority->services().end()) {
    return InvalidField("plan.authority",
                        "an organisation of the shared directory offering child protection");
  }
  std::unique_ptr<cases::Registry::PersonGuard> guard;
  cv1::Person child;
  v1::Handover h;
  const std::string id = ids::NewId(now);
  return Change(
      request.name(), request.etag(), caller, "children.SetReturnPlan",
      [&](v1::ChildRecord& r) -> absl::Status {
        const Caller system = SystemCaller(self_, "children");
        cv1::GetCaseRequest gc;
        gc.set_name(r.case_());
        ENLACE_ASSIGN_OR_RETURN(cv1::Case kase, registry_->GetCase(gc, system));
        cv1::GetPersonRequest gp;
        gp.set_name(kase.person());
        ENLACE_ASSIGN_OR_RETURN(child, registry_->GetPerson(gp, system));
        ENLACE_RETURN_IF_ERROR(CheckReturnAllowed(r, child, plan.receiving_country()));
        ENLACE_ASSIGN_OR_RETURN(guard, registry_->GuardPerson(kase.person()));
        h = HandoverFor(child, r, plan);
        h.set_name(handovers_.Name(self_, id));
        h.set_from_country(self_);
        *h.mutable_create_time() = ToProtoTime(now);
        *h.mutable_update_time() = h.create_time();
        v1::ReturnPlan* p = r.mutable_return_plan();
        *p = plan;
        p->set_handover(h.name());
        p->set_handover_state(v1::HANDOVER_STATE_PROPOSED);
        p->clear_received_by();
        p->clear_answer_time();
        p->clear_answer_note();
        r.set_state(v1::WORKFLOW_STATE_RETURN_PLANNED);
        return absl::OkStatus();
      },
      [&](const v1::ChildRecord& r, txn::Transaction& txn) -> absl::Status {
        const std::string key = Handovers::OutKey(id);
        ENLACE_ASSIGN_OR_RETURN(
            std::string sealed,
            crypto::SealPersonal(vault_, handovers_.KeyOwner(self_, id), h, key));
        txn.batch.Put(cf_, key, sealed);
        txn.batch.Put(cf_, Handovers::OutPostKey(h.from_post(), id), "");
        txn.batch.Put(cf_, IndexKey(id), r.name().substr(r.name().rfind('/') + 1));
        // The copy's key dies with the child (an erasure also tells the receiving member).
        registry_->LinkToPerson(txn, *guard, handovers_.KeyOwner(self_, id));
        auto& audit = txn.Audit(caller.identity, "children.HandoverSent", {h.name(), r.name()});
        audit.set_detail(absl::StrCat("to ", h.to_country()));
        if (h.to_country() != self_) {
          txn.envelopes.push_back({h.to_country(), kHandoverKind, h.SerializeAsString()});
          auto* d = audit.mutable_disclosure();
          d->set_recipient(absl::StrCat("countries/", h.to_country()));
          for (const auto& f : DisclosedFields()) d->add_fields(f);
          d->set_legal_basis(cv1::LegalBasis_Name(cv1::LEGAL_BASIS_CHILD_BEST_INTEREST));
        }
        return absl::OkStatus();
      });
}

absl::Status ChildRecords::CheckHandoverAccess(const Handovers::Located& l,
                                               const Caller& caller) const {
  if (caller.role == Role::kSupervisor) return absl::OkStatus();
  // The receiving side's officers once a post took it; the sending post's on the sending side
  // (and, for a child received by this member itself, before a post took it).
  const bool local = !l.incoming && l.record.to_country() == self_;
  std::string post = l.incoming ? l.record.to_post() : l.record.from_post();
  if (local && !l.record.to_post().empty() && caller.post == l.record.to_post()) {
    post = l.record.to_post();
  }
  if (post.empty()) {
    return absl::PermissionDeniedError("a supervisor assigns the handover to a post first");
  }
  ENLACE_ASSIGN_OR_RETURN(bool content, MaySeeContent(post, caller));
  if (!content) return absl::PermissionDeniedError("a child-protection grant is required");
  return absl::OkStatus();
}

absl::StatusOr<v1::Handover> ChildRecords::GetHandover(const v1::GetHandoverRequest& request,
                                                       const Caller& caller) {
  ENLACE_ASSIGN_OR_RETURN(Handovers::Located l, handovers_.Find(request.name()));
  ENLACE_RETURN_IF_ERROR(CheckHandoverAccess(l, caller));
  l.record.set_personal_data_purged(l.sealed_part_gone);
  txn::Transaction txn;
  txn.Audit(caller.identity, "children.GetHandover", {l.record.name()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return l.record;
}

absl::StatusOr<v1::ListHandoversResponse> ChildRecords::ListHandovers(
    const v1::ListHandoversRequest& request, const Caller& caller) {
  if (caller.role == Role::kOfficer) {
    ENLACE_ASSIGN_OR_RETURN(bool content, MaySeeContent(caller.post, caller));
    if (!content) return absl::PermissionDeniedError("a child-protection grant is required");
  }
  ENLACE_ASSIGN_OR_RETURN(auto page, handovers_.List({request.incoming(), request.post(),
                                                      request.page_size(), request.page_token()},
                                                     caller, "children.ListHandovers"));
  v1::ListHandoversResponse out;
  for (auto& l : page.records) {
    l.record.set_personal_data_purged(l.sealed_part_gone);
    *out.add_handovers() = std::move(l.record);
  }
  out.set_next_page_token(page.next_page_token);
  return out;
}

absl::StatusOr<v1::Handover> ChildRecords::RespondToHandover(
    const v1::RespondToHandoverRequest& request, const Caller& caller) {
  const v1::HandoverState to = request.state();
  FieldViolations v;
  if (to != v1::HANDOVER_STATE_ACCEPTED && to != v1::HANDOVER_STATE_DECLINED &&
      to != v1::HANDOVER_STATE_RECEIVED) {
    v.Add("state", "ACCEPTED, DECLINED or RECEIVED");
  }
  if (request.note().size() > 2000) v.Add("note", "at most 2000 bytes");
  if (to == v1::HANDOVER_STATE_DECLINED && request.note().empty()) {
    v.Add("note", "required when declining: why");
  }
  std::string post = request.post();
  if (to == v1::HANDOVER_STATE_ACCEPTED) {
    if (post.empty() && caller.role == Role::kOfficer) post = caller.post;
    if (!geo::IsPostCode(post) || !absl::StartsWith(post, self_ + "-")) {
      v.Add("post", absl::StrCat("required when accepting: a post of ", self_, " (e.g. ", self_,
                                 "-CAP)"));
    }
  }
  if (!v.empty()) return v.ToStatus();
  storage::ScopedKeyLocks lock(locks_, {request.name()});
  ENLACE_ASSIGN_OR_RETURN(Handovers::Located l, handovers_.Find(request.name()));
  const bool local = !l.incoming && l.record.to_country() == self_;
  if (!l.incoming && !local) {
    return absl::PermissionDeniedError(
        "only the receiving member answers a handover; this node sent it");
  }
  if (caller.role == Role::kOfficer) {
    // Before a post took it, an incoming handover is the supervisors' to assign.
    if (l.record.to_post().empty() && !local) {
      return absl::PermissionDeniedError("a supervisor assigns the handover to a post first");
    }
    if (to == v1::HANDOVER_STATE_ACCEPTED && post != caller.post) {
      return absl::PermissionDeniedError("an officer accepts for its own post");
    }
  }
  ENLACE_RETURN_IF_ERROR(CheckHandoverAccess(l, caller));
  if (l.sealed_part_gone) {
    return absl::FailedPreconditionError("the sending member erased the child's data");
  }
  ENLACE_RETURN_IF_ERROR(CheckHandoverAnswer(l.record.state(), to));
  v1::Handover h = l.record;
  h.set_state(to);
  if (to == v1::HANDOVER_STATE_ACCEPTED) h.set_to_post(post);
  h.set_note(request.note());
  h.set_answered_by(caller.identity);
  absl::Time now = clock_->Now();
  if (now <= FromProtoTime(h.update_time())) now = FromProtoTime(h.update_time()) + absl::Microseconds(1);
  *h.mutable_update_time() = ToProtoTime(now);
  std::string from, id;
  handovers_.ParseName(h.name(), &from, &id);
  txn::Transaction txn;
  if (local) {
    // This member receives the child itself: the answer is applied here as a peer's would be.
    ENLACE_RETURN_IF_ERROR(ApplyHandoverUpdate(AnswerOf(h), txn));
  } else {
    ENLACE_ASSIGN_OR_RETURN(std::string sealed,
                            crypto::SealPersonal(vault_, handovers_.KeyOwner(from, id), h, l.key,
                                                 /*create_key=*/false));
    txn.batch.Put(cf_, l.key, sealed);
    if (to == v1::HANDOVER_STATE_ACCEPTED) {
      txn.batch.Put(cf_, Handovers::InPostKey(post, from, id), "");
    }
    txn.envelopes.push_back({from, kHandoverUpdateKind, AnswerOf(h).SerializeAsString()});
  }
  txn.Audit(caller.identity, "children.RespondToHandover", {h.name()})
      .set_detail(v1::HandoverState_Name(to));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return h;
}

absl::Status ChildRecords::Apply(const enlace::federation::v1::EnvelopeBody& body,
                                 txn::Transaction& txn) {
  if (body.kind() == kHandoversErasedKind) {
    v1::HandoversErased erased;
    if (!erased.ParseFromString(body.payload())) {
      return absl::InvalidArgumentError("payload is not a HandoversErased");
    }
    for (const std::string& name : erased.names()) {
      std::string from, id;
      if (!handovers_.ParseName(name, &from, &id) || from != body.sender()) {
        return absl::PermissionDeniedError("only the sending member erases a handover");
      }
      auto l = handovers_.Find(name);
      if (absl::IsNotFound(l.status())) continue;
      ENLACE_RETURN_IF_ERROR(l.status());
      txn.Audit(body.sender(), "children.handover_erased_at_sender", {name});
      // Destroyed before the inbox commits: a retried envelope finds it unreadable already.
      ENLACE_RETURN_IF_ERROR(handovers_.DestroyKey(from, id));
    }
    return absl::OkStatus();
  }
  v1::Handover h;
  if (!h.ParseFromString(body.payload())) {
    return absl::InvalidArgumentError("payload is not a Handover");
  }
  std::string from, id;
  if (!handovers_.ParseName(h.name(), &from, &id)) {
    return absl::InvalidArgumentError("malformed handover name");
  }
  if (body.kind() == kHandoverKind) {
    // Only the sending member creates a handover, addressed to this node, not yet answered.
    if (from != body.sender() || h.from_country() != body.sender() || h.to_country() != self_ ||
        h.state() != v1::HANDOVER_STATE_PROPOSED || !h.to_post().empty() ||
        !h.answered_by().empty() || !IsWellFormedOffer(h)) {
      return absl::InvalidArgumentError("a handover not from its sending member");
    }
    const std::string key = Handovers::InKey(from, id);
    ENLACE_ASSIGN_OR_RETURN(auto have, store_->Get(cf_, key));
    if (have.has_value()) return absl::OkStatus();  // a duplicate
    ENLACE_ASSIGN_OR_RETURN(std::string sealed,
                            crypto::SealPersonal(vault_, handovers_.KeyOwner(from, id), h, key));
    txn.batch.Put(cf_, key, sealed);
    txn.Audit(body.sender(), "children.HandoverReceived", {h.name()})
        .set_detail(absl::StrCat("from ", from, " for ", h.authority()));
    return absl::OkStatus();
  }
  if (body.kind() == kHandoverUpdateKind) {
    // Only the member that receives the child answers, about a handover this node sent it.
    if (from != self_ || h.to_country() != body.sender()) {
      return absl::InvalidArgumentError("a handover answer not from its receiving member");
    }
    return ApplyHandoverUpdate(h, txn);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown kind ", body.kind()));
}

absl::Status ChildRecords::ApplyHandoverUpdate(const v1::Handover& update,
                                               txn::Transaction& txn) {
  std::string from, id;
  handovers_.ParseName(update.name(), &from, &id);
  auto l = handovers_.Find(update.name());
  if (absl::IsNotFound(l.status())) {
    return absl::FailedPreconditionError("an answer about a handover this node never sent");
  }
  ENLACE_RETURN_IF_ERROR(l.status());
  if (l->record.to_country() != update.to_country()) {
    return absl::InvalidArgumentError("a handover answer from a member it was not sent to");
  }
  if (update.state() <= l->record.state()) return absl::OkStatus();  // late or repeated
  if (absl::Status s = CheckHandoverAnswer(l->record.state(), update.state()); !s.ok()) {
    return absl::InvalidArgumentError(s.message());
  }
  if (update.note().size() > 2000 || update.answered_by().size() > 500 ||
      (update.state() == v1::HANDOVER_STATE_ACCEPTED && !geo::IsPostCode(update.to_post()))) {
    return absl::InvalidArgumentError("a malformed handover answer");
  }
  if (l->sealed_part_gone) return absl::OkStatus();  // the child was erased here
  // What the sending member said stays as it said it.
  v1::Handover merged = l->record;
  merged.set_state(update.state());
  if (update.state() == v1::HANDOVER_STATE_ACCEPTED) merged.set_to_post(update.to_post());
  merged.set_note(update.note());
  merged.set_answered_by(update.answered_by());
  *merged.mutable_update_time() = update.update_time();
  ENLACE_ASSIGN_OR_RETURN(std::string sealed,
                          crypto::SealPersonal(vault_, handovers_.KeyOwner(self_, id), merged,
                                               l->key, /*create_key=*/false));
  txn.batch.Put(cf_, l->key, sealed);
  // The record takes the answer in a follow-up pass, under its own lock.
  txn.batch.Put(cf_, AnswerKey(id, update.state()), "");
  txn.OnCommit(worker_.KickOnCommit());
  return absl::OkStatus();
}

absl::Status ChildRecords::SettleAnswers() {
  std::vector<std::string> pending;
  for (auto it = store_->Scan(cf_, "F|", "F}"); it->Valid(); it->Next()) {
    pending.emplace_back(it->key());
  }
  for (const std::string& marker : pending) {
    std::vector<std::string> p = absl::StrSplit(marker.substr(2), '|');
    int state = 0;
    txn::Transaction txn;
    txn.batch.Delete(cf_, marker);
    if (p.size() != 2 || !absl::SimpleAtoi(p[1], &state)) {
      ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));  // not ours to keep
      continue;
    }
    const std::string& handover_id = p[0];
    ENLACE_ASSIGN_OR_RETURN(auto record_id, store_->Get(cf_, IndexKey(handover_id)));
    auto h = handovers_.Find(handovers_.Name(self_, handover_id));
    if (!record_id.has_value() || !h.ok()) {
      ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
      continue;
    }
    const std::string name = absl::StrCat("countries/", self_, "/childRecords/", *record_id);
    storage::ScopedKeyLocks lock(locks_, {name});
    auto l = Load(name);
    if (!l.ok() || l->sealed_part_gone || l->record.return_plan().handover() != h->record.name() ||
        l->record.return_plan().handover_state() >= state) {
      // Erased, re-planned since, or already taken: nothing to change in the record.
      ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
      continue;
    }
    v1::ChildRecord r = l->record;
    v1::ReturnPlan* plan = r.mutable_return_plan();
    plan->set_handover_state(static_cast<v1::HandoverState>(state));
    plan->set_received_by(h->record.to_post().empty()
                              ? h->record.answered_by()
                              : absl::StrCat(h->record.to_post(), " ", h->record.answered_by()));
    *plan->mutable_answer_time() = h->record.update_time();
    plan->set_answer_note(h->record.note());
    if (state == v1::HANDOVER_STATE_RECEIVED && r.state() == v1::WORKFLOW_STATE_RETURN_PLANNED) {
      r.set_state(v1::WORKFLOW_STATE_HANDED_OVER);
    }
    absl::Time now = clock_->Now();
    if (now <= FromProtoTime(l->record.update_time())) {
      now = FromProtoTime(l->record.update_time()) + absl::Microseconds(1);
    }
    *r.mutable_update_time() = ToProtoTime(now);
    r.set_etag(absl::StrCat(absl::ToUnixMicros(now)));
    ENLACE_ASSIGN_OR_RETURN(std::string sealed, Seal(l->id, r, /*create_key=*/false));
    txn.batch.Put(cf_, RecordKey(l->id), sealed);
    txn.Audit(self_, "children.HandoverAnswered", {r.name(), h->record.name()})
        .set_detail(v1::HandoverState_Name(static_cast<v1::HandoverState>(state)));
    ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  }
  return absl::OkStatus();
}

absl::Status ChildRecords::OnPersonErased(const std::string& person_id,
                                          const std::vector<std::string>& linked_key_owners,
                                          txn::Transaction& txn) {
  ENLACE_ASSIGN_OR_RETURN(auto sent, handovers_.SentCopiesByMember(linked_key_owners));
  for (const auto& [member, names] : sent) {
    if (member == self_) continue;  // no other copy
    v1::HandoversErased erased;
    for (const auto& name : names) erased.add_names(name);
    txn.envelopes.push_back({member, kHandoversErasedKind, erased.SerializeAsString()});
    txn.Audit(self_, "children.handover_erasure_sent", names)
        .set_detail(absl::StrCat("person ", person_id, " erased; told ", member));
  }
  return absl::OkStatus();
}

}  // namespace enlace::children
