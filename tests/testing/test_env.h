#ifndef ENLACE_TESTS_TESTING_TEST_ENV_H_
#define ENLACE_TESTS_TESTING_TEST_ENV_H_

// Real parts for tests and benchmarks: a temporary directory, a dev PKI written to disk,
// mTLS channels, a country node in-process or as a real child process (SIGKILL-able).

#include <sys/types.h>

#include <map>
#include <memory>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/pki/pki.h"
#include "enlace/node/v1/config.pb.h"
#include "grpcpp/channel.h"

namespace enlace::testing {

// A fresh directory under TEST_TMPDIR (or /tmp).
std::string MakeTempDir(const std::string& tag);

// CA, node certificate and client certificates of one country, written under `dir`.
class TestPki {
 public:
  static absl::StatusOr<TestPki> Create(const std::string& dir, const std::string& country);
  // Issues a client certificate for `uri` under this PKI's CA (or a foreign one).
  absl::StatusOr<pki::CertAndKey> Client(const std::string& uri) const;
  const pki::CertAndKey& ca() const { return ca_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  pki::CertAndKey ca_;
};

// A NodeConfig for tests: the given country with three posts, data under `dir`,
// TLS files from the PKI written there, API on 127.0.0.1:0.
enlace::node::v1::NodeConfig TestNodeConfig(const std::string& dir, const std::string& country);

// An mTLS channel to 127.0.0.1:port presenting `client` (empty = no client certificate).
std::shared_ptr<grpc::Channel> MakeChannel(int port, const pki::CertAndKey& server_ca,
                                           const pki::CertAndKey* client);

// Path of a binary in the test's runfiles ("services/node/enlace-node").
std::string RunfilePath(const std::string& relative);

// enlace-node running as a real child process.
// A free TCP port on 127.0.0.1 (bound, read, released: good enough for tests).
int PickFreePort();

// Several country nodes' worth of PKI, signing keys, configs and one manifest.
// In a TestFederation, the member of this code is the regional secretariat: its config says
// `secretariat: true` (no posts), the manifest MEMBER_KIND_SECRETARIAT, and NodeProcess runs
// enlace-secretariat for it (a data dependency of the test).
inline constexpr char kSecretariatCode[] = "XS";

class TestFederation {
 public:
  struct Member {
    std::string country;
    std::string dir;
    std::unique_ptr<TestPki> pki;
    std::string signing_private_pem;
    std::string signing_public_pem;
    int api_port = 0;
    int federation_port = 0;
    enlace::node::v1::NodeConfig config;
    // An operator client certificate of this country.
    pki::CertAndKey client;
  };
  static absl::StatusOr<std::unique_ptr<TestFederation>> Create(
      const std::string& base_dir, const std::vector<std::string>& countries);
  // Writes the manifest listing `countries` (a subset of the members) at `version`.
  // `endpoint_override` replaces a member's federation endpoint (e.g. a proxy).
  absl::Status WriteManifest(const std::vector<std::string>& countries, int64_t version,
                             const std::map<std::string, std::string>& endpoint_override = {});
  Member& member(const std::string& country) { return *members_.at(country); }
  const std::string& manifest_path() const { return manifest_path_; }

 private:
  std::string manifest_path_;
  std::map<std::string, std::unique_ptr<Member>> members_;
};

class NodeProcess {
 public:
  // Writes `config` next to the data and starts the node; waits until it listens.
  static absl::StatusOr<std::unique_ptr<NodeProcess>> Start(
      const enlace::node::v1::NodeConfig& config, const std::string& work_dir);
  ~NodeProcess();
  int port() const { return port_; }
  int federation_port() const { return federation_port_; }
  pid_t pid() const { return pid_; }
  // Sends `signo` and reaps the process; returns its exit status (or 128+signal).
  int Stop(int signo, absl::Duration timeout = absl::Seconds(30));
  const std::string& log_path() const { return log_path_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int federation_port_ = 0;
  std::string log_path_;
};

// Every byte of every regular file under `dir`, files separated by a NUL: for asserting that
// no file of a store ever held a string in clear.
std::string ReadTree(const std::string& dir);

// Polls `condition` every 100 ms until it holds or `timeout` passes (for effects another
// thread or process commits; the timeout only bounds a failing test).
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout);

}  // namespace enlace::testing

#endif  // ENLACE_TESTS_TESTING_TEST_ENV_H_
