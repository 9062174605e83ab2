#ifndef ENLACE_SERVICES_NODE_MODULES_H_
#define ENLACE_SERVICES_NODE_MODULES_H_

#include <vector>

#include "services/node/module.h"

namespace enlace::node {

// Every module of a node, in creation order (a module may use one listed before it).
const std::vector<ModuleSpec>& NodeModules();

}  // namespace enlace::node

#endif  // ENLACE_SERVICES_NODE_MODULES_H_
