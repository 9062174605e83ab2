#include "services/directory/directory.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/geo/geo.h"
#include "common/ids/ids.h"
#include "common/pagetoken/node_secret.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/text/fold.h"
#include "google/protobuf/util/field_mask_util.h"

namespace enlace::directory {
namespace {

constexpr char kOrgsCf[] = "directory";
constexpr char kRequestsCf[] = "requests";
constexpr char kCountersCf[] = "counters";
constexpr char kTombstone[] = "tomb|";

google::protobuf::Timestamp Now() {
  google::protobuf::Timestamp ts;
  const absl::Time now = absl::Now();
  ts.set_seconds(absl::ToUnixSeconds(now));
  ts.set_nanos(static_cast<int32_t>(absl::ToUnixNanos(now) % 1000000000));
  return ts;
}

std::string Etag(const v1::Organisation& o) { return absl::StrCat("r", o.revision()); }

// `countries/{cc}/organisations/{id}` -> "{cc}/{id}".
absl::StatusOr<std::string> KeyOf(absl::string_view name, absl::string_view field) {
  std::vector<absl::string_view> p = absl::StrSplit(name, '/');
  if (p.size() != 4 || p[0] != "countries" || !geo::IsCountryCode(p[1]) ||
      p[2] != "organisations" || !ids::IsValidId(p[3])) {
    return InvalidField(field, "must be countries/{country}/organisations/{organisation}");
  }
  return absl::StrCat(p[1], "/", p[3]);
}

void CheckLine(const std::string& value, size_t max, bool required, const std::string& field,
               FieldViolations& v) {
  if (value.empty()) {
    if (required) v.Add(field, "required");
  } else if (value.size() > max || !text::IsCleanUtf8(value)) {
    v.Add(field, absl::StrCat("at most ", max, " bytes of one-line UTF-8 text"));
  }
}

}  // namespace

void ValidateOrganisation(const v1::Organisation& o, FieldViolations& v,
                          const std::string& p) {
  CheckLine(o.display_name(), 200, true, p + "display_name", v);
  if (o.type() == 0 || !v1::OrganisationType_IsValid(o.type())) v.Add(p + "type", "required");
  if (o.services_size() == 0) v.Add(p + "services", "at least one service");
  std::set<int> seen;
  for (int i = 0; i < o.services_size(); ++i) {
    if (o.services(i) == 0 || !v1::Service_IsValid(o.services(i)) ||
        !seen.insert(o.services(i)).second) {
      v.Add(absl::StrCat(p, "services[", i, "]"), "unknown or duplicate service");
    }
  }
  if (o.areas_size() > 100) v.Add(p + "areas", "at most 100");
  for (int i = 0; i < o.areas_size() && i < 100; ++i) {
    if (!geo::IsSubdivisionCode(o.areas(i)) && !geo::IsCountryCode(o.areas(i))) {
      v.Add(absl::StrCat(p, "areas[", i, "]"), "must be an ISO 3166-2 or 3166-1 code");
    }
  }
  for (int i = 0; i < o.languages_size(); ++i) {
    if (!geo::IsLanguageCode(o.languages(i))) {
      v.Add(absl::StrCat(p, "languages[", i, "]"), "must be an ISO 639 code in lower case");
    }
  }
  CheckLine(o.contact().phone(), 40, false, p + "contact.phone", v);
  CheckLine(o.contact().email(), 254, false, p + "contact.email", v);
  CheckLine(o.contact().website(), 300, false, p + "contact.website", v);
  CheckLine(o.contact().address(), 500, false, p + "contact.address", v);
  if (o.description().size() > 2000) v.Add(p + "description", "at most 2000 bytes");
}

void Directory::AddColumnFamilies(storage::StoreOptions& options) {
  for (const char* cf : {kOrgsCf, kRequestsCf}) {
    if (std::find(options.column_families.begin(), options.column_families.end(), cf) ==
        options.column_families.end()) {
      options.column_families.push_back(cf);
    }
  }
  if (std::find(options.counter_families.begin(), options.counter_families.end(),
                kCountersCf) == options.counter_families.end()) {
    options.counter_families.push_back(kCountersCf);
  }
}

Directory::Directory(storage::Store* store, txn::Committer* committer, std::string self,
                     std::function<std::vector<std::string>()> peers)
    : store_(store),
      committer_(committer),
      self_(std::move(self)),
      peers_(std::move(peers)),
      orgs_(store->cf(kOrgsCf)),
      requests_(store->cf(kRequestsCf)),
      // Directory entries are public, but a forged token must still be refused.
      page_tokens_(NodeSecretOrEphemeral(store, "directory_page_token_secret")) {}

absl::StatusOr<std::optional<v1::Organisation>> Directory::Load(const std::string& key) const {
  auto raw = store_->Get(orgs_, key);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<v1::Organisation>();
  v1::Organisation o;
  if (!o.ParseFromString(**raw)) return absl::DataLossError("stored organisation corrupt");
  return std::optional<v1::Organisation>(std::move(o));
}

void Directory::Broadcast(const v1::OrganisationChange& change, txn::Transaction& txn) const {
  const std::string payload = change.SerializeAsString();
  for (const auto& peer : peers_()) {
    txn.envelopes.push_back({peer, change.deleted() ? kDeleteKind : kUpsertKind, payload});
  }
}

absl::StatusOr<v1::Organisation> Directory::CreateOrganisation(
    const v1::CreateOrganisationRequest& request, const Caller& caller) {
  const std::string parent = absl::StrCat("countries/", self_);
  if (request.parent() != parent) {
    if (absl::StartsWith(request.parent(), "countries/")) {
      return absl::PermissionDeniedError(absl::StrCat(
          "only ", request.parent().substr(0, 16),
          " can create its directory entries; this node writes only ", parent));
    }
    return InvalidField("parent", absl::StrCat("must be ", parent));
  }
  FieldViolations v;
  if (!request.request_id().empty() && !ids::IsValidRequestId(request.request_id())) {
    v.Add("request_id", "1-64 characters of A-Z a-z 0-9 _ -");
  }
  ValidateOrganisation(request.organisation(), v, "organisation.");
  if (!v.empty()) return v.ToStatus();
  const std::string request_key =
      request.request_id().empty() ? ""
                                   : absl::StrCat("org|", caller.identity, "|", request.request_id());
  storage::ScopedKeyLocks lock(locks_, {request_key});
  if (!request_key.empty()) {
    auto earlier = store_->Get(requests_, request_key);
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) {
      auto o = Load(**earlier);
      if (!o.ok()) return o.status();
      if (o->has_value()) return **o;
      return absl::NotFoundError("the organisation created by this request was deleted");
    }
  }
  const std::string id = ids::NewId();
  v1::Organisation org = request.organisation();
  org.set_name(absl::StrCat(parent, "/organisations/", id));
  org.set_revision(1);
  *org.mutable_create_time() = Now();
  *org.mutable_update_time() = org.create_time();
  org.set_etag(Etag(org));
  const std::string key = absl::StrCat(self_, "/", id);
  txn::Transaction txn;
  txn.batch.Put(orgs_, key, org.SerializeAsString());
  if (!request_key.empty()) txn.batch.Put(requests_, request_key, key);
  v1::OrganisationChange change;
  *change.mutable_organisation() = org;
  Broadcast(change, txn);
  enlace::audit::v1::AuditRecord r;
  r.set_actor(caller.identity);
  r.set_action("directory.CreateOrganisation");
  r.add_resources(org.name());
  r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
  txn.audit.push_back(r);
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return org;
}

absl::StatusOr<v1::Organisation> Directory::GetOrganisation(
    const v1::GetOrganisationRequest& request, const Caller&) {
  auto key = KeyOf(request.name(), "name");
  if (!key.ok()) return key.status();
  auto o = Load(*key);
  if (!o.ok()) return o.status();
  if (!o->has_value()) return absl::NotFoundError(absl::StrCat(request.name(), " not found"));
  return **o;
}

absl::StatusOr<v1::Organisation> Directory::UpdateOrganisation(
    const v1::UpdateOrganisationRequest& request, const Caller& caller) {
  auto key = KeyOf(request.organisation().name(), "organisation.name");
  if (!key.ok()) return key.status();
  if (!absl::StartsWith(*key, self_ + "/")) {
    return absl::PermissionDeniedError(
        "only the member that owns an entry can change it; ask that member's node");
  }
  if (request.organisation().etag().empty()) return InvalidField("organisation.etag", "required");
  static const auto* allowed = new std::set<std::string>{
      "display_name", "type", "services", "areas", "contact", "languages", "description"};
  if (request.update_mask().paths_size() == 0) {
    return InvalidField("update_mask", "required: name the fields to change");
  }
  for (const auto& path : request.update_mask().paths()) {
    if (!allowed->count(path)) {
      return InvalidField("update_mask", absl::StrCat("field \"", path.substr(0, 64),
                                                      "\" cannot be updated"));
    }
  }
  storage::ScopedKeyLocks lock(locks_, {*key});
  auto current = Load(*key);
  if (!current.ok()) return current.status();
  if (!current->has_value()) {
    return absl::NotFoundError(absl::StrCat(request.organisation().name(), " not found"));
  }
  if ((*current)->etag() != request.organisation().etag()) {
    return absl::AbortedError("organisation.etag does not match: read it again");
  }
  v1::Organisation org = **current;
  google::protobuf::util::FieldMaskUtil::MergeOptions merge;
  merge.set_replace_repeated_fields(true);
  merge.set_replace_message_fields(true);  // a contact given replaces the stored one
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(request.organisation(),
                                                        request.update_mask(), merge, &org);
  FieldViolations v;
  ValidateOrganisation(org, v, "organisation.");
  if (!v.empty()) return v.ToStatus();
  org.set_revision(org.revision() + 1);
  *org.mutable_update_time() = Now();
  org.set_etag(Etag(org));
  txn::Transaction txn;
  txn.batch.Put(orgs_, *key, org.SerializeAsString());
  v1::OrganisationChange change;
  *change.mutable_organisation() = org;
  Broadcast(change, txn);
  enlace::audit::v1::AuditRecord r;
  r.set_actor(caller.identity);
  r.set_action("directory.UpdateOrganisation");
  r.add_resources(org.name());
  r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
  txn.audit.push_back(r);
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return org;
}

absl::StatusOr<v1::DeleteOrganisationResponse> Directory::DeleteOrganisation(
    const v1::DeleteOrganisationRequest& request, const Caller& caller) {
  auto key = KeyOf(request.name(), "name");
  if (!key.ok()) return key.status();
  if (!absl::StartsWith(*key, self_ + "/")) {
    return absl::PermissionDeniedError(
        "only the member that owns an entry can delete it; ask that member's node");
  }
  if (request.etag().empty()) return InvalidField("etag", "required");
  storage::ScopedKeyLocks lock(locks_, {*key});
  auto current = Load(*key);
  if (!current.ok()) return current.status();
  if (!current->has_value()) return absl::NotFoundError(absl::StrCat(request.name(), " not found"));
  if ((*current)->etag() != request.etag()) {
    return absl::AbortedError("etag does not match: read it again");
  }
  txn::Transaction txn;
  txn.batch.Delete(orgs_, *key);
  v1::OrganisationChange change;
  change.set_deleted(true);
  change.mutable_organisation()->set_name(request.name());
  change.mutable_organisation()->set_revision((*current)->revision() + 1);
  Broadcast(change, txn);
  enlace::audit::v1::AuditRecord r;
  r.set_actor(caller.identity);
  r.set_action("directory.DeleteOrganisation");
  r.add_resources(request.name());
  r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
  txn.audit.push_back(r);
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return v1::DeleteOrganisationResponse();
}

absl::StatusOr<v1::ListOrganisationsResponse> Directory::ListOrganisations(
    const v1::ListOrganisationsRequest& request, const Caller&) {
  FieldViolations v;
  std::string prefix;
  if (!request.parent().empty()) {
    std::vector<absl::string_view> p = absl::StrSplit(request.parent(), '/');
    if (p.size() != 2 || p[0] != "countries" || !geo::IsCountryCode(p[1])) {
      v.Add("parent", "must be countries/{country} or empty for all members");
    } else {
      prefix = absl::StrCat(p[1], "/");
    }
  }
  if (request.type() != 0 && !v1::OrganisationType_IsValid(request.type())) {
    v.Add("type", "unknown value");
  }
  if (request.service() != 0 && !v1::Service_IsValid(request.service())) {
    v.Add("service", "unknown value");
  }
  if (!request.area().empty() && !geo::IsSubdivisionCode(request.area()) &&
      !geo::IsCountryCode(request.area())) {
    v.Add("area", "must be an ISO 3166-2 or 3166-1 code");
  }
  if (request.query().size() > 200) v.Add("query", "at most 200 bytes");
  if (request.page_size() < 0) v.Add("page_size", "must not be negative");
  if (!v.empty()) return v.ToStatus();
  const int limit = request.page_size() == 0 ? 50 : std::min(request.page_size(), 1000);
  const std::vector<std::string> words = text::Words(text::FoldForSearch(request.query()));
  const std::string query = absl::StrCat("orgs|", prefix, "|", request.type(), "|",
                                         request.service(), "|", request.area(), "|",
                                         absl::StrJoin(words, " "));
  std::string lower = prefix;
  if (!request.page_token().empty()) {
    auto pos = page_tokens_.Decode(query, request.page_token());
    if (!pos.ok()) return pos.status();
    lower = *pos + std::string(1, '\0');
  }
  v1::ListOrganisationsResponse out;
  std::string last;
  // The directory is small (thousands of entries): a filtered scan serves every query.
  auto it = store_->Scan(orgs_, lower, storage::PrefixSuccessor(prefix));
  for (; it->Valid(); it->Next()) {
    if (absl::StartsWith(it->key(), kTombstone)) continue;
    v1::Organisation o;
    if (!o.ParseFromArray(it->value().data(), it->value().size())) continue;
    if (request.type() != 0 && o.type() != request.type()) continue;
    if (request.service() != 0 &&
        std::find(o.services().begin(), o.services().end(), request.service()) ==
            o.services().end()) {
      continue;
    }
    if (!request.area().empty()) {
      bool covers = false;
      for (const auto& a : o.areas()) {
        covers |= a == request.area() || a == request.area().substr(0, 2);
      }
      if (!covers) continue;
    }
    if (!words.empty()) {
      auto name_words = text::Words(text::FoldForSearch(o.display_name()));
      bool all = true;
      for (const auto& q : words) {
        bool any = false;
        for (const auto& w : name_words) any |= absl::StartsWith(w, q);
        all &= any;
      }
      if (!all) continue;
    }
    if (out.organisations_size() == limit) {
      out.set_next_page_token(page_tokens_.Encode(query, last));
      break;
    }
    *out.add_organisations() = std::move(o);
    last = std::string(it->key());
  }
  ENLACE_RETURN_IF_ERROR(it->status());
  return out;
}

absl::Status Directory::Apply(const enlace::federation::v1::EnvelopeBody& body,
                              txn::Transaction& txn) {
  v1::OrganisationChange change;
  if (!change.ParseFromString(body.payload())) {
    return absl::InvalidArgumentError("payload is not an OrganisationChange");
  }
  auto key = KeyOf(change.organisation().name(), "organisation.name");
  if (!key.ok()) return absl::InvalidArgumentError(key.status().message());
  // One writer per object: a member may only change its own entries.
  if (!absl::StartsWith(*key, body.sender() + "/")) {
    return absl::PermissionDeniedError(absl::StrCat(
        body.sender(), " tried to change an entry it does not own: ",
        change.organisation().name().substr(0, 80)));
  }
  if (change.deleted() != (body.kind() == kDeleteKind)) {
    return absl::InvalidArgumentError("kind and payload disagree");
  }
  if (!change.deleted()) {
    FieldViolations v;
    ValidateOrganisation(change.organisation(), v, "organisation.");
    if (!v.empty()) return absl::InvalidArgumentError(v.ToStatus().message());
  }
  // Revisions only move forward: a late copy never overwrites a newer one.
  int64_t have = 0;
  auto current = Load(*key);
  if (!current.ok()) return current.status();
  if (current->has_value()) have = (*current)->revision();
  auto tomb = store_->Get(orgs_, kTombstone + *key);
  if (!tomb.ok()) return tomb.status();
  if (tomb->has_value()) have = std::max<int64_t>(have, storage::ReadBigEndian64(**tomb));
  if (change.organisation().revision() <= have) {
    // Only a bootstrap copy racing a live change can be late; counted so tests can tell.
    txn.batch.AddToCounter(store_->cf(kCountersCf), "directory|stale", 1);
    return absl::OkStatus();
  }
  if (change.deleted()) {
    txn.batch.Delete(orgs_, *key);
    std::string rev;
    storage::AppendBigEndian64(&rev, change.organisation().revision());
    txn.batch.Put(orgs_, kTombstone + *key, rev);
  } else {
    txn.batch.Put(orgs_, *key, change.organisation().SerializeAsString());
  }
  return absl::OkStatus();
}

absl::Status Directory::Bootstrap(const std::string& peer, txn::Transaction& txn) {
  for (auto it = store_->ScanPrefix(orgs_, self_ + "/"); it->Valid(); it->Next()) {
    v1::OrganisationChange change;
    if (!change.mutable_organisation()->ParseFromArray(it->value().data(), it->value().size())) {
      continue;
    }
    txn.envelopes.push_back({peer, kUpsertKind, change.SerializeAsString()});
  }
  return absl::OkStatus();
}

}  // namespace enlace::directory
