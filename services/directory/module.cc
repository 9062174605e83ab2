#include "services/directory/module.h"

namespace enlace::directory {

node::ModuleSpec ModuleSpec() {
  return {"directory", &Directory::AddColumnFamilies,
          [](const node::ModuleContext& ctx) -> absl::StatusOr<std::unique_ptr<node::Module>> {
            auto domain = std::make_unique<Directory>(ctx.store, ctx.committer,
                                                      ctx.config->country(), ctx.peers);
            return std::make_unique<DirectoryModule>(
                "directory", v1::DirectoryService::service_full_name(),
                std::vector<std::string>{kUpsertKind, kDeleteKind}, std::move(domain), ctx);
          }};
}

}  // namespace enlace::directory
