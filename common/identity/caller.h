#ifndef ENLACE_COMMON_IDENTITY_CALLER_H_
#define ENLACE_COMMON_IDENTITY_CALLER_H_

#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/auth_context.h"

namespace enlace {

// Who is calling: the URI SAN of the verified client certificate (SPIFFE-style,
// e.g. spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana).
struct Caller {
  std::string identity;
};

// The caller of an mTLS call; PERMISSION_DENIED when the peer presented no verified
// certificate with exactly one URI SAN.
absl::StatusOr<Caller> CallerFromAuthContext(const grpc::AuthContext* context);

}  // namespace enlace

#endif  // ENLACE_COMMON_IDENTITY_CALLER_H_
