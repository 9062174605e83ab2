#include "services/cases/module.h"

namespace enlace::cases {

node::ModuleSpec CasesModule::Spec() {
  // The registry's column families are the node's core (RegistryStoreOptions).
  return {"cases", [](storage::StoreOptions&) {}, &CasesModule::Create};
}

absl::StatusOr<std::unique_ptr<node::Module>> CasesModule::Create(const node::ModuleContext& ctx) {
  auto m = std::make_unique<CasesModule>();
  m->persons_ = std::make_unique<PersonServiceImpl>(ctx.registry, ctx.pool, ctx.authorizer);
  m->cases_ = std::make_unique<CaseServiceImpl>(ctx.registry, ctx.pool, ctx.authorizer);
  return m;
}

std::vector<node::Module::Service> CasesModule::Services() {
  return {{v1::PersonService::service_full_name(), persons_.get()},
          {v1::CaseService::service_full_name(), cases_.get()}};
}

}  // namespace enlace::cases
