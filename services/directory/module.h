#ifndef ENLACE_SERVICES_DIRECTORY_MODULE_H_
#define ENLACE_SERVICES_DIRECTORY_MODULE_H_

#include <memory>

#include "services/directory/directory.h"
#include "services/directory/service.h"
#include "services/node/module.h"

namespace enlace::directory {

// The shared directory of organisations as a node module.
class DirectoryModule final : public node::Module {
 public:
  static node::ModuleSpec Spec();
  static absl::StatusOr<std::unique_ptr<node::Module>> Create(const node::ModuleContext& ctx);

  absl::string_view name() const override { return "directory"; }
  std::vector<Service> Services() override;
  std::vector<Handler> Handlers() override;
  absl::Status BootstrapPeer(const std::string& peer, txn::Transaction& txn) override;
  // For modules that read the directory (referrals check their receiving organisation).
  Directory* directory() { return directory_.get(); }

 private:
  std::unique_ptr<Directory> directory_;
  std::unique_ptr<DirectoryServiceImpl> service_;
};

}  // namespace enlace::directory

#endif  // ENLACE_SERVICES_DIRECTORY_MODULE_H_
