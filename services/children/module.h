#ifndef ENLACE_SERVICES_CHILDREN_MODULE_H_
#define ENLACE_SERVICES_CHILDREN_MODULE_H_

#include "services/children/children.h"
#include "services/children/service.h"
#include "services/node/domain_module.h"
#include "services/node/module.h"

namespace enlace::children {

// Child protection as a node module.
using ChildrenModule = node::DomainModule<ChildRecords, ChildProtectionServiceImpl>;
// For services/node/modules.cc.
node::ModuleSpec ModuleSpec();

}  // namespace enlace::children

#endif  // ENLACE_SERVICES_CHILDREN_MODULE_H_
