#include "services/node/modules.h"

#include "services/audit/module.h"
#include "services/backup/module.h"
#include "services/cases/module.h"
#include "services/children/module.h"
#include "services/crisis/module.h"
#include "services/directory/module.h"
#include "services/notifications/module.h"
#include "services/referrals/module.h"
#include "services/secretariat/module.h"
#include "services/stats/module.h"
#include "services/transfers/module.h"
#include "services/workers/module.h"

namespace enlace::node {

// The one list to edit when adding a module (and its dependency in BUILD.bazel).
const std::vector<ModuleSpec>& NodeModules() {
  static const auto* modules = new std::vector<ModuleSpec>{
      cases::ModuleSpec(),
      stats::ModuleSpec(),
      directory::ModuleSpec(),
      notifications::ModuleSpec(),
      referrals::ModuleSpec(),
      transfers::ModuleSpec(),
      crisis::ModuleSpec(),
      children::ModuleSpec(),
      workers::ModuleSpec(),
      audit::ModuleSpec(),
      backup::ModuleSpec(),
  };
  return *modules;
}

const std::vector<ModuleSpec>& SecretariatModules() {
  static const auto* modules = new std::vector<ModuleSpec>{
      secretariat::ModuleSpec(),
      audit::ModuleSpec(),
      backup::ModuleSpec(),
  };
  return *modules;
}

const std::vector<ModuleSpec>& ModulesFor(const enlace::node::v1::NodeConfig& config) {
  return config.secretariat() ? SecretariatModules() : NodeModules();
}

}  // namespace enlace::node
