#include "services/transfers/module.h"

namespace enlace::transfers {

node::ModuleSpec ModuleSpec() {
  return {"transfers", &Transfers::AddColumnFamilies,
          [](const node::ModuleContext& ctx) -> absl::StatusOr<std::unique_ptr<node::Module>> {
            auto domain = std::make_unique<Transfers>(ctx.store, ctx.committer, ctx.vault,
                                                      ctx.registry, *ctx.config, ctx.peers);
            return std::make_unique<TransfersModule>(
                "transfers", v1::TransferService::service_full_name(),
                std::vector<std::string>{kOfferKind, kDecisionKind, kErasedKind}, std::move(domain),
                ctx);
          }};
}

}  // namespace enlace::transfers
