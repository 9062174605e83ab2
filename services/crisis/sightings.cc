// Across borders: sightings of another member's nationals (the minimum fields, to that
// member's node, never for a person under international protection) and counts to the lead.

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto/sealed_record.h"
#include "common/ids/ids.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/proto_time.h"
#include "services/crisis/crisis.h"
#include "services/crisis/keys.h"

namespace enlace::crisis {
namespace {

namespace cv1 = ::enlace::cases::v1;

std::string SightingOwner(absl::string_view id) { return absl::StrCat("sin:", id); }

}  // namespace

absl::StatusOr<v1::SendSightingResponse> Crises::SendSighting(
    const v1::SendSightingRequest& request, const Caller& caller) {
  ENLACE_ASSIGN_OR_RETURN(const std::string parent, CheckParent(request.parent()));
  if (request.international_protection() == cv1::INTERNATIONAL_PROTECTION_UNSPECIFIED ||
      !cv1::InternationalProtection_IsValid(request.international_protection())) {
    return InvalidField("international_protection",
                        "required: whether the person is under international protection");
  }
  v1::Sighting s = request.sighting();
  if (caller.role == Role::kOfficer) s.set_post(caller.post);
  ENLACE_ASSIGN_OR_RETURN(const v1::Crisis crisis, LiveCrisis(s.crisis(), "sighting.crisis"));
  FieldViolations v;
  CheckRequestId(request.request_id(), v);
  ValidateSighting(s, crisis, clock_->Now(), self_, v);
  if (!v.empty()) return v.ToStatus();
  // The same bar as consular notifications: a refugee's or asylum seeker's whereabouts never
  // go to the state they fled. Refused, audited, nothing leaves.
  if (request.international_protection() != cv1::INTERNATIONAL_PROTECTION_NONE) {
    txn::Transaction refused;
    refused
        .Audit(caller.identity, "crisis.SendSighting", {crisis.name()},
               enlace::audit::v1::AUDIT_OUTCOME_DENIED)
        .set_detail("under international protection: not sent to the country of nationality");
    ENLACE_RETURN_IF_ERROR(committer_->Commit(refused));
    return absl::FailedPreconditionError(
        "the person is under international protection: a sighting never goes to the country "
        "of nationality");
  }
  const std::vector<std::string> peers = peers_();
  if (std::find(peers.begin(), peers.end(), s.nationality()) == peers.end()) {
    return InvalidField("sighting.nationality", "must be a member of the federation");
  }
  const std::string request_key = RequestKey(caller, request.request_id());
  storage::ScopedKeyLocks lock(locks_, {request_key});
  ENLACE_ASSIGN_OR_RETURN(std::string earlier, EarlierResult(request_key));
  v1::SendSightingResponse out;
  out.set_sent_to(s.nationality());
  if (!earlier.empty()) return out;
  s.set_crisis(crisis.name());
  // Nothing personal is kept here: the envelope in the outbox is the only copy, and the
  // audit record says what was disclosed to whom.
  txn::Transaction txn;
  txn.envelopes.push_back({s.nationality(), kSightingKind, s.SerializeAsString()});
  if (!request_key.empty()) txn.batch.Put(cf_, request_key, s.nationality());
  txn.Audit(caller.identity, "crisis.SendSighting", {crisis.name()})
      .set_detail(absl::StrCat("to ", s.nationality(),
                               " on the vital-interest basis: names, "
                               "birth year, document, area, status, needs, time"));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return out;
}

absl::Status Crises::ApplySighting(const enlace::federation::v1::EnvelopeBody& body,
                                   txn::Transaction& txn) {
  v1::Sighting s;
  if (!s.ParseFromString(body.payload())) {
    return absl::InvalidArgumentError("payload is not a Sighting");
  }
  if (s.nationality() != self_) {
    return absl::InvalidArgumentError("a sighting of another member's national");
  }
  if (body.sender() == self_) return absl::InvalidArgumentError("a sighting from ourselves");
  // Recorded now (sealed, with the link's watermark), matched and noted by the worker: two
  // sightings of one batch must not both read the same accounting entry.
  const std::string id = ids::NewId(clock_->Now());
  const std::string key = absl::StrCat("S|", body.sender(), "|", id);
  ENLACE_ASSIGN_OR_RETURN(std::string sealed,
                          crypto::SealPersonal(vault_, SightingOwner(id), s, key));
  txn.batch.Put(cf_, key, sealed);
  txn.OnCommit(worker_.KickOnCommit());
  return absl::OkStatus();
}

absl::StatusOr<int> Crises::ApplyReceivedSightings() {
  std::vector<std::pair<std::string, std::string>> pending;
  {
    auto it = store_->ScanPrefix(cf_, "S|");
    for (; it->Valid() && pending.size() < 200; it->Next()) {
      pending.emplace_back(it->key(), it->value());
    }
    ENLACE_RETURN_IF_ERROR(it->status());
  }
  int applied = 0;
  const Caller system = SystemCaller(self_, "crisis");
  for (const auto& [key, stored] : pending) {
    std::vector<std::string> p = absl::StrSplit(key, '|');
    const std::string& sender = p[1];
    const std::string& id = p[2];
    v1::Sighting s;
    ENLACE_ASSIGN_OR_RETURN(bool whole, crypto::OpenRecord(vault_, stored, key, &s));
    auto crisis = LoadCrisis(s.crisis());
    if (absl::IsNotFound(crisis.status())) continue;  // its declaration has not arrived yet
    txn::Transaction txn;
    txn.batch.Delete(cf_, key);
    FieldViolations v;
    if (crisis.ok() && whole && crisis->phase() != v1::PHASE_CLOSED) {
      ValidateSighting(s, *crisis, clock_->Now() + absl::Hours(1), sender, v);
    }
    if (!crisis.ok() || !whole || crisis->phase() == v1::PHASE_CLOSED || !v.empty()) {
      txn.Audit(absl::StrCat("node/", sender), "crisis.SightingReceived", {s.crisis()},
                enlace::audit::v1::AUDIT_OUTCOME_REJECTED)
          .set_detail(!v.empty() ? std::string(v.ToStatus().message())
                                 : "crisis closed or unknown");
      ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
      if (vault_ != nullptr) ENLACE_RETURN_IF_ERROR(vault_->DestroyDataKey(SightingOwner(id)));
      continue;
    }
    // Match a registration: by document, else by names and birth year (keyed hashes).
    std::string match;
    if (!s.document().number().empty()) {
      const std::string prefix = absl::StrCat("RB|", DocumentIndex(s.document()), "|");
      auto it = store_->ScanPrefix(cf_, prefix);
      if (it->Valid()) match = std::string(it->key().substr(prefix.size()));
      ENLACE_RETURN_IF_ERROR(it->status());
    }
    if (match.empty()) {
      const std::string prefix =
          absl::StrCat("RN|", NameIndex(s.given_names(), s.family_names(), s.birth_year()), "|");
      auto it = store_->ScanPrefix(cf_, prefix);
      if (it->Valid()) match = std::string(it->key().substr(prefix.size()));
      ENLACE_RETURN_IF_ERROR(it->status());
    }
    v1::Registration r;
    if (!match.empty()) {
      ENLACE_ASSIGN_OR_RETURN(auto found, LoadRegistration(match));
      if (found.has_value()) r = *found;
    }
    absl::ReaderMutexLock activation(&activation_mu_);
    if (r.name().empty()) {
      // Not enrolled: the sighting becomes a registration of its own, at the post that covers
      // the area (or the first post in the host country, or the first post).
      r.set_given_names(s.given_names());
      r.set_family_names(s.family_names());
      if (s.birth_year() > 0) r.set_birth_date(absl::StrCat(s.birth_year()));
      if (!s.document().number().empty()) *r.add_documents() = s.document();
      r.set_host_country(crisis->host_country());
      r.set_area(s.area());
      r.set_sighted_by(sender);
      for (const auto& post : config_.posts()) {
        const bool covers =
            std::find(post.areas().begin(), post.areas().end(), s.area()) != post.areas().end();
        if (covers || (r.post().empty() && post.host_country() == crisis->host_country())) {
          r.set_post(post.code());
          if (covers) break;
        }
      }
      if (r.post().empty() && config_.posts_size() > 0) r.set_post(config_.posts(0).code());
      ENLACE_ASSIGN_OR_RETURN(r, StageRegistration(std::move(r), system, txn));
    }
    v1::WelfareNote note;
    note.set_subject(r.name());
    note.set_status(s.status());
    note.set_source(v1::NOTE_SOURCE_ANOTHER_MEMBER);
    *note.mutable_observe_time() = s.observe_time();
    note.set_contact_made(s.contact_made());
    note.set_last_known_area(s.area());
    note.set_details(s.needs());
    note.set_from_member(sender);
    note.set_author(absl::StrCat("node/", sender, s.post().empty() ? "" : "/post/", s.post()));
    const std::string crisis_key = keys::CrisisKey(crisis->name());
    storage::ScopedKeyLocks lock(locks_, {keys::Entry(crisis_key, r.name())});
    auto staged =
        StageNote(*crisis, note, r.post(), r.child(), r.older_person(), r.medical_needs(), txn);
    if (!staged.ok() && !absl::IsFailedPrecondition(staged.status()) &&
        !absl::IsInvalidArgument(staged.status())) {
      return staged.status();
    }
    txn.Audit(absl::StrCat("node/", sender), "crisis.SightingReceived", {r.name(), crisis->name()},
              staged.ok() ? enlace::audit::v1::AUDIT_OUTCOME_OK
                          : enlace::audit::v1::AUDIT_OUTCOME_REJECTED)
        .set_detail(staged.ok() ? StatusKey(s.status()) : std::string(staged.status().message()));
    ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
    if (vault_ != nullptr) ENLACE_RETURN_IF_ERROR(vault_->DestroyDataKey(SightingOwner(id)));
    ++applied;
  }
  return applied;
}

absl::StatusOr<int> Crises::ReportCounts() {
  std::vector<std::string> dirty;
  {
    auto it = store_->ScanPrefix(cf_, "D|");
    for (; it->Valid(); it->Next()) dirty.emplace_back(it->key().substr(2));
    ENLACE_RETURN_IF_ERROR(it->status());
  }
  int sent = 0;
  const absl::Time now = absl::Now();  // a rate limit only, not a rule of the domain
  for (const std::string& crisis_key : dirty) {
    auto last = last_report_.find(crisis_key);
    if (last != last_report_.end() && now - last->second < absl::Seconds(1)) continue;
    ENLACE_ASSIGN_OR_RETURN(v1::Crisis crisis, LoadCrisis(crisis_key));
    std::map<v1::WelfareStatus, int64_t> counts;
    for (int s = 1; s <= v1::WelfareStatus_MAX; ++s) {
      ENLACE_ASSIGN_OR_RETURN(
          int64_t n, store_->GetCounter(counts_, keys::Count(crisis_key, keys::kAllAreas, s)));
      counts[static_cast<v1::WelfareStatus>(s)] = n;
    }
    ENLACE_ASSIGN_OR_RETURN(int64_t seq, store_->GetCounter(counts_, "S|" + crisis_key));
    v1::CountsReport report;
    report.set_crisis(crisis.name());
    report.set_member(self_);
    *report.mutable_as_of() = ToProtoTime(clock_->Now());
    report.set_sequence(seq + 1);
    for (auto& cell : PublishedCells(self_, counts)) *report.add_cells() = std::move(cell);
    txn::Transaction txn;
    // Cleared with the report that includes them: a note committed after this read sets it
    // again (it is written by every note's commit).
    txn.batch.Delete(cf_, keys::Dirty(crisis_key));
    txn.batch.AddToCounter(counts_, "S|" + crisis_key, 1);
    txn.batch.Put(cf_, keys::Picture(crisis_key, self_), report.SerializeAsString());
    if (!crisis.lead_member().empty() && crisis.lead_member() != self_) {
      txn.envelopes.push_back({crisis.lead_member(), kCountsKind, report.SerializeAsString()});
    }
    ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
    last_report_[crisis_key] = now;
    ++sent;
  }
  return sent;
}

absl::Status Crises::ApplyCounts(const enlace::federation::v1::EnvelopeBody& body,
                                 txn::Transaction& txn) {
  v1::CountsReport report;
  if (!report.ParseFromString(body.payload())) {
    return absl::InvalidArgumentError("payload is not a CountsReport");
  }
  if (report.member() != body.sender()) {
    return absl::InvalidArgumentError("a member reports its own counts only");
  }
  // Counts only, and no small cell: a report that would reveal one is refused whole.
  for (const auto& c : report.cells()) {
    if (c.member() != body.sender() || (!c.withheld() && c.count() < kSuppressionThreshold) ||
        (c.withheld() && c.count() != 0)) {
      return absl::InvalidArgumentError("a cell under the suppression threshold was published");
    }
  }
  const std::string crisis_key = keys::CrisisKey(report.crisis());
  ENLACE_ASSIGN_OR_RETURN(auto raw, store_->Get(cf_, keys::Picture(crisis_key, body.sender())));
  v1::CountsReport have;
  if (raw.has_value() && have.ParseFromString(*raw) && have.sequence() >= report.sequence()) {
    return absl::OkStatus();  // a late report
  }
  txn.batch.Put(cf_, keys::Picture(crisis_key, body.sender()), report.SerializeAsString());
  return absl::OkStatus();
}

absl::StatusOr<v1::RegionalPicture> Crises::GetRegionalPicture(
    const v1::GetRegionalPictureRequest& request, const Caller&) {
  ENLACE_ASSIGN_OR_RETURN(v1::Crisis crisis, LoadCrisis(request.crisis()));
  const std::string crisis_key = keys::CrisisKey(crisis.name());
  v1::RegionalPicture out;
  out.set_crisis(crisis.name());
  auto it = store_->ScanPrefix(cf_, absl::StrCat("P|", crisis_key, "|"));
  for (; it->Valid(); it->Next()) {
    v1::CountsReport report;
    if (!report.ParseFromArray(it->value().data(), it->value().size())) {
      return absl::DataLossError("stored counts report corrupt");
    }
    auto* r = out.add_reports();
    r->set_member(report.member());
    *r->mutable_as_of() = report.as_of();
    for (const auto& c : report.cells()) *out.add_cells() = c;
  }
  ENLACE_RETURN_IF_ERROR(it->status());
  return out;
}

}  // namespace enlace::crisis
