#include "common/identity/caller.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/geo/geo.h"
#include "grpc/grpc_security_constants.h"

namespace enlace {
namespace {

constexpr absl::string_view kScheme = "spiffe://";
constexpr absl::string_view kDomainSuffix = ".enlace.example";

bool IsIdentPart(absl::string_view s) {
  // "." and ".." are not path segments of a SPIFFE ID.
  if (s.empty() || s.size() > 64 || s == "." || s == "..") return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' &&
        c != '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

Caller SystemCaller(absl::string_view country, absl::string_view module) {
  Caller c;
  c.identity = absl::StrCat("node/", country, "/", module);
  c.country = std::string(country);
  c.role = Role::kSystem;
  return c;
}

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kOfficer: return "officer";
    case Role::kSupervisor: return "supervisor";
    case Role::kAuditor: return "auditor";
    case Role::kOperator: return "operator";
    case Role::kSecretariat: return "secretariat";
    case Role::kNode: return "node";
    case Role::kSystem: return "system";
    case Role::kUnknown: break;
  }
  return "unknown";
}

absl::StatusOr<Caller> ParseIdentity(absl::string_view uri) {
  const auto bad = [&] {
    return absl::PermissionDeniedError(
        "the certificate's URI SAN is not an Enlace identity "
        "(spiffe://{country}.enlace.example/role/{role}/...)");
  };
  if (uri.size() > 512 || !absl::ConsumePrefix(&uri, kScheme)) return bad();
  std::vector<absl::string_view> parts = absl::StrSplit(uri, '/');
  absl::string_view domain = parts[0];
  if (!absl::ConsumeSuffix(&domain, kDomainSuffix) || domain.size() != 2) return bad();
  Caller c;
  c.country = absl::AsciiStrToUpper(domain);
  if (!geo::IsMemberCode(c.country)) return bad();
  // One identity, one spelling: SPIFFE trust domains are lower case, and rate buckets,
  // request ids and audit actors key on the URI. "MX.enlace.example" is refused rather than
  // folded, so no comparison of raw URIs (e.g. the manifest's) can disagree with ours.
  if (domain != absl::AsciiStrToLower(domain)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the certificate's URI SAN is not in canonical form: the trust domain must be "
        "lower case (spiffe://", absl::AsciiStrToLower(domain), kDomainSuffix, "/...)"));
  }
  if (parts.size() == 2 && parts[1] == "node") {
    c.role = Role::kNode;
  } else {
    // role/{role}[/post/{POST}]/user/{user}
    if (parts.size() != 5 && parts.size() != 7) return bad();
    if (parts[1] != "role" || !IsIdentPart(parts[2])) return bad();
    size_t i = 3;
    if (parts.size() == 7) {
      if (parts[3] != "post" || !geo::IsPostCode(parts[4])) return bad();
      c.post = std::string(parts[4]);
      i = 5;
    }
    if (parts[i] != "user" || !IsIdentPart(parts[i + 1])) return bad();
    c.user = std::string(parts[i + 1]);
    const absl::string_view role = parts[2];
    if (role == "officer") c.role = Role::kOfficer;
    if (role == "supervisor") c.role = Role::kSupervisor;
    if (role == "auditor") c.role = Role::kAuditor;
    if (role == "operator") c.role = Role::kOperator;
    if (role == "secretariat") c.role = Role::kSecretariat;
    // An officer works at one post; without it the identity cannot be scoped.
    if (c.role == Role::kOfficer && c.post.empty()) c.role = Role::kUnknown;
  }
  c.identity = absl::StrCat(kScheme, uri);
  return c;
}

absl::StatusOr<Caller> CallerFromAuthContext(const grpc::AuthContext* context) {
  if (context == nullptr || !context->IsPeerAuthenticated()) {
    return absl::PermissionDeniedError("a verified client certificate is required");
  }
  auto uris = context->FindPropertyValues(GRPC_PEER_URI_PROPERTY_NAME);
  if (uris.size() != 1) {
    return absl::PermissionDeniedError(
        "the client certificate must carry exactly one URI SAN naming the caller");
  }
  return ParseIdentity(absl::string_view(uris[0].data(), uris[0].size()));
}

}  // namespace enlace
