#ifndef ENLACE_SERVICES_CHILDREN_MODULE_H_
#define ENLACE_SERVICES_CHILDREN_MODULE_H_

#include <memory>

#include "services/children/children.h"
#include "services/children/service.h"
#include "services/node/module.h"

namespace enlace::children {

// Child protection as a node module.
class ChildrenModule final : public node::Module {
 public:
  static node::ModuleSpec Spec();
  static absl::StatusOr<std::unique_ptr<node::Module>> Create(const node::ModuleContext& ctx);

  absl::string_view name() const override { return "children"; }
  std::vector<Service> Services() override;

 private:
  std::unique_ptr<ChildRecords> domain_;
  std::unique_ptr<ChildProtectionServiceImpl> service_;
};

}  // namespace enlace::children

#endif  // ENLACE_SERVICES_CHILDREN_MODULE_H_
