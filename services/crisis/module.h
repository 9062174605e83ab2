#ifndef ENLACE_SERVICES_CRISIS_MODULE_H_
#define ENLACE_SERVICES_CRISIS_MODULE_H_

#include "services/crisis/crisis.h"
#include "services/crisis/service.h"
#include "services/node/domain_module.h"
#include "services/node/module.h"

namespace enlace::crisis {

// Crises (MICIC) as a node module.
using CrisisModule = node::DomainModule<Crises, CrisisServiceImpl>;
// For services/node/modules.cc.
node::ModuleSpec ModuleSpec();

}  // namespace enlace::crisis

#endif  // ENLACE_SERVICES_CRISIS_MODULE_H_
