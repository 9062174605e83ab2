#include "services/children/module.h"

namespace enlace::children {

node::ModuleSpec ChildrenModule::Spec() {
  return {"children", &ChildRecords::AddColumnFamilies, &ChildrenModule::Create};
}

absl::StatusOr<std::unique_ptr<node::Module>> ChildrenModule::Create(
    const node::ModuleContext& ctx) {
  auto m = std::make_unique<ChildrenModule>();
  m->domain_ = std::make_unique<ChildRecords>(ctx.store, ctx.committer, ctx.vault, ctx.registry,
                                              ctx.config->country(), ctx.clock);
  m->service_ =
      std::make_unique<ChildProtectionServiceImpl>(m->domain_.get(), ctx.pool, ctx.authorizer);
  return m;
}

std::vector<node::Module::Service> ChildrenModule::Services() {
  return {{v1::ChildProtectionService::service_full_name(), service_.get()}};
}

}  // namespace enlace::children
