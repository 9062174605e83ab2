#include "services/notifications/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::notifications {

#define ENLACE_DEFINE(M, Rq, Rs) \
  ENLACE_DEFINE_UNARY(NotificationServiceImpl, v1::NotificationService, Notifications, notifications_, M, Rq, Rs)
ENLACE_NOTIFICATION_METHODS(ENLACE_DEFINE)
#undef ENLACE_DEFINE

}  // namespace enlace::notifications
