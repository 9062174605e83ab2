#ifndef ENLACE_SERVICES_NODE_HA_H_
#define ENLACE_SERVICES_NODE_HA_H_

// The standby phase of an HA node (NodeConfig.ha; docs/operations.md, "High availability"):
// wait for the lease, then let main start the node with the lease's fence on its store.

#include <memory>

#include "absl/status/statusor.h"
#include "common/ha/lease.h"
#include "enlace/node/v1/config.pb.h"

namespace enlace::node {

// NodeConfig.ha as lease options (defaults filled in); INVALID_ARGUMENT when unusable.
absl::StatusOr<ha::LeaseOptions> LeaseOptionsFor(const enlace::node::v1::NodeConfig& config);

// Blocks until this process holds the lease (a new epoch), or CANCELLED once `stop_fd` is
// readable (a signal's self-pipe). Meanwhile the ops port, when configured, answers /healthz
// 200 and /readyz 503 "standby", so a Kubernetes Service routes only to the lease holder; it
// is closed before returning (the node opens its own on the same address). An unreachable
// database (its own failover) is retried, never fatal.
absl::StatusOr<std::unique_ptr<ha::Lease>> AwaitLease(const enlace::node::v1::NodeConfig& config,
                                                      int stop_fd);

}  // namespace enlace::node

#endif  // ENLACE_SERVICES_NODE_HA_H_
