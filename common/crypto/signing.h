#ifndef ENLACE_COMMON_CRYPTO_SIGNING_H_
#define ENLACE_COMMON_CRYPTO_SIGNING_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace enlace::crypto {

struct Ed25519KeyPair {
  std::string private_pem;  // PKCS#8
  std::string public_pem;   // SubjectPublicKeyInfo
};

absl::StatusOr<Ed25519KeyPair> GenerateEd25519();

// The public key (SubjectPublicKeyInfo PEM) of an Ed25519 private key (PKCS#8 PEM), so a
// node's own key file is enough to verify what the node signed.
absl::StatusOr<std::string> Ed25519PublicPem(absl::string_view private_pem);

// Signs with an Ed25519 private key (OpenSSL). Thread-safe.
class Signer {
 public:
  static absl::StatusOr<std::unique_ptr<Signer>> FromPem(absl::string_view private_pem);
  ~Signer();
  absl::StatusOr<std::string> Sign(absl::string_view message) const;

 private:
  explicit Signer(EVP_PKEY* key) : key_(key) {}
  EVP_PKEY* key_;
};

// Verifies Ed25519 signatures. Thread-safe.
class Verifier {
 public:
  static absl::StatusOr<std::unique_ptr<Verifier>> FromPem(absl::string_view public_pem);
  ~Verifier();
  bool Verify(absl::string_view message, absl::string_view signature) const;

 private:
  explicit Verifier(EVP_PKEY* key) : key_(key) {}
  EVP_PKEY* key_;
};

}  // namespace enlace::crypto

#endif  // ENLACE_COMMON_CRYPTO_SIGNING_H_
