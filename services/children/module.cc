#include "services/children/module.h"

#include "services/directory/module.h"

namespace enlace::children {

node::ModuleSpec ModuleSpec() {
  return {"children", &ChildRecords::AddColumnFamilies,
          [](const node::ModuleContext& ctx) -> absl::StatusOr<std::unique_ptr<node::Module>> {
            auto* dir_module = dynamic_cast<directory::DirectoryModule*>(ctx.find("directory"));
            if (dir_module == nullptr) {
              return absl::FailedPreconditionError(
                  "the children module needs the directory module first (receiving "
                  "authorities)");
            }
            auto domain = std::make_unique<ChildRecords>(
                ctx.store, ctx.committer, ctx.vault, ctx.registry, dir_module->domain(),
                ctx.config->country(), ctx.peers, ctx.clock);
            return std::make_unique<ChildrenModule>(
                "children", v1::ChildProtectionService::service_full_name(),
                std::vector<std::string>{kHandoverKind, kHandoverUpdateKind,
                                         kHandoversErasedKind},
                std::move(domain), ctx);
          }};
}

}  // namespace enlace::children
