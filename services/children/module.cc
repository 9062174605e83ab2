#include "services/children/module.h"

namespace enlace::children {

node::ModuleSpec ModuleSpec() {
  return {"children", &ChildRecords::AddColumnFamilies,
          [](const node::ModuleContext& ctx) -> absl::StatusOr<std::unique_ptr<node::Module>> {
            auto domain =
                std::make_unique<ChildRecords>(ctx.store, ctx.committer, ctx.vault, ctx.registry,
                                               ctx.config->country(), ctx.clock);
            return std::make_unique<ChildrenModule>(
                "children", v1::ChildProtectionService::service_full_name(),
                std::vector<std::string>{}, std::move(domain), ctx);
          }};
}

}  // namespace enlace::children
