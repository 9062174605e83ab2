// Exactly-once delivery under crashes and partitions: thousands of directory changes flow
// from MX to GT while the sender and the receiver are SIGKILLed at random moments, or while
// the link is cut. Afterwards every committed change is applied exactly once, in order.
#include <signal.h>

#include <atomic>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/txn/committer.h"
#include "services/federation/inbox.h"
#include "services/node/node.h"
#include "tests/federation/federation_fixture.h"
#include "tests/testing/tcp_proxy.h"

namespace enlace::testing {
namespace {

namespace dv1 = ::enlace::directory::v1;

class FaultTest : public FederationFixture {
 protected:
  // Writers on `country`: create organisations (retrying each request id until acknowledged)
  // and update some of them, until `stop`.
  std::vector<std::thread> StartWriters(const std::string& country, int writers,
                                        std::atomic<bool>& stop, std::atomic<int>& changes) {
    std::vector<std::thread> threads;
    for (int t = 0; t < writers; ++t) {
      threads.emplace_back([&, t, country] {
        for (int i = 0; !stop; ++i) {
          dv1::CreateOrganisationRequest req;
          req.set_parent(absl::StrCat("countries/", country));
          req.set_request_id(absl::StrCat("w", t, "-", i));
          auto* o = req.mutable_organisation();
          o->set_display_name(absl::StrCat("Refugio ", t, "-", i));
          o->set_type(dv1::ORGANISATION_TYPE_CIVIL_SOCIETY);
          o->add_services(dv1::SERVICE_FOOD);
          dv1::Organisation org;
          while (!stop) {
            auto ctx = Deadline(absl::Seconds(20));
            ctx->set_wait_for_ready(true);
            if (Directory(country).CreateOrganisation(ctx.get(), req, &org).ok()) {
              ++changes;
              break;
            }
          }
          if (stop || i % 3 != 0) continue;
          dv1::UpdateOrganisationRequest upd;
          *upd.mutable_organisation() = org;
          upd.mutable_organisation()->set_description(absl::StrCat("actualizado ", i));
          upd.mutable_update_mask()->add_paths("description");
          auto ctx = Deadline(absl::Seconds(20));
          ctx->set_wait_for_ready(true);
          dv1::Organisation out;
          if (Directory(country).UpdateOrganisation(ctx.get(), upd, &out).ok()) ++changes;
        }
      });
    }
    return threads;
  }

  // With both nodes stopped: the receiver applied each of the sender's envelopes exactly once.
  void CheckExactlyOnce(const std::string& sender, const std::string& receiver) {
    uint64_t queued = 0;
    {
      auto store = storage::Store::Open(
          node::NodeStoreOptions(federation_->member(sender).config.data_dir()));
      ASSERT_TRUE(store.ok()) << store.status();
      auto committer = txn::Committer::Create(store->get(), sender);
      ASSERT_TRUE(committer.ok());
      queued = (*committer)->LastQueued(receiver);
    }
    auto store = storage::Store::Open(
        node::NodeStoreOptions(federation_->member(receiver).config.data_dir()));
    ASSERT_TRUE(store.ok()) << store.status();
    auto committer = txn::Committer::Create(store->get(), receiver);
    ASSERT_TRUE(committer.ok());
    federation::Inbox inbox(store->get(), committer->get(), receiver);
    EXPECT_GT(queued, 1000u);
    EXPECT_EQ(*inbox.AppliedSeq(sender), queued);
    EXPECT_EQ(*inbox.AppliedCount(sender), static_cast<int64_t>(queued))
        << "an envelope was applied twice or skipped";
    EXPECT_EQ(*inbox.QuarantineCount(sender), 0);
    EXPECT_EQ(*(*store)->GetCounter((*store)->cf("counters"), "directory|stale"), 0)
        << "a change arrived out of order";
    std::cout << "exactly-once check: " << queued << " envelopes " << sender << " -> "
              << receiver << "\n";
  }

  bool Drained(const std::string& sender, const std::string& receiver) {
    const auto status = Status(sender);
    for (const auto& p : status.peers()) {
      if (p.country() == receiver) {
        return p.last_seq_queued() > 0 && p.last_seq_acked() == p.last_seq_queued();
      }
    }
    return false;
  }
};

TEST_F(FaultTest, SigkillOfSenderOrReceiverNeverLosesOrDuplicates) {
  Init({"MX", "GT"}, {"MX", "GT"});
  StartNode("MX");
  StartNode("GT");
  std::atomic<bool> stop{false};
  std::atomic<int> changes{0};
  auto writers = StartWriters("MX", 4, stop, changes);
  std::mt19937 rng(std::random_device{}());
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    const std::string victim = round % 2 ? "GT" : "MX";  // receiver, then sender, ...
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(300, 1200)(rng)));
    ASSERT_EQ(StopNode(victim, SIGKILL), 128 + SIGKILL);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 500)(rng)));
    StartNode(victim);
  }
  stop = true;
  for (auto& w : writers) w.join();
  ASSERT_TRUE(WaitFor([&] { return Drained("MX", "GT"); }, absl::Seconds(120)));
  EXPECT_EQ(ListOrgs("GT", "MX"), ListOrgs("MX", "MX"));
  std::cout << "fault test: " << kRounds << " kills, " << changes.load() << " changes\n";
  ASSERT_EQ(StopNode("MX", SIGTERM), 0);
  ASSERT_EQ(StopNode("GT", SIGTERM), 0);
  CheckExactlyOnce("MX", "GT");
}

TEST_F(FaultTest, PartitionQueuesTheBacklogAndHealingDrainsIt) {
  Init({"MX", "GT"}, {"MX", "GT"});
  TcpProxy proxy(0, federation_->member("GT").federation_port);
  ASSERT_TRUE(federation_->WriteManifest(
                             {"MX", "GT"}, 1,
                             {{"GT", absl::StrCat("127.0.0.1:", proxy.port())}})
                  .ok());
  StartNode("MX");
  StartNode("GT");
  for (int i = 0; i < 10; ++i) ASSERT_FALSE(CreateOrg("MX", absl::StrCat("Antes ", i)).empty());
  ASSERT_TRUE(WaitFor([&] { return ListOrgs("GT", "MX").size() == 10; }, absl::Seconds(30)));

  proxy.SetPartitioned(true);
  std::atomic<bool> stop{false};
  std::atomic<int> changes{0};
  auto writers = StartWriters("MX", 4, stop, changes);
  while (changes < 1500) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stop = true;
  for (auto& w : writers) w.join();
  EXPECT_EQ(ListOrgs("GT", "MX").size(), 10u) << "changes crossed a partitioned link";
  const auto during = Status("MX");
  ASSERT_EQ(during.peers_size(), 1);
  EXPECT_GE(during.peers(0).outbox_depth(), 1500u);
  EXPECT_FALSE(during.peers(0).last_error().empty());

  const absl::Time healed = absl::Now();
  proxy.SetPartitioned(false);
  ASSERT_TRUE(WaitFor([&] { return Drained("MX", "GT"); }, absl::Seconds(120)));
  std::cout << "partition test: " << changes.load() << " queued changes drained in "
            << absl::ToDoubleSeconds(absl::Now() - healed) << " s after healing\n";
  EXPECT_EQ(ListOrgs("GT", "MX"), ListOrgs("MX", "MX"));
  ASSERT_EQ(StopNode("MX", SIGTERM), 0);
  ASSERT_EQ(StopNode("GT", SIGTERM), 0);
  CheckExactlyOnce("MX", "GT");
}

}  // namespace
}  // namespace enlace::testing
