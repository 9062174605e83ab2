#include "services/crisis/module.h"

namespace enlace::crisis {

node::ModuleSpec CrisisModule::Spec() {
  return {"crisis", &Crises::AddColumnFamilies, &CrisisModule::Create};
}

absl::StatusOr<std::unique_ptr<node::Module>> CrisisModule::Create(const node::ModuleContext& ctx) {
  auto m = std::make_unique<CrisisModule>();
  m->domain_ = std::make_unique<Crises>(ctx.store, ctx.committer, ctx.vault, ctx.registry,
                                        *ctx.config, ctx.peers, ctx.clock);
  m->service_ = std::make_unique<CrisisServiceImpl>(m->domain_.get(), ctx.pool, ctx.authorizer);
  return m;
}

std::vector<node::Module::Service> CrisisModule::Services() {
  return {{v1::CrisisService::service_full_name(), service_.get()}};
}

std::vector<node::Module::Handler> CrisisModule::Handlers() {
  std::vector<Handler> handlers;
  for (const char* kind : {kCrisisKind, kMovementKind, kSightingKind, kCountsKind,
                           kAssistRequestKind, kAssistUpdateKind}) {
    handlers.push_back({kind, domain_.get()});
  }
  return handlers;
}

}  // namespace enlace::crisis
