#ifndef ENLACE_TESTS_FEDERATION_FEDERATION_FIXTURE_H_
#define ENLACE_TESTS_FEDERATION_FEDERATION_FIXTURE_H_

// Several real enlace-node processes federated on loopback, and the clients to drive them.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "enlace/directory/v1/directory.grpc.pb.h"
#include "enlace/federation/v1/admin.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/testing/test_env.h"

namespace enlace::testing {

class FederationFixture : public ::testing::Test {
 protected:
  // Creates PKI, keys and configs for `countries`, writes a manifest with `in_manifest`.
  void Init(const std::vector<std::string>& countries,
            const std::vector<std::string>& in_manifest);
  void TearDown() override;

  void StartNode(const std::string& country);
  // Stops with `signo` (SIGTERM: clean; SIGKILL: crash).
  int StopNode(const std::string& country, int signo);
  void Signal(const std::string& country, int signo);

  enlace::directory::v1::DirectoryService::Stub& Directory(const std::string& country);
  enlace::federation::v1::FederationAdminService::Stub& Admin(const std::string& country);

  // Creates an organisation owned by `country`; returns its name ("" on failure).
  std::string CreateOrg(const std::string& country, const std::string& display_name,
                        const std::string& request_id = "");
  // name -> revision of every organisation `country` holds (owner filter optional).
  std::map<std::string, int64_t> ListOrgs(const std::string& country,
                                          const std::string& owner = "");
  enlace::federation::v1::FederationStatus Status(const std::string& country);
  // Polls `condition` every 100 ms until true or `timeout`.
  static bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout);

  std::string dir_;
  std::unique_ptr<TestFederation> federation_;
  std::map<std::string, std::unique_ptr<NodeProcess>> nodes_;
  std::map<std::string, std::unique_ptr<enlace::directory::v1::DirectoryService::Stub>> dir_stubs_;
  std::map<std::string, std::unique_ptr<enlace::federation::v1::FederationAdminService::Stub>>
      admin_stubs_;
};

std::unique_ptr<grpc::ClientContext> Deadline(absl::Duration d = absl::Seconds(10));

}  // namespace enlace::testing

#endif  // ENLACE_TESTS_FEDERATION_FEDERATION_FIXTURE_H_
