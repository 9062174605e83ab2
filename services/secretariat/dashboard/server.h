#ifndef ENLACE_SERVICES_SECRETARIAT_DASHBOARD_SERVER_H_
#define ENLACE_SERVICES_SECRETARIAT_DASHBOARD_SERVER_H_

// The secretariat's dashboard: an HTTPS server (cpp-httplib) that requires a client
// certificate of the secretariat role, serves the page's static files and answers two JSON
// endpoints from DashboardData:
//
//   GET /api/months?measure=cases_opened|cases_closed|cases_opened_by_subtype|
//                            case_vulnerabilities|actions|persons_assisted|notifications|
//                            referrals_ended|crisis_accounting|labour_claims_ended
//                            (services/stats/measures.h; labour_claims_ended's releases
//                            carry the amounts recovered by currency)
//       -> enlace.secretariat.v1.ListMonthsResponse as JSON
//   GET /api/release?month=YYYY-MM[&measure=...][&member=XX]...   (member repeatable)
//       -> enlace.secretariat.v1.RegionalRelease as JSON
//
// JSON is protobuf's canonical mapping (lowerCamelCase names, int64 as strings, enums by
// name, defaults printed). A bad or unknown parameter is 400 with
// {"error": "...", "parameter": "<name>"}.
//
// Every request is checked before routing: the TLS handshake already required a certificate
// chained to `client_ca_file` (extendedKeyUsage clientAuth); the request then needs exactly one
// URI SAN that common/identity's ParseIdentity accepts with the secretariat role, otherwise 403.
//
// Static files: "/" is assets_dir/index.html; other paths are files under assets_dir
// (letters, digits, '-', '_', '.', '/' only; no "..", no dot files; the path must stay
// inside assets_dir lexically; symlinks in it are followed) with a known extension, served with its content type. "/vendor/..." is a
// fixed list of npm files (uPlot, world-atlas's countries) from vendor_dir, installed by deploy/setup.sh. Every
// response carries a restrictive Content-Security-Policy (same origin only, no inline
// scripts or styles), nosniff, no-referrer and frame-ancestors 'none'.

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "services/secretariat/dashboard/data.h"

namespace httplib {
class SSLServer;
}

namespace enlace::secretariat::dashboard {

// Where deploy/setup.sh installs the web dependencies (web/package-lock.json).
inline constexpr char kDefaultVendorDir[] = "/usr/local/lib/enlace-web/node_modules";

class DashboardServer {
 public:
  struct Options {
    // host:port; port 0 picks a free port (see port()).
    std::string address = "127.0.0.1:0";
    std::string cert_file;       // server certificate chain, PEM
    std::string key_file;        // its private key, PEM
    std::string client_ca_file;  // CA(s) whose client certificates may connect, PEM
    std::string assets_dir;      // web/dashboard
    std::string vendor_dir = kDefaultVendorDir;  // node_modules holding uplot, world-atlas
  };

  // Binds and starts serving on a thread of its own. INVALID_ARGUMENT for a bad address or
  // assets_dir, FAILED_PRECONDITION when the TLS files do not load, UNAVAILABLE when the
  // address cannot be bound. `data` must outlive the server.
  static absl::StatusOr<std::unique_ptr<DashboardServer>> Start(const Options& options,
                                                                DashboardData* data);
  ~DashboardServer();
  DashboardServer(const DashboardServer&) = delete;
  DashboardServer& operator=(const DashboardServer&) = delete;

  int port() const { return port_; }
  // Stops accepting, finishes the requests in flight, joins the thread. Idempotent.
  void Stop();

 private:
  DashboardServer() = default;
  // httplib's stop() is a no-op until its accept loop runs: waits (up to 30 s) for it.
  void WaitUntilRunning();
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace enlace::secretariat::dashboard

#endif  // ENLACE_SERVICES_SECRETARIAT_DASHBOARD_SERVER_H_
