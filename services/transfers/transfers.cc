#include "services/transfers/transfers.h"

#include <algorithm>
#include <iostream>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto/personal_split.h"
#include "common/crypto/sealed_record.h"
#include "common/geo/geo.h"
#include "common/ids/ids.h"
#include "common/pagetoken/node_secret.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/testing/sync_point.h"
#include "common/text/fold.h"
#include "common/time/proto_time.h"
#include "services/cases/open_case.h"
#include "services/cases/rules.h"

namespace enlace::transfers {
namespace {

namespace cv1 = ::enlace::cases::v1;

constexpr char kCf[] = "transfers";
constexpr char kRequestsCf[] = "requests";

// Keys: outgoing "o|{id}", incoming "i|{from}|{id}", incoming by post "p|{post}|{from}|{id}",
// outgoing by post "q|{post}|{id}", decided and not yet settled (origin) "s|{id}".
}  // namespace

void Transfers::AddColumnFamilies(storage::StoreOptions& options) {
  for (const char* cf : {kCf, kRequestsCf}) {
    if (std::find(options.column_families.begin(), options.column_families.end(), cf) ==
        options.column_families.end()) {
      options.column_families.push_back(cf);
    }
  }
}

Transfers::Transfers(storage::Store* store, txn::Committer* committer, crypto::KeyVault* vault,
                     cases::Registry* registry, enlace::node::v1::NodeConfig config,
                     std::function<std::vector<std::string>()> peers)
    : store_(store),
      committer_(committer),
      vault_(vault),
      registry_(registry),
      config_(std::move(config)),
      peers_(std::move(peers)),
      cf_(store->cf(kCf)),
      requests_(store->cf(kRequestsCf)),
      records_({config_.country(), "transfers", "transfer", store, store->cf(kCf), vault, committer,
                NodeSecretOrEphemeral(store, "transfers_page_token_secret")}),
      // The node itself opens the case of a transfer it accepts.
      system_(SystemCaller(config_.country(), "transfers")) {}

Transfers::~Transfers() { Stop(); }

void Transfers::Start() { worker_.Start(); }

void Transfers::Stop() { worker_.Stop(); }

absl::StatusOr<std::string> Transfers::Encode(const v1::Transfer& t, const std::string& key,
                                              bool first_write) const {
  std::string from, id;
  records_.ParseName(t.name(), &from, &id);
  // The person, the actions and the case's personal text are sealed (personal marks in
  // transfers.proto and case.proto).
  return crypto::SealPersonal(vault_, records_.KeyOwner(from, id), t, key, first_write);
}

absl::StatusOr<v1::Transfer> Transfers::TransferCase(const v1::TransferCaseRequest& request,
                                                     const Caller& caller) {
  const std::string self = config_.country();
  if (request.parent() != absl::StrCat("countries/", self)) {
    return InvalidField("parent", absl::StrCat("must be countries/", self));
  }
  const v1::Transfer& in = request.transfer();
  FieldViolations v;
  if (in.case_().empty()) v.Add("transfer.case", "required");
  const auto peers = peers_();
  if (std::find(peers.begin(), peers.end(), in.to_country()) == peers.end()) {
    v.Add("transfer.to_country", "not a member of the federation");
  }
  if (!geo::IsPostCode(in.to_post()) || !absl::StartsWith(in.to_post(), in.to_country() + "-")) {
    v.Add("transfer.to_post", "must be a post code of to_country (e.g. GT-TAP)");
  }
  if (in.reason().empty() || in.reason().size() > 500 || !text::IsCleanUtf8(in.reason())) {
    v.Add("transfer.reason", "required, at most 500 bytes of one-line text");
  }
  if (!request.request_id().empty() && !ids::IsValidRequestId(request.request_id())) {
    v.Add("request_id", "1-64 characters of A-Z a-z 0-9 _ -");
  }
  if (!v.empty()) return v.ToStatus();
  std::string request_key;
  if (!request.request_id().empty()) {
    request_key = absl::StrCat("transfer|", caller.identity, "|", request.request_id());
    auto earlier = store_->Get(requests_, request_key);
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) {
      auto l = Find(records_.Name(self, **earlier));
      if (l.ok()) return l->record;
    }
  }
  const std::string id = ids::NewId();
  const std::string name = records_.Name(self, id);
  // The case's one write lock (the registry's), held from the read the snapshot is built
  // from until the commit that sets the transfer lock: no update or action lands in between.
  auto case_lock = registry_->LockCase(in.case_());
  if (!case_lock.ok()) return case_lock.status();
  txn::Transaction txn;
  auto c = registry_->LockForTransfer(**case_lock, name, caller, txn);
  if (!c.ok()) return c.status();
  const absl::Time now = absl::Now();
  std::vector<std::string> withheld;
  if (c->legal_basis() == cv1::LEGAL_BASIS_CONSENT) {
    const auto& consent = c->consent();
    if ((consent.has_withdraw_time() && enlace::FromProtoTime(consent.withdraw_time()) <= now) ||
        (consent.has_expire_time() && enlace::FromProtoTime(consent.expire_time()) <= now) ||
        std::find(consent.scopes().begin(), consent.scopes().end(), cv1::CONSENT_SCOPE_SERVICES) ==
            consent.scopes().end()) {
      return absl::FailedPreconditionError(
          "no legal basis: the person's consent (in force, covering SERVICES) is required to "
          "hand the case to another member");
    }
    withheld.assign(consent.withheld_items().begin(), consent.withheld_items().end());
  }
  // Held from the read of the person to the commit that links the snapshot: an erasure
  // either sees the link or comes first and is refused here.
  auto guard = registry_->GuardPerson(c->person());
  if (!guard.ok()) return guard.status();
  cv1::GetPersonRequest gp;
  gp.set_name(c->person());
  auto person = registry_->GetPerson(gp, caller);
  if (!person.ok()) return person.status();
  auto actions = registry_->AllActions(c->name());
  if (!actions.ok()) return actions.status();

  v1::Transfer t;
  t.set_name(name);
  t.set_case_(c->name());
  t.set_from_country(self);
  t.set_from_post(c->post());
  t.set_to_country(in.to_country());
  t.set_to_post(in.to_post());
  t.set_reason(in.reason());
  t.set_state(v1::STATE_PENDING);
  *t.mutable_case_snapshot() = *c;
  cv1::Person p = *person;
  p.clear_contact();  // local only, never leaves
  auto withheld_has = [&](const char* f) {
    return std::find(withheld.begin(), withheld.end(), f) != withheld.end();
  };
  if (withheld_has("given_names")) p.clear_given_names();
  if (withheld_has("family_names")) p.clear_family_names();
  if (withheld_has("birth_date")) p.clear_birth_date();
  if (withheld_has("documents")) p.clear_documents();
  if (withheld_has("languages")) p.clear_languages();
  if (withheld_has("vulnerabilities")) p.clear_vulnerabilities();
  if (withheld_has("summary")) t.mutable_case_snapshot()->clear_summary();
  *t.mutable_person() = p;
  for (auto& a : *actions) *t.add_actions() = a;
  *t.mutable_create_time() = enlace::ToProtoTime(now);
  auto stored = Encode(t, Records::OutKey(id), /*first_write=*/true);
  if (!stored.ok()) return stored.status();
  txn.batch.Put(cf_, Records::OutKey(id), *stored);
  // The snapshot dies with the person (invariant 9).
  registry_->LinkToPerson(txn, **guard, records_.KeyOwner(self, id));
  txn.batch.Put(cf_, Records::OutPostKey(t.from_post(), id), "");
  if (!request_key.empty()) txn.batch.Put(requests_, request_key, id);
  v1::Transfer wire = t;
  txn.envelopes.push_back({t.to_country(), kOfferKind, wire.SerializeAsString()});
  enlace::audit::v1::AuditRecord a;
  a.set_actor(caller.identity);
  a.set_action("transfers.TransferCase");
  a.add_resources(name);
  a.add_resources(c->name());
  a.add_resources(c->person());
  a.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
  auto* d = a.mutable_disclosure();
  d->set_recipient(absl::StrCat("countries/", t.to_country(), " post ", t.to_post()));
  for (const char* f : {"given_names", "family_names", "birth_date", "documents", "languages",
                        "vulnerabilities", "summary"}) {
    if (!withheld_has(f)) d->add_fields(f);
  }
  d->add_fields("case");
  d->add_fields("actions");
  d->set_legal_basis(cv1::LegalBasis_Name(c->legal_basis()));
  txn.audit.push_back(a);
  ENLACE_TEST_SYNC_POINT("Transfers::TransferCase:BeforeCommit");
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return t;
}

absl::StatusOr<v1::Transfer> Transfers::GetTransfer(const v1::GetTransferRequest& request,
                                                    const Caller& caller) {
  auto l = Find(request.name());
  if (!l.ok()) return l.status();
  ENLACE_RETURN_IF_ERROR(CheckAccess(*l, caller));
  txn::Transaction txn;
  txn.Audit(caller.identity, "transfers.GetTransfer", {request.name()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return l->record;
}

absl::StatusOr<v1::ListTransfersResponse> Transfers::ListTransfers(
    const v1::ListTransfersRequest& request, const Caller& caller) {
  if (request.direction() != v1::DIRECTION_INCOMING &&
      request.direction() != v1::DIRECTION_OUTGOING) {
    return InvalidField("direction", "INCOMING or OUTGOING");
  }
  auto page = records_.List({request.direction() == v1::DIRECTION_INCOMING, request.post(),
                             request.page_size(), request.page_token()},
                            caller, "transfers.ListTransfers");
  if (!page.ok()) return page.status();
  v1::ListTransfersResponse out;
  for (auto& l : page->records) *out.add_transfers() = std::move(l.record);
  out.set_next_page_token(page->next_page_token);
  return out;
}

absl::StatusOr<std::string> Transfers::OpenLocalCase(const v1::Transfer& t, std::string* person) {
  std::string from, id;
  records_.ParseName(t.name(), &from, &id);
  const std::string rid = absl::StrCat("tr-", from, "-", id);
  cv1::Case c = t.case_snapshot();
  c.set_post(t.to_post());
  if (c.status() == cv1::STATUS_UNSPECIFIED) c.set_status(cv1::STATUS_OPEN);
  c.set_opened_from(t.name());  // a fact, rendered at the edge in the reader's language
  auto opened = cases::OpenCaseFor(*registry_, t.person(), std::move(c), rid, system_);
  if (!opened.ok()) return opened.status();
  *person = opened->person;
  for (int i = 0; i < t.actions_size(); ++i) {
    cv1::AddActionRequest aa;
    aa.set_parent(opened->opened.name());
    aa.set_request_id(absl::StrCat(rid, "-a", i));
    cv1::Action* a = aa.mutable_action();
    *a = t.actions(i);
    a->clear_name();
    a->clear_create_time();
    a->clear_created_by();
    a->set_post(t.to_post());
    a->set_copied_from(t.actions(i).name());
    auto added = registry_->AddAction(aa, system_);
    if (!added.ok()) return added.status();
  }
  return opened->opened.name();
}

absl::StatusOr<v1::Transfer> Transfers::AcceptTransfer(const v1::AcceptTransferRequest& request,
                                                       const Caller& caller) {
  storage::ScopedKeyLocks lock(locks_, {request.name()});
  auto l = Find(request.name());
  if (!l.ok()) return l.status();
  if (!l->incoming) {
    return absl::FailedPreconditionError("only the receiving member accepts a transfer");
  }
  ENLACE_RETURN_IF_ERROR(CheckAccess(*l, caller));
  v1::Transfer t = l->record;
  if (t.state() != v1::STATE_PENDING) {
    return absl::FailedPreconditionError("the transfer was already decided");
  }
  std::string person;
  auto new_case = OpenLocalCase(t, &person);
  if (!new_case.ok()) return new_case.status();
  t.set_state(v1::STATE_ACCEPTED);
  t.set_new_case(*new_case);
  *t.mutable_decide_time() = enlace::ToProtoTime(absl::Now());
  // Accepted, the copy is about a person of this node now: it dies with them. The person
  // was found or created above; an erasure since then refuses the acceptance here.
  auto guard = registry_->GuardPerson(person);
  if (!guard.ok()) return guard.status();
  auto stored = Encode(t, l->key);
  if (!stored.ok()) return stored.status();
  txn::Transaction txn;
  txn.batch.Put(cf_, l->key, *stored);
  {
    std::string from, id;
    records_.ParseName(t.name(), &from, &id);
    registry_->LinkToPerson(txn, **guard, records_.KeyOwner(from, id));
  }
  v1::TransferDecision d;
  d.set_name(t.name());
  d.set_accepted(true);
  d.set_new_case(*new_case);
  *d.mutable_decide_time() = t.decide_time();
  txn.envelopes.push_back({t.from_country(), kDecisionKind, d.SerializeAsString()});
  txn.Audit(caller.identity, "transfers.AcceptTransfer", {t.name(), *new_case});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return t;
}

absl::StatusOr<v1::Transfer> Transfers::DeclineTransfer(const v1::DeclineTransferRequest& request,
                                                        const Caller& caller) {
  if (request.reason().empty() || request.reason().size() > 500 ||
      !text::IsCleanUtf8(request.reason())) {
    return InvalidField("reason", "required, at most 500 bytes of one-line text");
  }
  storage::ScopedKeyLocks lock(locks_, {request.name()});
  auto l = Find(request.name());
  if (!l.ok()) return l.status();
  if (!l->incoming) {
    return absl::FailedPreconditionError("only the receiving member declines a transfer");
  }
  ENLACE_RETURN_IF_ERROR(CheckAccess(*l, caller));
  v1::Transfer t = l->record;
  if (t.state() != v1::STATE_PENDING) {
    return absl::FailedPreconditionError("the transfer was already decided");
  }
  t.set_state(v1::STATE_DECLINED);
  t.set_decline_reason(request.reason());
  *t.mutable_decide_time() = enlace::ToProtoTime(absl::Now());
  // The receiver keeps no personal data of a case it declined.
  t.clear_person();
  t.clear_actions();
  t.mutable_case_snapshot()->clear_summary();
  auto stored = Encode(t, l->key);
  if (!stored.ok()) return stored.status();
  txn::Transaction txn;
  txn.batch.Put(cf_, l->key, *stored);
  v1::TransferDecision d;
  d.set_name(t.name());
  d.set_accepted(false);
  d.set_reason(request.reason());
  *d.mutable_decide_time() = t.decide_time();
  txn.envelopes.push_back({t.from_country(), kDecisionKind, d.SerializeAsString()});
  txn.Audit(caller.identity, "transfers.DeclineTransfer", {t.name()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return t;
}

absl::Status Transfers::Apply(const enlace::federation::v1::EnvelopeBody& body,
                              txn::Transaction& txn) {
  const std::string self = config_.country();
  if (body.kind() == kOfferKind) {
    v1::Transfer t;
    std::string from, id;
    if (!t.ParseFromString(body.payload()) || !records_.ParseName(t.name(), &from, &id)) {
      return absl::InvalidArgumentError("payload is not a transfer");
    }
    if (from != body.sender() || t.from_country() != from || t.to_country() != self) {
      return absl::PermissionDeniedError("a transfer must come from the case's owner");
    }
    const std::string key = Records::InKey(from, id);
    auto existing = store_->Get(cf_, key);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) return absl::OkStatus();
    bool known_post = false;
    for (const auto& p : config_.posts()) known_post |= p.code() == t.to_post();
    t.set_state(v1::STATE_PENDING);
    if (!known_post) {
      t.set_state(v1::STATE_DECLINED);
      t.set_decline_reason(absl::StrCat("no post ", t.to_post().substr(0, 16), " at ", self));
      t.clear_person();
      t.clear_actions();
      *t.mutable_decide_time() = enlace::ToProtoTime(absl::Now());
      v1::TransferDecision d;
      d.set_name(t.name());
      d.set_reason(t.decline_reason());
      *d.mutable_decide_time() = t.decide_time();
      txn.envelopes.push_back({from, kDecisionKind, d.SerializeAsString()});
    } else {
      txn.batch.Put(cf_, Records::InPostKey(t.to_post(), from, id), "");
    }
    auto stored = Encode(t, key, /*first_write=*/true);
    if (!stored.ok()) return stored.status();
    txn.batch.Put(cf_, key, *stored);
    txn.Audit(body.sender(), "transfers.received", {t.name()});
    return absl::OkStatus();
  }
  if (body.kind() == kDecisionKind) {
    v1::TransferDecision d;
    std::string from, id;
    if (!d.ParseFromString(body.payload()) || !records_.ParseName(d.name(), &from, &id) ||
        from != self) {
      return absl::InvalidArgumentError("bad transfer decision");
    }
    auto l = Find(d.name());
    if (!l.ok()) return absl::FailedPreconditionError("decision on an unknown transfer");
    v1::Transfer t = l->record;
    if (t.to_country() != body.sender()) {
      return absl::PermissionDeniedError("only the receiving member decides a transfer");
    }
    if (t.state() != v1::STATE_PENDING) return absl::OkStatus();
    t.set_state(d.accepted() ? v1::STATE_ACCEPTED : v1::STATE_DECLINED);
    t.set_new_case(d.new_case());
    t.set_decline_reason(d.reason());
    *t.mutable_decide_time() = d.decide_time();
    auto stored = Encode(t, l->key);
    if (!stored.ok()) return stored.status();
    txn.batch.Put(cf_, l->key, *stored);
    txn.batch.Put(cf_, absl::StrCat("s|", id), "");
    txn.OnCommit(worker_.KickOnCommit());  // settling needs the decision committed
    return absl::OkStatus();
  }
  if (body.kind() == kErasedKind) {
    v1::TransfersErased e;
    if (!e.ParseFromString(body.payload())) return absl::InvalidArgumentError("bad payload");
    for (const auto& name : e.names()) {
      std::string from, id;
      if (!records_.ParseName(name, &from, &id) || from != body.sender() || from == self) {
        return absl::PermissionDeniedError("only the origin erases a transfer");
      }
      storage::ScopedKeyLocks lock(locks_, {name});
      auto l = Find(name);
      if (absl::IsNotFound(l.status())) continue;
      if (!l.ok()) return l.status();
      v1::Transfer t = l->record;
      if (t.state() == v1::STATE_ACCEPTED) {
        // The case is this node's own now (this node is the controller): it stays.
        txn.Audit(body.sender(), "transfers.person_erased_at_origin", {name})
            .set_detail(absl::StrCat("kept: accepted into ", t.new_case()));
        continue;
      }
      {
        v1::Transfer personal;
        crypto::SplitPersonal(l->record, &t, &personal);  // keep only what is not personal
      }
      if (t.state() == v1::STATE_PENDING) {
        // Nothing is left to accept: decline, so the origin unlocks its case.
        t.set_state(v1::STATE_DECLINED);
        t.set_decline_reason("the person was erased at the origin");
        *t.mutable_decide_time() = enlace::ToProtoTime(absl::Now());
        v1::TransferDecision d;
        d.set_name(t.name());
        d.set_reason(t.decline_reason());
        *d.mutable_decide_time() = t.decide_time();
        txn.envelopes.push_back({from, kDecisionKind, d.SerializeAsString()});
      }
      auto stored = Encode(t, l->key);
      if (!stored.ok()) return stored.status();
      txn.batch.Put(cf_, l->key, *stored);
      txn.Audit(body.sender(), "transfers.person_erased_at_origin", {name})
          .set_detail("personal data destroyed");
      // Destroyed now, before the inbox commits: should that commit fail, the envelope is
      // applied again and finds the copy already unreadable.
      ENLACE_RETURN_IF_ERROR(records_.DestroyKey(from, id));
    }
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError("unknown transfer envelope");
}

absl::Status Transfers::OnPersonErased(const std::string& person_id,
                                       const std::vector<std::string>& linked_key_owners,
                                       txn::Transaction& txn) {
  auto sent = records_.SentCopiesByMember(linked_key_owners);
  if (!sent.ok()) return sent.status();
  for (const auto& [member, names] : *sent) {
    v1::TransfersErased erased;
    for (const auto& name : names) erased.add_names(name);
    txn.envelopes.push_back({member, kErasedKind, erased.SerializeAsString()});
    txn.Audit(config_.country(), "transfers.erasure_sent", names)
        .set_detail(absl::StrCat("person ", person_id, " erased; told ", member));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> Transfers::Settle() {
  std::vector<std::string> due;
  for (auto it = store_->ScanPrefix(cf_, "s|"); it->Valid(); it->Next()) {
    due.emplace_back(it->key().substr(2));
  }
  int settled = 0;
  for (const auto& id : due) {
    auto l = Find(records_.Name(config_.country(), id));
    if (!l.ok()) return l.status();
    const v1::Transfer& t = l->record;
    if (t.state() == v1::STATE_ACCEPTED) {
      // Closing is idempotent: after a crash it is simply done again.
      if (absl::Status s = registry_->CloseTransferredCase(t.case_(), t.new_case()); !s.ok()) {
        return s;
      }
    }
    txn::Transaction txn;
    std::unique_ptr<cases::Registry::CaseLock> case_lock;  // held until the commit below
    if (t.state() == v1::STATE_DECLINED) {
      auto held = registry_->LockCase(t.case_());
      if (!held.ok()) return held.status();
      case_lock = *std::move(held);
      registry_->UnlockTransfer(*case_lock, txn);
    }
    txn.batch.Delete(cf_, absl::StrCat("s|", id));
    ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
    ++settled;
  }
  return settled;
}

}  // namespace enlace::transfers
