#ifndef ENLACE_SERVICES_AUDIT_MODULE_H_
#define ENLACE_SERVICES_AUDIT_MODULE_H_

#include "services/audit/service.h"
#include "services/node/domain_module.h"
#include "services/node/module.h"

namespace enlace::audit {

// The auditors' API over the node's audit log as a node module.
using AuditModule = node::DomainModule<AuditReader, AuditServiceImpl>;
// For services/node/modules.cc.
node::ModuleSpec ModuleSpec();

}  // namespace enlace::audit

#endif  // ENLACE_SERVICES_AUDIT_MODULE_H_
