#ifndef ENLACE_COMMON_IDENTITY_CALLER_H_
#define ENLACE_COMMON_IDENTITY_CALLER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/security/auth_context.h"

namespace enlace {

// kSystem is a module of this node acting on its own behalf (opening the case a received
// notification or an accepted transfer asks for). No certificate carries it: ParseIdentity
// never returns it and the policy table allows it no RPC; only SystemCaller makes one.
enum class Role {
  kUnknown,
  kOfficer,
  kSupervisor,
  kAuditor,
  kOperator,
  kSecretariat,
  kNode,
  kSystem
};

absl::string_view RoleName(Role role);

// Who is calling, from the URI SAN of its verified client certificate:
//   spiffe://{cc}.enlace.example/role/{role}[/post/{POST}]/user/{user}   a person
//   spiffe://{cc}.enlace.example/node                                   a country node
struct Caller {
  std::string identity;  // the URI as presented
  std::string country;   // ISO 3166-1 alpha-2 from the trust domain
  Role role = Role::kUnknown;
  std::string post;      // officers: the consular post they work at
  std::string user;
};

// The in-process caller of a module of this node: identity "node/{country}/{module}" (what
// its audit records name), country-wide like a supervisor for the domain's scoping rules.
Caller SystemCaller(absl::string_view country, absl::string_view module);

// Parses an identity URI. An unrecognised role parses as kUnknown (the policy denies it);
// a URI that is not of the shapes above is PERMISSION_DENIED.
absl::StatusOr<Caller> ParseIdentity(absl::string_view uri);

// The caller of an mTLS call; PERMISSION_DENIED when the peer presented no verified
// certificate with exactly one well-formed URI SAN.
absl::StatusOr<Caller> CallerFromAuthContext(const grpc::AuthContext* context);

}  // namespace enlace

#endif  // ENLACE_COMMON_IDENTITY_CALLER_H_
