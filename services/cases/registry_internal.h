#ifndef ENLACE_SERVICES_CASES_REGISTRY_INTERNAL_H_
#define ENLACE_SERVICES_CASES_REGISTRY_INTERNAL_H_

// Internal to the registry's files (registry*.cc; a private header of //services/cases:registry),
// not part of its interface: column family names, the key layout of its indexes and counters,
// and what of a record is sealed.

#include <openssl/sha.h>

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/crypto/personal_split.h"
#include "common/storage/store.h"
#include "common/text/fold.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case.pb.h"
#include "enlace/cases/v1/person.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "services/cases/rules.h"

namespace enlace::cases {

constexpr char kPersonsCf[] = "persons";
constexpr char kCasesCf[] = "cases";
constexpr char kActionsCf[] = "actions";
constexpr char kIndexCf[] = "index";
constexpr char kRequestsCf[] = "requests";
constexpr char kMetaCf[] = "meta";
constexpr char kCountersCf[] = "counters";
constexpr char kPageSecretKey[] = "page_token_secret";
// Present once every case has its post + category index entry ("C|pc|"): a store written
// before that index existed is backfilled once, at start-up, from its post index entries.
constexpr char kPostCategoryIndexKey[] = "index|cases|post_category";
// Bounds the index entries one list or search call examines, so a very selective filter
// returns a short page with a token instead of holding a worker for a long scan.
constexpr int kMaxScannedPerCall = 20000;
constexpr int kMaxQueryWords = 8;

inline std::string Deterministic(const google::protobuf::Message& m) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream out(&stream);
  out.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&out);
  out.Trim();
  return bytes;
}

inline std::string Fingerprint(const google::protobuf::Message& m) {
  std::string bytes = Deterministic(m);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), 16));
}

inline std::string Two(int v) { return absl::StrFormat("%02d", v); }

inline std::string InvTime(const google::protobuf::Timestamp& t) {
  std::string out;
  const uint64_t micros = static_cast<uint64_t>(absl::ToUnixMicros(FromProtoTime(t)));
  storage::AppendBigEndian64(&out, std::numeric_limits<uint64_t>::max() - micros);
  return out;
}

// ---- personal fields: what is sealed ----

// The registry's person record keeps sex, age band, languages and vulnerabilities readable
// (indexes, counters), which person.proto marks personal for records that leave the
// registry; so persons keep their own split here.

inline void SplitPerson(const v1::Person& p, v1::Person* pub, v1::Person* priv) {
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
inline void SplitCase(const v1::Case& c, v1::Case* pub, v1::Case* priv) {
  crypto::SplitPersonal(c, pub, priv);
}

inline void SplitAction(const v1::Action& a, v1::Action* pub, v1::Action* priv) {
  crypto::SplitPersonal(a, pub, priv);
}

// The personal fields set in the personal part of a record (e.g. "summary"), as request
// field paths under `prefix`.
inline std::vector<std::string> PersonalFieldsSet(const v1::Case& priv, absl::string_view prefix) {
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
inline absl::Status ErasedPersonalText(const std::vector<std::string>& fields) {
  return absl::FailedPreconditionError(
      absl::StrCat("the case's person was erased: it takes no personal text; leave empty: ",
                   absl::StrJoin(fields, ", ")));
}

inline std::string FoldedFullName(const v1::Person& p) {
  return text::FoldForSearch(absl::StrCat(p.given_names(), " ", p.family_names()));
}

constexpr size_t kMinPrefix = 2;
constexpr size_t kMaxPrefix = 24;

inline uint64_t First8(const std::string& h) { return storage::ReadBigEndian64(h); }

// ---- case indexes ----

inline std::string CaseSummary(const v1::Case& c, const std::string& person_id) {
  return absl::StrCat(Two(c.status()), Two(c.category()), c.post(), "|", person_id);
}

struct SummaryView {
  int status = 0;
  int category = 0;
  std::string post;
  std::string person_id;
};

inline bool ParseSummary(absl::string_view v, SummaryView* out) {
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

inline std::map<std::string, std::string> CaseIndexEntries(const v1::Case& c, const std::string& id,
                                                           const std::string& person_id) {
  const std::string t = InvTime(c.create_time());
  const std::string v = CaseSummary(c, person_id);
  return {
      {absl::StrCat("C|a|", t, id), v},
      {absl::StrCat("C|p|", c.post(), "|", t, id), v},
      {absl::StrCat("C|s|", Two(c.status()), "|", t, id), v},
      {absl::StrCat("C|c|", Two(c.category()), "|", t, id), v},
      {absl::StrCat("C|ps|", c.post(), "|", Two(c.status()), "|", t, id), v},
      {absl::StrCat("C|pc|", c.post(), "|", Two(c.category()), "|", t, id), v},
      {absl::StrCat("C|r|", person_id, "|", t, id), v},
  };
}

// Statistics counters a case contributes to (read by the statistics service).
inline std::vector<std::string> CaseCounterKeys(const v1::Case& c) {
  return {
      absl::StrCat("cases|status|", Two(c.status())),
      absl::StrCat("cases|category|", Two(c.category())),
      absl::StrCat("cases|subtype|", Two(c.subtype())),
      absl::StrCat("cases|post|", c.post(), "|status|", Two(c.status())),
  };
}

inline void ApplyIndexDiff(storage::WriteBatch& batch, const storage::ColumnFamily* cf,
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

inline void ApplyCounterDiff(storage::WriteBatch& batch, const storage::ColumnFamily* cf,
                             const std::vector<std::string>& before,
                             const std::vector<std::string>& after) {
  std::map<std::string, int64_t> delta;
  for (const auto& k : before) delta[k] -= 1;
  for (const auto& k : after) delta[k] += 1;
  for (const auto& [k, d] : delta) {
    if (d != 0) batch.AddToCounter(cf, k, d);
  }
}

inline std::string PersonPostKey(const std::string& person_id, const std::string& post) {
  return absl::StrCat("P|p|", person_id, "|", post);
}

inline std::string ErasedKey(const std::string& person_id) {
  return absl::StrCat("P|x|", person_id);
}

// A data key holding the person's data: "P|k|<person_id>|<key_owner>".
inline std::string LinkPrefix(const std::string& person_id) {
  return absl::StrCat("P|k|", person_id, "|");
}

inline std::string TransferLockKey(const std::string& case_id) {
  return absl::StrCat("C|t|", case_id);
}

inline std::string PersonIdOf(const std::string& person_name) {
  return std::string(person_name.substr(person_name.rfind('/') + 1));
}

inline bool SameDocument(const v1::IdentityDocument& a, const v1::IdentityDocument& b) {
  return a.type() == b.type() && a.issuing_country() == b.issuing_country() &&
         NormalizeDocumentNumber(a.number()) == NormalizeDocumentNumber(b.number());
}

// What an officer must show to reach a person registered through another post: one of the
// person's documents, and the names and birth date printed on it.
inline bool IdentityMatches(const v1::IdentityDocument& document, absl::string_view given_names,
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

}  // namespace enlace::cases

#endif  // ENLACE_SERVICES_CASES_REGISTRY_INTERNAL_H_
