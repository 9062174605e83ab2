#ifndef ENLACE_SERVICES_SECRETARIAT_MODULE_H_
#define ENLACE_SERVICES_SECRETARIAT_MODULE_H_

#include "services/node/module.h"

namespace enlace::secretariat {

// The secretariat's one module (services/node/modules.cc SecretariatModules()): the releases'
// store and its envelope handler, SecretariatService, and the dashboard when configured.
node::ModuleSpec ModuleSpec();

}  // namespace enlace::secretariat

#endif  // ENLACE_SERVICES_SECRETARIAT_MODULE_H_
