#ifndef ENLACE_SERVICES_WORKERS_MODULE_H_
#define ENLACE_SERVICES_WORKERS_MODULE_H_

#include "services/node/domain_module.h"
#include "services/node/module.h"
#include "services/workers/service.h"
#include "services/workers/workers.h"

namespace enlace::workers {

// Temporary workers as a node module.
using WorkersModule = node::DomainModule<Workers, TemporaryWorkersServiceImpl>;
// For services/node/modules.cc.
node::ModuleSpec ModuleSpec();

}  // namespace enlace::workers

#endif  // ENLACE_SERVICES_WORKERS_MODULE_H_
