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
#include "common/geo/geo.h"
#include "common/ids/ids.h"
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

// ---- person indexes ----

std::string FoldedFullName(const v1::Person& p) {
  return text::FoldForSearch(absl::StrCat(p.given_names(), " ", p.family_names()));
}

std::string DocKey(const v1::IdentityDocument& d) {
  return absl::StrCat("P|d|", Two(d.type()), "|", d.issuing_country(), "|",
                      NormalizeDocumentNumber(d.number()));
}

std::map<std::string, std::string> PersonIndexEntries(const v1::Person& p,
                                                      const std::string& id) {
  std::map<std::string, std::string> out;
  const std::string folded = FoldedFullName(p);
  const std::string value = absl::StrCat(folded, "\x1f", p.birth_date());
  for (const std::string& w : text::Words(folded)) {
    out[absl::StrCat("P|n|", w, "|", id)] = value;
  }
  for (const auto& d : p.documents()) out[DocKey(d)] = id;
  return out;
}

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

std::string PersonIdOf(const std::string& person_name) {
  return std::string(person_name.substr(person_name.rfind('/') + 1));
}

template <typename T>
absl::StatusOr<std::optional<T>> LoadProto(const storage::Store* store,
                                           const storage::ColumnFamily* cf,
                                           const std::string& key) {
  auto raw = store->Get(cf, key);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<T>();
  T msg;
  if (!msg.ParseFromString(**raw)) {
    return absl::DataLossError(absl::StrCat("stored record ", cf->name(), "/", key,
                                            " does not parse"));
  }
  return std::optional<T>(std::move(msg));
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
                                                           storage::Store* store) {
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
    if (absl::Status s = store->Commit(batch); !s.ok()) return s;
  }
  return absl::WrapUnique(new Registry(std::move(options), store, std::move(key)));
}

Registry::Registry(Options options, storage::Store* store, std::string page_secret)
    : options_(std::move(options)),
      store_(store),
      persons_(store->cf(kPersonsCf)),
      cases_(store->cf(kCasesCf)),
      actions_(store->cf(kActionsCf)),
      index_(store->cf(kIndexCf)),
      requests_(store->cf(kRequestsCf)),
      counters_(store->cf(kCountersCf)),
      page_tokens_(std::move(page_secret)) {
  context_.post_codes = options_.post_codes;
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
  return LoadProto<v1::Person>(store_, persons_, id);
}

absl::StatusOr<std::optional<v1::Case>> Registry::LoadCase(const std::string& id) const {
  return LoadProto<v1::Case>(store_, cases_, id);
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
      if (!person->has_value()) return absl::InternalError("idempotency record without person");
      return **person;
    }
  }
  for (int i = 0; i < request.person().documents_size(); ++i) {
    auto owner = store_->Get(index_, DocKey(request.person().documents(i)));
    if (!owner.ok()) return owner.status();
    if (owner->has_value()) {
      return absl::AlreadyExistsError(absl::StrCat(
          "person.documents[", i, "] is already registered to countries/", options_.country,
          "/persons/", **owner));
    }
  }

  const std::string id = ids::NewId(now);
  v1::Person person = request.person();
  person.set_name(absl::StrCat("countries/", options_.country, "/persons/", id));
  *person.mutable_create_time() = ToProtoTime(now);
  *person.mutable_update_time() = person.create_time();
  person.set_created_by(caller.identity);
  person.set_etag(ComputeEtag(person));

  storage::WriteBatch batch;
  batch.Put(persons_, id, Deterministic(person));
  ApplyIndexDiff(batch, index_, {}, PersonIndexEntries(person, id));
  batch.AddToCounter(counters_, "persons", 1);
  if (!request_key.empty()) batch.Put(requests_, request_key, fingerprint + id);
  if (absl::Status s = store_->Commit(batch); !s.ok()) return s;
  return person;
}

absl::StatusOr<v1::Person> Registry::GetPerson(const v1::GetPersonRequest& request,
                                               const Caller&) {
  auto id = ParsePersonName(request.name(), "name");
  if (!id.ok()) return id.status();
  auto person = LoadPerson(*id);
  if (!person.ok()) return person.status();
  if (!person->has_value()) return absl::NotFoundError(absl::StrCat(request.name(), " not found"));
  return **person;
}

absl::StatusOr<v1::Person> Registry::UpdatePerson(const v1::UpdatePersonRequest& request,
                                                  const Caller&) {
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
      return absl::AlreadyExistsError(absl::StrCat(
          "person.documents[", i, "] is already registered to countries/", options_.country,
          "/persons/", **owner));
    }
  }
  *after.mutable_update_time() = ToProtoTime(now);
  after.set_etag(ComputeEtag(after));
  storage::WriteBatch batch;
  batch.Put(persons_, *id, Deterministic(after));
  ApplyIndexDiff(batch, index_, old_entries, new_entries);
  if (absl::Status s = store_->Commit(batch); !s.ok()) return s;
  return after;
}

absl::StatusOr<v1::SearchPersonsResponse> Registry::SearchPersons(
    const v1::SearchPersonsRequest& request, const Caller&) {
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
  v1::SearchPersonsResponse response;
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
    if (!owner->has_value()) return response;
    auto person = LoadPerson(**owner);
    if (!person.ok()) return person.status();
    if (person->has_value() &&
        (request.birth_date().empty() ||
         BirthDateMatches((*person)->birth_date(), request.birth_date()))) {
      *response.add_persons() = **person;
    }
    return response;
  }

  if (request.name_query().size() > 400 || !text::IsCleanUtf8(request.name_query())) {
    v.Add("name_query", "at most 400 bytes of one-line UTF-8 text");
  }
  const std::vector<std::string> words = text::Words(text::FoldForSearch(request.name_query()));
  if (words.empty()) v.Add("name_query", "must contain at least one letter or digit");
  if (words.size() > kMaxQueryWords) {
    v.Add("name_query", absl::StrCat("at most ", kMaxQueryWords, " words"));
  }
  if (!v.empty()) return v.ToStatus();

  // Scan the posting list of the longest word (most selective), filter the rest in memory.
  std::string scan_word = words[0];
  for (const auto& w : words) {
    if (w.size() > scan_word.size()) scan_word = w;
  }
  const std::string query = absl::StrCat("search|", absl::StrJoin(words, " "), "|",
                                         request.birth_date());
  const std::string prefix = absl::StrCat("P|n|", scan_word);
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
    // key: P|n|{word}|{id}
    absl::string_view rest = key.substr(4);
    size_t bar = rest.rfind('|');
    if (bar == absl::string_view::npos) continue;
    absl::string_view entry_word = rest.substr(0, bar);
    absl::string_view id = rest.substr(bar + 1);
    absl::string_view value = it->value();
    size_t sep = value.find('\x1f');
    absl::string_view folded = value.substr(0, sep);
    absl::string_view birth = sep == absl::string_view::npos ? "" : value.substr(sep + 1);
    bool match = true;
    std::vector<std::string> name_words = text::Words(folded);
    for (const auto& q : words) {
      bool found = false;
      for (const auto& nw : name_words) found |= absl::StartsWith(nw, q);
      match &= found;
    }
    // A person whose name has two words starting with the scanned word appears twice in the
    // posting list: count only the entry of the first such word.
    if (match) {
      for (const auto& nw : name_words) {
        if (absl::StartsWith(nw, scan_word)) {
          match = (nw == entry_word);
          break;
        }
      }
    }
    if (match && !request.birth_date().empty()) {
      match = BirthDateMatches(birth, request.birth_date());
    }
    if (match) {
      if (static_cast<int>(ids.size()) == *page_size) {
        more = true;
        break;
      }
      ids.emplace_back(id);
      last_key = std::string(key);
    }
    if (++scanned >= kMaxScannedPerCall) {
      last_key = std::string(key);
      more = true;
      break;
    }
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  for (const auto& id : ids) {
    auto person = LoadPerson(id);
    if (!person.ok()) return person.status();
    if (person->has_value()) *response.add_persons() = **person;
  }
  if (more) response.set_next_page_token(page_tokens_.Encode(query, last_key));
  return response;
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
  if (!v.empty()) return v.ToStatus();

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

  const std::string id = ids::NewId(now);
  v1::Case c = request.case_();
  c.set_name(absl::StrCat("countries/", options_.country, "/cases/", id));
  if (c.status() == v1::STATUS_UNSPECIFIED) c.set_status(v1::STATUS_OPEN);
  c.clear_resolution();
  c.clear_resolution_note();
  c.clear_close_time();
  *c.mutable_create_time() = ToProtoTime(now);
  *c.mutable_update_time() = c.create_time();
  c.set_created_by(caller.identity);
  c.set_etag(ComputeEtag(c));

  storage::WriteBatch batch;
  batch.Put(cases_, id, Deterministic(c));
  ApplyIndexDiff(batch, index_, {}, CaseIndexEntries(c, id, person_id));
  ApplyCounterDiff(batch, counters_, {}, CaseCounterKeys(c));
  if (!request_key.empty()) batch.Put(requests_, request_key, fingerprint + id);
  if (absl::Status s = store_->Commit(batch); !s.ok()) return s;
  return c;
}

absl::StatusOr<v1::Case> Registry::GetCase(const v1::GetCaseRequest& request, const Caller&) {
  auto id = ParseCaseName(request.name(), "name");
  if (!id.ok()) return id.status();
  auto c = LoadCase(*id);
  if (!c.ok()) return c.status();
  if (!c->has_value()) return absl::NotFoundError(absl::StrCat(request.name(), " not found"));
  return **c;
}

absl::StatusOr<v1::ListCasesResponse> Registry::ListCases(const v1::ListCasesRequest& request,
                                                          const Caller&) {
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

  const std::string status2 = Two(request.status());
  const std::string category2 = Two(request.category());
  std::string prefix;
  if (!person_id.empty()) {
    prefix = absl::StrCat("C|r|", person_id, "|");
  } else if (!request.post().empty() && request.status() != 0) {
    prefix = absl::StrCat("C|ps|", request.post(), "|", status2, "|");
  } else if (!request.post().empty()) {
    prefix = absl::StrCat("C|p|", request.post(), "|");
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
      absl::StrCat("cases|", request.post(), "|", status2, "|", category2, "|", person_id, "|",
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
                 (request.post().empty() || s.post == request.post()) &&
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
  if (absl::Status s = it->status(); !s.ok()) return s;
  for (const auto& id : ids) {
    auto c = LoadCase(id);
    if (!c.ok()) return c.status();
    if (!c->has_value()) return absl::DataLossError(absl::StrCat("index names missing case ", id));
    *response.add_cases() = std::move(**c);
  }
  if (more) response.set_next_page_token(page_tokens_.Encode(query, last_key));
  return response;
}

absl::StatusOr<v1::Case> Registry::UpdateCase(const v1::UpdateCaseRequest& request,
                                              const Caller&) {
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
  FieldViolations v;
  ValidateCase(after, context_, now, v);
  if (after.status() == v1::STATUS_UNSPECIFIED) v.Add("case.status", "required");
  if (!v.empty()) return v.ToStatus();
  *after.mutable_update_time() = ToProtoTime(now);
  after.set_etag(ComputeEtag(after));
  const std::string person_id = PersonIdOf(before.person());
  storage::WriteBatch batch;
  batch.Put(cases_, *id, Deterministic(after));
  ApplyIndexDiff(batch, index_, CaseIndexEntries(before, *id, person_id),
                 CaseIndexEntries(after, *id, person_id));
  ApplyCounterDiff(batch, counters_, CaseCounterKeys(before), CaseCounterKeys(after));
  if (absl::Status s = store_->Commit(batch); !s.ok()) return s;
  return after;
}

absl::StatusOr<v1::Case> Registry::CloseCase(const v1::CloseCaseRequest& request,
                                             const Caller&) {
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
  if (!request.etag().empty() && request.etag() != before.etag()) {
    return absl::AbortedError("etag does not match: the case was changed since you read it");
  }
  if (before.status() == v1::STATUS_CLOSED) {
    return absl::FailedPreconditionError("the case is already closed");
  }
  v1::Case after = before;
  after.set_status(v1::STATUS_CLOSED);
  after.set_resolution(request.resolution());
  after.set_resolution_note(request.resolution_note());
  *after.mutable_close_time() = ToProtoTime(now);
  *after.mutable_update_time() = after.close_time();
  after.set_etag(ComputeEtag(after));
  const std::string person_id = PersonIdOf(before.person());
  storage::WriteBatch batch;
  batch.Put(cases_, *id, Deterministic(after));
  ApplyIndexDiff(batch, index_, CaseIndexEntries(before, *id, person_id),
                 CaseIndexEntries(after, *id, person_id));
  ApplyCounterDiff(batch, counters_, CaseCounterKeys(before), CaseCounterKeys(after));
  if (absl::Status s = store_->Commit(batch); !s.ok()) return s;
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
  if (!request_key.empty()) {
    auto earlier = LookupRequest(request_key, fingerprint);
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) {
      auto a = LoadProto<v1::Action>(store_, actions_, **earlier);
      if (!a.ok()) return a.status();
      if (!a->has_value()) return absl::InternalError("idempotency record without action");
      return **a;
    }
  }
  auto c = LoadCase(*id);
  if (!c.ok()) return c.status();
  if (!c->has_value()) return absl::NotFoundError(absl::StrCat(request.parent(), " not found"));
  if ((*c)->status() == v1::STATUS_CLOSED) {
    return absl::FailedPreconditionError("the case is closed: no new actions can be recorded");
  }
  const std::string seq_key = absl::StrCat("actions|seq|", *id);
  auto seq = store_->GetCounter(counters_, seq_key);
  if (!seq.ok()) return seq.status();
  const std::string action_id = absl::StrFormat("%08d", *seq + 1);
  v1::Action action = request.action();
  action.set_name(absl::StrCat(request.parent(), "/actions/", action_id));
  if (action.post().empty()) action.set_post((*c)->post());
  *action.mutable_create_time() = ToProtoTime(now);
  action.set_created_by(caller.identity);
  const std::string key = absl::StrCat(*id, "/", action_id);
  storage::WriteBatch batch;
  batch.Put(actions_, key, Deterministic(action));
  batch.AddToCounter(counters_, seq_key, 1);
  batch.AddToCounter(counters_, absl::StrCat("actions|type|", Two(action.type())), 1);
  if (!request_key.empty()) batch.Put(requests_, request_key, fingerprint + key);
  if (absl::Status s = store_->Commit(batch); !s.ok()) return s;
  return action;
}

absl::StatusOr<v1::ListActionsResponse> Registry::ListActions(
    const v1::ListActionsRequest& request, const Caller&) {
  auto id = ParseCaseName(request.parent(), "parent");
  if (!id.ok()) return id.status();
  auto page_size = EffectivePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  auto c = LoadCase(*id);
  if (!c.ok()) return c.status();
  if (!c->has_value()) return absl::NotFoundError(absl::StrCat(request.parent(), " not found"));
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
    if (!response.add_actions()->ParseFromArray(it->value().data(), it->value().size())) {
      return absl::DataLossError("stored action does not parse");
    }
    last_key = std::string(it->key());
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  return response;
}

// ---------------------------------------------------------------- consistency

absl::StatusOr<std::vector<std::string>> Registry::CheckConsistency() const {
  std::vector<std::string> problems;
  std::map<std::string, std::string> expected;  // index key -> value
  std::map<std::string, int64_t> counts;
  int64_t persons = 0;
  for (auto it = store_->ScanPrefix(persons_, ""); it->Valid(); it->Next()) {
    v1::Person p;
    if (!p.ParseFromArray(it->value().data(), it->value().size())) {
      problems.push_back(absl::StrCat("person ", it->key(), " does not parse"));
      continue;
    }
    ++persons;
    for (auto& [k, v] : PersonIndexEntries(p, std::string(it->key()))) expected[k] = v;
  }
  for (auto it = store_->ScanPrefix(cases_, ""); it->Valid(); it->Next()) {
    v1::Case c;
    if (!c.ParseFromArray(it->value().data(), it->value().size())) {
      problems.push_back(absl::StrCat("case ", it->key(), " does not parse"));
      continue;
    }
    const std::string id(it->key());
    for (auto& [k, v] : CaseIndexEntries(c, id, PersonIdOf(c.person()))) expected[k] = v;
    for (const auto& k : CaseCounterKeys(c)) counts[k] += 1;
    auto person = LoadPerson(PersonIdOf(c.person()));
    if (!person.ok() || !person->has_value()) {
      problems.push_back(absl::StrCat("case ", id, " names a missing person"));
    }
  }
  for (auto it = store_->ScanPrefix(index_, ""); it->Valid(); it->Next()) {
    std::string key(it->key());
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
