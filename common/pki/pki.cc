#include "common/pki/pki.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/status/macros.h"
#include "openssl/asn1.h"
#include "openssl/bio.h"
#include "openssl/bn.h"
#include "openssl/err.h"
#include "openssl/evp.h"
#include "openssl/pem.h"
#include "openssl/rand.h"
#include "openssl/x509.h"
#include "openssl/x509v3.h"

namespace enlace::pki {
namespace {

// RFC 5280 upper bound for a common name (ub-common-name).
constexpr size_t kMaxCommonName = 64;
// Certificates start this early so a peer whose clock is slightly behind still accepts them.
constexpr absl::Duration kClockSkew = absl::Minutes(5);

struct BioFree {
  void operator()(BIO* p) const { BIO_free_all(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct X509ExtensionFree {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
struct GeneralNameFree {
  void operator()(GENERAL_NAME* p) const { GENERAL_NAME_free(p); }
};
struct Asn1StringFree {
  void operator()(ASN1_STRING* p) const { ASN1_STRING_free(p); }
};

using BioPtr = std::unique_ptr<BIO, BioFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using KeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, X509ExtensionFree>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, GeneralNamesFree>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, GeneralNameFree>;
using Asn1StringPtr = std::unique_ptr<ASN1_STRING, Asn1StringFree>;

// Drains OpenSSL's thread-local error queue into a status. Draining matters beyond the message:
// a stale entry left on the queue can make a later, unrelated TLS call on this thread fail.
absl::Status OpenSslError(absl::StatusCode code, absl::string_view what) {
  std::string detail;
  unsigned long err;
  while ((err = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    absl::StrAppend(&detail, detail.empty() ? "" : "; ", buf);
  }
  if (detail.empty()) return absl::Status(code, what);
  return absl::Status(code, absl::StrCat(what, ": ", detail));
}

absl::Status Internal(absl::string_view what) {
  return OpenSslError(absl::StatusCode::kInternal, what);
}

absl::Status InvalidArgument(absl::string_view what) {
  return OpenSslError(absl::StatusCode::kInvalidArgument, what);
}

absl::Status ValidateCommonName(absl::string_view cn) {
  if (cn.empty()) return absl::InvalidArgumentError("common name is empty");
  if (cn.size() > kMaxCommonName) {
    return absl::InvalidArgumentError(
        absl::StrCat("common name is longer than ", kMaxCommonName, " bytes"));
  }
  for (char c : cn) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError("common name contains a control character");
    }
  }
  return absl::OkStatus();
}

// Host names as TLS clients match them: LDH labels, optionally a leading "*." wildcard.
absl::Status ValidateDnsName(absl::string_view name) {
  const std::string error = absl::StrCat("malformed DNS name \"", name, "\"");
  absl::string_view rest = name;
  if (absl::StartsWith(rest, "*.")) rest.remove_prefix(2);
  if (rest.empty() || rest.size() > 253) return absl::InvalidArgumentError(error);
  for (absl::string_view label : absl::StrSplit(rest, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return absl::InvalidArgumentError(error);
    }
    for (char c : label) {
      if (!absl::ascii_isalnum(c) && c != '-') return absl::InvalidArgumentError(error);
    }
  }
  return absl::OkStatus();
}

// An absolute URI: scheme ":" then printable ASCII without spaces (IA5String).
absl::Status ValidateUri(absl::string_view uri) {
  const std::string error = absl::StrCat("malformed URI \"", uri, "\"");
  const size_t colon = uri.find(':');
  if (colon == absl::string_view::npos || colon == 0 || colon + 1 == uri.size()) {
    return absl::InvalidArgumentError(error);
  }
  if (!absl::ascii_isalpha(uri[0])) return absl::InvalidArgumentError(error);
  for (size_t i = 1; i < colon; ++i) {
    const char c = uri[i];
    if (!absl::ascii_isalnum(c) && c != '+' && c != '-' && c != '.') {
      return absl::InvalidArgumentError(error);
    }
  }
  for (char c : uri) {
    if (c <= 0x20 || c >= 0x7f) return absl::InvalidArgumentError(error);
  }
  return absl::OkStatus();
}

// The 4 or 16 address bytes of an IP literal; inet_pton is strict (no trailing junk, no short
// forms like "127.1").
absl::StatusOr<std::string> ParseIp(const std::string& ip) {
  unsigned char buf[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, ip.c_str(), buf) == 1) return std::string(reinterpret_cast<char*>(buf), 4);
  if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) {
    return std::string(reinterpret_cast<char*>(buf), 16);
  }
  return absl::InvalidArgumentError(absl::StrCat("malformed IP address \"", ip, "\""));
}

absl::StatusOr<KeyPtr> NewKey() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (key == nullptr) return Internal("generating a P-256 key");
  return key;
}

absl::StatusOr<std::string> BioContents(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  if (len < 0 || (len > 0 && data == nullptr)) return Internal("reading a memory BIO");
  return std::string(data, static_cast<size_t>(len));
}

absl::StatusOr<CertAndKey> ToPem(X509* cert, EVP_PKEY* key) {
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (cert_bio == nullptr || key_bio == nullptr) return Internal("allocating a BIO");
  if (PEM_write_bio_X509(cert_bio.get(), cert) != 1) return Internal("encoding the certificate");
  // PKCS#8, unencrypted: what gRPC and OpenSSL tools read without a passphrase.
  if (PEM_write_bio_PrivateKey(key_bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Internal("encoding the private key");
  }
  CertAndKey out;
  absl::StatusOr<std::string> cert_pem = BioContents(cert_bio.get());
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::string> key_pem = BioContents(key_bio.get());
  if (!key_pem.ok()) return key_pem.status();
  out.cert_pem = *std::move(cert_pem);
  out.key_pem = *std::move(key_pem);
  return out;
}

absl::Status SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  BnPtr bn;
  // A zero serial is invalid; retrying costs nothing and happens with probability 2^-128.
  do {
    if (RAND_bytes(bytes, sizeof(bytes)) != 1) return Internal("drawing a random serial");
    bn.reset(BN_bin2bn(bytes, sizeof(bytes), nullptr));
    if (bn == nullptr) return Internal("building the serial");
  } while (BN_is_zero(bn.get()));
  ASN1_INTEGER* serial = X509_get_serialNumber(cert);
  if (BN_to_ASN1_INTEGER(bn.get(), serial) == nullptr) return Internal("setting the serial");
  return absl::OkStatus();
}

absl::Status SetValidity(X509* cert, absl::Time not_before, absl::Duration validity) {
  if (validity <= absl::ZeroDuration() || validity == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError("validity must be positive and finite");
  }
  const absl::Time not_after = not_before + validity;
  if (not_before == absl::InfinitePast() || not_before == absl::InfiniteFuture() ||
      not_after == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError("validity period is out of range");
  }
  if (ASN1_TIME_set(X509_getm_notBefore(cert), absl::ToTimeT(not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert), absl::ToTimeT(not_after)) == nullptr) {
    return InvalidArgument("validity period is out of range");
  }
  return absl::OkStatus();
}

absl::Status SetSubjectCn(X509* cert, absl::string_view cn) {
  X509_NAME* name = X509_get_subject_name(cert);
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.data()),
                                 static_cast<int>(cn.size()), -1, 0) != 1) {
    return InvalidArgument("setting the common name");
  }
  return absl::OkStatus();
}

// Adds an extension from OpenSSL's config syntax; only used with fixed strings, never with
// caller input (which could smuggle in extra config such as "critical," or "@section").
absl::Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return Internal(absl::StrCat("adding extension ", OBJ_nid2sn(nid)));
  }
  return absl::OkStatus();
}

absl::Status AddName(GENERAL_NAMES* names, int type, absl::string_view value) {
  GeneralNamePtr name(GENERAL_NAME_new());
  Asn1StringPtr str(
      ASN1_STRING_type_new(type == GEN_IPADD ? V_ASN1_OCTET_STRING : V_ASN1_IA5STRING));
  if (name == nullptr || str == nullptr ||
      ASN1_STRING_set(str.get(), value.data(), static_cast<int>(value.size())) != 1) {
    return Internal("building a subjectAltName");
  }
  GENERAL_NAME_set0_value(name.get(), type, str.release());
  if (sk_GENERAL_NAME_push(names, name.get()) == 0) return Internal("building subjectAltName");
  name.release();
  return absl::OkStatus();
}

// subjectAltName built structurally from the validated inputs.
absl::Status AddSubjectAltNames(X509* cert, const IssueOptions& options) {
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (names == nullptr) return Internal("allocating subjectAltName");
  for (const std::string& dns : options.dns_names) {
    ENLACE_RETURN_IF_ERROR(AddName(names.get(), GEN_DNS, dns));
  }
  for (const std::string& ip : options.ip_addresses) {
    absl::StatusOr<std::string> bytes = ParseIp(ip);
    if (!bytes.ok()) return bytes.status();
    ENLACE_RETURN_IF_ERROR(AddName(names.get(), GEN_IPADD, *bytes));
  }
  for (const std::string& uri : options.uris) {
    ENLACE_RETURN_IF_ERROR(AddName(names.get(), GEN_URI, uri));
  }
  if (sk_GENERAL_NAME_num(names.get()) == 0) return absl::OkStatus();
  // Critical only when the subject is empty (RFC 5280 4.2.1.6); ours always has a CN.
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return Internal("adding subjectAltName");
  }
  return absl::OkStatus();
}

absl::Status ValidateIssueOptions(const IssueOptions& options) {
  ENLACE_RETURN_IF_ERROR(ValidateCommonName(options.common_name));
  for (const std::string& dns : options.dns_names) {
    ENLACE_RETURN_IF_ERROR(ValidateDnsName(dns));
  }
  for (const std::string& ip : options.ip_addresses) {
    if (absl::StatusOr<std::string> bytes = ParseIp(ip); !bytes.ok()) return bytes.status();
  }
  for (const std::string& uri : options.uris) {
    ENLACE_RETURN_IF_ERROR(ValidateUri(uri));
  }
  if (!options.server && !options.client) {
    return absl::InvalidArgumentError("a certificate must be for server or client use (or both)");
  }
  return absl::OkStatus();
}

struct ParsedCa {
  X509Ptr cert;
  KeyPtr key;
};

absl::StatusOr<ParsedCa> ParseCa(const CertAndKey& ca) {
  ParsedCa out;
  BioPtr cert_bio(BIO_new_mem_buf(ca.cert_pem.data(), static_cast<int>(ca.cert_pem.size())));
  BioPtr key_bio(BIO_new_mem_buf(ca.key_pem.data(), static_cast<int>(ca.key_pem.size())));
  if (cert_bio == nullptr || key_bio == nullptr) return Internal("allocating a BIO");
  out.cert.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (out.cert == nullptr) return InvalidArgument("CA certificate PEM does not parse");
  // A null passphrase callback with no user data: an encrypted key fails instead of prompting.
  out.key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, const_cast<char*>("")));
  if (out.key == nullptr) return InvalidArgument("CA private key PEM does not parse");
  if (X509_check_ca(out.cert.get()) == 0) {
    return InvalidArgument("CA certificate is not a CA (basicConstraints CA:TRUE missing)");
  }
  if (X509_check_private_key(out.cert.get(), out.key.get()) != 1) {
    return InvalidArgument("CA private key does not match the CA certificate");
  }
  return out;
}

}  // namespace

absl::StatusOr<CertAndKey> MakeCa(absl::string_view common_name, absl::Duration validity) {
  ENLACE_RETURN_IF_ERROR(ValidateCommonName(common_name));
  absl::StatusOr<KeyPtr> key = NewKey();
  if (!key.ok()) return key.status();
  X509Ptr cert(X509_new());
  if (cert == nullptr) return Internal("allocating a certificate");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return Internal("setting the version");
  ENLACE_RETURN_IF_ERROR(SetRandomSerial(cert.get()));
  if (absl::Status s = SetValidity(cert.get(), absl::Now() - kClockSkew, validity); !s.ok()) {
    return s;
  }
  ENLACE_RETURN_IF_ERROR(SetSubjectCn(cert.get(), common_name));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1 ||
      X509_set_pubkey(cert.get(), key->get()) != 1) {
    return Internal("setting issuer and public key");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  if (absl::Status s = AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          AddExtension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
      !s.ok()) {
    return s;
  }
  if (X509_sign(cert.get(), key->get(), EVP_sha256()) == 0) return Internal("signing the CA");
  return ToPem(cert.get(), key->get());
}

absl::StatusOr<CertAndKey> IssueCert(const CertAndKey& ca, const IssueOptions& options) {
  ENLACE_RETURN_IF_ERROR(ValidateIssueOptions(options));
  absl::StatusOr<ParsedCa> issuer = ParseCa(ca);
  if (!issuer.ok()) return issuer.status();
  absl::StatusOr<KeyPtr> key = NewKey();
  if (!key.ok()) return key.status();

  X509Ptr cert(X509_new());
  if (cert == nullptr) return Internal("allocating a certificate");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return Internal("setting the version");
  ENLACE_RETURN_IF_ERROR(SetRandomSerial(cert.get()));
  if (absl::Status s = SetValidity(cert.get(), options.not_before, options.validity); !s.ok()) {
    return s;
  }
  ENLACE_RETURN_IF_ERROR(SetSubjectCn(cert.get(), options.common_name));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer->cert.get())) != 1 ||
      X509_set_pubkey(cert.get(), key->get()) != 1) {
    return Internal("setting issuer and public key");
  }

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer->cert.get(), cert.get(), nullptr, nullptr, 0);
  if (absl::Status s = AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
      !s.ok()) {
    return s;
  }
  // ECDSA keys only sign in TLS (ECDHE does the key exchange), so digitalSignature suffices.
  if (absl::Status s = AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature");
      !s.ok()) {
    return s;
  }
  const char* eku = options.server && options.client ? "serverAuth,clientAuth"
                    : options.server                 ? "serverAuth"
                                                     : "clientAuth";
  ENLACE_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_ext_key_usage, eku));
  if (absl::Status s = AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
      !s.ok()) {
    return s;
  }
  ENLACE_RETURN_IF_ERROR(AddSubjectAltNames(cert.get(), options));

  if (X509_sign(cert.get(), issuer->key.get(), EVP_sha256()) == 0) {
    return Internal("signing the certificate");
  }
  return ToPem(cert.get(), key->get());
}

absl::StatusOr<std::string> MakeCrl(const CertAndKey& ca,
                                    const std::vector<std::string>& revoked_cert_pems,
                                    absl::Time this_update, absl::Duration validity) {
  ENLACE_ASSIGN_OR_RETURN(ParsedCa issuer, ParseCa(ca));
  if (validity <= absl::ZeroDuration() || validity == absl::InfiniteDuration()) {
    return InvalidArgument("CRL validity must be positive and finite");
  }
  struct CrlFree {
    void operator()(X509_CRL* p) const { X509_CRL_free(p); }
  };
  struct TimeFree {
    void operator()(ASN1_TIME* p) const { ASN1_TIME_free(p); }
  };
  std::unique_ptr<X509_CRL, CrlFree> crl(X509_CRL_new());
  std::unique_ptr<ASN1_TIME, TimeFree> last(ASN1_TIME_set(nullptr, absl::ToTimeT(this_update)));
  std::unique_ptr<ASN1_TIME, TimeFree> next(
      ASN1_TIME_set(nullptr, absl::ToTimeT(this_update + validity)));
  if (crl == nullptr || last == nullptr || next == nullptr) return Internal("allocating a CRL");
  if (X509_CRL_set_version(crl.get(), 1) != 1 ||  // v2
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.cert.get())) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
    return Internal("filling the CRL");
  }
  for (const std::string& pem : revoked_cert_pems) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509Ptr cert(bio == nullptr ? nullptr : PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (cert == nullptr) return InvalidArgument("a revoked certificate's PEM does not parse");
    if (X509_check_issued(issuer.cert.get(), cert.get()) != X509_V_OK) {
      return InvalidArgument("a revoked certificate was not issued by this CA");
    }
    X509_REVOKED* r = X509_REVOKED_new();
    if (r == nullptr || X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(cert.get())) != 1 ||
        X509_REVOKED_set_revocationDate(r, last.get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), r) != 1) {
      X509_REVOKED_free(r);
      return Internal("adding a revoked certificate");
    }
  }
  if (X509_CRL_sort(crl.get()) != 1 ||
      X509_CRL_sign(crl.get(), issuer.key.get(), EVP_sha256()) == 0) {
    return Internal("signing the CRL");
  }
  BioPtr out(BIO_new(BIO_s_mem()));
  if (out == nullptr || PEM_write_bio_X509_CRL(out.get(), crl.get()) != 1) {
    return Internal("encoding the CRL");
  }
  return BioContents(out.get());
}

absl::Status WriteFile(const std::string& path, absl::string_view contents, mode_t mode) {
  if (path.empty()) return absl::InvalidArgumentError("path is empty");
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));

  // mkstemp creates the file 0600, so a key is never readable by others, even briefly.
  std::string tmp = absl::StrCat(path, ".tmp-XXXXXX");
  const int fd = mkstemp(tmp.data());
  if (fd < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("creating a temporary file for ", path));
  }
  auto fail = [&](absl::string_view what) {
    const int saved = errno;
    close(fd);
    unlink(tmp.c_str());
    return absl::ErrnoToStatus(saved, absl::StrCat(what, " ", tmp));
  };
  if (fchmod(fd, mode) != 0) return fail("chmod");
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("writing");
    }
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) return fail("syncing");
  if (close(fd) != 0) {
    const int saved = errno;
    unlink(tmp.c_str());
    return absl::ErrnoToStatus(saved, absl::StrCat("closing ", tmp));
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    unlink(tmp.c_str());
    return absl::ErrnoToStatus(saved, absl::StrCat("renaming ", tmp, " to ", path));
  }
  // The rename itself is durable only once the directory entry is synced.
  const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("opening directory ", dir));
  const int rc = fsync(dir_fd);
  const int saved = errno;
  close(dir_fd);
  if (rc != 0) return absl::ErrnoToStatus(saved, absl::StrCat("syncing directory ", dir));
  return absl::OkStatus();
}

}  // namespace enlace::pki
