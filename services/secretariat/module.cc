#include "services/secretariat/module.h"

namespace enlace::secretariat {

node::ModuleSpec ModuleSpec() {
  return {"secretariat", &Regional::AddColumnFamilies,
          [](const node::ModuleContext& ctx) -> absl::StatusOr<std::unique_ptr<node::Module>> {
            auto domain =
                std::make_unique<Regional>(ctx.store, ctx.committer, ctx.peers, ctx.clock);
            return std::make_unique<SecretariatModule>(
                "secretariat", v1::SecretariatService::service_full_name(),
                std::vector<std::string>{"stats.release"}, std::move(domain), ctx);
          }};
}

}  // namespace enlace::secretariat
