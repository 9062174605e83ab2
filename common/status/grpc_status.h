#ifndef ENLACE_COMMON_STATUS_GRPC_STATUS_H_
#define ENLACE_COMMON_STATUS_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace enlace {

// Service edge: an absl::Status as a grpc::Status, with field violations as a
// google.rpc.Status detail (grpc-status-details-bin).
grpc::Status ToGrpcStatus(const absl::Status& status);

// Client side: the inverse, keeping the BadRequest payload.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace enlace

#endif  // ENLACE_COMMON_STATUS_GRPC_STATUS_H_
