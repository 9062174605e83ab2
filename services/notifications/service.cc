#include "services/notifications/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::notifications {

#define ENLACE_DISPATCH(Method, Request, Response)                                           \
  grpc::ServerUnaryReactor* NotificationServiceImpl::Method(                                 \
      grpc::CallbackServerContext* context, const v1::Request* request,                      \
      v1::Response* response) {                                                              \
    static const std::string rpc =                                                           \
        std::string(v1::NotificationService::service_full_name()) + "/" #Method;             \
    return DispatchUnary(context, pool_, authorizer_, rpc.c_str(), notifications_, request,  \
                         response, &Notifications::Method);                                  \
  }

ENLACE_DISPATCH(SendNotification, SendNotificationRequest, Notification)
ENLACE_DISPATCH(GetNotification, GetNotificationRequest, Notification)
ENLACE_DISPATCH(ListNotifications, ListNotificationsRequest, ListNotificationsResponse)
ENLACE_DISPATCH(AcknowledgeNotification, AcknowledgeNotificationRequest, Notification)

#undef ENLACE_DISPATCH

}  // namespace enlace::notifications
