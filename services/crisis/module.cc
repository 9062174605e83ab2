#include "services/crisis/module.h"

namespace enlace::crisis {

node::ModuleSpec ModuleSpec() {
  return {"crisis", &Crises::AddColumnFamilies,
          [](const node::ModuleContext& ctx) -> absl::StatusOr<std::unique_ptr<node::Module>> {
            auto domain = std::make_unique<Crises>(ctx.store, ctx.committer, ctx.vault,
                                                   ctx.registry, *ctx.config, ctx.peers, ctx.clock);
            return std::make_unique<CrisisModule>(
                "crisis", v1::CrisisService::service_full_name(),
                std::vector<std::string>{kCrisisKind, kMovementKind, kSightingKind, kCountsKind,
                                         kAssistRequestKind, kAssistUpdateKind},
                std::move(domain), ctx);
          }};
}

}  // namespace enlace::crisis
