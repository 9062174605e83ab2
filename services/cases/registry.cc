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
#include "common/status/macros.h"
#include "common/testing/sync_point.h"
#include "common/time/proto_time.h"
#include "enlace/internal/v1/storage.pb.h"
#include "common/text/fold.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace enlace::cases {
namespace {

using storage::AppendBigEndian64;
using storage::PrefixSuccessor;

constexpr char kPersonsCf[] = "persons";
constexpr char kCasesCf[] = "cases";
constexpr char kActionsCf[] = "actions";
constexpr char kIndexCf[] = "index";
constexpr char kRequestsCf[] = "requests";
constexpr char kMetaCf[] = "meta";
constexpr char kCountersCf[] = "counters";
constexpr char kPageSecretKey[] = "page_token_secret";
// Bounds the index entries one list or search call examines, so a very selective filter
// returns a short page with a token instead of holding a worker for a long scan.
constexpr int kMaxScannedPerCall = 20000;
constexpr int kMaxQueryWords = 8;

std::string Deterministic(const google::protobuf::Message& m) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream out(&stream);
  out.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&out);
  out.Trim();
  return bytes;
}

std::string Fingerprint(const google::protobuf::Message& m) {
  std::string bytes = Deterministic(m);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), 16));
}

std::string Two(int v) { return absl::StrFormat("%02d", v); }

std::string InvTime(const google::protobuf::Timestamp& t) {
  std::string out;
  const uint64_t micros = static_cast<uint64_t>(absl::ToUnixMicros(FromProtoTime(t)));
  AppendBigEndian64(&out, std::numeric_limits<uint64_t>::max() - micros);
  return out;
}

// ---- personal fields: what is sealed ----

// The registry's person record keeps sex, age band, languages and vulnerabilities readable
// (indexes, counters), which person.proto marks personal for records that leave the
// registry; so persons keep their own split here.

void SplitPerson(const v1::Person& p, v1::Person* pub, v1::Person* priv) {
  *pub = p;
  pub->clear_given_names();
  pub->clear_family_names();
  pub->clear_birth_date();
  pub->clear_documents();
  pub->clear_contact();
  priv->set_given_names(p.given_names());
  priv->set_family_names(p.family_names());
  priv->set_birth_date(p.birth_date());
  *priv->mutable_documents() = p.documents();
  if (p.has_contact()) *priv->mutable_contact() = p.contact();
}

// Cases and actions: as case.proto's personal marks say (summary, resolution note, the
// consent giver's name; an action's note).
void SplitCase(const v1::Case& c, v1::Case* pub, v1::Case* priv) {
  crypto::SplitPersonal(c, pub, priv);
}

void SplitAction(const v1::Action& a, v1::Action* pub, v1::Action* priv) {
  crypto::SplitPersonal(a, pub, priv);
}

// The personal fields set in the personal part of a record (e.g. "summary"), as request
// field paths under `prefix`.
std::vector<std::string> PersonalFieldsSet(const v1::Case& priv, absl::string_view prefix) {
  std::vector<std::string> f;
  if (!priv.summary().empty()) f.push_back(absl::StrCat(prefix, "summary"));
  if (!priv.resolution_note().empty()) f.push_back(absl::StrCat(prefix, "resolution_note"));
  if (!priv.consent().giver_name().empty()) {
    f.push_back(absl::StrCat(prefix, "consent.giver_name"));
  }
  return f;
}

// An erased person's cases go on with non-personal facts only: a write carrying personal
// text is refused (never silently dropped), naming the fields.
absl::Status ErasedPersonalText(const std::vector<std::string>& fields) {
  return absl::FailedPreconditionError(absl::StrCat(
      "the case's person was erased: it takes no personal text; leave empty: ",
      absl::StrJoin(fields, ", ")));
}

std::string FoldedFullName(const v1::Person& p) {
  return text::FoldForSearch(absl::StrCat(p.given_names(), " ", p.family_names()));
}

constexpr size_t kMinPrefix = 2;
constexpr size_t kMaxPrefix = 24;

uint64_t First8(const std::string& h) { return storage::ReadBigEndian64(h); }

// ---- case indexes ----

std::string CaseSummary(const v1::Case& c, const std::string& person_id) {
  return absl::StrCat(Two(c.status()), Two(c.category()), c.post(), "|", person_id);
}

struct SummaryView {
  int status = 0;
  int category = 0;
  std::string post;
  std::string person_id;
};

bool ParseSummary(absl::string_view v, SummaryView* out) {
  if (v.size() < 5) return false;
  out->status = (v[0] - '0') * 10 + (v[1] - '0');
  out->category = (v[2] - '0') * 10 + (v[3] - '0');
  absl::string_view rest = v.substr(4);
  size_t bar = rest.find('|');
  if (bar == absl::string_view::npos) return false;
  out->post = std::string(rest.substr(0, bar));
  out->person_id = std::string(rest.substr(bar + 1));
  return true;
}

std::map<std::string, std::string> CaseIndexEntries(const v1::Case& c, const std::string& id,
                                                    const std::string& person_id) {
  const std::string t = InvTime(c.create_time());
  const std::string v = CaseSummary(c, person_id);
  return {
      {absl::StrCat("C|a|", t, id), v},
      {absl::StrCat("C|p|", c.post(), "|", t, id), v},
      {absl::StrCat("C|s|", Two(c.status()), "|", t, id), v},
      {absl::StrCat("C|c|", Two(c.category()), "|", t, id), v},
      {absl::StrCat("C|ps|", c.post(), "|", Two(c.status()), "|", t, id), v},
      {absl::StrCat("C|r|", person_id, "|", t, id), v},
  };
}

// Statistics counters a case contributes to (read by the statistics service).
std::vector<std::string> CaseCounterKeys(const v1::Case& c) {
  return {
      absl::StrCat("cases|status|", Two(c.status())),
      absl::StrCat("cases|category|", Two(c.category())),
      absl::StrCat("cases|subtype|", Two(c.subtype())),
      absl::StrCat("cases|post|", c.post(), "|status|", Two(c.status())),
  };
}

void ApplyIndexDiff(storage::WriteBatch& batch, const storage::ColumnFamily* cf,
                    const std::map<std::string, std::string>& before,
                    const std::map<std::string, std::string>& after) {
  for (const auto& [k, v] : before) {
    if (after.count(k) == 0) batch.Delete(cf, k);
  }
  for (const auto& [k, v] : after) {
    auto it = before.find(k);
    if (it == before.end() || it->second != v) batch.Put(cf, k, v);
  }
}

void ApplyCounterDiff(storage::WriteBatch& batch, const storage::ColumnFamily* cf,
                      const std::vector<std::string>& before,
                      const std::vector<std::string>& after) {
  std::map<std::string, int64_t> delta;
  for (const auto& k : before) delta[k] -= 1;
  for (const auto& k : after) delta[k] += 1;
  for (const auto& [k, d] : delta) {
    if (d != 0) batch.AddToCounter(cf, k, d);
  }
}

std::string PersonPostKey(const std::string& person_id, const std::string& post) {
  return absl::StrCat("P|p|", person_id, "|", post);
}

std::string ErasedKey(const std::string& person_id) { return absl::StrCat("P|x|", person_id); }

// A data key holding the person's data: "P|k|<person_id>|<key_owner>".
std::string LinkPrefix(const std::string& person_id) {
  return absl::StrCat("P|k|", person_id, "|");
}

std::string TransferLockKey(const std::string& case_id) { return absl::StrCat("C|t|", case_id); }

std::string PersonIdOf(const std::string& person_name) {
  return std::string(person_name.substr(person_name.rfind('/') + 1));
}

}  // namespace

storage::StoreOptions RegistryStoreOptions(const std::string& path) {
  storage::StoreOptions o;
  o.path = path;
  o.column_families = {kPersonsCf, kCasesCf, kActionsCf, kIndexCf, kRequestsCf, kMetaCf};
  o.counter_families = {kCountersCf};
  return o;
}

absl::StatusOr<std::unique_ptr<Registry>> Registry::Create(Options options,
                                                           storage::Store* store,
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
  ENLACE_RETURN_IF_ERROR(r->CompleteErasures());
  return r;
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

// ---------------------------------------------------------------- sealing

absl::StatusOr<std::string> Registry::DataKey(const std::string& person_id) const {
  return options_.vault->DataKey(person_id);
}

absl::StatusOr<std::string> Registry::EncodeRecord(const google::protobuf::Message& public_part,
                                                   const google::protobuf::Message& personal_part,
                                                   const std::string& key_owner,
                                                   const std::string& aad) const {
  enlace::internal::v1::SealedRecord record;
  record.set_public_part(Deterministic(public_part));
  record.set_key_owner(key_owner);
  const std::string personal = Deterministic(personal_part);
  if (options_.vault == nullptr) {
    record.set_plaintext(true);
    record.set_sealed_part(personal);
  } else {
    auto key = DataKey(key_owner);
    if (!key.ok() && key.status().code() == absl::StatusCode::kNotFound) {
      // The person was erased: their cases go on with their non-personal facts only, and
      // whatever personal text came with this write is dropped, never stored in clear.
      record.set_plaintext(true);
      return Deterministic(record);
    }
    if (!key.ok()) return key.status();
    auto sealed = crypto::Seal(*key, personal, aad);
    if (!sealed.ok()) return sealed.status();
    record.set_sealed_part(*sealed);
  }
  return Deterministic(record);
}

absl::Status Registry::DecodeRecord(absl::string_view stored, const std::string& aad,
                                    google::protobuf::Message* out) const {
  enlace::internal::v1::SealedRecord record;
  if (!record.ParseFromArray(stored.data(), static_cast<int>(stored.size())) ||
      !out->ParseFromString(record.public_part())) {
    return absl::DataLossError(absl::StrCat("stored record ", aad, " does not parse"));
  }
  if (record.plaintext()) {
    if (!out->MergeFromString(record.sealed_part())) return absl::DataLossError("bad record");
    return absl::OkStatus();
  }
  if (options_.vault == nullptr) {
    return absl::FailedPreconditionError("record is sealed but the node has no key vault");
  }
  auto key = DataKey(record.key_owner());
  // An erased person's data key is gone: the personal part stays unreadable, by design.
  if (!key.ok() && key.status().code() == absl::StatusCode::kNotFound) return absl::OkStatus();
  if (!key.ok()) return key.status();
  auto personal = crypto::Open(*key, record.sealed_part(), aad);
  if (!personal.ok()) return personal.status();
  if (!out->MergeFromString(*personal)) return absl::DataLossError("bad sealed record");
  return absl::OkStatus();
}

std::string Registry::KeyedHash(absl::string_view domain, absl::string_view value) const {
  return crypto::Hmac(index_key_, absl::StrCat(domain, ":", value));
}

std::string Registry::DocKey(const v1::IdentityDocument& d) const {
  return absl::StrCat("P|d|", KeyedHash("doc", absl::StrCat(Two(d.type()), "|",
                                                            d.issuing_country(), "|",
                                                            NormalizeDocumentNumber(d.number())))
                                  .substr(0, 16));
}

std::map<std::string, std::string> Registry::PersonIndexEntries(const v1::Person& p,
                                                                const std::string& id) const {
  std::map<std::string, std::string> out;
  enlace::internal::v1::NameIndexValue value;
  std::set<std::string> prefixes;
  for (const std::string& w : text::Words(FoldedFullName(p))) {
    for (size_t n = kMinPrefix; n <= std::min(w.size(), kMaxPrefix); ++n) {
      prefixes.insert(w.substr(0, n));
    }
  }
  std::vector<uint64_t> hashes;
  for (const auto& prefix : prefixes) hashes.push_back(First8(KeyedHash("name", prefix)));
  std::sort(hashes.begin(), hashes.end());
  for (uint64_t h : hashes) value.add_word_prefixes(h);
  if (!p.birth_date().empty()) {
    value.set_birth_full(First8(KeyedHash("birth", p.birth_date())));
    for (size_t n : {4, 7}) {
      if (p.birth_date().size() > n) {
        value.add_birth_prefixes(First8(KeyedHash("birth", p.birth_date().substr(0, n))));
      }
    }
  }
  const std::string v = Deterministic(value);
  for (const auto& prefix : prefixes) {
    std::string key = "P|n|";
    storage::AppendBigEndian64(&key, First8(KeyedHash("name", prefix)));
    out[key + id] = v;
  }
  for (const auto& d : p.documents()) out[DocKey(d)] = id;
  return out;
}

// ---------------------------------------------------------------- scope and audit

bool Registry::OfficerSeesPerson(const std::string& person_id, const std::string& post) const {
  auto v = store_->Get(index_, PersonPostKey(person_id, post));
  return v.ok() && v->has_value();
}

bool Registry::AddGrant(txn::Transaction& txn, const Caller& caller,
                        const std::string& person_id, const std::string& post,
                        absl::string_view basis) const {
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

namespace {

bool SameDocument(const v1::IdentityDocument& a, const v1::IdentityDocument& b) {
  return a.type() == b.type() && a.issuing_country() == b.issuing_country() &&
         NormalizeDocumentNumber(a.number()) == NormalizeDocumentNumber(b.number());
}

// What an officer must show to reach a person registered through another post: one of the
// person's documents, and the names and birth date printed on it.
bool IdentityMatches(const v1::IdentityDocument& document, absl::string_view given_names,
                     absl::string_view family_names, absl::string_view birth_date,
                     const v1::Person& person) {
  const bool has_document =
      std::any_of(person.documents().begin(), person.documents().end(),
                  [&](const v1::IdentityDocument& d) { return SameDocument(d, document); });
  return has_document && !given_names.empty() && !family_names.empty() &&
         text::FoldForSearch(given_names) == text::FoldForSearch(person.given_names()) &&
         text::FoldForSearch(family_names) == text::FoldForSearch(person.family_names()) &&
         birth_date == person.birth_date();
}

}  // namespace

absl::Status Registry::DocumentTaken(int index, const std::string& holder,
                                     const v1::Person& presented, const Caller& caller,
                                     absl::string_view action) const {
  const std::string holder_name =
      absl::StrCat("countries/", options_.country, "/persons/", holder);
  bool disclose = caller.role != Role::kOfficer || OfficerSeesPerson(holder, caller.post);
  if (!disclose) {
    auto registered = LoadPerson(holder);
    disclose = registered.ok() && registered->has_value() &&
               IdentityMatches(presented.documents(index), presented.given_names(),
                               presented.family_names(), presented.birth_date(), **registered);
  }
  absl::Status status =
      disclose
          ? absl::AlreadyExistsError(absl::StrCat("person.documents[", index,
                                                  "] is already registered to ", holder_name))
          : absl::AlreadyExistsError(absl::StrCat(
                "person.documents[", index,
                "] is already registered to a person this post cannot reach; to open a case "
                "for them, send CreateCase with presented_identity (the document, and the "
                "names and birth date printed on it), or ask a supervisor for "
                "GrantPersonAccess"));
  AuditRefusal(caller, action, disclose ? std::vector<std::string>{holder_name}
                                        : std::vector<std::string>{},
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

absl::Status Registry::CheckPersonAccess(const std::string& person_id,
                                         const Caller& caller) const {
  if (caller.role != Role::kOfficer) return absl::OkStatus();
  if (OfficerSeesPerson(person_id, caller.post)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "an officer of ", caller.post, " sees only persons with a case at that post"));
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
    return absl::NotFoundError(absl::StrCat(name, " is not held by this node (",
                                            options_.country, ")"));
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
    return absl::NotFoundError(absl::StrCat(name, " is not held by this node (",
                                            options_.country, ")"));
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
    return InvalidField("request_id",
                        "already used for a different request; use a new request_id");
  }
  return std::optional<std::string>(std::string(v.substr(fingerprint.size())));
}

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
  if (absl::Status s = ApplyPersonMask(request.update_mask(), request.person(), after);
      !s.ok()) {
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
        query_birth_prefixes.push_back(First8(KeyedHash("birth", request.birth_date().substr(0, n))));
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
  const std::string query = absl::StrCat("search|", absl::StrJoin(words, " "), "|",
                                         request.birth_date());
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
      match = match && std::binary_search(value.word_prefixes().begin(),
                                          value.word_prefixes().end(), q);
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

absl::StatusOr<v1::ErasePersonResponse> Registry::ErasePerson(
    const v1::ErasePersonRequest& request, const Caller& caller) {
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
    return absl::NotFoundError(absl::StrCat("case.person: ", request.case_().person(),
                                            " not found"));
  }
  // Opening a case must not be a way into a person the post could not reach before.
  std::string grant_basis = "a supervisor opened a case at the post";
  if (caller.role == Role::kOfficer && !OfficerSeesPerson(person_id, caller.post)) {
    const v1::PresentedIdentity& shown = request.presented_identity();
    if (!request.has_presented_identity() ||
        !IdentityMatches(shown.document(), shown.given_names(), shown.family_names(),
                         shown.birth_date(), **person)) {
      return absl::PermissionDeniedError(absl::StrCat(
          "the person was registered through another post and ", caller.post,
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
    AppendBigEndian64(&lower, std::numeric_limits<uint64_t>::max() -
                                  static_cast<uint64_t>(end_us - 1));
  }
  if (start_us > 0) {
    upper = prefix;
    AppendBigEndian64(&upper, std::numeric_limits<uint64_t>::max() -
                                  static_cast<uint64_t>(start_us) + 1);
  }
  const std::string query =
      absl::StrCat("cases|", post, "|", status2, "|", category2, "|", person_id, "|",
                   request.has_open_time_start() ? start_us : 0, "|",
                   request.has_open_time_end() ? end_us : 0);
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
  auto record = EncodeRecord(pub, priv, person_id, *id);
  if (!record.ok()) return record.status();
  txn::Transaction txn;
  txn.batch.Put(cases_, *id, *record);
  ApplyIndexDiff(txn.batch, index_, CaseIndexEntries(before, *id, person_id),
                 CaseIndexEntries(after, *id, person_id));
  if (after.post() != before.post()) {
    AddGrant(txn, caller, person_id, after.post(), "a supervisor moved a case to the post");
  }
  ApplyCounterDiff(txn.batch, counters_, CaseCounterKeys(before), CaseCounterKeys(after));
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
  const std::string person_id = PersonIdOf(before.person());
  v1::Case pub, priv;
  SplitCase(after, &pub, &priv);
  auto record = EncodeRecord(pub, priv, person_id, *id);
  if (!record.ok()) return record.status();
  txn::Transaction txn;
  txn.batch.Put(cases_, *id, *record);
  ApplyIndexDiff(txn.batch, index_, CaseIndexEntries(before, *id, person_id),
                 CaseIndexEntries(after, *id, person_id));
  ApplyCounterDiff(txn.batch, counters_, CaseCounterKeys(before), CaseCounterKeys(after));
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
  if (!request_key.empty()) txn.batch.Put(requests_, request_key, fingerprint + key);
  Audit(txn, caller, "cases.AddAction", {action.name()});
  ENLACE_TEST_SYNC_POINT("Registry::AddAction:BeforeCommit");
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return action;
}

absl::StatusOr<v1::ListActionsResponse> Registry::ListActions(
    const v1::ListActionsRequest& request, const Caller& caller) {
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

// ---------------------------------------------------------------- transfers

absl::Status Registry::CheckNotTransferring(const std::string& case_id) const {
  auto lock = store_->Get(index_, TransferLockKey(case_id));
  if (!lock.ok()) return lock.status();
  if (!lock->has_value()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "the case is being transferred (", **lock, "): no change until the receiver decides"));
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
                                                   const Caller& caller,
                                                   txn::Transaction& txn) {
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
    const std::string person_id = PersonIdOf(before.person());
    v1::Case pub, priv;
    SplitCase(after, &pub, &priv);
    auto record = EncodeRecord(pub, priv, person_id, *id);
    if (!record.ok()) return record.status();
    txn.batch.Put(cases_, *id, *record);
    ApplyIndexDiff(txn.batch, index_, CaseIndexEntries(before, *id, person_id),
                   CaseIndexEntries(after, *id, person_id));
    ApplyCounterDiff(txn.batch, counters_, CaseCounterKeys(before), CaseCounterKeys(after));
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
      problems.push_back(absl::StrCat("index entry without entity: ",
                                      absl::CHexEscape(key.substr(0, 60))));
    } else {
      if (e->second != it->value()) {
        problems.push_back(absl::StrCat("index entry disagrees with entity: ",
                                        absl::CHexEscape(key.substr(0, 60))));
      }
      expected.erase(e);
    }
  }
  for (const auto& [k, v] : expected) {
    problems.push_back(absl::StrCat("entity without index entry: ", absl::CHexEscape(k.substr(0, 60))));
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
      problems.push_back(absl::StrCat("counter ", key, " is ", stored, ", entities say ",
                                      counts[key]));
    }
    counts.erase(key);
  }
  for (const auto& [k, n] : counts) {
    if (n != 0) problems.push_back(absl::StrCat("counter ", k, " missing (", n, " cases)"));
  }
  return problems;
}

}  // namespace enlace::cases
