#include "services/notifications/module.h"

namespace enlace::notifications {

node::ModuleSpec NotificationsModule::Spec() {
  return {"notifications", &Notifications::AddColumnFamilies, &NotificationsModule::Create};
}

absl::StatusOr<std::unique_ptr<node::Module>> NotificationsModule::Create(const node::ModuleContext& ctx) {
  auto m = std::make_unique<NotificationsModule>();
  m->domain_ = std::make_unique<Notifications>(ctx.store, ctx.committer, ctx.vault, ctx.registry,
                                              *ctx.config, ctx.peers);
  m->service_ = std::make_unique<NotificationServiceImpl>(m->domain_.get(), ctx.pool, ctx.authorizer);
  return m;
}

std::vector<node::Module::Service> NotificationsModule::Services() {
  return {{v1::NotificationService::service_full_name(), service_.get()}};
}

std::vector<node::Module::Handler> NotificationsModule::Handlers() {
  std::vector<Handler> handlers;
  for (const char* kind : {kSendKind, kReceiptKind}) handlers.push_back({kind, domain_.get()});
  return handlers;
}

}  // namespace enlace::notifications
