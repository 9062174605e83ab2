#ifndef ENLACE_SERVICES_TRANSFERS_MODULE_H_
#define ENLACE_SERVICES_TRANSFERS_MODULE_H_

#include "services/node/domain_module.h"
#include "services/node/module.h"
#include "services/transfers/service.h"
#include "services/transfers/transfers.h"

namespace enlace::transfers {

// Case transfers between members as a node module.
using TransfersModule = node::DomainModule<Transfers, TransferServiceImpl>;
// For services/node/modules.cc.
node::ModuleSpec ModuleSpec();

}  // namespace enlace::transfers

#endif  // ENLACE_SERVICES_TRANSFERS_MODULE_H_
