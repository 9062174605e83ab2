#ifndef ENLACE_SERVICES_DIRECTORY_MODULE_H_
#define ENLACE_SERVICES_DIRECTORY_MODULE_H_

#include "services/directory/directory.h"
#include "services/directory/service.h"
#include "services/node/domain_module.h"
#include "services/node/module.h"

namespace enlace::directory {

// The shared directory of organisations as a node module.
using DirectoryModule = node::DomainModule<Directory, DirectoryServiceImpl>;
// For services/node/modules.cc.
node::ModuleSpec ModuleSpec();

}  // namespace enlace::directory

#endif  // ENLACE_SERVICES_DIRECTORY_MODULE_H_
