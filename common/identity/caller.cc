#include "common/identity/caller.h"

#include "grpc/grpc_security_constants.h"

namespace enlace {

absl::StatusOr<Caller> CallerFromAuthContext(const grpc::AuthContext* context) {
  if (context == nullptr || !context->IsPeerAuthenticated()) {
    return absl::PermissionDeniedError("a verified client certificate is required");
  }
  auto uris = context->FindPropertyValues(GRPC_PEER_URI_PROPERTY_NAME);
  if (uris.size() != 1) {
    return absl::PermissionDeniedError(
        "the client certificate must carry exactly one URI SAN naming the caller");
  }
  std::string uri(uris[0].data(), uris[0].size());
  if (uri.size() > 512 || uri.rfind("spiffe://", 0) != 0) {
    return absl::PermissionDeniedError("the client certificate's URI SAN is not a spiffe:// id");
  }
  return Caller{std::move(uri)};
}

}  // namespace enlace
