#include "services/node/ha.h"

#include <poll.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/ops/ops_server.h"

namespace enlace::node {
namespace {

// True when `fd` became readable within `wait` (a signal arrived).
bool Readable(int fd, absl::Duration wait) {
  if (fd < 0) {
    absl::SleepFor(wait);
    return false;
  }
  pollfd p = {fd, POLLIN, 0};
  return poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(wait))) > 0;
}

}  // namespace

absl::StatusOr<ha::LeaseOptions> LeaseOptionsFor(const enlace::node::v1::NodeConfig& config) {
  const auto& h = config.ha();
  if (h.lease_conninfo().empty()) {
    return absl::InvalidArgumentError("ha.lease_conninfo is empty");
  }
  ha::LeaseOptions o;
  o.conninfo = h.lease_conninfo();
  o.name = !h.lease_name().empty() ? h.lease_name() : config.country();
  o.holder = h.holder();
  if (o.holder.empty()) {
    char host[256] = {};
    if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') {
      return absl::InvalidArgumentError("ha.holder is empty and the host name is unknown");
    }
    o.holder = host;
  }
  if (h.lease_ttl_seconds() < 0 || h.renew_interval_seconds() < 0) {
    return absl::InvalidArgumentError("ha: lease_ttl_seconds and renew_interval_seconds >= 0");
  }
  if (h.lease_ttl_seconds() > 0) o.ttl = absl::Seconds(h.lease_ttl_seconds());
  if (h.renew_interval_seconds() > 0) o.renew_interval = absl::Seconds(h.renew_interval_seconds());
  if (o.renew_interval * 3 > o.ttl) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ha: renew_interval_seconds (", absl::ToInt64Seconds(o.renew_interval),
        ") must be at most lease_ttl_seconds / 3 (", absl::ToInt64Seconds(o.ttl), ")"));
  }
  o.statement_timeout = std::min(absl::Seconds(3), o.renew_interval);
  return o;
}

absl::StatusOr<std::unique_ptr<ha::Lease>> AwaitLease(const enlace::node::v1::NodeConfig& config,
                                                      int stop_fd) {
  auto options = LeaseOptionsFor(config);
  if (!options.ok()) return options.status();
  std::unique_ptr<ops::OpsServer> ops;
  if (!config.ops().address().empty()) {
    ops::OpsHandlers handlers;
    handlers.ready = [name = options->name] {
      return absl::UnavailableError(absl::StrCat("standby: waiting for lease '", name, "'"));
    };
    handlers.metrics = [] { return std::string("enlace_ha_standby 1\n"); };
    auto server = ops::OpsServer::Start(config.ops().address(), std::move(handlers));
    if (!server.ok()) return server.status();
    ops = *std::move(server);
  }
  log::Info("enlace-node", "standby",
            absl::StrCat("waiting for lease '", options->name, "' as ", options->holder));
  std::unique_ptr<ha::Lease> lease;
  absl::Status last;
  while (true) {
    if (lease == nullptr) {
      auto created = ha::Lease::Create(*options);
      if (created.ok()) {
        lease = *std::move(created);
      } else if (!absl::IsUnavailable(created.status())) {
        return created.status();
      } else {
        last = created.status();
      }
    }
    if (lease != nullptr) {
      auto acquired = lease->TryAcquire();
      if (acquired.ok() && *acquired) break;
      if (!acquired.ok() && !absl::IsUnavailable(acquired.status())) return acquired.status();
      last = acquired.ok() ? absl::OkStatus() : acquired.status();
    }
    if (!last.ok()) {
      log::Write({log::Level::kWarning, "enlace-node", "standby",
                  absl::StrCat("lease database: ", last.ToString())});
    }
    if (Readable(stop_fd, options->renew_interval)) {
      return absl::CancelledError("stopped while standby");
    }
  }
  log::Info("enlace-node", "active",
            absl::StrCat("holds lease '", options->name, "' as ", options->holder, ", epoch ",
                         lease->epoch()));
  if (ops != nullptr) ops->Stop();
  return lease;
}

}  // namespace enlace::node
