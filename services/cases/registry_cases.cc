#include <openssl/rand.h>
#include <openssl/sha.h>

#include <limits>
#include <map>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/crypto/aead.h"
#include "common/crypto/personal_split.h"
#include "common/geo/geo.h"
#include "common/ids/ids.h"
#include "common/status/macros.h"
#include "common/testing/sync_point.h"
#include "common/text/fold.h"
#include "common/time/proto_time.h"
#include "enlace/internal/v1/storage.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "services/cases/registry.h"
#include "services/cases/registry_internal.h"

namespace enlace::cases {

using storage::AppendBigEndian64;
using storage::PrefixSuccessor;

// ---------------------------------------------------------------- cases

absl::StatusOr<v1::Case> Registry::CreateCase(const v1::CreateCaseRequest& request,
                                              const Caller& caller) {
  const absl::Time now = options_.clock();
  if (auto p = ParseParent(request.parent()); !p.ok()) return p.status();
  FieldViolations v;
  if (!request.request_id().empty() && !ids::IsValidRequestId(request.request_id())) {
    v.Add("request_id", "1-64 characters of A-Z a-z 0-9 _ -");
  }
  if (!request.has_case_()) v.Add("case", "required");
  std::string person_id;
  if (request.case_().person().empty()) {
    v.Add("case.person", "required");
  } else {
    auto pid = ParsePersonName(request.case_().person(), "case.person");
    if (!pid.ok()) {
      if (pid.status().code() == absl::StatusCode::kInvalidArgument) {
        v.Add("case.person", "must be countries/{country}/persons/{person}");
      } else {
        v.Add("case.person", "must be a person of this node's country");
      }
    } else {
      person_id = *pid;
    }
  }
  ValidateCase(request.case_(), context_, now, v);
  if (request.has_presented_identity()) {
    const v1::PresentedIdentity& shown = request.presented_identity();
    if (shown.document().type() == 0 || !v1::DocumentType_IsValid(shown.document().type())) {
      v.Add("presented_identity.document.type", "required");
    }
    if (NormalizeDocumentNumber(shown.document().number()).empty() ||
        shown.document().number().size() > 40) {
      v.Add("presented_identity.document.number", "required, at most 40 characters");
    }
    if (!geo::IsCountryCode(shown.document().issuing_country())) {
      v.Add("presented_identity.document.issuing_country",
            "must be an ISO 3166-1 alpha-2 code in upper case");
    }
    for (const auto& [field, value] : {std::pair{"given_names", &shown.given_names()},
                                       std::pair{"family_names", &shown.family_names()}}) {
      if (value->empty() || value->size() > 200 || !text::IsCleanUtf8(*value)) {
        v.Add(absl::StrCat("presented_identity.", field),
              "required, at most 200 bytes of one-line UTF-8 text");
      }
    }
  }
  if (!v.empty()) return v.ToStatus();
  ENLACE_RETURN_IF_ERROR(CheckCaseAccess(request.case_(), caller));

  std::vector<std::string> lock_keys;
  std::string request_key;
  const std::string fingerprint = Fingerprint(request);
  if (!request.request_id().empty()) {
    request_key = absl::StrCat("case|", caller.identity, "|", request.request_id());
    lock_keys.push_back(request_key);
  }
  storage::ScopedKeyLocks lock(locks_, lock_keys);
  if (!request_key.empty()) {
    auto earlier = LookupRequest(request_key, fingerprint);
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) {
      auto c = LoadCase(**earlier);
      if (!c.ok()) return c.status();
      if (!c->has_value()) return absl::InternalError("idempotency record without case");
      return **c;
    }
  }
  auto person = LoadPerson(person_id);
  if (!person.ok()) return person.status();
  if (!person->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("case.person: ", request.case_().person(), " not found"));
  }
  // Opening a case must not be a way into a person the post could not reach before.
  std::string grant_basis = "a supervisor opened a case at the post";
  if (caller.role == Role::kOfficer && !OfficerSeesPerson(person_id, caller.post)) {
    const v1::PresentedIdentity& shown = request.presented_identity();
    if (!request.has_presented_identity() ||
        !IdentityMatches(shown.document(), shown.given_names(), shown.family_names(),
                         shown.birth_date(), **person)) {
      return absl::PermissionDeniedError(
          absl::StrCat("the person was registered through another post and ", caller.post,
                       " cannot reach them: send presented_identity (one of the person's identity "
                       "documents with the names and birth date printed on it, as presented at the "
                       "counter), or ask a supervisor for GrantPersonAccess"));
    }
    grant_basis = "identity document presented at the counter";
  }

  const std::string id = ids::NewId(now);
  v1::Case c = request.case_();
  c.set_name(absl::StrCat("countries/", options_.country, "/cases/", id));
  if (c.status() == v1::STATUS_UNSPECIFIED) c.set_status(v1::STATUS_OPEN);
  c.clear_resolution();
  c.clear_resolution_note();
  c.clear_close_time();
  c.clear_transferred_to();
  // Only the node's own modules say which record they opened the case from.
  if (caller.role != Role::kSystem) c.clear_opened_from();
  *c.mutable_create_time() = ToProtoTime(now);
  *c.mutable_update_time() = c.create_time();
  c.set_created_by(caller.identity);
  c.set_etag(ComputeEtag(c));

  v1::Case pub, priv;
  SplitCase(c, &pub, &priv);
  auto record = EncodeRecord(pub, priv, person_id, id);
  if (!record.ok()) return record.status();
  txn::Transaction txn;
  txn.batch.Put(cases_, id, *record);
  ApplyIndexDiff(txn.batch, index_, {}, CaseIndexEntries(c, id, person_id));
  // The post handling the case may see its person.
  AddGrant(txn, caller, person_id, c.post(), grant_basis);
  ApplyCounterDiff(txn.batch, counters_, {}, CaseCounterKeys(c));
  for (const auto& hook : case_hooks_) ENLACE_RETURN_IF_ERROR(hook(nullptr, c, &**person, txn));
  if (!request_key.empty()) txn.batch.Put(requests_, request_key, fingerprint + id);
  Audit(txn, caller, "cases.CreateCase", {c.name(), c.person()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return c;
}

absl::StatusOr<v1::Case> Registry::GetCase(const v1::GetCaseRequest& request,
                                           const Caller& caller) {
  auto id = ParseCaseName(request.name(), "name");
  if (!id.ok()) return id.status();
  auto c = LoadCase(*id);
  if (!c.ok()) return c.status();
  if (!c->has_value()) return absl::NotFoundError(absl::StrCat(request.name(), " not found"));
  ENLACE_RETURN_IF_ERROR(CheckCaseAccess(**c, caller));
  ENLACE_RETURN_IF_ERROR(AuditRead(caller, "cases.GetCase", {request.name()}));
  return **c;
}

absl::StatusOr<v1::ListCasesResponse> Registry::ListCases(const v1::ListCasesRequest& request,
                                                          const Caller& caller) {
  if (auto p = ParseParent(request.parent()); !p.ok()) return p.status();
  auto page_size = EffectivePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  FieldViolations v;
  if (!request.post().empty() && !context_.HasPost(request.post())) {
    v.Add("post", "unknown consular post");
  }
  if (request.status() != 0 && !v1::Status_IsValid(request.status())) {
    v.Add("status", "unknown value");
  }
  if (request.category() != 0 && !v1::Category_IsValid(request.category())) {
    v.Add("category", "unknown value");
  }
  std::string person_id;
  if (!request.person().empty()) {
    auto pid = ParsePersonName(request.person(), "person");
    if (!pid.ok()) {
      v.Add("person", "must be countries/{country}/persons/{person} of this node's country");
    } else {
      person_id = *pid;
    }
  }
  int64_t start_us = std::numeric_limits<int64_t>::min();
  int64_t end_us = std::numeric_limits<int64_t>::max();
  if (request.has_open_time_start()) {
    if (!IsValidProtoTime(request.open_time_start())) {
      v.Add("open_time_start", "invalid timestamp");
    } else {
      start_us = absl::ToUnixMicros(FromProtoTime(request.open_time_start()));
    }
  }
  if (request.has_open_time_end()) {
    if (!IsValidProtoTime(request.open_time_end())) {
      v.Add("open_time_end", "invalid timestamp");
    } else {
      end_us = absl::ToUnixMicros(FromProtoTime(request.open_time_end()));
    }
  }
  if (v.empty() && start_us >= end_us && start_us != std::numeric_limits<int64_t>::min()) {
    v.Add("open_time_end", "must be after open_time_start");
  }
  if (!v.empty()) return v.ToStatus();
  // An officer lists its own post only.
  std::string post = request.post();
  if (caller.role == Role::kOfficer) {
    if (!post.empty() && post != caller.post) {
      return absl::PermissionDeniedError(
          absl::StrCat("an officer of ", caller.post, " lists only that post's cases"));
    }
    post = caller.post;
  }

  const std::string status2 = Two(request.status());
  const std::string category2 = Two(request.category());
  std::string prefix;
  if (!person_id.empty()) {
    prefix = absl::StrCat("C|r|", person_id, "|");
  } else if (!post.empty() && request.status() != 0) {
    prefix = absl::StrCat("C|ps|", post, "|", status2, "|");
  } else if (!post.empty() && request.category() != 0) {
    prefix = absl::StrCat("C|pc|", post, "|", category2, "|");
  } else if (!post.empty()) {
    prefix = absl::StrCat("C|p|", post, "|");
  } else if (request.status() != 0) {
    prefix = absl::StrCat("C|s|", status2, "|");
  } else if (request.category() != 0) {
    prefix = absl::StrCat("C|c|", category2, "|");
  } else {
    prefix = "C|a|";
  }
  // Keys hold the inverted opening time: newest first, and a time range is a key range.
  std::string lower = prefix;
  std::string upper = PrefixSuccessor(prefix);
  if (end_us != std::numeric_limits<int64_t>::max() && end_us > 0) {
    lower = prefix;
    AppendBigEndian64(&lower,
                      std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(end_us - 1));
  }
  if (start_us > 0) {
    upper = prefix;
    AppendBigEndian64(&upper,
                      std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(start_us) + 1);
  }
  const std::string query = absl::StrCat(
      "cases|", post, "|", status2, "|", category2, "|", person_id, "|",
      request.has_open_time_start() ? start_us : 0, "|", request.has_open_time_end() ? end_us : 0);
  if (!request.page_token().empty()) {
    auto position = page_tokens_.Decode(query, request.page_token());
    if (!position.ok()) return position.status();
    if (!absl::StartsWith(*position, prefix)) return InvalidField("page_token", "malformed");
    lower = std::max(lower, *position + std::string(1, '\0'));
  }

  v1::ListCasesResponse response;
  std::vector<std::string> ids;
  std::string last_key;
  bool more = false;
  int scanned = 0;
  auto it = store_->Scan(index_, lower, upper);
  for (; it->Valid(); it->Next()) {
    SummaryView s;
    if (!ParseSummary(it->value(), &s)) {
      return absl::DataLossError(absl::StrCat("malformed case index entry"));
    }
    bool match = (request.status() == 0 || s.status == request.status()) &&
                 (request.category() == 0 || s.category == request.category()) &&
                 (post.empty() || s.post == post) &&
                 (person_id.empty() || s.person_id == person_id);
    if (match) {
      if (static_cast<int>(ids.size()) == *page_size) {
        more = true;
        break;
      }
      absl::string_view key = it->key();
      ids.emplace_back(key.substr(key.size() - 20));
      last_key = std::string(key);
    }
    if (++scanned >= kMaxScannedPerCall) {
      last_key = std::string(it->key());
      more = true;
      break;
    }
  }
  ENLACE_RETURN_IF_ERROR(it->status());
  std::vector<std::string> names;
  for (const auto& id : ids) {
    auto c = LoadCase(id);
    if (!c.ok()) return c.status();
    if (!c->has_value()) return absl::DataLossError(absl::StrCat("index names missing case ", id));
    names.push_back((*c)->name());
    *response.add_cases() = std::move(**c);
  }
  if (more) response.set_next_page_token(page_tokens_.Encode(query, last_key));
  if (!names.empty()) {
    if (absl::Status s = AuditRead(caller, "cases.ListCases", std::move(names)); !s.ok()) {
      return s;
    }
  }
  return response;
}

absl::StatusOr<v1::Case> Registry::UpdateCase(const v1::UpdateCaseRequest& request,
                                              const Caller& caller) {
  const absl::Time now = options_.clock();
  auto id = ParseCaseName(request.case_().name(), "case.name");
  if (!id.ok()) return id.status();
  if (request.case_().etag().empty()) {
    return InvalidField("case.etag", "required: send the etag of the version you edited");
  }
  storage::ScopedKeyLocks lock(locks_, {absl::StrCat("C:", *id)});
  auto current = LoadCase(*id);
  if (!current.ok()) return current.status();
  if (!current->has_value()) {
    return absl::NotFoundError(absl::StrCat(request.case_().name(), " not found"));
  }
  const v1::Case& before = **current;
  ENLACE_RETURN_IF_ERROR(CheckCaseAccess(before, caller));
  ENLACE_RETURN_IF_ERROR(CheckNotTransferring(*id));
  if (before.etag() != request.case_().etag()) {
    return absl::AbortedError(
        "case.etag does not match: the case was changed since you read it; read it again");
  }
  if (before.status() == v1::STATUS_CLOSED) {
    return absl::FailedPreconditionError("the case is closed and can no longer be changed");
  }
  v1::Case after = before;
  if (absl::Status s = ApplyCaseMask(request.update_mask(), request.case_(), after); !s.ok()) {
    return s;
  }
  if (caller.role == Role::kOfficer && after.post() != before.post()) {
    return absl::PermissionDeniedError("only a supervisor may move a case to another post");
  }
  FieldViolations v;
  ValidateCase(after, context_, now, v);
  if (after.status() == v1::STATUS_UNSPECIFIED) v.Add("case.status", "required");
  if (!v.empty()) return v.ToStatus();
  *after.mutable_update_time() = ToProtoTime(now);
  after.set_etag(ComputeEtag(after));
  const std::string person_id = PersonIdOf(before.person());
  v1::Case pub, priv;
  SplitCase(after, &pub, &priv);
  if (auto personal = PersonalFieldsSet(priv, "case."); !personal.empty()) {
    auto erased = IsErased(person_id);
    if (!erased.ok()) return erased.status();
    if (*erased) return ErasedPersonalText(personal);
  }
  txn::Transaction txn;
  ENLACE_RETURN_IF_ERROR(StageCaseVersion(before, after, *id, txn));
  if (after.post() != before.post()) {
    AddGrant(txn, caller, person_id, after.post(), "a supervisor moved a case to the post");
  }
  Audit(txn, caller, "cases.UpdateCase", {after.name()});
  ENLACE_TEST_SYNC_POINT("Registry::UpdateCase:BeforeCommit");
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return after;
}

absl::StatusOr<v1::Case> Registry::CloseCase(const v1::CloseCaseRequest& request,
                                             const Caller& caller) {
  const absl::Time now = options_.clock();
  auto id = ParseCaseName(request.name(), "name");
  if (!id.ok()) return id.status();
  FieldViolations v;
  if (request.resolution() == 0 || !v1::Resolution_IsValid(request.resolution())) {
    v.Add("resolution", request.resolution() == 0 ? "required" : "unknown value");
  }
  if (request.resolution() == v1::RESOLUTION_OTHER && request.resolution_note().empty()) {
    v.Add("resolution_note", "required when resolution is OTHER");
  }
  if (request.resolution_note().size() > 2000) {
    v.Add("resolution_note", "at most 2000 bytes");
  }
  if (!v.empty()) return v.ToStatus();
  storage::ScopedKeyLocks lock(locks_, {absl::StrCat("C:", *id)});
  auto current = LoadCase(*id);
  if (!current.ok()) return current.status();
  if (!current->has_value()) return absl::NotFoundError(absl::StrCat(request.name(), " not found"));
  const v1::Case& before = **current;
  ENLACE_RETURN_IF_ERROR(CheckCaseAccess(before, caller));
  ENLACE_RETURN_IF_ERROR(CheckNotTransferring(*id));
  if (!request.etag().empty() && request.etag() != before.etag()) {
    return absl::AbortedError("etag does not match: the case was changed since you read it");
  }
  if (before.status() == v1::STATUS_CLOSED) {
    return absl::FailedPreconditionError("the case is already closed");
  }
  if (!request.resolution_note().empty()) {
    auto erased = IsErased(PersonIdOf(before.person()));
    if (!erased.ok()) return erased.status();
    if (*erased) return ErasedPersonalText({"resolution_note"});
  }
  v1::Case after = before;
  after.set_status(v1::STATUS_CLOSED);
  after.set_resolution(request.resolution());
  after.set_resolution_note(request.resolution_note());
  *after.mutable_close_time() = ToProtoTime(now);
  *after.mutable_update_time() = after.close_time();
  after.set_etag(ComputeEtag(after));
  txn::Transaction txn;
  ENLACE_RETURN_IF_ERROR(StageCaseVersion(before, after, *id, txn));
  Audit(txn, caller, "cases.CloseCase", {after.name()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return after;
}

absl::StatusOr<v1::Action> Registry::AddAction(const v1::AddActionRequest& request,
                                               const Caller& caller) {
  const absl::Time now = options_.clock();
  auto id = ParseCaseName(request.parent(), "parent");
  if (!id.ok()) return id.status();
  FieldViolations v;
  if (!request.request_id().empty() && !ids::IsValidRequestId(request.request_id())) {
    v.Add("request_id", "1-64 characters of A-Z a-z 0-9 _ -");
  }
  if (!request.has_action()) v.Add("action", "required");
  ValidateAction(request.action(), context_, now, v);
  if (!v.empty()) return v.ToStatus();

  std::vector<std::string> lock_keys = {absl::StrCat("C:", *id)};
  std::string request_key;
  const std::string fingerprint = Fingerprint(request);
  if (!request.request_id().empty()) {
    request_key = absl::StrCat("action|", caller.identity, "|", request.request_id());
    lock_keys.push_back(request_key);
  }
  storage::ScopedKeyLocks lock(locks_, lock_keys);
  auto c = LoadCase(*id);
  if (!c.ok()) return c.status();
  if (!c->has_value()) return absl::NotFoundError(absl::StrCat(request.parent(), " not found"));
  ENLACE_RETURN_IF_ERROR(CheckCaseAccess(**c, caller));
  const std::string person_id = PersonIdOf((*c)->person());
  if (!request_key.empty()) {
    auto earlier = LookupRequest(request_key, fingerprint);
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) {
      auto raw = store_->Get(actions_, **earlier);
      if (!raw.ok()) return raw.status();
      if (!raw->has_value()) return absl::InternalError("idempotency record without action");
      v1::Action a;
      ENLACE_RETURN_IF_ERROR(DecodeRecord(**raw, **earlier, &a));
      return a;
    }
  }
  if ((*c)->status() == v1::STATUS_CLOSED) {
    return absl::FailedPreconditionError("the case is closed: no new actions can be recorded");
  }
  ENLACE_RETURN_IF_ERROR(CheckNotTransferring(*id));
  if (!request.action().note().empty()) {
    auto erased = IsErased(person_id);
    if (!erased.ok()) return erased.status();
    if (*erased) return ErasedPersonalText({"action.note"});
  }
  const std::string seq_key = absl::StrCat("actions|seq|", *id);
  auto seq = store_->GetCounter(counters_, seq_key);
  if (!seq.ok()) return seq.status();
  const std::string action_id = absl::StrFormat("%08d", *seq + 1);
  v1::Action action = request.action();
  if (caller.role != Role::kSystem) action.clear_copied_from();  // output only
  action.set_name(absl::StrCat(request.parent(), "/actions/", action_id));
  if (action.post().empty()) action.set_post((*c)->post());
  *action.mutable_create_time() = ToProtoTime(now);
  action.set_created_by(caller.identity);
  const std::string key = absl::StrCat(*id, "/", action_id);
  v1::Action pub, priv;
  SplitAction(action, &pub, &priv);
  auto record = EncodeRecord(pub, priv, person_id, key);
  if (!record.ok()) return record.status();
  txn::Transaction txn;
  txn.batch.Put(actions_, key, *record);
  txn.batch.AddToCounter(counters_, seq_key, 1);
  txn.batch.AddToCounter(counters_, absl::StrCat("actions|type|", Two(action.type())), 1);
  for (const auto& hook : action_hooks_) ENLACE_RETURN_IF_ERROR(hook(**c, action, txn));
  if (!request_key.empty()) txn.batch.Put(requests_, request_key, fingerprint + key);
  Audit(txn, caller, "cases.AddAction", {action.name()});
  ENLACE_TEST_SYNC_POINT("Registry::AddAction:BeforeCommit");
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return action;
}

absl::StatusOr<v1::ListActionsResponse> Registry::ListActions(const v1::ListActionsRequest& request,
                                                              const Caller& caller) {
  auto id = ParseCaseName(request.parent(), "parent");
  if (!id.ok()) return id.status();
  auto page_size = EffectivePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  auto c = LoadCase(*id);
  if (!c.ok()) return c.status();
  if (!c->has_value()) return absl::NotFoundError(absl::StrCat(request.parent(), " not found"));
  ENLACE_RETURN_IF_ERROR(CheckCaseAccess(**c, caller));
  const std::string prefix = absl::StrCat(*id, "/");
  const std::string query = absl::StrCat("actions|", *id);
  std::string lower = prefix;
  if (!request.page_token().empty()) {
    auto position = page_tokens_.Decode(query, request.page_token());
    if (!position.ok()) return position.status();
    lower = *position + std::string(1, '\0');
  }
  v1::ListActionsResponse response;
  std::string last_key;
  auto it = store_->Scan(actions_, lower, PrefixSuccessor(prefix));
  for (; it->Valid(); it->Next()) {
    if (response.actions_size() == *page_size) {
      response.set_next_page_token(page_tokens_.Encode(query, last_key));
      break;
    }
    last_key = std::string(it->key());
    if (absl::Status s = DecodeRecord(it->value(), last_key, response.add_actions()); !s.ok()) {
      return s;
    }
  }
  ENLACE_RETURN_IF_ERROR(it->status());
  if (absl::Status s = AuditRead(caller, "cases.ListActions", {request.parent()}); !s.ok()) {
    return s;
  }
  return response;
}

absl::Status Registry::StageCaseVersion(const v1::Case& before, const v1::Case& after,
                                        const std::string& id, txn::Transaction& txn) const {
  const std::string person_id = PersonIdOf(before.person());
  v1::Case pub, priv;
  SplitCase(after, &pub, &priv);
  ENLACE_ASSIGN_OR_RETURN(std::string record, EncodeRecord(pub, priv, person_id, id));
  txn.batch.Put(cases_, id, record);
  ApplyIndexDiff(txn.batch, index_, CaseIndexEntries(before, id, person_id),
                 CaseIndexEntries(after, id, person_id));
  ApplyCounterDiff(txn.batch, counters_, CaseCounterKeys(before), CaseCounterKeys(after));
  for (const auto& hook : case_hooks_) ENLACE_RETURN_IF_ERROR(hook(&before, after, nullptr, txn));
  return absl::OkStatus();
}

}  // namespace enlace::cases
