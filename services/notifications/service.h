#ifndef ENLACE_SERVICES_NOTIFICATIONS_SERVICE_H_
#define ENLACE_SERVICES_NOTIFICATIONS_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "common/grpcutil/dispatch.h"
#include "enlace/notifications/v1/notifications.grpc.pb.h"
#include "services/notifications/notifications.h"

namespace enlace::notifications {

#define ENLACE_NOTIFICATION_METHODS(X)                                      \
  X(SendNotification, SendNotificationRequest, Notification)                \
  X(GetNotification, GetNotificationRequest, Notification)                  \
  X(ListNotifications, ListNotificationsRequest, ListNotificationsResponse) \
  X(AcknowledgeNotification, AcknowledgeNotificationRequest, Notification)

// Thin gRPC adapter over Notifications.
class NotificationServiceImpl final : public v1::NotificationService::CallbackService {
 public:
  NotificationServiceImpl(Notifications* notifications, ThreadPool* pool,
                          authz::Authorizer* authorizer)
      : notifications_(notifications), pool_(pool), authorizer_(authorizer) {}

  ENLACE_NOTIFICATION_METHODS(ENLACE_DECLARE_UNARY)

 private:
  Notifications* notifications_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::notifications

#endif  // ENLACE_SERVICES_NOTIFICATIONS_SERVICE_H_
