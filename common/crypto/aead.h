#ifndef ENLACE_COMMON_CRYPTO_AEAD_H_
#define ENLACE_COMMON_CRYPTO_AEAD_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace enlace::crypto {

inline constexpr size_t kKeyBytes = 32;

// AES-256-GCM with a random 96-bit nonce: output is nonce || ciphertext || 16-byte tag.
// `aad` (e.g. the record's id) is authenticated, so a sealed value cannot be moved to
// another record.
absl::StatusOr<std::string> Seal(absl::string_view key, absl::string_view plaintext,
                                 absl::string_view aad);
// DATA_LOSS when the key, the AAD or the bytes do not match.
absl::StatusOr<std::string> Open(absl::string_view key, absl::string_view sealed,
                                 absl::string_view aad);

// HMAC-SHA256.
std::string Hmac(absl::string_view key, absl::string_view message);

// `n` bytes from the system's CSPRNG.
absl::StatusOr<std::string> RandomBytes(size_t n);

}  // namespace enlace::crypto

#endif  // ENLACE_COMMON_CRYPTO_AEAD_H_
