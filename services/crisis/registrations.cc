// Nationals enrolled abroad: created by posts or imported in bulk, sealed under their own key,
// matched by keyed hashes only, ended by the retention clock.

#include <algorithm>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/crypto/aead.h"
#include "common/crypto/sealed_record.h"
#include "common/ids/ids.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/text/fold.h"
#include "common/time/proto_time.h"
#include "services/crisis/crisis.h"
#include "services/crisis/keys.h"

namespace enlace::crisis {
namespace {

constexpr int kMaxImportItems = 500;

int BirthYear(absl::string_view birth_date) {
  int year = 0;
  if (birth_date.size() >= 4 && absl::SimpleAtoi(birth_date.substr(0, 4), &year)) return year;
  return 0;
}

std::string RetentionKey(absl::Time expire, absl::string_view id) {
  return absl::StrFormat("RX|%012d|%s", absl::ToUnixSeconds(expire), id);
}

}  // namespace

std::string Crises::DocumentIndex(const enlace::cases::v1::IdentityDocument& d) const {
  std::string number;
  for (char c : d.number()) {
    if (c != ' ' && c != '-') number.push_back(absl::ascii_toupper(c));
  }
  return absl::BytesToHexString(
      crypto::Hmac(index_secret_, absl::StrCat("doc|", d.issuing_country(), "|", number)));
}

std::string Crises::NameIndex(absl::string_view given, absl::string_view family,
                              int birth_year) const {
  return absl::BytesToHexString(
      crypto::Hmac(index_secret_, absl::StrCat("name|", text::FoldForSearch(family), "|",
                                               text::FoldForSearch(given), "|", birth_year)));
}

absl::StatusOr<std::optional<v1::Registration>> Crises::LoadRegistration(
    const std::string& id) const {
  const std::string key = keys::Registration(id);
  ENLACE_ASSIGN_OR_RETURN(auto raw, store_->Get(cf_, key));
  if (!raw.has_value()) return std::optional<v1::Registration>();
  v1::Registration r;
  ENLACE_RETURN_IF_ERROR(crypto::OpenRecord(vault_, *raw, key, &r).status());
  return std::optional<v1::Registration>(std::move(r));
}

absl::StatusOr<v1::Registration> Crises::StageRegistration(v1::Registration r, const Caller& caller,
                                                           txn::Transaction& txn) {
  const absl::Time now = clock_->Now();
  const std::string id = ids::NewId(now);
  r.set_name(keys::RegistrationName(self_, id));
  r.set_created_by(caller.identity);
  *r.mutable_create_time() = ToProtoTime(now);
  const absl::Time expire = ExpireTime(r, now);
  *r.mutable_expire_time() = ToProtoTime(expire);
  const int year = BirthYear(r.birth_date());
  if (year > 0) {
    const int age = absl::ToCivilYear(now, absl::UTCTimeZone()).year() - year;
    r.set_child(r.child() || age < 18);
    r.set_older_person(r.older_person() || age >= 60);
  }
  const std::string key = keys::Registration(id);
  ENLACE_ASSIGN_OR_RETURN(std::string sealed,
                          crypto::SealPersonal(vault_, keys::RegistrationOwner(id), r, key));
  txn.batch.Put(cf_, key, sealed);
  txn.batch.Put(cf_, absl::StrCat("RA|", r.host_country(), "|", r.area(), "|", id), "");
  for (const auto& d : r.documents()) {
    txn.batch.Put(cf_, absl::StrCat("RB|", DocumentIndex(d), "|", id), "");
  }
  txn.batch.Put(
      cf_, absl::StrCat("RN|", NameIndex(r.given_names(), r.family_names(), year), "|", id), "");
  txn.batch.Put(cf_, RetentionKey(expire, id), "");
  // Already in an active crisis's area: on its worklist at once.
  ENLACE_ASSIGN_OR_RETURN(auto crises, AllCrises());
  for (const v1::Crisis& c : crises) {
    if (c.phase() != v1::PHASE_ACTIVE && c.phase() != v1::PHASE_RECOVERY) continue;
    if (c.host_country() != r.host_country() ||
        std::find(c.areas().begin(), c.areas().end(), r.area()) == c.areas().end()) {
      continue;
    }
    const std::string crisis_key = keys::CrisisKey(c.name());
    v1::AccountingEntry e;
    e.set_crisis(c.name());
    e.set_subject(r.name());
    e.set_area(r.area());
    e.set_status(v1::WELFARE_STATUS_UNACCOUNTED);
    e.set_post(r.post());
    e.set_risk(Risk(r.child(), r.older_person(), r.medical_needs(), e.status()));
    StageEntry(crisis_key, std::nullopt, e, txn);
  }
  return r;
}

absl::StatusOr<v1::Registration> Crises::CreateRegistration(
    const v1::CreateRegistrationRequest& request, const Caller& caller) {
  ENLACE_ASSIGN_OR_RETURN(const std::string parent, CheckParent(request.parent()));
  FieldViolations v;
  CheckRequestId(request.request_id(), v);
  v1::Registration r = request.registration();
  if (caller.role == Role::kOfficer) {
    if (!r.post().empty() && r.post() != caller.post) {
      return absl::PermissionDeniedError("an officer enrols nationals at their own post only");
    }
    r.set_post(caller.post);
  }
  if (std::none_of(config_.posts().begin(), config_.posts().end(),
                   [&](const auto& p) { return p.code() == r.post(); })) {
    v.Add("registration.post", "required: one of this node's posts");
  }
  ValidateRegistration(r, v, "registration.");
  r.clear_sighted_by();
  if (!v.empty()) return v.ToStatus();
  const std::string request_key = RequestKey(caller, request.request_id());
  storage::ScopedKeyLocks lock(locks_, {request_key});
  ENLACE_ASSIGN_OR_RETURN(std::string earlier, EarlierResult(request_key));
  if (!earlier.empty()) {
    v1::GetRegistrationRequest again;
    again.set_name(earlier);
    return GetRegistration(again, caller);
  }
  std::unique_ptr<cases::Registry::PersonGuard> guard;
  if (!r.person().empty()) {
    ENLACE_ASSIGN_OR_RETURN(guard, registry_->GuardPerson(r.person()));
  }
  absl::ReaderMutexLock activation(&activation_mu_);
  txn::Transaction txn;
  ENLACE_ASSIGN_OR_RETURN(v1::Registration out, StageRegistration(std::move(r), caller, txn));
  const std::string id = out.name().substr(out.name().rfind('/') + 1);
  if (guard != nullptr) registry_->LinkToPerson(txn, *guard, keys::RegistrationOwner(id));
  if (!request_key.empty()) txn.batch.Put(cf_, request_key, out.name());
  txn.Audit(caller.identity, "crisis.CreateRegistration", {out.name()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return out;
}

absl::StatusOr<v1::Registration> Crises::GetRegistration(const v1::GetRegistrationRequest& request,
                                                         const Caller& caller) {
  std::vector<absl::string_view> p = absl::StrSplit(request.name(), '/');
  if (p.size() != 4 || p[0] != "countries" || p[1] != self_ || p[2] != "registrations" ||
      !ids::IsValidId(p[3])) {
    return InvalidField("name", absl::StrCat("must be countries/", self_, "/registrations/{id}"));
  }
  ENLACE_ASSIGN_OR_RETURN(auto r, LoadRegistration(std::string(p[3])));
  if (!r.has_value()) return absl::NotFoundError(absl::StrCat(request.name(), " not found"));
  ENLACE_RETURN_IF_ERROR(CheckPost(r->post(), caller));
  // Reading a person's data is audited like a case read.
  txn::Transaction txn;
  txn.Audit(caller.identity, "crisis.GetRegistration", {request.name()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return *r;
}

absl::StatusOr<v1::ImportRegistrationsResponse> Crises::ImportRegistrations(
    const v1::ImportRegistrationsRequest& request, const Caller& caller) {
  ENLACE_ASSIGN_OR_RETURN(const std::string parent, CheckParent(request.parent()));
  if (request.items_size() == 0 || request.items_size() > kMaxImportItems) {
    return InvalidField("items", absl::StrCat("1 to ", kMaxImportItems, " per call"));
  }
  v1::ImportRegistrationsResponse out;
  std::vector<std::string> request_keys;
  for (const auto& item : request.items()) {
    request_keys.push_back(absl::StrCat("Q|import|", item.request_id()));
  }
  // Items of one batch are one commit: all of them or none are durable.
  storage::ScopedKeyLocks lock(locks_, request_keys);
  absl::ReaderMutexLock activation(&activation_mu_);
  txn::Transaction txn;
  std::set<std::string> in_batch;
  for (int i = 0; i < request.items_size(); ++i) {
    const auto& item = request.items(i);
    auto fail = [&](const std::string& field, const std::string& why) {
      auto* f = out.add_failures();
      f->set_index(i);
      f->set_request_id(item.request_id().substr(0, 64));
      f->set_field(field);
      f->set_description(why);
    };
    if (!ids::IsValidRequestId(item.request_id())) {
      fail("request_id", "required: 1-64 characters of A-Z a-z 0-9 _ -");
      continue;
    }
    ENLACE_ASSIGN_OR_RETURN(std::string earlier, EarlierResult(request_keys[i]));
    if (!earlier.empty() || !in_batch.insert(item.request_id()).second) {
      out.set_already_present(out.already_present() + 1);
      continue;
    }
    v1::Registration r = item.registration();
    FieldViolations v;
    if (std::none_of(config_.posts().begin(), config_.posts().end(),
                     [&](const auto& p) { return p.code() == r.post(); })) {
      v.Add("registration.post", "required: one of this node's posts");
    }
    ValidateRegistration(r, v, "registration.");
    if (!r.person().empty()) v.Add("registration.person", "not set by an import");
    if (!v.empty()) {
      fail(v.violations()[0].field, v.violations()[0].description);
      continue;
    }
    r.clear_sighted_by();
    ENLACE_ASSIGN_OR_RETURN(v1::Registration created, StageRegistration(std::move(r), caller, txn));
    txn.batch.Put(cf_, request_keys[i], created.name());
    out.set_created(out.created() + 1);
  }
  txn.Audit(caller.identity, "crisis.ImportRegistrations", {parent})
      .set_detail(absl::StrCat(out.created(), " created, ", out.already_present(),
                               " already present, ", out.failures_size(), " refused"));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return out;
}

absl::StatusOr<int> Crises::PurgeExpired() {
  const std::string upto = RetentionKey(clock_->Now(), "");
  int purged = 0;
  auto it = store_->Scan(cf_, "RX|", upto);
  std::vector<std::string> expired;
  for (; it->Valid() && expired.size() < 1000; it->Next()) expired.emplace_back(it->key());
  ENLACE_RETURN_IF_ERROR(it->status());
  for (const std::string& rx : expired) {
    const std::string id = rx.substr(rx.rfind('|') + 1);
    txn::Transaction txn;
    txn.batch.Delete(cf_, rx);
    ENLACE_ASSIGN_OR_RETURN(auto held, store_->Get(cf_, absl::StrCat("H|", id)));
    ENLACE_ASSIGN_OR_RETURN(auto r, LoadRegistration(id));
    if (!held.has_value() && r.has_value()) {
      txn.batch.Delete(cf_, keys::Registration(id));
      txn.batch.Delete(cf_, absl::StrCat("RA|", r->host_country(), "|", r->area(), "|", id));
      for (const auto& d : r->documents()) {
        txn.batch.Delete(cf_, absl::StrCat("RB|", DocumentIndex(d), "|", id));
      }
      txn.batch.Delete(cf_, absl::StrCat("RN|",
                                         NameIndex(r->given_names(), r->family_names(),
                                                   BirthYear(r->birth_date())),
                                         "|", id));
      txn.Audit(absl::StrCat("node/", self_, "/crisis"), "crisis.RegistrationExpired", {r->name()});
      ++purged;
    }
    ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
    // The sealed part dies with its key (after the commit: a crash in between leaves a key
    // whose record is gone, never a record whose key is gone early).
    if (!held.has_value() && vault_ != nullptr) {
      ENLACE_RETURN_IF_ERROR(vault_->DestroyDataKey(keys::RegistrationOwner(id)));
    }
  }
  return purged;
}

}  // namespace enlace::crisis
