#include "services/backup/module.h"

#include "common/status/macros.h"

namespace enlace::backup {

node::ModuleSpec ModuleSpec() {
  return {"backup", [](storage::StoreOptions&) {},
          [](const node::ModuleContext& ctx) -> absl::StatusOr<std::unique_ptr<node::Module>> {
            ENLACE_ASSIGN_OR_RETURN(
                auto domain, Backups::Create(DirsFromConfig(ctx.config->backup()), ctx.store,
                                             ctx.vault, ctx.committer, ctx.audit_head_file));
            return std::make_unique<BackupModule>("backup", v1::BackupService::service_full_name(),
                                                  std::vector<std::string>{}, std::move(domain),
                                                  ctx);
          }};
}

}  // namespace enlace::backup
