#ifndef ENLACE_TOOLS_SAMPLELOAD_HISTORY_H_
#define ENLACE_TOOLS_SAMPLELOAD_HISTORY_H_

// Sample statistics history for a node (enlace.stats.v1.ImportHistory): the monthly counts a
// ministry would bring from before Enlace, synthetic but shaped like the real ones (a post's
// volume, a seasonal swing, labour and migration most frequent, few children).

#include <cstdint>
#include <vector>

#include "absl/time/civil_time.h"
#include "enlace/node/v1/config.pb.h"
#include "enlace/stats/v1/stats.pb.h"

namespace enlace::sampleload {

// `months` ended months up to and including `last`, oldest first, every measure of
// services/stats/measures.h each; the same for the same seed.
std::vector<enlace::stats::v1::ImportHistoryRequest> HistoryPlan(
    const enlace::node::v1::NodeConfig& config, absl::CivilMonth last, int months, uint64_t seed);

}  // namespace enlace::sampleload

#endif  // ENLACE_TOOLS_SAMPLELOAD_HISTORY_H_
