#ifndef ENLACE_SERVICES_NOTIFICATIONS_SERVICE_H_
#define ENLACE_SERVICES_NOTIFICATIONS_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "enlace/notifications/v1/notifications.grpc.pb.h"
#include "services/notifications/notifications.h"

namespace enlace::notifications {

// Thin gRPC adapter over Notifications.
class NotificationServiceImpl final : public v1::NotificationService::CallbackService {
 public:
  NotificationServiceImpl(Notifications* notifications, ThreadPool* pool,
                          authz::Authorizer* authorizer)
      : notifications_(notifications), pool_(pool), authorizer_(authorizer) {}

  grpc::ServerUnaryReactor* SendNotification(grpc::CallbackServerContext* context,
                                             const v1::SendNotificationRequest* request,
                                             v1::Notification* response) override;
  grpc::ServerUnaryReactor* GetNotification(grpc::CallbackServerContext* context,
                                            const v1::GetNotificationRequest* request,
                                            v1::Notification* response) override;
  grpc::ServerUnaryReactor* ListNotifications(grpc::CallbackServerContext* context,
                                              const v1::ListNotificationsRequest* request,
                                              v1::ListNotificationsResponse* response) override;
  grpc::ServerUnaryReactor* AcknowledgeNotification(
      grpc::CallbackServerContext* context, const v1::AcknowledgeNotificationRequest* request,
      v1::Notification* response) override;

 private:
  Notifications* notifications_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::notifications

#endif  // ENLACE_SERVICES_NOTIFICATIONS_SERVICE_H_
