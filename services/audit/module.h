#ifndef ENLACE_SERVICES_AUDIT_MODULE_H_
#define ENLACE_SERVICES_AUDIT_MODULE_H_

#include <memory>

#include "services/audit/service.h"
#include "services/node/module.h"

namespace enlace::audit {

// The auditors' API (read and verify the audit log) as a node module. The log itself is
// written by the committer, for every module.
class AuditModule final : public node::Module {
 public:
  static node::ModuleSpec Spec();
  static absl::StatusOr<std::unique_ptr<node::Module>> Create(const node::ModuleContext& ctx);

  absl::string_view name() const override { return "audit"; }
  std::vector<Service> Services() override;

 private:
  std::unique_ptr<AuditReader> reader_;
  std::unique_ptr<AuditServiceImpl> service_;
};

}  // namespace enlace::audit

#endif  // ENLACE_SERVICES_AUDIT_MODULE_H_
