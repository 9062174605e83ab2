#include "services/referrals/referrals.h"

#include <algorithm>
#include <iostream>
#include <map>
#include <set>

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
#include "services/cases/rules.h"
#include "services/referrals/rules.h"

namespace enlace::referrals {
namespace {

namespace cv1 = ::enlace::cases::v1;
namespace dv1 = ::enlace::directory::v1;

constexpr char kCf[] = "referrals";
constexpr char kRequestsCf[] = "requests";

// Keys: outgoing "o|{id}", incoming "i|{from}|{id}", incoming by post "p|{post}|{from}|{id}",
// outgoing by post "q|{post}|{id}", incoming expiry "x|{be64 micros}|{from}|{id}", incoming
// revoke request not yet decided "r|{from}|{id}".
std::string RevokeKey(const std::string& from, const std::string& id) {
  return absl::StrCat("r|", from, "|", id);
}
std::string ExpiryKey(const google::protobuf::Timestamp& t, const std::string& from,
                      const std::string& id) {
  std::string k = "x|";
  const absl::Time when = enlace::FromProtoTime(t);
  storage::AppendBigEndian64(&k, static_cast<uint64_t>(absl::ToUnixMicros(when)));
  return absl::StrCat(k, "|", from, "|", id);
}
std::string StateName(v1::State s) {
  return absl::AsciiStrToLower(v1::State_Name(s).substr(strlen("STATE_")));
}

}  // namespace

void Referrals::AddColumnFamilies(storage::StoreOptions& options) {
  for (const char* cf : {kCf, kRequestsCf}) {
    if (std::find(options.column_families.begin(), options.column_families.end(), cf) ==
        options.column_families.end()) {
      options.column_families.push_back(cf);
    }
  }
  stats::Tally::AddColumnFamilies(options);
}

Referrals::Referrals(storage::Store* store, txn::Committer* committer, crypto::KeyVault* vault,
                     cases::Registry* registry, directory::Directory* directory,
                     enlace::node::v1::NodeConfig config,
                     std::function<std::vector<std::string>()> peers, const Clock* clock)
    : store_(store),
      committer_(committer),
      vault_(vault),
      registry_(registry),
      directory_(directory),
      config_(std::move(config)),
      peers_(std::move(peers)),
      clock_(clock),
      cf_(store->cf(kCf)),
      requests_(store->cf(kRequestsCf)),
      records_({config_.country(), "referrals", "referral", store, store->cf(kCf), vault, committer,
                NodeSecretOrEphemeral(store, "referrals_page_token_secret")}),
      tally_(store) {}

Referrals::~Referrals() { Stop(); }

void Referrals::Start() { worker_.Start(); }

void Referrals::Stop() { worker_.Stop(); }

absl::StatusOr<std::string> Referrals::Encode(const v1::Referral& r, const std::string& key,
                                              bool first_write) const {
  std::string from, id;
  records_.ParseName(r.name(), &from, &id);
  if (r.personal_data_purged()) {
    // Nothing personal is left to seal: never re-create the destroyed key.
    v1::Referral pub, personal;
    crypto::SplitPersonal(r, &pub, &personal);
    return crypto::SealRecord(nullptr, records_.KeyOwner(from, id), pub, v1::Referral(), key);
  }
  // The person, place and summary are sealed (personal marks in referrals.proto).
  return crypto::SealPersonal(vault_, records_.KeyOwner(from, id), r, key, first_write);
}

absl::StatusOr<Referrals::Located> Referrals::Find(absl::string_view name) const {
  auto l = records_.Find(name);
  if (l.ok() && l->sealed_part_gone) l->record.set_personal_data_purged(true);
  return l;
}

void Referrals::Stage(const Located& l, const v1::Referral& r, txn::Transaction& txn,
                      bool revoke_refused) const {
  if (!l.incoming) return;
  // The receiver owns the state: the referrer learns every change.
  v1::ReferralUpdate u;
  u.set_name(r.name());
  u.set_state(r.state());
  u.set_outcome(r.outcome());
  u.set_outcome_note(r.outcome_note());
  *u.mutable_update_time() = r.update_time();
  u.set_revoke_refused(revoke_refused);
  txn.envelopes.push_back({r.from_country(), kUpdateKind, u.SerializeAsString()});
}

absl::StatusOr<v1::Referral> Referrals::CreateReferral(const v1::CreateReferralRequest& request,
                                                       const Caller& caller) {
  const std::string self = config_.country();
  if (request.parent() != absl::StrCat("countries/", self)) {
    return InvalidField("parent", absl::StrCat("must be countries/", self));
  }
  const v1::Referral& in = request.referral();
  FieldViolations v;
  if (in.case_().empty()) v.Add("referral.case", "required");
  if (in.service() == 0 || !v1::ServiceType_IsValid(in.service())) {
    v.Add("referral.service", "required");
  }
  const bool to_member = !in.to_country().empty() || !in.to_post().empty();
  const bool to_org = !in.to_organisation().empty();
  dv1::Organisation org;
  if (to_member == to_org) {
    v.Add("referral.to_country", "set either to_country and to_post, or to_organisation");
  } else if (to_member) {
    const auto peers = peers_();
    if (std::find(peers.begin(), peers.end(), in.to_country()) == peers.end()) {
      v.Add("referral.to_country", "not a member of the federation");
    }
    if (!geo::IsPostCode(in.to_post()) || !absl::StartsWith(in.to_post(), in.to_country() + "-")) {
      v.Add("referral.to_post", "must be a post code of to_country (e.g. GT-TAP)");
    }
  } else {
    dv1::GetOrganisationRequest g;
    g.set_name(in.to_organisation());
    auto found = directory_->GetOrganisation(g, caller);
    if (!found.ok()) {
      v.Add("referral.to_organisation", "not an organisation of the directory");
    } else {
      org = *found;
    }
  }
  std::set<std::string> fields;
  for (int i = 0; i < in.disclosed_fields_size(); ++i) {
    if (!DisclosableFields().count(in.disclosed_fields(i))) {
      v.Add(absl::StrCat("referral.disclosed_fields[", i, "]"),
            "not a field that can be disclosed (the local contact never is)");
    } else if (!fields.insert(in.disclosed_fields(i)).second) {
      v.Add(absl::StrCat("referral.disclosed_fields[", i, "]"), "duplicate");
    }
  }
  if (in.purpose().size() > 500 || !text::IsCleanUtf8(in.purpose())) {
    v.Add("referral.purpose", "at most 500 bytes of one-line text");
  }
  if (in.has_expire_time() && (!enlace::IsValidProtoTime(in.expire_time()) ||
                               enlace::FromProtoTime(in.expire_time()) <= clock_->Now())) {
    v.Add("referral.expire_time", "must be in the future");
  }
  if (!request.request_id().empty() && !ids::IsValidRequestId(request.request_id())) {
    v.Add("request_id", "1-64 characters of A-Z a-z 0-9 _ -");
  }
  if (!v.empty()) return v.ToStatus();

  std::string request_key;
  if (!request.request_id().empty()) {
    request_key = absl::StrCat("referral|", caller.identity, "|", request.request_id());
    auto earlier = store_->Get(requests_, request_key);
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) {
      auto l = Find(records_.Name(self, **earlier));
      if (l.ok()) return l->record;
    }
  }
  // The case (officers: of their own post), read and audited as such.
  cv1::GetCaseRequest gc;
  gc.set_name(in.case_());
  auto c = registry_->GetCase(gc, caller);
  if (!c.ok()) return c.status();
  if (c->status() == cv1::STATUS_CLOSED) {
    return absl::FailedPreconditionError("the case is closed");
  }
  // The legal basis: consent must be in force and cover this recipient and service.
  const absl::Time now = clock_->Now();
  ENLACE_RETURN_IF_ERROR(CheckLegalBasis(*c, now, NeededScopes(to_member, org.type(), in.service()),
                                         in.disclosed_fields()));
  cv1::GetPersonRequest gp;
  gp.set_name(c->person());
  // Held from the read of the person to the commit that links the copy (see GuardPerson).
  auto guard = registry_->GuardPerson(c->person());
  if (!guard.ok()) return guard.status();
  auto person = registry_->GetPerson(gp, caller);
  if (!person.ok()) return person.status();

  const std::string id = ids::NewId();
  v1::Referral r;
  r.set_name(records_.Name(self, id));
  r.set_case_(c->name());
  r.set_from_country(self);
  r.set_from_post(c->post());
  r.set_to_country(in.to_country());
  r.set_to_post(in.to_post());
  r.set_to_organisation(in.to_organisation());
  r.set_service(in.service());
  r.set_purpose(in.purpose());
  *r.mutable_disclosed_fields() = in.disclosed_fields();
  CopyDisclosed(fields, *person, *c, &r);  // only what was chosen: everything else stays home
  r.set_legal_basis(c->legal_basis());
  if (in.has_expire_time()) *r.mutable_expire_time() = in.expire_time();
  r.set_state(v1::STATE_PENDING);
  *r.mutable_create_time() = enlace::ToProtoTime(now);
  *r.mutable_update_time() = r.create_time();

  const std::string key = Records::OutKey(id);
  auto stored = Encode(r, key, /*first_write=*/true);
  if (!stored.ok()) return stored.status();
  txn::Transaction txn;
  txn.batch.Put(cf_, key, *stored);
  // The copy dies with the person (invariant 9).
  registry_->LinkToPerson(txn, **guard, records_.KeyOwner(self, id));
  txn.batch.Put(cf_, Records::OutPostKey(r.from_post(), id), "");
  if (!request_key.empty()) txn.batch.Put(requests_, request_key, id);
  // What the referral counts under when it ends (kept apart: the person may be erased first).
  tally_.Remember(txn, absl::StrCat("r|", id), stats::MonthOf(now),
                  {c->post(), c->host_country(), "", stats::SexOf(*person),
                   stats::AgeGroupOf(*person, now)});
  if (to_member) {
    v1::Referral wire = r;
    wire.clear_case_();  // the receiver learns the person and the need, not our case file
    txn.envelopes.push_back({r.to_country(), kOfferKind, wire.SerializeAsString()});
  }
  enlace::audit::v1::AuditRecord a;
  a.set_actor(caller.identity);
  a.set_action("referrals.CreateReferral");
  a.add_resources(r.name());
  a.add_resources(r.case_());
  a.add_resources(c->person());
  a.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
  auto* d = a.mutable_disclosure();
  d->set_recipient(to_member ? absl::StrCat("countries/", r.to_country(), " post ", r.to_post())
                             : r.to_organisation());
  for (const auto& f : fields) d->add_fields(f);
  d->set_legal_basis(cv1::LegalBasis_Name(c->legal_basis()));
  txn.audit.push_back(a);
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return r;
}

absl::StatusOr<v1::Referral> Referrals::GetReferral(const v1::GetReferralRequest& request,
                                                    const Caller& caller) {
  auto l = Find(request.name());
  if (!l.ok()) return l.status();
  ENLACE_RETURN_IF_ERROR(CheckAccess(*l, caller));
  txn::Transaction txn;
  txn.Audit(caller.identity, "referrals.GetReferral", {request.name()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return l->record;
}

absl::StatusOr<v1::ListReferralsResponse> Referrals::ListReferrals(
    const v1::ListReferralsRequest& request, const Caller& caller) {
  if (request.direction() != v1::DIRECTION_INCOMING &&
      request.direction() != v1::DIRECTION_OUTGOING) {
    return InvalidField("direction", "INCOMING or OUTGOING");
  }
  auto page = records_.List({request.direction() == v1::DIRECTION_INCOMING, request.post(),
                             request.page_size(), request.page_token()},
                            caller, "referrals.ListReferrals");
  if (!page.ok()) return page.status();
  v1::ListReferralsResponse out;
  for (auto& l : page->records) {
    if (l.sealed_part_gone) l.record.set_personal_data_purged(true);
    *out.add_referrals() = std::move(l.record);
  }
  out.set_next_page_token(page->next_page_token);
  return out;
}

absl::StatusOr<v1::Referral> Referrals::Transition(const std::string& name, v1::State to,
                                                   v1::Outcome outcome, const std::string& note,
                                                   const Caller& caller, absl::string_view action) {
  if (note.size() > 1000 || !text::IsCleanUtf8(note)) {
    return InvalidField("note", "at most 1000 bytes of one-line text");
  }
  storage::ScopedKeyLocks lock(locks_, {name});
  auto l = Find(name);
  if (!l.ok()) return l.status();
  ENLACE_RETURN_IF_ERROR(CheckAccess(*l, caller));
  if (l->incoming) {
    // A revoke that arrived before this call is decided first: an accept after it then
    // fails (the referral is revoked); one that arrived after an accept is refused.
    auto decided = DecidePendingRevokeLocked(&*l);
    if (!decided.ok()) return decided.status();
  }
  v1::Referral r = l->record;
  if (!l->incoming && r.to_organisation().empty()) {
    return absl::FailedPreconditionError(absl::StrCat("only the receiving side (", r.to_country(),
                                                      ") may ", action, " this referral"));
  }
  const v1::State from = r.state();
  bool ok = false;
  switch (to) {
    case v1::STATE_ACCEPTED:
      ok = from == v1::STATE_PENDING;
      break;
    case v1::STATE_REJECTED:
      ok = from == v1::STATE_PENDING || from == v1::STATE_ACCEPTED || from == v1::STATE_IN_PROGRESS;
      break;
    case v1::STATE_IN_PROGRESS:
      ok = from == v1::STATE_ACCEPTED;
      break;
    case v1::STATE_DONE:
      ok = from == v1::STATE_ACCEPTED || from == v1::STATE_IN_PROGRESS;
      break;
    case v1::STATE_REVOKED:
      ok = from == v1::STATE_PENDING;
      break;
    default:
      break;
  }
  if (!ok) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot ", action, " a referral that is ", StateName(from)));
  }
  r.set_state(to);
  if (outcome != v1::OUTCOME_UNSPECIFIED) r.set_outcome(outcome);
  if (!note.empty()) r.set_outcome_note(note);
  *r.mutable_update_time() = enlace::ToProtoTime(clock_->Now());
  auto stored = Encode(r, l->key);
  if (!stored.ok()) return stored.status();
  txn::Transaction txn;
  txn.batch.Put(cf_, l->key, *stored);
  if (!l->incoming) ENLACE_RETURN_IF_ERROR(CountIfEnded(l->record, r, txn));
  Stage(*l, r, txn, false);
  txn.Audit(caller.identity, absl::StrCat("referrals.", action), {name});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return r;
}

absl::StatusOr<v1::Referral> Referrals::AcceptReferral(const v1::AcceptReferralRequest& request,
                                                       const Caller& caller) {
  return Transition(request.name(), v1::STATE_ACCEPTED, v1::OUTCOME_UNSPECIFIED, "", caller,
                    "accept");
}

absl::StatusOr<v1::Referral> Referrals::RejectReferral(const v1::RejectReferralRequest& request,
                                                       const Caller& caller) {
  if (request.outcome() == 0 || request.outcome() == v1::OUTCOME_SUCCESS ||
      !v1::Outcome_IsValid(request.outcome())) {
    return InvalidField("outcome", "required: the reason (not SUCCESS)");
  }
  return Transition(request.name(), v1::STATE_REJECTED, request.outcome(), request.note(), caller,
                    "reject");
}

absl::StatusOr<v1::Referral> Referrals::StartReferral(const v1::StartReferralRequest& request,
                                                      const Caller& caller) {
  return Transition(request.name(), v1::STATE_IN_PROGRESS, v1::OUTCOME_UNSPECIFIED, "", caller,
                    "start");
}

absl::StatusOr<v1::Referral> Referrals::CompleteReferral(const v1::CompleteReferralRequest& request,
                                                         const Caller& caller) {
  if (request.outcome() == 0 || !v1::Outcome_IsValid(request.outcome())) {
    return InvalidField("outcome", "required: SUCCESS or why it failed");
  }
  return Transition(request.name(), v1::STATE_DONE, request.outcome(), request.note(), caller,
                    "complete");
}

absl::StatusOr<v1::Referral> Referrals::RevokeReferral(const v1::RevokeReferralRequest& request,
                                                       const Caller& caller) {
  {
    auto l = Find(request.name());
    if (!l.ok()) return l.status();
    if (l->incoming) {
      return absl::FailedPreconditionError("only the referring side may revoke a referral");
    }
    if (!l->record.to_organisation().empty()) {
      return Transition(request.name(), v1::STATE_REVOKED, v1::OUTCOME_UNSPECIFIED, "", caller,
                        "revoke");
    }
  }
  storage::ScopedKeyLocks lock(locks_, {request.name()});
  auto l = Find(request.name());
  if (!l.ok()) return l.status();
  ENLACE_RETURN_IF_ERROR(CheckAccess(*l, caller));
  v1::Referral r = l->record;
  if (r.state() != v1::STATE_PENDING) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot revoke a referral that is ", StateName(r.state())));
  }
  // The receiver owns the state: ask it; its answer (revoked, or refused because it had
  // already moved on) comes back as an update.
  r.set_revoke_requested(true);
  auto stored = Encode(r, l->key);
  if (!stored.ok()) return stored.status();
  txn::Transaction txn;
  txn.batch.Put(cf_, l->key, *stored);
  v1::RevokeRequest rr;
  rr.set_name(r.name());
  txn.envelopes.push_back({r.to_country(), kRevokeKind, rr.SerializeAsString()});
  txn.Audit(caller.identity, "referrals.revoke_requested", {r.name()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return r;
}

absl::Status Referrals::Apply(const enlace::federation::v1::EnvelopeBody& body,
                              txn::Transaction& txn) {
  const std::string self = config_.country();
  if (body.kind() == kOfferKind) {
    v1::Referral r;
    std::string from, id;
    if (!r.ParseFromString(body.payload()) || !records_.ParseName(r.name(), &from, &id)) {
      return absl::InvalidArgumentError("payload is not a referral");
    }
    if (from != body.sender() || r.from_country() != from || r.to_country() != self) {
      return absl::PermissionDeniedError("a referral must come from its referring country");
    }
    const std::string key = Records::InKey(from, id);
    auto existing = store_->Get(cf_, key);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) return absl::OkStatus();
    Located l{key, true, r};
    bool known_post = false;
    for (const auto& p : config_.posts()) known_post |= p.code() == r.to_post();
    r.clear_case_();
    r.set_revoke_requested(false);
    if (!known_post) {
      // Answer rather than stall the sender's copy in PENDING forever.
      r.set_state(v1::STATE_REJECTED);
      r.set_outcome(v1::OUTCOME_OTHER);
      r.set_outcome_note(absl::StrCat("no post ", r.to_post().substr(0, 16), " at ", self));
      *r.mutable_update_time() = enlace::ToProtoTime(clock_->Now());
      Stage(l, r, txn, false);
    } else {
      r.set_state(v1::STATE_PENDING);
      txn.batch.Put(cf_, Records::InPostKey(r.to_post(), from, id), "");
      if (r.has_expire_time()) txn.batch.Put(cf_, ExpiryKey(r.expire_time(), from, id), "");
    }
    auto stored = Encode(r, key, /*first_write=*/true);
    if (!stored.ok()) return stored.status();
    txn.batch.Put(cf_, key, *stored);
    txn.Audit(body.sender(), "referrals.received", {r.name()});
    return absl::OkStatus();
  }
  if (body.kind() == kRevokeKind) {
    v1::RevokeRequest rr;
    std::string from, id;
    if (!rr.ParseFromString(body.payload()) || !records_.ParseName(rr.name(), &from, &id) ||
        from != body.sender()) {
      return absl::InvalidArgumentError("bad revoke request");
    }
    auto l = Find(rr.name());
    if (!l.ok()) return absl::FailedPreconditionError("revoke of an unknown referral");
    // Only record the request here: this transaction commits later, with the inbox's
    // watermark, so a decision taken now from this read could overwrite an accept committed
    // in between. The decision is taken under the referral's lock (DecidePendingRevokeLocked).
    txn.batch.Put(cf_, RevokeKey(from, id), "");
    txn.Audit(body.sender(), "referrals.revoke_received", {rr.name()});
    txn.OnCommit(worker_.KickOnCommit());
    ENLACE_TEST_SYNC_POINT("Referrals::Apply:Revoke");
    return absl::OkStatus();
  }
  if (body.kind() == kUpdateKind) {
    v1::ReferralUpdate u;
    std::string from, id;
    if (!u.ParseFromString(body.payload()) || !records_.ParseName(u.name(), &from, &id) ||
        from != self) {
      return absl::InvalidArgumentError("bad referral update");
    }
    auto l = Find(u.name());
    if (!l.ok()) return absl::FailedPreconditionError("update of an unknown referral");
    v1::Referral r = l->record;
    if (r.to_country() != body.sender()) {
      return absl::PermissionDeniedError("only the receiving country updates a referral");
    }
    r.set_state(u.state());
    r.set_outcome(u.outcome());
    r.set_outcome_note(u.outcome_note());
    *r.mutable_update_time() = u.update_time();
    if (u.revoke_refused() || u.state() != v1::STATE_PENDING) r.set_revoke_requested(false);
    auto stored = Encode(r, l->key);
    if (!stored.ok()) return stored.status();
    txn.batch.Put(cf_, l->key, *stored);
    return CountIfEnded(l->record, r, txn);
  }
  if (body.kind() == kErasedKind) {
    // The referrer erased the person: this copy's personal data dies too, whatever its state.
    v1::ReferralsErased e;
    if (!e.ParseFromString(body.payload())) return absl::InvalidArgumentError("bad payload");
    for (const auto& name : e.names()) {
      std::string from, id;
      if (!records_.ParseName(name, &from, &id) || from != body.sender()) {
        return absl::PermissionDeniedError("only the referring country erases a referral");
      }
      // The copy is not rewritten here: the inbox commits this transaction after the handler
      // returns, so a rewrite staged now could overwrite a transition committed in between
      // (an accept going back to pending). Destroying the copy's data key is enough: every
      // later read finds the personal part gone (personal_data_purged), and every later
      // write seals nothing personal.
      auto l = Find(name);
      if (absl::IsNotFound(l.status())) continue;
      if (!l.ok()) return l.status();
      const v1::Referral& r = l->record;
      if (r.has_expire_time()) txn.batch.Delete(cf_, ExpiryKey(r.expire_time(), from, id));
      txn.Audit(body.sender(), "referrals.person_erased_at_referrer", {name});
      // Destroyed now, before the inbox commits: should that commit fail, the envelope is
      // applied again and finds the copy already unreadable.
      ENLACE_RETURN_IF_ERROR(records_.DestroyKey(from, id));
    }
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError("unknown referral envelope");
}

absl::Status Referrals::OnPersonErased(const std::string& person_id,
                                       const std::vector<std::string>& linked_key_owners,
                                       txn::Transaction& txn) {
  auto sent = records_.SentCopiesByMember(linked_key_owners);
  if (!sent.ok()) return sent.status();
  for (const auto& [member, names] : *sent) {
    v1::ReferralsErased erased;
    for (const auto& name : names) erased.add_names(name);
    txn.envelopes.push_back({member, kErasedKind, erased.SerializeAsString()});
    txn.Audit(config_.country(), "referrals.erasure_sent", names)
        .set_detail(absl::StrCat("person ", person_id, " erased; told ", member));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> Referrals::PurgeExpired() {
  std::string upper = "x|";
  storage::AppendBigEndian64(&upper, static_cast<uint64_t>(absl::ToUnixMicros(clock_->Now())));
  std::vector<std::string> due;
  for (auto it = store_->Scan(cf_, "x|", upper); it->Valid(); it->Next()) {
    due.emplace_back(it->key());
  }
  int purged = 0;
  for (const auto& k : due) {
    // "x|" + 8-byte time + "|" + from + "|" + id
    std::vector<std::string> p = absl::StrSplit(k.substr(11), '|');
    if (p.size() != 2) continue;
    const std::string from = p[0], id = p[1];
    const std::string name = records_.Name(from, id);
    storage::ScopedKeyLocks lock(locks_, {name});  // a rewrite of the record, like a transition
    auto l = Find(name);
    txn::Transaction txn;
    if (l.ok()) {
      v1::Referral r = l->record;
      {
        v1::Referral personal;
        crypto::SplitPersonal(l->record, &r, &personal);  // keep only what is not personal
      }
      r.set_personal_data_purged(true);
      auto stored = Encode(r, l->key);
      if (!stored.ok()) return stored.status();
      txn.batch.Put(cf_, l->key, *stored);
    }
    txn.batch.Delete(cf_, k);
    txn.Audit(config_.country(), "referrals.expired_personal_data_purged", {name});
    ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
    if (vault_ != nullptr) {
      ENLACE_RETURN_IF_ERROR(vault_->DestroyDataKey(records_.KeyOwner(from, id)));
    }
    ++purged;
  }
  return purged;
}

absl::Status Referrals::CountIfEnded(const v1::Referral& before, const v1::Referral& after,
                                     txn::Transaction& txn) const {
  auto ended = [](v1::State s) {
    return s == v1::STATE_REJECTED || s == v1::STATE_DONE || s == v1::STATE_REVOKED;
  };
  if (ended(before.state()) || !ended(after.state())) return absl::OkStatus();
  std::string from, id;
  if (!records_.ParseName(after.name(), &from, &id) || from != config_.country()) {
    return absl::OkStatus();  // the receiving side's copy: counted where it was made
  }
  ENLACE_ASSIGN_OR_RETURN(auto made, tally_.Recall(absl::StrCat("r|", id)));
  if (!made.has_value()) return absl::OkStatus();  // made before statistics were kept
  stats::Facts facts = made->facts;
  facts.column = after.state() == v1::STATE_REVOKED ? std::string("REVOKED")
                 : after.outcome() == v1::OUTCOME_UNSPECIFIED
                     ? std::string("OUTCOME_OTHER")
                     : v1::Outcome_Name(after.outcome());
  tally_.Add(txn, *stats::FindMeasure(stats::kReferralsEnded), stats::MonthOf(clock_->Now()),
             facts);
  // Once: a receiver bouncing the state back and forth (a stolen key) counts nothing more.
  tally_.Forget(txn, absl::StrCat("r|", id));
  return absl::OkStatus();
}

absl::StatusOr<bool> Referrals::DecidePendingRevokeLocked(Located* l) {
  std::string from, id;
  if (!l->incoming || !records_.ParseName(l->record.name(), &from, &id)) return false;
  const std::string request = RevokeKey(from, id);
  auto pending = store_->Get(cf_, request);
  if (!pending.ok()) return pending.status();
  if (!pending->has_value()) return false;
  v1::Referral r = l->record;
  const bool revoked = r.state() == v1::STATE_PENDING;
  txn::Transaction txn;
  if (revoked) {
    r.set_state(v1::STATE_REVOKED);
    *r.mutable_update_time() = enlace::ToProtoTime(clock_->Now());
    auto stored = Encode(r, l->key);
    if (!stored.ok()) return stored.status();
    txn.batch.Put(cf_, l->key, *stored);
  }
  // The referrer learns the decision: revoked, or refused because this side had moved on.
  Stage(*l, r, txn, /*revoke_refused=*/!revoked);
  txn.batch.Delete(cf_, request);
  txn.Audit(from, revoked ? "referrals.revoked" : "referrals.revoke_refused", {r.name()})
      .set_detail(absl::StrCat("state ", StateName(r.state())));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  l->record = std::move(r);
  return true;
}

absl::StatusOr<int> Referrals::DecidePendingRevokes() {
  std::vector<std::string> due;
  for (auto it = store_->ScanPrefix(cf_, "r|"); it->Valid(); it->Next()) {
    due.emplace_back(it->key());
  }
  int decided = 0;
  for (const auto& k : due) {
    std::vector<std::string> p = absl::StrSplit(k, '|');
    if (p.size() != 3) continue;
    const std::string name = records_.Name(p[1], p[2]);
    ENLACE_TEST_SYNC_POINT("Referrals::DecidePendingRevokes:Found");
    storage::ScopedKeyLocks lock(locks_, {name});
    auto l = Find(name);
    if (absl::IsNotFound(l.status())) {
      // The handler checked the referral existed; nothing is left to decide on.
      txn::Transaction txn;
      txn.batch.Delete(cf_, k);
      txn.Audit(p[1], "referrals.revoke_refused", {name}, enlace::audit::v1::AUDIT_OUTCOME_REJECTED)
          .set_detail("referral not found");
      ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
      continue;
    }
    if (!l.ok()) return l.status();
    auto d = DecidePendingRevokeLocked(&*l);
    if (!d.ok()) return d.status();
    if (*d) ++decided;
  }
  return decided;
}

}  // namespace enlace::referrals
