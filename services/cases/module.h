#ifndef ENLACE_SERVICES_CASES_MODULE_H_
#define ENLACE_SERVICES_CASES_MODULE_H_

#include <memory>

#include "services/cases/service.h"
#include "services/node/module.h"

namespace enlace::cases {

// The Person and Case APIs as a node module. The registry itself is part of the node's core
// (ModuleContext::registry): every other module opens persons and cases through it.
class CasesModule final : public node::Module {
 public:
  static node::ModuleSpec Spec();  // also ModuleSpec(), as every module folder has
  static absl::StatusOr<std::unique_ptr<node::Module>> Create(const node::ModuleContext& ctx);

  absl::string_view name() const override { return "cases"; }
  std::vector<Service> Services() override;

 private:
  std::unique_ptr<PersonServiceImpl> persons_;
  std::unique_ptr<CaseServiceImpl> cases_;
};

inline node::ModuleSpec ModuleSpec() { return CasesModule::Spec(); }

}  // namespace enlace::cases

#endif  // ENLACE_SERVICES_CASES_MODULE_H_
