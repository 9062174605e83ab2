// Construction, names, scoping and sealing shared by the workers module's files.

#include "services/workers/workers.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto/sealed_record.h"
#include "common/geo/geo.h"
#include "common/ids/ids.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/proto_time.h"
#include "services/workers/keys.h"

namespace enlace::workers {

void Workers::AddColumnFamilies(storage::StoreOptions& options) {
  auto add = [](std::vector<std::string>& list, const char* cf) {
    if (std::find(list.begin(), list.end(), cf) == list.end()) list.push_back(cf);
  };
  add(options.column_families, keys::kCf);
  add(options.counter_families, keys::kCountsCf);
  stats::Tally::AddColumnFamilies(options);
}

Workers::Workers(storage::Store* store, txn::Committer* committer, crypto::KeyVault* vault,
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
      tally_(store) {}

absl::Status Workers::CheckParent(const std::string& parent) const {
  if (parent != absl::StrCat("countries/", self_)) {
    return InvalidField("parent", absl::StrCat("must be countries/", self_));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Workers::IdOf(absl::string_view name, absl::string_view collection,
                                          absl::string_view field) const {
  std::vector<absl::string_view> p = absl::StrSplit(name, '/');
  if (p.size() != 4 || p[0] != "countries" || p[1] != self_ || p[2] != collection ||
      !ids::IsValidId(p[3])) {
    return InvalidField(field, absl::StrCat("must be countries/", self_, "/", collection, "/{id}"));
  }
  return std::string(p[3]);
}

absl::Status Workers::CheckPost(const std::string& post, const Caller& caller) {
  if (caller.role != Role::kOfficer || post == caller.post) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("this belongs to ", post, "; an officer of ", caller.post, " does not see it"));
}

absl::StatusOr<std::string> Workers::PostFor(const std::string& requested, const Caller& caller,
                                             absl::string_view field) const {
  if (caller.role == Role::kOfficer) {
    if (!requested.empty() && requested != caller.post) {
      return absl::PermissionDeniedError(
          absl::StrCat("an officer of ", caller.post, " records for that post only"));
    }
    return caller.post;
  }
  for (const auto& post : config_.posts()) {
    if (post.code() == requested) return requested;
  }
  return InvalidField(field, absl::StrCat("one of ", self_, "'s consular posts"));
}

absl::StatusOr<std::string> Workers::EarlierResult(const std::string& request_key) const {
  if (request_key.empty()) return std::string();
  ENLACE_ASSIGN_OR_RETURN(auto raw, store_->Get(cf_, request_key));
  return raw.has_value() ? *raw : std::string();
}

absl::Status Workers::LoadSealed(const std::string& key, absl::string_view name,
                                 google::protobuf::Message* out) const {
  ENLACE_ASSIGN_OR_RETURN(auto raw, store_->Get(cf_, key));
  if (!raw.has_value()) return absl::NotFoundError(absl::StrCat(name, " not found"));
  // A record whose key is gone (the person was erased) keeps only its facts.
  return crypto::OpenRecord(vault_, *raw, key, out).status();
}

absl::StatusOr<v1::LabourClaim> Workers::LoadClaim(absl::string_view name) const {
  ENLACE_ASSIGN_OR_RETURN(std::string id, IdOf(name, "labourClaims", "name"));
  v1::LabourClaim c;
  ENLACE_RETURN_IF_ERROR(LoadSealed(keys::Claim(id), name, &c));
  return c;
}

absl::Time Workers::NextUpdate(const google::protobuf::Timestamp& before) const {
  const absl::Time previous = FromProtoTime(before);
  const absl::Time now = clock_->Now();
  return now > previous ? now : previous + absl::Microseconds(1);
}

}  // namespace enlace::workers
