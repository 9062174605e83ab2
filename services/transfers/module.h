#ifndef ENLACE_SERVICES_TRANSFERS_MODULE_H_
#define ENLACE_SERVICES_TRANSFERS_MODULE_H_

#include <memory>

#include "services/node/module.h"
#include "services/transfers/service.h"
#include "services/transfers/transfers.h"

namespace enlace::transfers {

// Case transfers between members as a node module.
class TransfersModule final : public node::Module {
 public:
  static node::ModuleSpec Spec();
  static absl::StatusOr<std::unique_ptr<node::Module>> Create(const node::ModuleContext& ctx);

  absl::string_view name() const override { return "transfers"; }
  std::vector<Service> Services() override;
  std::vector<Handler> Handlers() override;
  absl::Status OnPersonErased(const std::string& person_id,
                              const std::vector<std::string>& linked_key_owners,
                              txn::Transaction& txn) override {
    return domain_->OnPersonErased(person_id, linked_key_owners, txn);
  }
  void Start() override { domain_->Start(); }
  void Stop() override { domain_->Stop(); }

 private:
  std::unique_ptr<Transfers> domain_;
  std::unique_ptr<TransferServiceImpl> service_;
};

}  // namespace enlace::transfers

#endif  // ENLACE_SERVICES_TRANSFERS_MODULE_H_
