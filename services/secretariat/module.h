#ifndef ENLACE_SERVICES_SECRETARIAT_MODULE_H_
#define ENLACE_SERVICES_SECRETARIAT_MODULE_H_

#include "services/node/domain_module.h"
#include "services/node/module.h"
#include "services/secretariat/regional.h"
#include "services/secretariat/service.h"

namespace enlace::secretariat {

// The secretariat's one module (services/node/modules.cc SecretariatModules()).
using SecretariatModule = node::DomainModule<Regional, SecretariatServiceImpl>;
node::ModuleSpec ModuleSpec();

}  // namespace enlace::secretariat

#endif  // ENLACE_SERVICES_SECRETARIAT_MODULE_H_
