#include "common/crypto/sealed_record.h"

#include <memory>

#include "common/crypto/aead.h"
#include "common/crypto/personal_split.h"
#include "enlace/internal/v1/storage.pb.h"

namespace enlace::crypto {

absl::StatusOr<std::string> SealRecord(KeyVault* vault, const std::string& owner,
                                       const google::protobuf::Message& public_part,
                                       const google::protobuf::Message& personal_part,
                                       const std::string& aad, bool create_key) {
  enlace::internal::v1::SealedRecord record;
  record.set_public_part(public_part.SerializeAsString());
  record.set_key_owner(owner);
  const std::string personal = personal_part.SerializeAsString();
  if (vault == nullptr) {
    record.set_plaintext(true);
    record.set_sealed_part(personal);
    return record.SerializeAsString();
  }
  auto key = vault->DataKey(owner);
  if (!key.ok() && key.status().code() == absl::StatusCode::kNotFound) {
    if (personal.empty() || !create_key) {
      // Nothing personal to seal, or a rewrite of a record whose key was destroyed by an
      // erasure or a purge (possibly after the writer read it): never re-create the key;
      // the personal part is dropped.
      record.set_plaintext(true);
      return record.SerializeAsString();
    }
    key = vault->CreateDataKey(owner);
  }
  if (!key.ok()) return key.status();
  auto sealed = Seal(*key, personal, aad);
  if (!sealed.ok()) return sealed.status();
  record.set_sealed_part(*sealed);
  return record.SerializeAsString();
}

absl::StatusOr<std::string> SealPersonal(KeyVault* vault, const std::string& owner,
                                         const google::protobuf::Message& record,
                                         const std::string& aad, bool create_key) {
  std::unique_ptr<google::protobuf::Message> public_part(record.New());
  std::unique_ptr<google::protobuf::Message> personal_part(record.New());
  SplitPersonal(record, public_part.get(), personal_part.get());
  return SealRecord(vault, owner, *public_part, *personal_part, aad, create_key);
}

absl::StatusOr<bool> OpenRecord(KeyVault* vault, absl::string_view stored, const std::string& aad,
                                google::protobuf::Message* out) {
  enlace::internal::v1::SealedRecord record;
  if (!record.ParseFromArray(stored.data(), static_cast<int>(stored.size())) ||
      !out->ParseFromString(record.public_part())) {
    return absl::DataLossError("stored record does not parse");
  }
  if (record.plaintext()) {
    if (!out->MergeFromString(record.sealed_part())) return absl::DataLossError("bad record");
    return true;
  }
  if (vault == nullptr) return absl::FailedPreconditionError("sealed record, no key vault");
  auto key = vault->DataKey(record.key_owner());
  if (!key.ok() && key.status().code() == absl::StatusCode::kNotFound) return false;
  if (!key.ok()) return key.status();
  auto personal = Open(*key, record.sealed_part(), aad);
  if (!personal.ok()) return personal.status();
  if (!out->MergeFromString(*personal)) return absl::DataLossError("bad sealed record");
  return true;
}

}  // namespace enlace::crypto
