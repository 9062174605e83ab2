#ifndef ENLACE_SERVICES_REFERRALS_MODULE_H_
#define ENLACE_SERVICES_REFERRALS_MODULE_H_

#include <memory>

#include "services/node/module.h"
#include "services/referrals/service.h"
#include "services/referrals/referrals.h"

namespace enlace::referrals {

// Referrals to members and organisations as a node module (needs the directory module).
class ReferralsModule final : public node::Module {
 public:
  static node::ModuleSpec Spec();
  static absl::StatusOr<std::unique_ptr<node::Module>> Create(const node::ModuleContext& ctx);

  absl::string_view name() const override { return "referrals"; }
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
  std::unique_ptr<Referrals> domain_;
  std::unique_ptr<ReferralServiceImpl> service_;
};

}  // namespace enlace::referrals

#endif  // ENLACE_SERVICES_REFERRALS_MODULE_H_
