#ifndef ENLACE_SERVICES_BACKUP_MODULE_H_
#define ENLACE_SERVICES_BACKUP_MODULE_H_

#include "services/backup/service.h"
#include "services/node/domain_module.h"
#include "services/node/module.h"

namespace enlace::backup {

// Online backups (BackupService) as a node module.
using BackupModule = node::DomainModule<Backups, BackupServiceImpl>;
// For services/node/modules.cc.
node::ModuleSpec ModuleSpec();

}  // namespace enlace::backup

#endif  // ENLACE_SERVICES_BACKUP_MODULE_H_
