#ifndef ENLACE_SERVICES_NOTIFICATIONS_MODULE_H_
#define ENLACE_SERVICES_NOTIFICATIONS_MODULE_H_

#include <memory>

#include "services/node/module.h"
#include "services/notifications/service.h"
#include "services/notifications/notifications.h"

namespace enlace::notifications {

// Consular notifications (VCCR art. 36/37) as a node module.
class NotificationsModule final : public node::Module {
 public:
  static node::ModuleSpec Spec();
  static absl::StatusOr<std::unique_ptr<node::Module>> Create(const node::ModuleContext& ctx);

  absl::string_view name() const override { return "notifications"; }
  std::vector<Service> Services() override;
  std::vector<Handler> Handlers() override;
  void Start() override { domain_->Start(); }
  void Stop() override { domain_->Stop(); }

 private:
  std::unique_ptr<Notifications> domain_;
  std::unique_ptr<NotificationServiceImpl> service_;
};

}  // namespace enlace::notifications

#endif  // ENLACE_SERVICES_NOTIFICATIONS_MODULE_H_
