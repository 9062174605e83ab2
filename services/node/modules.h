#ifndef ENLACE_SERVICES_NODE_MODULES_H_
#define ENLACE_SERVICES_NODE_MODULES_H_

#include <vector>

#include "enlace/node/v1/config.pb.h"
#include "services/node/module.h"

namespace enlace::node {

// Every module of a node, in creation order (a module may use one listed before it).
const std::vector<ModuleSpec>& NodeModules();
// The regional secretariat's modules (NodeConfig.secretariat).
const std::vector<ModuleSpec>& SecretariatModules();
// The modules `config` asks for.
const std::vector<ModuleSpec>& ModulesFor(const enlace::node::v1::NodeConfig& config);

}  // namespace enlace::node

#endif  // ENLACE_SERVICES_NODE_MODULES_H_
