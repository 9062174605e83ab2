#ifndef ENLACE_SERVICES_REFERRALS_MODULE_H_
#define ENLACE_SERVICES_REFERRALS_MODULE_H_

#include "services/node/domain_module.h"
#include "services/node/module.h"
#include "services/referrals/referrals.h"
#include "services/referrals/service.h"

namespace enlace::referrals {

// Referrals to members and organisations as a node module (needs the directory module).
using ReferralsModule = node::DomainModule<Referrals, ReferralServiceImpl>;
// For services/node/modules.cc.
node::ModuleSpec ModuleSpec();

}  // namespace enlace::referrals

#endif  // ENLACE_SERVICES_REFERRALS_MODULE_H_
