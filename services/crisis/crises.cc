// Crises and movements: declared by one member (the only writer of each), replicated to all.

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/geo/geo.h"
#include "common/ids/ids.h"
#include "common/pagetoken/node_secret.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/proto_time.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/crisis/crisis.h"
#include "services/crisis/keys.h"

namespace enlace::crisis {
namespace {

// `countries/{cc}/{collection}/{id}` -> "{cc}/{id}".
absl::StatusOr<std::string> KeyOf(absl::string_view name, absl::string_view collection,
                                  absl::string_view field) {
  std::vector<absl::string_view> p = absl::StrSplit(name, '/');
  if (p.size() != 4 || p[0] != "countries" || !geo::IsCountryCode(p[1]) || p[2] != collection ||
      !ids::IsValidId(p[3])) {
    return InvalidField(field, absl::StrCat("must be countries/{country}/", collection, "/{id}"));
  }
  return absl::StrCat(p[1], "/", p[3]);
}

std::string Etag(const v1::Crisis& c) { return absl::StrCat("r", c.revision()); }

}  // namespace

void Crises::AddColumnFamilies(storage::StoreOptions& options) {
  auto add = [](std::vector<std::string>& list, const char* cf) {
    if (std::find(list.begin(), list.end(), cf) == list.end()) list.push_back(cf);
  };
  add(options.column_families, keys::kCf);
  add(options.counter_families, keys::kCountsCf);
  stats::Tally::AddColumnFamilies(options);
}

Crises::Crises(storage::Store* store, txn::Committer* committer, crypto::KeyVault* vault,
               cases::Registry* registry, enlace::node::v1::NodeConfig config,
               std::function<std::vector<std::string>()> peers, const Clock* clock)
    : store_(store),
      committer_(committer),
      vault_(vault),
      registry_(registry),
      config_(std::move(config)),
      self_(config_.country()),
      peers_(std::move(peers)),
      clock_(clock),
      cf_(store->cf(keys::kCf)),
      counts_(store->cf(keys::kCountsCf)),
      tally_(store),
      index_secret_(NodeSecretOrEphemeral(store, "crisis_index_secret")),
      page_tokens_(NodeSecretOrEphemeral(store, "crisis_page_token_secret")),
      assistance_({self_, "assistance", "assistance", store, cf_, vault, committer,
                   NodeSecretOrEphemeral(store, "crisis_assistance_page_token_secret")}) {}

Crises::~Crises() { worker_.Stop(); }

absl::StatusOr<v1::Crisis> Crises::LoadCrisis(absl::string_view name) const {
  std::string key(name);
  if (absl::StartsWith(name, "countries/")) {
    ENLACE_ASSIGN_OR_RETURN(key, KeyOf(name, "crises", "crisis"));
  }
  ENLACE_ASSIGN_OR_RETURN(auto raw, store_->Get(cf_, keys::Crisis(key)));
  if (!raw.has_value()) return absl::NotFoundError(absl::StrCat("crisis ", name, " not found"));
  v1::Crisis c;
  if (!c.ParseFromString(*raw)) return absl::DataLossError("stored crisis corrupt");
  return c;
}

absl::StatusOr<std::vector<v1::Crisis>> Crises::AllCrises() const {
  std::vector<v1::Crisis> out;
  auto it = store_->ScanPrefix(cf_, "C|");
  for (; it->Valid(); it->Next()) {
    v1::Crisis c;
    if (!c.ParseFromArray(it->value().data(), it->value().size())) {
      return absl::DataLossError("stored crisis corrupt");
    }
    out.push_back(std::move(c));
  }
  ENLACE_RETURN_IF_ERROR(it->status());
  return out;
}

void Crises::Broadcast(absl::string_view kind, const std::string& payload,
                       txn::Transaction& txn) const {
  for (const auto& peer : peers_()) txn.envelopes.push_back({peer, std::string(kind), payload});
}

absl::Status Crises::StageCrisis(const v1::Crisis& c, v1::Phase before,
                                 txn::Transaction& txn) const {
  const std::string crisis_key = KeyOf(c.name(), "crises", "crisis.name").value();  // checked
  txn.batch.Put(cf_, keys::Crisis(crisis_key), c.SerializeAsString());
  // A closed crisis stands no more: its subjects leave the month's stock (no note follows a
  // closure, so each leaves once).
  if (before != v1::PHASE_CLOSED && c.phase() == v1::PHASE_CLOSED) {
    const std::string prefix = keys::Entry(crisis_key, "");
    for (auto it = store_->ScanPrefix(cf_, prefix); it->Valid(); it->Next()) {
      v1::AccountingEntry e;
      if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
        return absl::DataLossError("stored accounting entry corrupt");
      }
      TallyEntry(e, -1, txn);
    }
  }
  // Accounting starts when the crisis becomes active: the job puts every national of its
  // areas on the worklist, in batches, resumable after a crash.
  if (before < v1::PHASE_ACTIVE && c.phase() >= v1::PHASE_ACTIVE && c.phase() < v1::PHASE_CLOSED) {
    txn.batch.Put(cf_, keys::Job(crisis_key), "");
    txn.OnCommit(worker_.KickOnCommit());
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Crisis> Crises::DeclareCrisis(const v1::DeclareCrisisRequest& request,
                                                 const Caller& caller) {
  ENLACE_ASSIGN_OR_RETURN(const std::string parent, CheckParent(request.parent()));
  FieldViolations v;
  CheckRequestId(request.request_id(), v);
  ValidateCrisis(request.crisis(), v, "crisis.");
  if (request.crisis().phase() == v1::PHASE_CLOSED) v.Add("crisis.phase", "cannot start closed");
  if (!v.empty()) return v.ToStatus();
  const std::string request_key = RequestKey(caller, request.request_id());
  storage::ScopedKeyLocks lock(locks_, {request_key});
  ENLACE_ASSIGN_OR_RETURN(std::string earlier, EarlierResult(request_key));
  if (!earlier.empty()) return LoadCrisis(earlier);
  v1::Crisis c = request.crisis();
  const std::string id = ids::NewId(clock_->Now());
  c.set_name(absl::StrCat(parent, "/crises/", id));
  if (c.lead_member().empty()) c.set_lead_member(self_);
  c.set_revision(1);
  *c.mutable_create_time() = ToProtoTime(clock_->Now());
  *c.mutable_update_time() = c.create_time();
  c.set_etag(Etag(c));
  txn::Transaction txn;
  ENLACE_RETURN_IF_ERROR(StageCrisis(c, v1::PHASE_UNSPECIFIED, txn));
  if (!request_key.empty()) txn.batch.Put(cf_, request_key, c.name());
  v1::CrisisChange change;
  *change.mutable_crisis() = c;
  Broadcast(kCrisisKind, change.SerializeAsString(), txn);
  txn.Audit(caller.identity, "crisis.DeclareCrisis", {c.name()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return c;
}

absl::StatusOr<v1::Crisis> Crises::UpdateCrisis(const v1::UpdateCrisisRequest& request,
                                                const Caller& caller) {
  ENLACE_ASSIGN_OR_RETURN(std::string key, KeyOf(request.crisis().name(), "crises", "crisis.name"));
  if (!absl::StartsWith(key, self_ + "/")) {
    return absl::PermissionDeniedError(
        "only the member that declared a crisis changes it; ask that member's node");
  }
  if (request.crisis().etag().empty()) return InvalidField("crisis.etag", "required");
  static const auto* allowed = new std::set<std::string>{
      "phase", "areas", "lead_member", "focal_posts", "hotline", "advisory", "measures", "title"};
  if (request.update_mask().paths_size() == 0) {
    return InvalidField("update_mask", "required: name the fields to change");
  }
  for (const auto& path : request.update_mask().paths()) {
    if (!allowed->count(path)) {
      return InvalidField("update_mask",
                          absl::StrCat("field \"", path.substr(0, 64), "\" cannot be changed"));
    }
  }
  storage::ScopedKeyLocks lock(locks_, {keys::Crisis(key)});
  ENLACE_ASSIGN_OR_RETURN(v1::Crisis current, LoadCrisis(key));
  if (current.etag() != request.crisis().etag()) {
    return absl::AbortedError("crisis.etag does not match: read the crisis again");
  }
  if (current.phase() == v1::PHASE_CLOSED) {
    return absl::FailedPreconditionError("the crisis is closed");
  }
  v1::Crisis c = current;
  google::protobuf::util::FieldMaskUtil::MergeOptions merge;
  merge.set_replace_repeated_fields(true);
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(request.crisis(), request.update_mask(),
                                                        merge, &c);
  FieldViolations v;
  ValidateCrisis(c, v, "crisis.");
  if (!v.empty()) return v.ToStatus();
  ENLACE_RETURN_IF_ERROR(CheckPhaseChange(current.phase(), c.phase()));
  c.set_revision(current.revision() + 1);
  *c.mutable_update_time() = ToProtoTime(clock_->Now());
  c.set_etag(Etag(c));
  txn::Transaction txn;
  ENLACE_RETURN_IF_ERROR(StageCrisis(c, current.phase(), txn));
  v1::CrisisChange change;
  *change.mutable_crisis() = c;
  Broadcast(kCrisisKind, change.SerializeAsString(), txn);
  txn.Audit(caller.identity, "crisis.UpdateCrisis", {c.name()})
      .set_detail(absl::StrCat("phase ", v1::Phase_Name(c.phase())));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return c;
}

absl::StatusOr<v1::Crisis> Crises::GetCrisis(const v1::GetCrisisRequest& request, const Caller&) {
  ENLACE_ASSIGN_OR_RETURN(std::string key, KeyOf(request.name(), "crises", "name"));
  return LoadCrisis(key);
}

absl::StatusOr<v1::ListCrisesResponse> Crises::ListCrises(const v1::ListCrisesRequest& request,
                                                          const Caller&) {
  for (int i = 0; i < request.phases_size(); ++i) {
    if (!v1::Phase_IsValid(request.phases(i)) || request.phases(i) == 0) {
      return InvalidField(absl::StrCat("phases[", i, "]"), "unknown phase");
    }
  }
  ENLACE_ASSIGN_OR_RETURN(auto all, AllCrises());
  std::sort(all.begin(), all.end(), [](const v1::Crisis& a, const v1::Crisis& b) {
    return FromProtoTime(a.create_time()) > FromProtoTime(b.create_time());
  });
  v1::ListCrisesResponse out;
  for (auto& c : all) {
    if (request.phases_size() > 0 && std::find(request.phases().begin(), request.phases().end(),
                                               c.phase()) == request.phases().end()) {
      continue;
    }
    *out.add_crises() = std::move(c);
  }
  return out;
}

absl::StatusOr<v1::Movement> Crises::PublishMovement(const v1::PublishMovementRequest& request,
                                                     const Caller& caller) {
  ENLACE_ASSIGN_OR_RETURN(const std::string parent, CheckParent(request.parent()));
  const v1::Movement& m = request.movement();
  ENLACE_ASSIGN_OR_RETURN(const v1::Crisis crisis, LiveCrisis(m.crisis(), "movement.crisis"));
  FieldViolations v;
  CheckRequestId(request.request_id(), v);
  if (m.mode() == v1::TRANSPORT_MODE_UNSPECIFIED || !v1::TransportMode_IsValid(m.mode())) {
    v.Add("movement.mode", "required: air, bus, sea or rail");
  }
  if (m.from_place().empty() || m.from_place().size() > 200) {
    v.Add("movement.from_place", "1-200 bytes");
  }
  if (m.to_place().empty() || m.to_place().size() > 200) v.Add("movement.to_place", "1-200 bytes");
  if (!m.has_depart_time() || !IsValidProtoTime(m.depart_time())) {
    v.Add("movement.depart_time", "required");
  }
  if (m.seats() <= 0 || m.seats() > 100000) v.Add("movement.seats", "1 to 100000");
  int64_t offered = 0, passengers = 0;
  std::set<std::string> members;
  for (int i = 0; i < m.offered_size(); ++i) {
    const auto& o = m.offered(i);
    if (!geo::IsCountryCode(o.member()) || o.member() == self_ ||
        !members.insert(o.member()).second) {
      v.Add(absl::StrCat("movement.offered[", i, "].member"),
            "another member's ISO 3166-1 code, listed once");
    }
    if (o.seats() <= 0) v.Add(absl::StrCat("movement.offered[", i, "].seats"), "at least 1");
    offered += o.seats();
  }
  for (int i = 0; i < m.passengers_size(); ++i) {
    if (!geo::IsCountryCode(m.passengers(i).nationality()) || m.passengers(i).passengers() < 0) {
      v.Add(absl::StrCat("movement.passengers[", i, "]"), "a nationality and a count >= 0");
    }
    passengers += m.passengers(i).passengers();
  }
  if (m.seats() > 0 && offered > m.seats()) {
    v.Add("movement.offered", "more seats offered than the movement has");
  }
  if (m.seats() > 0 && passengers > m.seats()) {
    v.Add("movement.passengers", "more passengers than seats");
  }
  if (!v.empty()) return v.ToStatus();
  const std::string request_key = RequestKey(caller, request.request_id());
  storage::ScopedKeyLocks lock(locks_, {request_key});
  ENLACE_ASSIGN_OR_RETURN(std::string earlier, EarlierResult(request_key));
  if (!earlier.empty()) {
    ENLACE_ASSIGN_OR_RETURN(auto raw, store_->Get(cf_, keys::Movement(earlier)));
    v1::Movement out;
    if (raw.has_value() && out.ParseFromString(*raw)) return out;
    return absl::DataLossError("stored movement missing");
  }
  v1::Movement out = m;
  out.set_crisis(crisis.name());
  const std::string id = ids::NewId(clock_->Now());
  out.set_name(absl::StrCat(parent, "/movements/", id));
  out.set_revision(1);
  *out.mutable_create_time() = ToProtoTime(clock_->Now());
  txn::Transaction txn;
  txn.batch.Put(cf_, keys::Movement(absl::StrCat(self_, "/", id)), out.SerializeAsString());
  if (!request_key.empty()) txn.batch.Put(cf_, request_key, absl::StrCat(self_, "/", id));
  Broadcast(kMovementKind, out.SerializeAsString(), txn);
  txn.Audit(caller.identity, "crisis.PublishMovement", {out.name(), crisis.name()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return out;
}

absl::StatusOr<v1::ListMovementsResponse> Crises::ListMovements(
    const v1::ListMovementsRequest& request, const Caller&) {
  if (!request.offered_to().empty() && !geo::IsCountryCode(request.offered_to())) {
    return InvalidField("offered_to", "must be an ISO 3166-1 alpha-2 code");
  }
  if (!request.crisis().empty()) ENLACE_RETURN_IF_ERROR(LoadCrisis(request.crisis()).status());
  v1::ListMovementsResponse out;
  auto it = store_->ScanPrefix(cf_, "M|");
  for (; it->Valid(); it->Next()) {
    v1::Movement m;
    if (!m.ParseFromArray(it->value().data(), it->value().size())) {
      return absl::DataLossError("stored movement corrupt");
    }
    if (!request.crisis().empty() && m.crisis() != request.crisis()) continue;
    if (!request.offered_to().empty() &&
        std::none_of(m.offered().begin(), m.offered().end(),
                     [&](const v1::SeatOffer& o) { return o.member() == request.offered_to(); })) {
      continue;
    }
    *out.add_movements() = std::move(m);
  }
  ENLACE_RETURN_IF_ERROR(it->status());
  return out;
}

absl::Status Crises::Apply(const enlace::federation::v1::EnvelopeBody& body,
                           txn::Transaction& txn) {
  if (body.kind() == kCrisisKind) return ApplyCrisis(body, txn);
  if (body.kind() == kMovementKind) return ApplyMovement(body, txn);
  if (body.kind() == kSightingKind) return ApplySighting(body, txn);
  if (body.kind() == kCountsKind) return ApplyCounts(body, txn);
  if (body.kind() == kAssistRequestKind || body.kind() == kAssistUpdateKind) {
    return ApplyAssistance(body, txn);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown kind ", body.kind()));
}

absl::Status Crises::ApplyCrisis(const enlace::federation::v1::EnvelopeBody& body,
                                 txn::Transaction& txn) {
  v1::CrisisChange change;
  if (!change.ParseFromString(body.payload())) {
    return absl::InvalidArgumentError("payload is not a CrisisChange");
  }
  const v1::Crisis& c = change.crisis();
  auto key = KeyOf(c.name(), "crises", "crisis.name");
  if (!key.ok()) return absl::InvalidArgumentError(key.status().message());
  // One writer per crisis: its declarer.
  if (!absl::StartsWith(*key, body.sender() + "/")) {
    return absl::PermissionDeniedError(
        absl::StrCat(body.sender(), " tried to change a crisis it did not declare"));
  }
  FieldViolations v;
  ValidateCrisis(c, v, "crisis.");
  if (!v.empty()) return absl::InvalidArgumentError(v.ToStatus().message());
  v1::Phase before = v1::PHASE_UNSPECIFIED;
  auto current = LoadCrisis(*key);
  if (current.ok()) {
    if (c.revision() <= current->revision()) return absl::OkStatus();  // a late copy
    before = current->phase();
  } else if (!absl::IsNotFound(current.status())) {
    return current.status();
  }
  return StageCrisis(c, before, txn);
}

absl::Status Crises::ApplyMovement(const enlace::federation::v1::EnvelopeBody& body,
                                   txn::Transaction& txn) {
  v1::Movement m;
  if (!m.ParseFromString(body.payload())) {
    return absl::InvalidArgumentError("payload is not a Movement");
  }
  auto key = KeyOf(m.name(), "movements", "movement.name");
  if (!key.ok()) return absl::InvalidArgumentError(key.status().message());
  if (!absl::StartsWith(*key, body.sender() + "/")) {
    return absl::PermissionDeniedError(
        absl::StrCat(body.sender(), " tried to publish another member's movement"));
  }
  if (m.seats() <= 0 || m.offered_size() > 50 || m.passengers_size() > 300) {
    return absl::InvalidArgumentError("movement out of bounds");
  }
  txn.batch.Put(cf_, keys::Movement(*key), m.SerializeAsString());
  return absl::OkStatus();
}

absl::Status Crises::Bootstrap(const std::string& peer, txn::Transaction& txn) {
  auto it = store_->ScanPrefix(cf_, absl::StrCat("C|", self_, "/"));
  for (; it->Valid(); it->Next()) {
    v1::CrisisChange change;
    if (!change.mutable_crisis()->ParseFromArray(it->value().data(), it->value().size())) continue;
    txn.envelopes.push_back({peer, kCrisisKind, change.SerializeAsString()});
  }
  ENLACE_RETURN_IF_ERROR(it->status());
  auto mt = store_->ScanPrefix(cf_, absl::StrCat("M|", self_, "/"));
  for (; mt->Valid(); mt->Next()) {
    txn.envelopes.push_back({peer, kMovementKind, std::string(mt->value())});
  }
  return mt->status();
}

absl::StatusOr<std::string> Crises::CheckParent(const std::string& parent) const {
  std::string want = absl::StrCat("countries/", self_);
  if (parent != want) return InvalidField("parent", absl::StrCat("must be ", want));
  return want;
}

absl::StatusOr<v1::Crisis> Crises::LiveCrisis(absl::string_view name,
                                              absl::string_view field) const {
  auto crisis = LoadCrisis(name);
  if (absl::IsNotFound(crisis.status()) || absl::IsInvalidArgument(crisis.status())) {
    return InvalidField(field, "must name a crisis this node knows");
  }
  ENLACE_RETURN_IF_ERROR(crisis.status());
  if (crisis->phase() == v1::PHASE_CLOSED) {
    return absl::FailedPreconditionError(absl::StrCat(crisis->name(), " is closed"));
  }
  return crisis;
}

void Crises::CheckRequestId(const std::string& request_id, FieldViolations& v) {
  if (!request_id.empty() && !ids::IsValidRequestId(request_id)) {
    v.Add("request_id", "1-64 characters of A-Z a-z 0-9 _ -");
  }
}

std::string Crises::RequestKey(const Caller& caller, const std::string& request_id) {
  return request_id.empty() ? "" : absl::StrCat("Q|", caller.identity, "|", request_id);
}

absl::StatusOr<std::string> Crises::EarlierResult(const std::string& request_key) const {
  if (request_key.empty()) return std::string();
  ENLACE_ASSIGN_OR_RETURN(auto raw, store_->Get(cf_, request_key));
  return raw.has_value() ? *raw : std::string();
}

}  // namespace enlace::crisis
