#include "services/referrals/module.h"

#include "services/directory/module.h"

namespace enlace::referrals {

node::ModuleSpec ReferralsModule::Spec() {
  return {"referrals", &Referrals::AddColumnFamilies, &ReferralsModule::Create};
}

absl::StatusOr<std::unique_ptr<node::Module>> ReferralsModule::Create(const node::ModuleContext& ctx) {
  auto* dir_module = dynamic_cast<directory::DirectoryModule*>(ctx.find("directory"));
  if (dir_module == nullptr) {
    return absl::FailedPreconditionError("the referrals module needs the directory module first");
  }
  auto m = std::make_unique<ReferralsModule>();
  m->domain_ = std::make_unique<Referrals>(ctx.store, ctx.committer, ctx.vault, ctx.registry,
                                          dir_module->directory(), *ctx.config, ctx.peers,
                                          ctx.clock);
  m->service_ = std::make_unique<ReferralServiceImpl>(m->domain_.get(), ctx.pool, ctx.authorizer);
  return m;
}

std::vector<node::Module::Service> ReferralsModule::Services() {
  return {{v1::ReferralService::service_full_name(), service_.get()}};
}

std::vector<node::Module::Handler> ReferralsModule::Handlers() {
  std::vector<Handler> handlers;
  for (const char* kind : {kOfferKind, kUpdateKind, kRevokeKind, kErasedKind}) handlers.push_back({kind, domain_.get()});
  return handlers;
}

}  // namespace enlace::referrals
