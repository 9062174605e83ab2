#include "common/revocation/revocation.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/log/log.h"
#include "openssl/bio.h"
#include "openssl/bn.h"
#include "openssl/err.h"
#include "openssl/pem.h"
#include "openssl/x509.h"

namespace enlace::revocation {
namespace {

constexpr size_t kMaxSeen = 10000;
constexpr size_t kMaxFileBytes = 16 << 20;

struct BioFree {
  void operator()(BIO* p) const { BIO_free_all(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct CrlFree {
  void operator()(X509_CRL* p) const { X509_CRL_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using CrlPtr = std::unique_ptr<X509_CRL, CrlFree>;

BioPtr Reader(absl::string_view pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

std::string NameDer(const X509_NAME* name) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_NAME(name, &der);
  if (len <= 0) return "";
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string SerialHex(const ASN1_INTEGER* serial) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(serial, nullptr);
  if (bn == nullptr) return "";
  char* hex = BN_bn2hex(bn);
  std::string out = hex == nullptr ? "" : hex;
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

// Every certificate of every PEM bundle.
std::vector<X509Ptr> Certificates(const std::vector<std::string>& pems) {
  std::vector<X509Ptr> out;
  for (const std::string& pem : pems) {
    BioPtr bio = Reader(pem);
    while (bio != nullptr) {
      X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
      if (cert == nullptr) break;
      out.push_back(std::move(cert));
    }
  }
  ERR_clear_error();  // the end of a bundle reads as an error
  return out;
}

// The file must be PEM CRLs and nothing else: a DER CRL, an empty or truncated file, or stray
// text read as "no CRL" would lift every revocation without a word.
absl::Status CheckOnlyPemCrls(absl::string_view text) {
  constexpr absl::string_view kBegin = "-----BEGIN X509 CRL-----";
  constexpr absl::string_view kEnd = "-----END X509 CRL-----";
  bool inside = false;
  int blocks = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line == kBegin && !inside) {
      inside = true;
    } else if (line == kEnd && inside) {
      inside = false;
      ++blocks;
    } else if (!inside && !line.empty()) {
      return absl::InvalidArgumentError(
          "holds something other than PEM CRLs (a DER CRL? convert it with `openssl crl "
          "-inform DER -outform PEM`)");
    }
  }
  if (inside) return absl::InvalidArgumentError("ends inside a CRL (a truncated file?)");
  if (blocks == 0) return absl::InvalidArgumentError("holds no CRL");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RevocationList> RevocationList::Parse(absl::string_view crls_pem,
                                                     const std::vector<std::string>& ca_pems) {
  // An empty list is written as a CRL that revokes nothing, never as an empty file.
  if (!absl::StripAsciiWhitespace(crls_pem).empty()) {
    if (absl::Status s = CheckOnlyPemCrls(crls_pem); !s.ok()) return s;
  }
  const std::vector<X509Ptr> cas = Certificates(ca_pems);
  RevocationList out;
  BioPtr bio = Reader(crls_pem);
  if (bio == nullptr) return absl::InternalError("allocating a BIO");
  for (int n = 1;; ++n) {
    CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
    if (crl == nullptr) {
      const unsigned long err = ERR_peek_last_error();
      ERR_clear_error();
      // The end of the input, or something that is not a CRL.
      if (ERR_GET_REASON(err) == PEM_R_NO_START_LINE) break;
      return absl::InvalidArgumentError(absl::StrCat("CRL ", n, " does not parse"));
    }
    const X509_NAME* issuer = X509_CRL_get_issuer(crl.get());
    // Every trusted CA of that name is tried (two may share one, e.g. across a CA's rotation):
    // the CRL counts when one of them signed it.
    bool named = false, verified = false;
    for (const X509Ptr& ca : cas) {
      if (X509_NAME_cmp(X509_get_subject_name(ca.get()), issuer) != 0) continue;
      named = true;
      EVP_PKEY* key = X509_get0_pubkey(ca.get());
      verified = key != nullptr && X509_CRL_verify(crl.get(), key) == 1;
      ERR_clear_error();
      if (verified) break;
    }
    if (!named) {
      return absl::InvalidArgumentError(
          absl::StrCat("CRL ", n, " is issued by a CA this node does not trust"));
    }
    if (!verified) {
      return absl::InvalidArgumentError(
          absl::StrCat("CRL ", n, "'s signature does not verify with its issuer's key"));
    }
    const std::string issuer_der = NameDer(issuer);
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
    for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
      const X509_REVOKED* r = sk_X509_REVOKED_value(revoked, i);
      out.revoked_.emplace(issuer_der, SerialHex(X509_REVOKED_get0_serialNumber(r)));
    }
  }
  return out;
}

bool RevocationList::IsRevoked(absl::string_view cert_pem) const {
  BioPtr bio = Reader(cert_pem);
  X509Ptr cert(bio == nullptr ? nullptr : PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    ERR_clear_error();
    return true;
  }
  return revoked_.count({NameDer(X509_get_issuer_name(cert.get())),
                         SerialHex(X509_get0_serialNumber(cert.get()))}) > 0;
}

absl::StatusOr<std::unique_ptr<RevocationWatcher>> RevocationWatcher::Create(
    std::string path, std::function<std::vector<std::string>()> ca_pems) {
  std::unique_ptr<RevocationWatcher> w(new RevocationWatcher(std::move(path), std::move(ca_pems)));
  absl::MutexLock lock(&w->mu_);
  struct stat st;
  if (stat(w->path_.c_str(), &st) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("CRL file ", w->path_, " cannot be read"));
  }
  Stamp stamp{st.st_dev, st.st_ino, st.st_size,
              static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  if (absl::Status s = w->Load(stamp); !s.ok()) return s;
  return w;
}

absl::Status RevocationWatcher::Load(const Stamp& stamp) {
  std::ifstream in(path_, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) {
    return absl::InvalidArgumentError(absl::StrCat("CRL file ", path_, " cannot be read"));
  }
  const std::string pem = text.str();
  if (pem.size() > kMaxFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat("CRL file ", path_, " is over 16 MiB"));
  }
  if (absl::StripAsciiWhitespace(pem).empty()) {
    // A file emptied by a failed write must not lift every revocation.
    return absl::InvalidArgumentError(absl::StrCat(
        "CRL file ", path_, " is empty (write a CRL that revokes nothing for an empty list)"));
  }
  auto list = RevocationList::Parse(pem, ca_pems_());
  if (!list.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("CRL file ", path_, ": ", list.status().message()));
  }
  list_ = *std::move(list);
  stamp_ = stamp;
  seen_.clear();
  return absl::OkStatus();
}

void RevocationWatcher::Refresh() {
  struct stat st;
  Stamp now;
  if (stat(path_.c_str(), &st) == 0) {
    now = Stamp{st.st_dev, st.st_ino, st.st_size,
                static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  }
  if (now == stamp_) return;
  if (now.size < 0) {
    last_error_ = absl::StrCat("CRL file ", path_, " is gone; the last list stays in force");
    log::Error("revocation", "crl_reload_failed", last_error_);
    stamp_ = now;
    return;
  }
  absl::Status s = Load(now);
  if (!s.ok()) {
    // Tried, and said, once per change of the file, not on every call: an operator whose new
    // revocation did not take effect must be able to see why.
    stamp_ = now;
    last_error_ = absl::StrCat(s.message(), "; the last list stays in force");
    log::Error("revocation", "crl_reload_failed", last_error_);
    return;
  }
  last_error_.clear();
  log::Info("revocation", "crl_reloaded",
            absl::StrCat(path_, ": ", list_.size(), " revoked certificates"));
}

bool RevocationWatcher::IsRevoked(absl::string_view cert_pem) {
  absl::MutexLock lock(&mu_);
  Refresh();
  auto it = seen_.find(cert_pem);
  if (it != seen_.end()) return it->second;
  if (seen_.size() >= kMaxSeen) seen_.clear();
  const bool revoked = list_.IsRevoked(cert_pem);
  seen_.emplace(std::string(cert_pem), revoked);
  return revoked;
}

std::string RevocationWatcher::last_error() const {
  absl::MutexLock lock(&mu_);
  return last_error_;
}

size_t RevocationWatcher::size() const {
  absl::MutexLock lock(&mu_);
  return list_.size();
}

}  // namespace enlace::revocation
