#ifndef ENLACE_COMMON_CRYPTO_SEALED_RECORD_H_
#define ENLACE_COMMON_CRYPTO_SEALED_RECORD_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/crypto/key_vault.h"
#include "google/protobuf/message.h"

namespace enlace::crypto {

// A record whose personal part is sealed with the data key of `owner` (created on first use;
// an empty personal part never creates one),
// stored as enlace.internal.v1.SealedRecord. `vault` null = stored unsealed (cost
// measurements only). `aad` binds the ciphertext to the record's key.
absl::StatusOr<std::string> SealRecord(KeyVault* vault, const std::string& owner,
                                       const google::protobuf::Message& public_part,
                                       const google::protobuf::Message& personal_part,
                                       const std::string& aad, bool create_key = true);

// SealRecord of `record` split as its proto's personal marks say (personal_split.h).
absl::StatusOr<std::string> SealPersonal(KeyVault* vault, const std::string& owner,
                                         const google::protobuf::Message& record,
                                         const std::string& aad, bool create_key = true);

// Parses the public part into `out` and merges the personal part in when its data key still
// exists. Returns false when the personal part is gone (key destroyed: erased or purged).
absl::StatusOr<bool> OpenRecord(KeyVault* vault, absl::string_view stored, const std::string& aad,
                                google::protobuf::Message* out);

}  // namespace enlace::crypto

#endif  // ENLACE_COMMON_CRYPTO_SEALED_RECORD_H_
