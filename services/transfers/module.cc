#include "services/transfers/module.h"

namespace enlace::transfers {

node::ModuleSpec TransfersModule::Spec() {
  return {"transfers", &Transfers::AddColumnFamilies, &TransfersModule::Create};
}

absl::StatusOr<std::unique_ptr<node::Module>> TransfersModule::Create(const node::ModuleContext& ctx) {
  auto m = std::make_unique<TransfersModule>();
  m->domain_ = std::make_unique<Transfers>(ctx.store, ctx.committer, ctx.vault, ctx.registry,
                                          *ctx.config, ctx.peers);
  m->service_ = std::make_unique<TransferServiceImpl>(m->domain_.get(), ctx.pool, ctx.authorizer);
  return m;
}

std::vector<node::Module::Service> TransfersModule::Services() {
  return {{v1::TransferService::service_full_name(), service_.get()}};
}

std::vector<node::Module::Handler> TransfersModule::Handlers() {
  std::vector<Handler> handlers;
  for (const char* kind : {kOfferKind, kDecisionKind, kErasedKind}) handlers.push_back({kind, domain_.get()});
  return handlers;
}

}  // namespace enlace::transfers
