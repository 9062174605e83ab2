#ifndef ENLACE_TESTS_TESTING_ENLACECTL_TEST_H_
#define ENLACE_TESTS_TESTING_ENLACECTL_TEST_H_

// The fixture of the tests that drive `enlacectl` against a real node process.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "enlace/node/v1/config.pb.h"
#include "gtest/gtest.h"
#include "tests/testing/command.h"
#include "tests/testing/test_env.h"

namespace enlace::testing {

// A file stem in the test's --tls_dir and the identity its certificate holds.
struct CliIdentity {
  const char* stem;
  const char* uri;
};

class EnlacectlTest : public ::testing::Test {
 protected:
  // Makes dir_ (named after `tag`) with MX's test PKI and each identity's certificate and key
  // (<stem>.pem, <stem>.key), then starts MX's node as a process with TestNodeConfig, first
  // changed by `adjust` if given. Call it with ASSERT_NO_FATAL_FAILURE from SetUp.
  void StartNode(const std::string& tag, const std::vector<CliIdentity>& identities,
                 const std::function<void(enlace::node::v1::NodeConfig&)>& adjust = nullptr);
  // Stops the node with SIGTERM, expecting a clean exit (its log is printed otherwise).
  void TearDown() override;

  // enlacectl as `who`, without any ENLACE_* variable of the test's environment.
  CommandResult Run(const CliIdentity& who, const std::vector<std::string>& args);

  // The value of the first `key: value` line of `out`.
  static std::string Field(const std::string& out, const std::string& key);

  std::string dir_;
  std::unique_ptr<TestPki> pki_;
  std::unique_ptr<NodeProcess> node_;
  std::string server_;  // localhost:<port> of the node's API
  int runs_ = 0;
};

}  // namespace enlace::testing

#endif  // ENLACE_TESTS_TESTING_ENLACECTL_TEST_H_
