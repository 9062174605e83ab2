#include "services/stats/module.h"

namespace enlace::stats {

node::ModuleSpec ModuleSpec() {
  return {"stats", &Stats::AddColumnFamilies,
          [](const node::ModuleContext& ctx) -> absl::StatusOr<std::unique_ptr<node::Module>> {
            std::vector<std::string> posts;
            for (const auto& p : ctx.config->posts()) posts.push_back(p.code());
            auto domain = std::make_unique<Stats>(ctx.store, ctx.committer,
                                                  ctx.config->country(), ctx.config->stats(),
                                                  ctx.clock, ctx.secretariats, std::move(posts));
            Stats* stats = domain.get();
            // Registered before the node serves; the registry outlives no module it calls.
            ctx.registry->AddCaseHook([stats](const cases::v1::Case* before,
                                              const cases::v1::Case& after,
                                              const cases::v1::Person* person,
                                              txn::Transaction& txn) {
              return stats->OnCaseVersion(before, after, person, txn);
            });
            ctx.registry->AddActionHook([stats](const cases::v1::Case& kase,
                                                const cases::v1::Action& action,
                                                txn::Transaction& txn) {
              return stats->OnAction(kase, action, txn);
            });
            return std::make_unique<StatsModule>("stats", v1::StatsService::service_full_name(),
                                                 std::vector<std::string>{}, std::move(domain),
                                                 ctx);
          }};
}

}  // namespace enlace::stats
