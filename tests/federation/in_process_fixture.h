#ifndef ENLACE_TESTS_FEDERATION_IN_PROCESS_FIXTURE_H_
#define ENLACE_TESTS_FEDERATION_IN_PROCESS_FIXTURE_H_

// Several real country nodes federated on loopback (real gRPC, mTLS, RocksDB, signed
// envelopes), started in the test's own process so that sync points
// (common/testing/sync_point.h) placed in their code can force an interleaving.
// FederationFixture runs nodes as child processes; use this one for races.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "enlace/federation/v1/admin.pb.h"
#include "grpcpp/channel.h"
#include "gtest/gtest.h"
#include "services/node/node.h"
#include "tests/testing/test_env.h"

namespace enlace::testing {

class InProcessFederationFixture : public ::testing::Test {
 protected:
  // Creates PKI, keys, configs and a manifest for `countries`, and starts every node.
  void Init(const std::vector<std::string>& countries);
  // Resets the sync points (releasing anything parked), then shuts the nodes down.
  void TearDown() override;

  // An mTLS channel to `country`'s API presenting a client certificate for `who`
  // (e.g. "role/officer/post/GT-TAP/user/consul").
  std::shared_ptr<grpc::Channel> Channel(const std::string& country, const std::string& who);
  enlace::federation::v1::PeerStatus Peer(const std::string& country, const std::string& peer);
  node::Node& NodeOf(const std::string& country) { return *nodes_.at(country); }

  // Polls `condition` every 10 ms until true or `timeout` (a bound for failures, not a
  // schedule: no test outcome depends on how long anything takes).
  static bool WaitFor(const std::function<bool()>& condition,
                      absl::Duration timeout = absl::Seconds(30));

  std::string dir_;
  std::unique_ptr<TestFederation> federation_;
  std::map<std::string, std::unique_ptr<node::Node>> nodes_;
};

}  // namespace enlace::testing

#endif  // ENLACE_TESTS_FEDERATION_IN_PROCESS_FIXTURE_H_
