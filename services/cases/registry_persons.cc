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

// ---------------------------------------------------------------- persons

absl::StatusOr<v1::Person> Registry::CreatePerson(const v1::CreatePersonRequest& request,
                                                  const Caller& caller) {
  const absl::Time now = options_.clock();
  FieldViolations v;
  if (auto p = ParseParent(request.parent()); !p.ok()) return p.status();
  if (!request.request_id().empty() && !ids::IsValidRequestId(request.request_id())) {
    v.Add("request_id", "1-64 characters of A-Z a-z 0-9 _ -");
  }
  if (!request.has_person()) v.Add("person", "required");
  ValidatePerson(request.person(), now, v);
  if (!v.empty()) return v.ToStatus();

  std::vector<std::string> lock_keys;
  std::string request_key;
  const std::string fingerprint = Fingerprint(request);
  if (!request.request_id().empty()) {
    request_key = absl::StrCat("person|", caller.identity, "|", request.request_id());
    lock_keys.push_back(request_key);
  }
  for (const auto& d : request.person().documents()) lock_keys.push_back(DocKey(d));
  storage::ScopedKeyLocks lock(locks_, lock_keys);

  if (!request_key.empty()) {
    auto earlier = LookupRequest(request_key, fingerprint);
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) {
      auto person = LoadPerson(**earlier);
      if (!person.ok()) return person.status();
      if (!person->has_value()) return absl::NotFoundError("that person was erased since");
      return **person;
    }
  }
  for (int i = 0; i < request.person().documents_size(); ++i) {
    auto owner = store_->Get(index_, DocKey(request.person().documents(i)));
    if (!owner.ok()) return owner.status();
    if (owner->has_value()) {
      return DocumentTaken(i, **owner, request.person(), caller, "cases.CreatePerson");
    }
  }

  const std::string id = ids::NewId(now);
  v1::Person person = request.person();
  person.set_name(absl::StrCat("countries/", options_.country, "/persons/", id));
  *person.mutable_create_time() = ToProtoTime(now);
  *person.mutable_update_time() = person.create_time();
  person.set_created_by(caller.identity);
  person.set_etag(ComputeEtag(person));

  if (options_.vault != nullptr) {
    // The data key exists before anything it seals; an orphan key (failed commit) is harmless.
    auto key = options_.vault->CreateDataKey(id);
    if (!key.ok()) return key.status();
  }
  v1::Person pub, priv;
  SplitPerson(person, &pub, &priv);
  auto record = EncodeRecord(pub, priv, id, id);
  if (!record.ok()) return record.status();
  txn::Transaction txn;
  txn.batch.Put(persons_, id, *record);
  ApplyIndexDiff(txn.batch, index_, {}, PersonIndexEntries(person, id));
  if (caller.role == Role::kOfficer) AddGrant(txn, caller, id, caller.post, "created the person");
  txn.batch.AddToCounter(counters_, "persons", 1);
  if (!request_key.empty()) txn.batch.Put(requests_, request_key, fingerprint + id);
  Audit(txn, caller, "cases.CreatePerson", {person.name()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return person;
}

absl::StatusOr<v1::Person> Registry::GetPerson(const v1::GetPersonRequest& request,
                                               const Caller& caller) {
  auto id = ParsePersonName(request.name(), "name");
  if (!id.ok()) return id.status();
  auto person = LoadPerson(*id);
  if (!person.ok()) return person.status();
  if (!person->has_value()) return absl::NotFoundError(absl::StrCat(request.name(), " not found"));
  ENLACE_RETURN_IF_ERROR(CheckPersonAccess(*id, caller));
  ENLACE_RETURN_IF_ERROR(AuditRead(caller, "cases.GetPerson", {request.name()}));
  return **person;
}

absl::StatusOr<v1::Person> Registry::UpdatePerson(const v1::UpdatePersonRequest& request,
                                                  const Caller& caller) {
  const absl::Time now = options_.clock();
  auto id = ParsePersonName(request.person().name(), "person.name");
  if (!id.ok()) return id.status();
  if (request.person().etag().empty()) {
    return InvalidField("person.etag", "required: send the etag of the version you edited");
  }
  std::vector<std::string> lock_keys = {absl::StrCat("P:", *id)};
  for (const auto& d : request.person().documents()) lock_keys.push_back(DocKey(d));
  storage::ScopedKeyLocks lock(locks_, lock_keys);

  auto current = LoadPerson(*id);
  if (!current.ok()) return current.status();
  if (!current->has_value()) {
    return absl::NotFoundError(absl::StrCat(request.person().name(), " not found"));
  }
  ENLACE_RETURN_IF_ERROR(CheckPersonAccess(*id, caller));
  const v1::Person& before = **current;
  if (before.etag() != request.person().etag()) {
    return absl::AbortedError(
        "person.etag does not match: the person was changed since you read it; read it again");
  }
  v1::Person after = before;
  if (absl::Status s = ApplyPersonMask(request.update_mask(), request.person(), after); !s.ok()) {
    return s;
  }
  FieldViolations v;
  ValidatePerson(after, now, v);
  if (!v.empty()) return v.ToStatus();
  const auto old_entries = PersonIndexEntries(before, *id);
  const auto new_entries = PersonIndexEntries(after, *id);
  for (int i = 0; i < after.documents_size(); ++i) {
    const std::string key = DocKey(after.documents(i));
    if (old_entries.count(key)) continue;
    auto owner = store_->Get(index_, key);
    if (!owner.ok()) return owner.status();
    if (owner->has_value() && **owner != *id) {
      return DocumentTaken(i, **owner, after, caller, "cases.UpdatePerson");
    }
  }
  *after.mutable_update_time() = ToProtoTime(now);
  after.set_etag(ComputeEtag(after));
  v1::Person pub, priv;
  SplitPerson(after, &pub, &priv);
  auto record = EncodeRecord(pub, priv, *id, *id);
  if (!record.ok()) return record.status();
  txn::Transaction txn;
  txn.batch.Put(persons_, *id, *record);
  ApplyIndexDiff(txn.batch, index_, old_entries, new_entries);
  Audit(txn, caller, "cases.UpdatePerson", {after.name()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return after;
}

absl::StatusOr<v1::SearchPersonsResponse> Registry::SearchPersons(
    const v1::SearchPersonsRequest& request, const Caller& caller) {
  if (auto p = ParseParent(request.parent()); !p.ok()) return p.status();
  auto page_size = EffectivePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  const absl::Time now = options_.clock();
  FieldViolations v;
  const bool by_document = request.has_document();
  const bool by_name = !request.name_query().empty();
  if (by_document == by_name) {
    return InvalidField("document", "set exactly one of document or name_query");
  }
  if (!request.birth_date().empty() && !IsValidPartialDate(request.birth_date(), now)) {
    v.Add("birth_date", "must be YYYY, YYYY-MM or YYYY-MM-DD, from 1900 to today");
  }
  // Birth-date narrowing compares keyed hashes: the query's own prefixes and full value.
  std::vector<uint64_t> query_birth_prefixes;
  uint64_t query_birth_full = 0;
  if (!request.birth_date().empty()) {
    query_birth_full = First8(KeyedHash("birth", request.birth_date()));
    for (size_t n : {4, 7}) {
      if (request.birth_date().size() > n) {
        query_birth_prefixes.push_back(
            First8(KeyedHash("birth", request.birth_date().substr(0, n))));
      }
    }
  }
  auto birth_matches = [&](const enlace::internal::v1::NameIndexValue& value) {
    if (request.birth_date().empty()) return true;
    if (value.birth_full() == 0) return false;
    if (value.birth_full() == query_birth_full) return true;
    // The query is a prefix of the recorded date, or the recorded date a prefix of the query.
    for (uint64_t h : value.birth_prefixes()) {
      if (h == query_birth_full) return true;
    }
    for (uint64_t h : query_birth_prefixes) {
      if (h == value.birth_full()) return true;
    }
    return false;
  };
  v1::SearchPersonsResponse response;
  std::vector<std::string> found_names;
  if (by_document) {
    const auto& d = request.document();
    if (d.type() == 0 || !v1::DocumentType_IsValid(d.type())) v.Add("document.type", "required");
    if (NormalizeDocumentNumber(d.number()).empty() || d.number().size() > 40) {
      v.Add("document.number", "required, at most 40 characters");
    }
    if (!geo::IsCountryCode(d.issuing_country())) {
      v.Add("document.issuing_country", "must be an ISO 3166-1 alpha-2 code in upper case");
    }
    if (!v.empty()) return v.ToStatus();
    if (!request.page_token().empty()) {
      // A document matches at most one person: there is never a second page.
      return InvalidField("page_token", "document searches have a single page");
    }
    auto owner = store_->Get(index_, DocKey(d));
    if (!owner.ok()) return owner.status();
    if (owner->has_value() &&
        (caller.role != Role::kOfficer || OfficerSeesPerson(**owner, caller.post))) {
      auto person = LoadPerson(**owner);
      if (!person.ok()) return person.status();
      if (person->has_value() &&
          (request.birth_date().empty() ||
           BirthDateMatches((*person)->birth_date(), request.birth_date()))) {
        found_names.push_back((*person)->name());
        *response.add_persons() = **person;
      }
    }
    ENLACE_RETURN_IF_ERROR(AuditRead(caller, "cases.SearchPersons", found_names));
    return response;
  }

  if (request.name_query().size() > 400 || !text::IsCleanUtf8(request.name_query())) {
    v.Add("name_query", "at most 400 bytes of one-line UTF-8 text");
  }
  std::vector<std::string> words;
  for (auto& w : text::Words(text::FoldForSearch(request.name_query()))) {
    if (w.size() >= kMinPrefix) words.push_back(w.substr(0, kMaxPrefix));
  }
  if (words.empty()) v.Add("name_query", "must contain a word of at least 2 letters");
  if (words.size() > kMaxQueryWords) {
    v.Add("name_query", absl::StrCat("at most ", kMaxQueryWords, " words"));
  }
  if (!v.empty()) return v.ToStatus();

  // Scan the posting list of the longest word (most selective), filter the rest by hashes.
  std::string scan_word = words[0];
  for (const auto& w : words) {
    if (w.size() > scan_word.size()) scan_word = w;
  }
  std::vector<uint64_t> query_hashes;
  for (const auto& w : words) query_hashes.push_back(First8(KeyedHash("name", w)));
  const std::string query =
      absl::StrCat("search|", absl::StrJoin(words, " "), "|", request.birth_date());
  std::string prefix = "P|n|";
  storage::AppendBigEndian64(&prefix, First8(KeyedHash("name", scan_word)));
  std::string lower = prefix;
  if (!request.page_token().empty()) {
    auto position = page_tokens_.Decode(query, request.page_token());
    if (!position.ok()) return position.status();
    if (!absl::StartsWith(*position, prefix)) return InvalidField("page_token", "malformed");
    lower = *position + std::string(1, '\0');
  }
  std::vector<std::string> ids;
  std::string last_key;
  int scanned = 0;
  bool more = false;
  auto it = store_->Scan(index_, lower, PrefixSuccessor(prefix));
  for (; it->Valid(); it->Next()) {
    absl::string_view key = it->key();
    const std::string id(key.substr(prefix.size()));
    enlace::internal::v1::NameIndexValue value;
    bool match = value.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()));
    for (uint64_t q : query_hashes) {
      match = match &&
              std::binary_search(value.word_prefixes().begin(), value.word_prefixes().end(), q);
    }
    match = match && birth_matches(value);
    if (match && caller.role == Role::kOfficer) match = OfficerSeesPerson(id, caller.post);
    if (match) {
      if (static_cast<int>(ids.size()) == *page_size) {
        more = true;
        break;
      }
      ids.push_back(id);
      last_key = std::string(key);
    }
    if (++scanned >= kMaxScannedPerCall) {
      last_key = std::string(key);
      more = true;
      break;
    }
  }
  ENLACE_RETURN_IF_ERROR(it->status());
  for (const auto& id : ids) {
    auto person = LoadPerson(id);
    if (!person.ok()) return person.status();
    if (!person->has_value()) continue;
    found_names.push_back((*person)->name());
    *response.add_persons() = **std::move(person);
  }
  if (more) response.set_next_page_token(page_tokens_.Encode(query, last_key));
  ENLACE_RETURN_IF_ERROR(AuditRead(caller, "cases.SearchPersons", found_names));
  return response;
}

absl::StatusOr<v1::ErasePersonResponse> Registry::ErasePerson(const v1::ErasePersonRequest& request,
                                                              const Caller& caller) {
  auto id = ParsePersonName(request.name(), "name");
  if (!id.ok()) return id.status();
  if (request.reason().empty() || request.reason().size() > 500 ||
      !text::IsCleanUtf8(request.reason())) {
    return InvalidField("reason", "required: 1-500 bytes saying why (legal ground, reference)");
  }
  if (caller.role != Role::kSupervisor) {
    return absl::PermissionDeniedError("only a supervisor may erase a person");
  }
  storage::ScopedKeyLocks lock(locks_, {absl::StrCat("P:", *id)});
  // Writers copying the person's data finish (their links are seen below) or wait and are
  // then refused (GuardPerson).
  ENLACE_TEST_SYNC_POINT("Registry::ErasePerson:WaitForGuard");
  storage::ScopedKeyLocks guard(person_guards_, {*id});
  auto person = LoadPerson(*id);
  if (!person.ok()) return person.status();
  if (!person->has_value()) return absl::NotFoundError(absl::StrCat(request.name(), " not found"));
  // Index entries are computed from the plaintext, so they must go before the key does.
  txn::Transaction txn;
  txn.batch.Delete(persons_, *id);
  ApplyIndexDiff(txn.batch, index_, PersonIndexEntries(**person, *id), {});
  for (auto it = store_->ScanPrefix(index_, absl::StrCat("P|p|", *id, "|")); it->Valid();
       it->Next()) {
    txn.batch.Delete(index_, it->key());
  }
  // Every other data key sealing a copy of the person's data (referrals, transfer snapshots,
  // notifications) dies with theirs. The list goes into the erasure marker, so that
  // CompleteErasures can finish the destruction after a crash.
  std::vector<std::string> linked;
  {
    const std::string prefix = LinkPrefix(*id);
    auto it = store_->ScanPrefix(index_, prefix);
    for (; it->Valid(); it->Next()) {
      linked.emplace_back(it->key().substr(prefix.size()));
      txn.batch.Delete(index_, it->key());
    }
    ENLACE_RETURN_IF_ERROR(it->status());
  }
  for (const auto& hook : erasure_hooks_) {
    ENLACE_RETURN_IF_ERROR(hook(*id, linked, txn));
  }
  txn.batch.Put(index_, ErasedKey(*id), absl::StrJoin(linked, "\n"));
  txn.batch.AddToCounter(counters_, "persons", -1);
  int32_t cases_kept = 0;
  for (auto it = store_->ScanPrefix(index_, absl::StrCat("C|r|", *id, "|")); it->Valid();
       it->Next()) {
    ++cases_kept;
  }
  enlace::audit::v1::AuditRecord r;
  r.set_actor(caller.identity);
  r.set_action("cases.ErasePerson");
  r.add_resources(request.name());
  r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
  r.set_detail(absl::StrCat("reason: ", request.reason(), "; cases kept: ", cases_kept));
  txn.audit.push_back(r);
  ENLACE_TEST_SYNC_POINT("Registry::ErasePerson:BeforeCommit");
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  if (options_.vault != nullptr) {
    ENLACE_RETURN_IF_ERROR(options_.vault->DestroyDataKey(*id));
    for (const auto& owner : linked) {
      if (!options_.vault->HasDataKey(owner)) continue;
      ENLACE_RETURN_IF_ERROR(options_.vault->DestroyDataKey(owner));
    }
  }
  // Old versions of the index entries and records linger in SST files until compaction;
  // without the data key the sealed parts are noise, and the index entries are gone from
  // the live store. Purge the index too so keyed hashes of the name do not linger either.
  ENLACE_RETURN_IF_ERROR(store_->Purge(index_));
  v1::ErasePersonResponse response;
  response.set_cases_kept(cases_kept);
  return response;
}

absl::StatusOr<v1::GrantPersonAccessResponse> Registry::GrantPersonAccess(
    const v1::GrantPersonAccessRequest& request, const Caller& caller) {
  auto id = ParsePersonName(request.name(), "name");
  if (!id.ok()) return id.status();
  FieldViolations v;
  if (!context_.HasPost(request.post())) v.Add("post", "unknown consular post of this node");
  if (request.reason().empty() || request.reason().size() > 500 ||
      !text::IsCleanUtf8(request.reason())) {
    v.Add("reason", "required: 1-500 bytes saying why (request, reference)");
  }
  if (!v.empty()) return v.ToStatus();
  if (caller.role != Role::kSupervisor) {
    return absl::PermissionDeniedError("only a supervisor may grant a post access to a person");
  }
  storage::ScopedKeyLocks lock(locks_, {absl::StrCat("P:", *id)});
  auto person = store_->Get(persons_, *id);
  if (!person.ok()) return person.status();
  if (!person->has_value()) return absl::NotFoundError(absl::StrCat(request.name(), " not found"));
  txn::Transaction txn;
  v1::GrantPersonAccessResponse response;
  response.set_granted(AddGrant(txn, caller, *id, request.post(),
                                absl::StrCat("supervisor grant: ", request.reason())));
  if (!response.granted()) {
    Audit(txn, caller, "cases.GrantPersonAccess", {request.name()});
    txn.audit.back().set_detail(absl::StrCat("post ", request.post(), " already reached them"));
  }
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return response;
}

absl::Status Registry::CompleteErasures() {
  if (options_.vault == nullptr) return absl::OkStatus();
  for (auto it = store_->ScanPrefix(index_, "P|x|"); it->Valid(); it->Next()) {
    const std::string id(it->key().substr(4));
    std::vector<std::string> owners = {id};
    for (absl::string_view o : absl::StrSplit(it->value(), '\n', absl::SkipEmpty())) {
      owners.emplace_back(o);
    }
    // A record linked after the erasure scanned its links (a racing writer) dies too.
    for (auto link = store_->ScanPrefix(index_, LinkPrefix(id)); link->Valid(); link->Next()) {
      owners.emplace_back(link->key().substr(LinkPrefix(id).size()));
    }
    for (const auto& owner : owners) {
      if (!options_.vault->HasDataKey(owner)) continue;
      ENLACE_RETURN_IF_ERROR(options_.vault->DestroyDataKey(owner));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Registry::PersonGuard>> Registry::GuardPerson(
    absl::string_view person_name) {
  auto id = ParsePersonName(std::string(person_name), "person");
  if (!id.ok()) return id.status();
  ENLACE_TEST_SYNC_POINT("Registry::GuardPerson:Wait");
  std::unique_ptr<PersonGuard> guard(new PersonGuard(person_guards_, *id));
  auto erased = IsErased(*id);
  if (!erased.ok()) return erased.status();
  if (*erased) {
    return absl::FailedPreconditionError(
        absl::StrCat(person_name, " was erased; nothing more may be recorded about them"));
  }
  return guard;
}

void Registry::LinkToPerson(txn::Transaction& txn, const PersonGuard& guard,
                            const std::string& key_owner) const {
  txn.batch.Put(index_, absl::StrCat(LinkPrefix(guard.person_id()), key_owner), "");
}

absl::StatusOr<bool> Registry::IsErased(const std::string& person_id) const {
  auto marker = store_->Get(index_, ErasedKey(person_id));
  if (!marker.ok()) return marker.status();
  return marker->has_value();
}

}  // namespace enlace::cases
