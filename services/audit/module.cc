#include "services/audit/module.h"

#include "common/status/macros.h"

namespace enlace::audit {

node::ModuleSpec ModuleSpec() {
  return {"audit", [](storage::StoreOptions&) {},
          [](const node::ModuleContext& ctx) -> absl::StatusOr<std::unique_ptr<node::Module>> {
            // The audit column families belong to the committer (the node's core).
            ENLACE_ASSIGN_OR_RETURN(
                auto domain,
                AuditReader::Create(ctx.store, ctx.committer, ctx.audit_key, ctx.audit_head_file));
            return std::make_unique<AuditModule>("audit", v1::AuditService::service_full_name(),
                                                 std::vector<std::string>{}, std::move(domain),
                                                 ctx);
          }};
}

}  // namespace enlace::audit
