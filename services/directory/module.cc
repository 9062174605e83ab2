#include "services/directory/module.h"

namespace enlace::directory {

node::ModuleSpec DirectoryModule::Spec() {
  return {"directory", &Directory::AddColumnFamilies, &DirectoryModule::Create};
}

absl::StatusOr<std::unique_ptr<node::Module>> DirectoryModule::Create(
    const node::ModuleContext& ctx) {
  auto m = std::make_unique<DirectoryModule>();
  m->directory_ = std::make_unique<Directory>(ctx.store, ctx.committer, ctx.config->country(),
                                              ctx.peers);
  m->service_ = std::make_unique<DirectoryServiceImpl>(m->directory_.get(), ctx.pool,
                                                       ctx.authorizer);
  return m;
}

std::vector<node::Module::Service> DirectoryModule::Services() {
  return {{v1::DirectoryService::service_full_name(), service_.get()}};
}

std::vector<node::Module::Handler> DirectoryModule::Handlers() {
  return {{kUpsertKind, directory_.get()}, {kDeleteKind, directory_.get()}};
}

absl::Status DirectoryModule::BootstrapPeer(const std::string& peer, txn::Transaction& txn) {
  return directory_->Bootstrap(peer, txn);
}

}  // namespace enlace::directory
