#include "services/cases/registry.h"

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
#include "common/log/log.h"
#include "common/status/macros.h"
#include "common/testing/sync_point.h"
#include "common/text/fold.h"
#include "common/time/proto_time.h"
#include "enlace/internal/v1/storage.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "services/cases/registry_internal.h"

namespace enlace::cases {

using storage::AppendBigEndian64;
using storage::PrefixSuccessor;

// The registry: creation, scope and audit, transfer locks, the consistency check. Persons
// are in registry_persons.cc, cases and actions in registry_cases.cc, sealing in
// registry_sealing.cc.

storage::StoreOptions RegistryStoreOptions(const std::string& path) {
  storage::StoreOptions o;
  o.path = path;
  o.column_families = {kPersonsCf, kCasesCf, kActionsCf, kIndexCf, kRequestsCf, kMetaCf};
  o.counter_families = {kCountersCf};
  return o;
}

absl::StatusOr<std::unique_ptr<Registry>> Registry::Create(Options options, storage::Store* store,
                                                           txn::Committer* committer) {
  if (options.post_codes.empty()) {
    return absl::InvalidArgumentError("the node has no consular posts configured");
  }
  // The page-token secret is made once per store and kept in it, so tokens survive restarts.
  auto secret = store->Get(store->cf(kMetaCf), kPageSecretKey);
  if (!secret.ok()) return secret.status();
  std::string key;
  if (secret->has_value()) {
    key = **secret;
  } else {
    key.resize(32);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), 32) != 1) {
      return absl::InternalError("no randomness for the page-token secret");
    }
    storage::WriteBatch batch;
    batch.Put(store->cf(kMetaCf), kPageSecretKey, key);
    ENLACE_RETURN_IF_ERROR(store->Commit(batch));
  }
  auto r = absl::WrapUnique(new Registry(std::move(options), store, committer, std::move(key)));
  ENLACE_RETURN_IF_ERROR(r->BackfillPostCategoryIndex());
  ENLACE_RETURN_IF_ERROR(r->CompleteErasures());
  return r;
}

absl::Status Registry::BackfillPostCategoryIndex() {
  const storage::ColumnFamily* meta = store_->cf(kMetaCf);
  auto done = store_->Get(meta, kPostCategoryIndexKey);
  if (!done.ok()) return done.status();
  if (done->has_value()) return absl::OkStatus();
  // Runs before the node serves, so nothing else writes cases meanwhile. Every post index
  // entry "C|p|<post>|<time><id>" gives the post + category one from its summary. Batches keep
  // memory flat on a large store; puts are idempotent, so an interrupted backfill reruns.
  constexpr int kBatch = 10000;
  storage::WriteBatch batch;
  int in_batch = 0;
  int64_t added = 0;
  auto it = store_->ScanPrefix(index_, "C|p|");
  for (; it->Valid(); it->Next()) {
    absl::string_view key = it->key();
    absl::string_view rest = key.substr(4);  // <post>|<time><id>
    const size_t bar = rest.find('|');
    SummaryView s;
    if (bar == absl::string_view::npos || !ParseSummary(it->value(), &s)) {
      return absl::DataLossError(
          absl::StrCat("malformed case post index entry ", absl::CHexEscape(key.substr(0, 60))));
    }
    batch.Put(index_,
              absl::StrCat("C|pc|", rest.substr(0, bar), "|", Two(s.category), "|",
                           rest.substr(bar + 1)),
              it->value());
    ++added;
    if (++in_batch == kBatch) {
      ENLACE_RETURN_IF_ERROR(store_->Commit(batch));
      batch = storage::WriteBatch();
      in_batch = 0;
    }
  }
  ENLACE_RETURN_IF_ERROR(it->status());
  batch.Put(meta, kPostCategoryIndexKey, "");
  ENLACE_RETURN_IF_ERROR(store_->Commit(batch));
  if (added > 0) {
    log::Info("cases", "index backfilled",
              absl::StrCat(added, " post + category index entries added"));
  }
  return absl::OkStatus();
}

Registry::Registry(Options options, storage::Store* store, txn::Committer* committer,
                   std::string page_secret)
    : options_(std::move(options)),
      store_(store),
      committer_(committer),
      persons_(store->cf(kPersonsCf)),
      cases_(store->cf(kCasesCf)),
      actions_(store->cf(kActionsCf)),
      index_(store->cf(kIndexCf)),
      requests_(store->cf(kRequestsCf)),
      counters_(store->cf(kCountersCf)),
      page_tokens_(std::move(page_secret)) {
  context_.post_codes = options_.post_codes;
  // Without a vault (benchmarks of the cost of sealing) the hashes still hide plaintext.
  index_key_ = options_.vault != nullptr ? options_.vault->index_key()
                                         : absl::StrCat("enlace-unsealed-index-", options_.country);
}

// ---------------------------------------------------------------- scope and audit

bool Registry::OfficerSeesPerson(const std::string& person_id, const std::string& post) const {
  auto v = store_->Get(index_, PersonPostKey(person_id, post));
  return v.ok() && v->has_value();
}

bool Registry::AddGrant(txn::Transaction& txn, const Caller& caller, const std::string& person_id,
                        const std::string& post, absl::string_view basis) const {
  if (OfficerSeesPerson(person_id, post)) return false;
  txn.batch.Put(index_, PersonPostKey(person_id, post), "");
  enlace::audit::v1::AuditRecord r;
  r.set_actor(caller.identity);
  r.set_action("cases.GrantPersonAccess");
  r.add_resources(absl::StrCat("countries/", options_.country, "/persons/", person_id));
  r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
  r.set_detail(absl::StrCat("post ", post, "; basis: ", basis));
  txn.audit.push_back(std::move(r));
  return true;
}

absl::Status Registry::DocumentTaken(int index, const std::string& holder,
                                     const v1::Person& presented, const Caller& caller,
                                     absl::string_view action) const {
  const std::string holder_name = absl::StrCat("countries/", options_.country, "/persons/", holder);
  bool disclose = caller.role != Role::kOfficer || OfficerSeesPerson(holder, caller.post);
  if (!disclose) {
    auto registered = LoadPerson(holder);
    disclose = registered.ok() && registered->has_value() &&
               IdentityMatches(presented.documents(index), presented.given_names(),
                               presented.family_names(), presented.birth_date(), **registered);
  }
  absl::Status status =
      disclose ? absl::AlreadyExistsError(absl::StrCat("person.documents[", index,
                                                       "] is already registered to ", holder_name))
               : absl::AlreadyExistsError(absl::StrCat(
                     "person.documents[", index,
                     "] is already registered to a person this post cannot reach; to open a case "
                     "for them, send CreateCase with presented_identity (the document, and the "
                     "names and birth date printed on it), or ask a supervisor for "
                     "GrantPersonAccess"));
  AuditRefusal(caller, action,
               disclose ? std::vector<std::string>{holder_name} : std::vector<std::string>{},
               status, enlace::audit::v1::AUDIT_OUTCOME_REJECTED);
  return status;
}

void Registry::AuditRefusal(const Caller& caller, absl::string_view action,
                            std::vector<std::string> resources, const absl::Status& why,
                            enlace::audit::v1::AuditOutcome outcome) const {
  txn::Transaction txn;
  Audit(txn, caller, action, std::move(resources));
  txn.audit.back().set_outcome(outcome);
  txn.audit.back().set_detail(std::string(why.message().substr(0, 300)));
  committer_->Commit(txn).IgnoreError();  // a failed audit write must not hide the refusal
}

absl::Status Registry::CheckPersonAccess(const std::string& person_id, const Caller& caller) const {
  if (caller.role != Role::kOfficer) return absl::OkStatus();
  if (OfficerSeesPerson(person_id, caller.post)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("an officer of ", caller.post, " sees only persons with a case at that post"));
}

absl::Status Registry::CheckCaseAccess(const v1::Case& c, const Caller& caller) const {
  if (caller.role != Role::kOfficer || c.post() == caller.post) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("an officer of ", caller.post, " sees only that post's cases"));
}

void Registry::Audit(txn::Transaction& txn, const Caller& caller, absl::string_view action,
                     std::vector<std::string> resources) const {
  enlace::audit::v1::AuditRecord r;
  r.set_actor(caller.identity);
  r.set_action(std::string(action));
  for (auto& name : resources) r.add_resources(std::move(name));
  r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
  txn.audit.push_back(std::move(r));
}

absl::Status Registry::AuditRead(const Caller& caller, absl::string_view action,
                                 std::vector<std::string> resources) const {
  if (!options_.audit_reads) return absl::OkStatus();
  txn::Transaction txn;
  Audit(txn, caller, action, std::move(resources));
  // The read is answered only once its audit record is durable.
  return committer_->Commit(txn);
}

absl::StatusOr<std::string> Registry::ParseParent(absl::string_view parent) const {
  const std::string expected = absl::StrCat("countries/", options_.country);
  if (parent != expected) {
    return InvalidField("parent", absl::StrCat("must be \"", expected,
                                               "\": this node serves only its own country"));
  }
  return expected;
}

absl::StatusOr<std::string> Registry::ParsePersonName(absl::string_view name,
                                                      absl::string_view field) const {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "countries" || parts[2] != "persons" ||
      !ids::IsValidId(parts[3])) {
    return InvalidField(field, "must be countries/{country}/persons/{person}");
  }
  if (parts[1] != options_.country) {
    return absl::NotFoundError(
        absl::StrCat(name, " is not held by this node (", options_.country, ")"));
  }
  return std::string(parts[3]);
}

absl::StatusOr<std::string> Registry::ParseCaseName(absl::string_view name,
                                                    absl::string_view field) const {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "countries" || parts[2] != "cases" ||
      !ids::IsValidId(parts[3])) {
    return InvalidField(field, "must be countries/{country}/cases/{case}");
  }
  if (parts[1] != options_.country) {
    return absl::NotFoundError(
        absl::StrCat(name, " is not held by this node (", options_.country, ")"));
  }
  return std::string(parts[3]);
}

absl::StatusOr<std::optional<v1::Person>> Registry::LoadPerson(const std::string& id) const {
  auto raw = store_->Get(persons_, id);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<v1::Person>();
  v1::Person p;
  ENLACE_RETURN_IF_ERROR(DecodeRecord(**raw, id, &p));
  return std::optional<v1::Person>(std::move(p));
}

absl::StatusOr<std::optional<v1::Case>> Registry::LoadCase(const std::string& id) const {
  auto raw = store_->Get(cases_, id);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<v1::Case>();
  v1::Case c;
  ENLACE_RETURN_IF_ERROR(DecodeRecord(**raw, id, &c));
  return std::optional<v1::Case>(std::move(c));
}

absl::StatusOr<std::optional<std::string>> Registry::LookupRequest(
    const std::string& key, const std::string& fingerprint) const {
  auto raw = store_->Get(requests_, key);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<std::string>();
  absl::string_view v = **raw;
  if (!absl::StartsWith(v, fingerprint)) {
    return InvalidField("request_id", "already used for a different request; use a new request_id");
  }
  return std::optional<std::string>(std::string(v.substr(fingerprint.size())));
}

// ---------------------------------------------------------------- transfers

absl::Status Registry::CheckNotTransferring(const std::string& case_id) const {
  auto lock = store_->Get(index_, TransferLockKey(case_id));
  if (!lock.ok()) return lock.status();
  if (!lock->has_value()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("the case is being transferred (", **lock,
                                                    "): no change until the receiver decides"));
}

absl::StatusOr<std::unique_ptr<Registry::CaseLock>> Registry::LockCase(
    const std::string& case_name) {
  auto id = ParseCaseName(case_name, "case");
  if (!id.ok()) return id.status();
  ENLACE_TEST_SYNC_POINT("Registry::LockCase:Wait");
  return std::unique_ptr<CaseLock>(new CaseLock(locks_, *std::move(id)));
}

absl::StatusOr<v1::Case> Registry::LockForTransfer(const CaseLock& held,
                                                   const std::string& transfer,
                                                   const Caller& caller, txn::Transaction& txn) {
  const std::string& id = held.case_id();
  auto c = LoadCase(id);
  if (!c.ok()) return c.status();
  if (!c->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("countries/", options_.country, "/cases/", id, " not found"));
  }
  ENLACE_RETURN_IF_ERROR(CheckCaseAccess(**c, caller));
  if ((*c)->status() == v1::STATUS_CLOSED) {
    return absl::FailedPreconditionError("a closed case cannot be transferred");
  }
  ENLACE_RETURN_IF_ERROR(CheckNotTransferring(id));
  txn.batch.Put(index_, TransferLockKey(id), transfer);
  return **c;
}

void Registry::UnlockTransfer(const CaseLock& held, txn::Transaction& txn) const {
  txn.batch.Delete(index_, TransferLockKey(held.case_id()));
}

absl::Status Registry::CloseTransferredCase(const std::string& case_name,
                                            const std::string& new_case) {
  auto id = ParseCaseName(case_name, "case");
  if (!id.ok()) return id.status();
  storage::ScopedKeyLocks lock(locks_, {absl::StrCat("C:", *id)});
  auto current = LoadCase(*id);
  if (!current.ok()) return current.status();
  if (!current->has_value()) return absl::NotFoundError(absl::StrCat(case_name, " not found"));
  const v1::Case& before = **current;
  txn::Transaction txn;
  txn.batch.Delete(index_, TransferLockKey(*id));
  if (before.status() != v1::STATUS_CLOSED) {
    v1::Case after = before;
    after.set_status(v1::STATUS_CLOSED);
    after.set_resolution(v1::RESOLUTION_TRANSFERRED);
    after.set_transferred_to(new_case);
    *after.mutable_close_time() = ToProtoTime(options_.clock());
    *after.mutable_update_time() = after.close_time();
    after.set_etag(ComputeEtag(after));
    ENLACE_RETURN_IF_ERROR(StageCaseVersion(before, after, *id, txn));
    enlace::audit::v1::AuditRecord r;
    r.set_actor(options_.country);
    r.set_action("cases.TransferredOut");
    r.add_resources(case_name);
    r.add_resources(new_case);
    r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
    txn.audit.push_back(r);
  }
  return committer_->Commit(txn);
}

absl::StatusOr<std::vector<v1::Action>> Registry::AllActions(const std::string& case_name) const {
  auto id = ParseCaseName(case_name, "case");
  if (!id.ok()) return id.status();
  std::vector<v1::Action> out;
  for (auto it = store_->ScanPrefix(actions_, absl::StrCat(*id, "/")); it->Valid(); it->Next()) {
    v1::Action a;
    ENLACE_RETURN_IF_ERROR(DecodeRecord(it->value(), std::string(it->key()), &a));
    out.push_back(std::move(a));
  }
  return out;
}

// ---------------------------------------------------------------- consistency

absl::StatusOr<std::vector<std::string>> Registry::CheckConsistency() const {
  std::vector<std::string> problems;
  std::map<std::string, std::string> expected;  // index key -> value
  std::map<std::string, int64_t> counts;
  int64_t persons = 0;
  for (auto it = store_->ScanPrefix(persons_, ""); it->Valid(); it->Next()) {
    const std::string id(it->key());
    v1::Person p;
    if (absl::Status s = DecodeRecord(it->value(), id, &p); !s.ok()) {
      problems.push_back(absl::StrCat("person ", id, ": ", s.message()));
      continue;
    }
    ++persons;
    for (auto& [k, v] : PersonIndexEntries(p, id)) expected[k] = v;
  }
  for (auto it = store_->ScanPrefix(cases_, ""); it->Valid(); it->Next()) {
    const std::string id(it->key());
    v1::Case c;
    if (absl::Status s = DecodeRecord(it->value(), id, &c); !s.ok()) {
      problems.push_back(absl::StrCat("case ", id, ": ", s.message()));
      continue;
    }
    for (auto& [k, v] : CaseIndexEntries(c, id, PersonIdOf(c.person()))) expected[k] = v;
    for (const auto& k : CaseCounterKeys(c)) counts[k] += 1;
  }
  for (auto it = store_->ScanPrefix(index_, ""); it->Valid(); it->Next()) {
    std::string key(it->key());
    // Access grants and erasure markers are not derived from one record.
    if (absl::StartsWith(key, "P|p|") || absl::StartsWith(key, "P|x|") ||
        absl::StartsWith(key, "P|k|") || absl::StartsWith(key, "C|t|")) {
      continue;
    }
    auto e = expected.find(key);
    if (e == expected.end()) {
      problems.push_back(
          absl::StrCat("index entry without entity: ", absl::CHexEscape(key.substr(0, 60))));
    } else {
      if (e->second != it->value()) {
        problems.push_back(absl::StrCat("index entry disagrees with entity: ",
                                        absl::CHexEscape(key.substr(0, 60))));
      }
      expected.erase(e);
    }
  }
  for (const auto& [k, v] : expected) {
    problems.push_back(
        absl::StrCat("entity without index entry: ", absl::CHexEscape(k.substr(0, 60))));
  }
  auto persons_counter = store_->GetCounter(counters_, "persons");
  if (!persons_counter.ok()) return persons_counter.status();
  if (*persons_counter != persons) {
    problems.push_back(absl::StrCat("persons counter ", *persons_counter, " != ", persons));
  }
  for (auto it = store_->ScanPrefix(counters_, "cases|"); it->Valid(); it->Next()) {
    std::string key(it->key());
    const int64_t stored = static_cast<int64_t>(storage::ReadBigEndian64(it->value()));
    if (stored != counts[key]) {
      problems.push_back(
          absl::StrCat("counter ", key, " is ", stored, ", entities say ", counts[key]));
    }
    counts.erase(key);
  }
  for (const auto& [k, n] : counts) {
    if (n != 0) problems.push_back(absl::StrCat("counter ", k, " missing (", n, " cases)"));
  }
  return problems;
}

}  // namespace enlace::cases
