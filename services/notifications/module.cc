#include "services/notifications/module.h"

namespace enlace::notifications {

node::ModuleSpec ModuleSpec() {
  return {"notifications", &Notifications::AddColumnFamilies,
          [](const node::ModuleContext& ctx) -> absl::StatusOr<std::unique_ptr<node::Module>> {
            auto domain = std::make_unique<Notifications>(ctx.store, ctx.committer, ctx.vault,
                                                          ctx.registry, *ctx.config, ctx.clock,
                                                          ctx.peers);
            return std::make_unique<NotificationsModule>(
                "notifications", v1::NotificationService::service_full_name(),
                std::vector<std::string>{kSendKind, kReceiptKind}, std::move(domain), ctx);
          }};
}

}  // namespace enlace::notifications
