#ifndef ENLACE_SERVICES_NODE_NODE_METRICS_H_
#define ENLACE_SERVICES_NODE_NODE_METRICS_H_

#include <cstdint>
#include <vector>

#include "common/ops/metrics.h"
#include "common/storage/store.h"
#include "enlace/federation/v1/admin.pb.h"

namespace enlace::node {

// The families read at each scrape of the ops port (docs/operations.md lists them). Labels:
// `peer` (a member code) and `cf` (a column family name) only.
std::vector<ops::PulledFamily> FederationFamilies(const federation::v1::FederationStatus& status);
std::vector<ops::PulledFamily> StoreFamilies(const storage::Store::Stats& stats);
// Audit chain length, rate-limit refusals, readiness.
std::vector<ops::PulledFamily> NodeFamilies(uint64_t audit_records, int64_t rate_limited,
                                            bool ready);

}  // namespace enlace::node

#endif  // ENLACE_SERVICES_NODE_NODE_METRICS_H_
