#include "common/replication/exchanged_records.h"

#include <algorithm>

#include "absl/strings/str_split.h"
#include "common/geo/geo.h"
#include "common/ids/ids.h"
#include "common/status/errors.h"

namespace enlace::replication {

std::string ExchangedRecordsBase::OutKey(absl::string_view id) { return absl::StrCat("o|", id); }
std::string ExchangedRecordsBase::InKey(absl::string_view from, absl::string_view id) {
  return absl::StrCat("i|", from, "|", id);
}
std::string ExchangedRecordsBase::OutPostKey(absl::string_view post, absl::string_view id) {
  return absl::StrCat("q|", post, "|", id);
}
std::string ExchangedRecordsBase::InPostKey(absl::string_view post, absl::string_view from,
                                            absl::string_view id) {
  return absl::StrCat("p|", post, "|", from, "|", id);
}

bool ExchangedRecordsBase::ParseName(absl::string_view name, std::string* from,
                                     std::string* id) const {
  std::vector<absl::string_view> p = absl::StrSplit(name, '/');
  if (p.size() != 4 || p[0] != "countries" || !geo::IsCountryCode(p[1]) ||
      p[2] != options_.collection || !ids::IsValidId(p[3])) {
    return false;
  }
  *from = std::string(p[1]);
  *id = std::string(p[3]);
  return true;
}

std::string ExchangedRecordsBase::Name(absl::string_view from, absl::string_view id) const {
  return absl::StrCat("countries/", from, "/", options_.collection, "/", id);
}

std::string ExchangedRecordsBase::KeyOwner(absl::string_view from, absl::string_view id) const {
  return absl::StrCat(options_.singular, ":", from, ":", id);
}

absl::Status ExchangedRecordsBase::DestroyKey(absl::string_view from, absl::string_view id) const {
  if (options_.vault == nullptr) return absl::OkStatus();
  const std::string owner = KeyOwner(from, id);
  if (!options_.vault->HasDataKey(owner)) return absl::OkStatus();
  return options_.vault->DestroyDataKey(owner);
}

absl::Status ExchangedRecordsBase::CheckPost(const std::string& post, const Caller& caller) const {
  if (caller.role != Role::kOfficer || post == caller.post) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("an officer of ", caller.post, " sees only that post's ", options_.collection));
}

absl::StatusOr<ExchangedRecordsBase::ListPlan> ExchangedRecordsBase::Plan(
    const ListRequest& request, const Caller& caller) const {
  if (request.page_size < 0) return InvalidField("page_size", "must not be negative");
  ListPlan plan;
  plan.limit = request.page_size == 0 ? 50 : std::min(request.page_size, 1000);
  std::string post = request.post;
  if (caller.role == Role::kOfficer) {
    if (!post.empty() && post != caller.post) {
      return absl::PermissionDeniedError(
          absl::StrCat("an officer lists only its own post's ", options_.collection));
    }
    post = caller.post;
  }
  plan.prefix = request.incoming ? (post.empty() ? "i|" : absl::StrCat("p|", post, "|"))
                                 : (post.empty() ? "o|" : absl::StrCat("q|", post, "|"));
  plan.query = absl::StrCat(options_.collection, "|", plan.prefix);
  plan.lower = plan.prefix;
  if (!request.page_token.empty()) {
    auto position = tokens_.Decode(plan.query, request.page_token);
    if (!position.ok()) return position.status();
    plan.lower = *position + std::string(1, '\0');
  }
  return plan;
}

void ExchangedRecordsBase::FromAndId(absl::string_view key, bool incoming, std::string* from,
                                     std::string* id) const {
  std::vector<absl::string_view> p = absl::StrSplit(key, '|');
  *id = std::string(p.back());
  *from = incoming && p.size() >= 3 ? std::string(p[p.size() - 2]) : options_.self;
}

std::string ExchangedRecordsBase::NextPageToken(const ListPlan& plan,
                                                absl::string_view last_key) const {
  return tokens_.Encode(plan.query, last_key);
}

absl::Status ExchangedRecordsBase::AuditRead(const Caller& caller, absl::string_view action,
                                             std::vector<std::string> names) const {
  if (names.empty()) return absl::OkStatus();
  txn::Transaction txn;
  txn.Audit(caller.identity, std::string(action), std::move(names));
  return options_.committer->Commit(txn);
}

absl::StatusOr<std::optional<std::string>> ExchangedRecordsBase::Get(absl::string_view key) const {
  return options_.store->Get(options_.cf, key);
}

std::unique_ptr<storage::Iterator> ExchangedRecordsBase::Scan(const ListPlan& plan) const {
  return options_.store->Scan(options_.cf, plan.lower, storage::PrefixSuccessor(plan.prefix));
}

}  // namespace enlace::replication
