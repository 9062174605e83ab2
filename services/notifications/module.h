#ifndef ENLACE_SERVICES_NOTIFICATIONS_MODULE_H_
#define ENLACE_SERVICES_NOTIFICATIONS_MODULE_H_

#include "services/node/domain_module.h"
#include "services/node/module.h"
#include "services/notifications/notifications.h"
#include "services/notifications/service.h"

namespace enlace::notifications {

// Consular notifications as a node module.
using NotificationsModule = node::DomainModule<Notifications, NotificationServiceImpl>;
// For services/node/modules.cc.
node::ModuleSpec ModuleSpec();

}  // namespace enlace::notifications

#endif  // ENLACE_SERVICES_NOTIFICATIONS_MODULE_H_
