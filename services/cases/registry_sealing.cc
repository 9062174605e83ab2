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
  return absl::StrCat("P|d|",
                      KeyedHash("doc", absl::StrCat(Two(d.type()), "|", d.issuing_country(), "|",
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

}  // namespace enlace::cases
