#include "services/secretariat/module.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"

#include <iostream>
#include <memory>

#include "services/secretariat/dashboard/data.h"
#include "services/secretariat/dashboard/server.h"
#include "services/secretariat/regional.h"
#include "services/secretariat/service.h"

namespace enlace::secretariat {
namespace {

// The dashboard reads what SecretariatService answers. The server has checked the client
// certificate (secretariat role); the audit names its user, as a gRPC call would.
class RegionalDashboardData final : public dashboard::DashboardData {
 public:
  explicit RegionalDashboardData(Regional* regional) : regional_(regional) {}
  absl::StatusOr<v1::ListMonthsResponse> ListMonths(const v1::ListMonthsRequest& r,
                                                    const Caller& caller) override {
    return regional_->ListMonths(r, caller);
  }
  absl::StatusOr<v1::RegionalRelease> GetRegionalRelease(const v1::GetRegionalReleaseRequest& r,
                                                         const Caller& caller) override {
    return regional_->GetRegionalRelease(r, caller);
  }

 private:
  Regional* regional_;
};

class SecretariatModule final : public node::Module {
 public:
  explicit SecretariatModule(const node::ModuleContext& ctx)
      : config_(*ctx.config),
        regional_(std::make_unique<Regional>(ctx.store, ctx.committer, ctx.peers, ctx.clock)),
        service_(std::make_unique<SecretariatServiceImpl>(regional_.get(), ctx.pool,
                                                          ctx.authorizer)),
        data_(regional_.get()) {}

  absl::string_view name() const override { return "secretariat"; }
  std::vector<Service> Services() override {
    return {{std::string(v1::SecretariatService::service_full_name()), service_.get()}};
  }
  std::vector<Handler> Handlers() override { return {{"stats.release", regional_.get()}}; }
  void Start() override {
    const auto& d = config_.dashboard();
    if (d.address().empty()) return;
    dashboard::DashboardServer::Options o;
    o.address = d.address();
    o.cert_file = config_.api_tls().cert_file();
    o.key_file = config_.api_tls().key_file();
    o.client_ca_file = config_.api_tls().client_ca_file();
    o.assets_dir = d.assets_dir();
    if (!d.vendor_dir().empty()) o.vendor_dir = d.vendor_dir();
    auto server = dashboard::DashboardServer::Start(o, &data_);
    if (!server.ok()) {
      // The releases keep arriving and the API keeps answering without it.
      log::Error("secretariat", "dashboard_failed",
                 absl::StrCat("dashboard not served: ", server.status().ToString()));
      return;
    }
    dashboard_ = *std::move(server);
    log::Info("secretariat", "dashboard_serving",
              absl::StrCat("dashboard on https://", d.address(), " (port ", dashboard_->port(),
                           ")"));
  }
  void Stop() override {
    if (dashboard_ != nullptr) dashboard_->Stop();
  }

 private:
  const enlace::node::v1::NodeConfig config_;
  std::unique_ptr<Regional> regional_;
  std::unique_ptr<SecretariatServiceImpl> service_;
  RegionalDashboardData data_;
  std::unique_ptr<dashboard::DashboardServer> dashboard_;
};

}  // namespace

node::ModuleSpec ModuleSpec() {
  return {"secretariat", &Regional::AddColumnFamilies,
          [](const node::ModuleContext& ctx) -> absl::StatusOr<std::unique_ptr<node::Module>> {
            return std::make_unique<SecretariatModule>(ctx);
          }};
}

}  // namespace enlace::secretariat
