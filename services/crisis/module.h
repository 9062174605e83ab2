#ifndef ENLACE_SERVICES_CRISIS_MODULE_H_
#define ENLACE_SERVICES_CRISIS_MODULE_H_

#include <memory>

#include "services/crisis/crisis.h"
#include "services/crisis/service.h"
#include "services/node/module.h"

namespace enlace::crisis {

// Crises (MICIC) as a node module.
class CrisisModule final : public node::Module {
 public:
  static node::ModuleSpec Spec();
  static absl::StatusOr<std::unique_ptr<node::Module>> Create(const node::ModuleContext& ctx);

  absl::string_view name() const override { return "crisis"; }
  std::vector<Service> Services() override;
  std::vector<Handler> Handlers() override;
  absl::Status BootstrapPeer(const std::string& peer, txn::Transaction& txn) override {
    return domain_->Bootstrap(peer, txn);
  }
  void Start() override { domain_->Start(); }
  void Stop() override { domain_->Stop(); }
  Crises* domain() { return domain_.get(); }

 private:
  std::unique_ptr<Crises> domain_;
  std::unique_ptr<CrisisServiceImpl> service_;
};

}  // namespace enlace::crisis

#endif  // ENLACE_SERVICES_CRISIS_MODULE_H_
