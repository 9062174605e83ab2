#ifndef ENLACE_SERVICES_STATS_MODULE_H_
#define ENLACE_SERVICES_STATS_MODULE_H_

#include "services/node/domain_module.h"
#include "services/node/module.h"
#include "services/stats/service.h"
#include "services/stats/stats.h"

namespace enlace::stats {

// Statistics as a node module: its counters move in the registry's commits (a case hook).
using StatsModule = node::DomainModule<Stats, StatsServiceImpl>;
// For services/node/modules.cc.
node::ModuleSpec ModuleSpec();

}  // namespace enlace::stats

#endif  // ENLACE_SERVICES_STATS_MODULE_H_
