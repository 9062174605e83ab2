#ifndef ENLACE_COMMON_PKI_PKI_H_
#define ENLACE_COMMON_PKI_PKI_H_

// Development PKI: a CA per country and the leaf certificates that nodes and clients use for
// mTLS. Keys are ECDSA P-256 (fast to generate in tests); everything is PEM.
//
// How identities reach the server: with gRPC 1.51 (Debian 12) and SslServerCredentials, each URI
// SAN of the verified client certificate appears in the server's AuthContext under
// GRPC_PEER_URI_PROPERTY_NAME ("peer_uri"). The URI is also one of the values of
// GRPC_X509_SAN_PROPERTY_NAME ("x509_subject_alternative_name"), mixed with DNS names, emails
// and IPs, so read "peer_uri". When the certificate holds exactly one URI SAN and it is a valid
// SPIFFE ID, gRPC also sets GRPC_PEER_SPIFFE_ID_PROPERTY_NAME ("peer_spiffe_id"); it is left
// empty otherwise, so do not rely on it alone. pki_test.cc checks all three.

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace enlace::pki {

// A certificate and its private key (PKCS#8), both PEM.
struct CertAndKey {
  std::string cert_pem;
  std::string key_pem;
};

// A self-signed CA: basicConstraints critical CA:TRUE, keyUsage keyCertSign+cRLSign,
// subjectKeyIdentifier. Valid from five minutes ago (clock skew) for `validity`.
// INVALID_ARGUMENT for an empty or over-long (> 64) common name or a non-positive validity.
absl::StatusOr<CertAndKey> MakeCa(absl::string_view common_name, absl::Duration validity);

struct IssueOptions {
  std::string common_name;
  std::vector<std::string> dns_names;
  // IPv4 or IPv6 literals, e.g. "127.0.0.1", "::1".
  std::vector<std::string> ip_addresses;
  // E.g. "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana".
  std::vector<std::string> uris;
  // extendedKeyUsage serverAuth / clientAuth; at least one must be set.
  bool server = false;
  bool client = false;
  absl::Duration validity = absl::Hours(24 * 365);
  absl::Time not_before = absl::Now() - absl::Minutes(5);
};

// A leaf certificate signed by `ca`: SANs (DNS, IP, URI), extendedKeyUsage, keyUsage
// digitalSignature, basicConstraints CA:FALSE, subject and authority key identifiers and a random
// 128-bit serial. INVALID_ARGUMENT for an empty common name, a malformed DNS name, IP or URI, no
// usage, a non-positive validity, or a CA that does not parse, is not a CA, or whose key does not
// match its certificate.
absl::StatusOr<CertAndKey> IssueCert(const CertAndKey& ca, const IssueOptions& options);

// A certificate revocation list (X.509 v2 CRL, PEM) issued by `ca`, revoking each certificate
// of `revoked_cert_pems` (which `ca` must have issued), valid from `this_update` for
// `validity`. INVALID_ARGUMENT for a CA as IssueCert refuses it, a certificate that does not
// parse or that another CA issued, or a non-positive validity.
absl::StatusOr<std::string> MakeCrl(const CertAndKey& ca,
                                    const std::vector<std::string>& revoked_cert_pems,
                                    absl::Time this_update = absl::Now(),
                                    absl::Duration validity = absl::Hours(24 * 30));

// Writes `contents` to `path` with permission `mode` (0600 for keys): written to a temporary file
// in the same directory, synced, then renamed over `path`, so readers never see half a file.
absl::Status WriteFile(const std::string& path, absl::string_view contents, mode_t mode);

}  // namespace enlace::pki

#endif  // ENLACE_COMMON_PKI_PKI_H_
