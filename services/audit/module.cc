#include "services/audit/module.h"

namespace enlace::audit {

node::ModuleSpec AuditModule::Spec() {
  // The audit column families belong to the committer (the node's core).
  return {"audit", [](storage::StoreOptions&) {}, &AuditModule::Create};
}

absl::StatusOr<std::unique_ptr<node::Module>> AuditModule::Create(const node::ModuleContext& ctx) {
  auto reader = AuditReader::Create(ctx.store, ctx.committer, ctx.audit_key, ctx.audit_head_file);
  if (!reader.ok()) return reader.status();
  auto m = std::make_unique<AuditModule>();
  m->reader_ = *std::move(reader);
  m->service_ = std::make_unique<AuditServiceImpl>(m->reader_.get(), ctx.pool, ctx.authorizer);
  return m;
}

std::vector<node::Module::Service> AuditModule::Services() {
  return {{v1::AuditService::service_full_name(), service_.get()}};
}

}  // namespace enlace::audit
