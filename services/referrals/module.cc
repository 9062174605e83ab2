#include "services/referrals/module.h"

#include "services/directory/module.h"

namespace enlace::referrals {

node::ModuleSpec ModuleSpec() {
  return {"referrals", &Referrals::AddColumnFamilies,
          [](const node::ModuleContext& ctx) -> absl::StatusOr<std::unique_ptr<node::Module>> {
            auto* dir_module = dynamic_cast<directory::DirectoryModule*>(ctx.find("directory"));
            if (dir_module == nullptr) {
              return absl::FailedPreconditionError(
                  "the referrals module needs the directory module first");
            }
            auto domain = std::make_unique<Referrals>(ctx.store, ctx.committer, ctx.vault,
                                                      ctx.registry, dir_module->domain(),
                                                      *ctx.config, ctx.peers, ctx.clock);
            return std::make_unique<ReferralsModule>(
                "referrals", v1::ReferralService::service_full_name(),
                std::vector<std::string>{kOfferKind, kUpdateKind, kRevokeKind, kErasedKind},
                std::move(domain), ctx);
          }};
}

}  // namespace enlace::referrals
