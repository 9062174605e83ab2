#include "services/workers/module.h"

namespace enlace::workers {

node::ModuleSpec ModuleSpec() {
  return {"workers", &Workers::AddColumnFamilies,
          [](const node::ModuleContext& ctx) -> absl::StatusOr<std::unique_ptr<node::Module>> {
            auto domain = std::make_unique<Workers>(ctx.store, ctx.committer, ctx.vault,
                                                    ctx.registry, *ctx.config, ctx.peers,
                                                    ctx.clock);
            return std::make_unique<WorkersModule>(
                "workers", v1::TemporaryWorkersService::service_full_name(),
                std::vector<std::string>{kCountsKind}, std::move(domain), ctx);
          }};
}

}  // namespace enlace::workers
