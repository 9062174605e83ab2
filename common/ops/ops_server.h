#ifndef ENLACE_COMMON_OPS_OPS_SERVER_H_
#define ENLACE_COMMON_OPS_OPS_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace httplib {
class Server;
}

namespace enlace::ops {

struct OpsHandlers {
  // OK when the process is ready for traffic; otherwise why not (/readyz answers 503 with it).
  std::function<absl::Status()> ready;
  // The Prometheus text exposition.
  std::function<std::string()> metrics;
};

// The operators' port: plain HTTP (meant for the cluster network only; no personal data is
// ever served on it) with
//   GET /healthz  200 "ok" while the process runs (liveness);
//   GET /readyz   200 "ready", or 503 "not ready: <why>" (readiness);
//   GET /metrics  the Prometheus text format.
// Anything else is 404; methods other than GET and HEAD are 405.
class OpsServer {
 public:
  // `address` is "host:port"; port 0 picks a free one (see port()).
  static absl::StatusOr<std::unique_ptr<OpsServer>> Start(const std::string& address,
                                                          OpsHandlers handlers);
  ~OpsServer();
  int port() const { return port_; }
  void Stop();

 private:
  OpsServer() = default;
  void WaitUntilRunning();
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// Splits "host:port" ("[::1]:9464" too); INVALID_ARGUMENT when it is not one.
absl::Status ParseHostPort(const std::string& address, std::string* host, int* port);

}  // namespace enlace::ops

#endif  // ENLACE_COMMON_OPS_OPS_SERVER_H_
