#include "common/crypto/signing.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace enlace::crypto {
namespace {

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, len);
}

}  // namespace

absl::StatusOr<Ed25519KeyPair> GenerateEd25519() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) return absl::InternalError("Ed25519 key generation failed");
  Ed25519KeyPair out;
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  bool ok = PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr) == 1 &&
            PEM_write_bio_PUBKEY(pub, key) == 1;
  if (ok) {
    out.private_pem = BioToString(priv);
    out.public_pem = BioToString(pub);
  }
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
  if (!ok) return absl::InternalError("cannot encode the Ed25519 key");
  return out;
}

absl::StatusOr<std::string> Ed25519PublicPem(absl::string_view private_pem) {
  BIO* in = BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  ERR_clear_error();
  if (key == nullptr || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(key);
    return absl::InvalidArgumentError("not an Ed25519 private key in PEM");
  }
  BIO* out = BIO_new(BIO_s_mem());
  const bool ok = PEM_write_bio_PUBKEY(out, key) == 1;
  std::string pem = ok ? BioToString(out) : "";
  BIO_free(out);
  EVP_PKEY_free(key);
  if (!ok) return absl::InternalError("cannot encode the Ed25519 public key");
  return pem;
}

absl::StatusOr<std::unique_ptr<Signer>> Signer::FromPem(absl::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ERR_clear_error();
  if (key == nullptr || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(key);
    return absl::InvalidArgumentError("not an Ed25519 private key in PEM");
  }
  return std::unique_ptr<Signer>(new Signer(key));
}

Signer::~Signer() { EVP_PKEY_free(key_); }

absl::StatusOr<std::string> Signer::Sign(absl::string_view message) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::string sig(64, '\0');
  size_t len = sig.size();
  bool ok = EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key_) == 1 &&
            EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                           reinterpret_cast<const unsigned char*>(message.data()),
                           message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) {
    ERR_clear_error();
    return absl::InternalError("Ed25519 signing failed");
  }
  sig.resize(len);
  return sig;
}

absl::StatusOr<std::unique_ptr<Verifier>> Verifier::FromPem(absl::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ERR_clear_error();
  if (key == nullptr || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(key);
    return absl::InvalidArgumentError("not an Ed25519 public key in PEM");
  }
  return std::unique_ptr<Verifier>(new Verifier(key));
}

Verifier::~Verifier() { EVP_PKEY_free(key_); }

bool Verifier::Verify(absl::string_view message, absl::string_view signature) const {
  if (signature.size() != 64) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key_) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(),
                             reinterpret_cast<const unsigned char*>(message.data()),
                             message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  return ok;
}

}  // namespace enlace::crypto
