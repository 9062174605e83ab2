// Page tokens are HMACs under a per-node random secret kept in the node's store. Attacks: a
// token forged with a secret published in the source, and a token of one node replayed on
// another (or on the same node after a fresh data directory).
#include <memory>
#include <string>

#include "common/pagetoken/page_token.h"
#include "enlace/directory/v1/directory.grpc.pb.h"
#include "enlace/notifications/v1/notifications.grpc.pb.h"
#include "enlace/referrals/v1/referrals.grpc.pb.h"
#include "enlace/transfers/v1/transfers.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "services/node/node.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

constexpr char kSupervisor[] = "spiffe://mx.enlace.example/role/supervisor/user/ana";

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

class PageTokenSecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("pagetokens");
    auto pki = testing::TestPki::Create(dir_, "MX");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*pki);
    auto client = pki_->Client(kSupervisor);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *client;
  }

  std::unique_ptr<node::Node> StartNode(const std::string& data_dir) {
    auto config = testing::TestNodeConfig(dir_, "MX");
    config.set_data_dir(data_dir);
    config.mutable_security()->set_keys_dir(data_dir + ".keys");
    auto node = node::Node::Start(config);
    EXPECT_TRUE(node.ok()) << node.status();
    return node.ok() ? *std::move(node) : nullptr;
  }

  std::shared_ptr<grpc::Channel> Channel(const node::Node& node) {
    return testing::MakeChannel(node.api_port(), pki_->ca(), &client_);
  }

  std::string dir_;
  std::unique_ptr<testing::TestPki> pki_;
  pki::CertAndKey client_;
};

// Before: referrals, transfers and notifications keyed their tokens with
// "{module}-{country}-page-tokens-v1", so anyone who read the source could mint tokens that
// every node of that country accepted.
TEST_F(PageTokenSecretsTest, TokenForgedWithPublishedConstantIsRefused) {
  auto node = StartNode(dir_ + "/data");
  ASSERT_NE(node, nullptr);
  auto channel = Channel(*node);
  {
    const PageTokenCodec forger("referrals-MX-page-tokens-v1");
    enlace::referrals::v1::ListReferralsRequest req;
    req.set_direction(enlace::referrals::v1::DIRECTION_OUTGOING);
    req.set_page_token(forger.Encode("referrals|o|", "o|"));
    enlace::referrals::v1::ListReferralsResponse resp;
    EXPECT_EQ(enlace::referrals::v1::ReferralService::NewStub(channel)
                  ->ListReferrals(Ctx().get(), req, &resp)
                  .error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    const PageTokenCodec forger("transfers-MX-page-tokens-v1");
    enlace::transfers::v1::ListTransfersRequest req;
    req.set_direction(enlace::transfers::v1::DIRECTION_OUTGOING);
    req.set_page_token(forger.Encode("transfers|o|", "o|"));
    enlace::transfers::v1::ListTransfersResponse resp;
    EXPECT_EQ(enlace::transfers::v1::TransferService::NewStub(channel)
                  ->ListTransfers(Ctx().get(), req, &resp)
                  .error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    const PageTokenCodec forger("notifications-MX-page-tokens-v1");
    enlace::notifications::v1::ListNotificationsRequest req;
    req.set_direction(enlace::notifications::v1::DIRECTION_OUTGOING);
    req.set_page_token(forger.Encode("notifications|o|", "o|"));
    enlace::notifications::v1::ListNotificationsResponse resp;
    EXPECT_EQ(enlace::notifications::v1::NotificationService::NewStub(channel)
                  ->ListNotifications(Ctx().get(), req, &resp)
                  .error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  EXPECT_TRUE(node->Shutdown(absl::Seconds(5)).ok());
}

TEST_F(PageTokenSecretsTest, TokenOfAnotherNodeIsRefusedAndOwnTokenSurvivesRestart) {
  namespace dv1 = ::enlace::directory::v1;
  std::string token;
  {
    auto a = StartNode(dir_ + "/a");
    ASSERT_NE(a, nullptr);
    auto dir = dv1::DirectoryService::NewStub(Channel(*a));
    for (const char* name : {"Casa del Migrante", "Albergue Belén"}) {
      dv1::CreateOrganisationRequest req;
      req.set_parent("countries/MX");
      req.mutable_organisation()->set_display_name(name);
      req.mutable_organisation()->set_type(dv1::ORGANISATION_TYPE_SHELTER);
      req.mutable_organisation()->add_services(dv1::SERVICE_SHELTER);
      dv1::Organisation out;
      grpc::Status s = dir->CreateOrganisation(Ctx().get(), req, &out);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    dv1::ListOrganisationsRequest list;
    list.set_page_size(1);
    dv1::ListOrganisationsResponse page;
    ASSERT_TRUE(dir->ListOrganisations(Ctx().get(), list, &page).ok());
    ASSERT_FALSE(page.next_page_token().empty());
    token = page.next_page_token();
    ASSERT_TRUE(a->Shutdown(absl::Seconds(5)).ok());
  }
  {
    // Another node of the same country, with its own data directory.
    auto b = StartNode(dir_ + "/b");
    ASSERT_NE(b, nullptr);
    dv1::ListOrganisationsRequest list;
    list.set_page_size(1);
    list.set_page_token(token);
    dv1::ListOrganisationsResponse page;
    EXPECT_EQ(dv1::DirectoryService::NewStub(Channel(*b))
                  ->ListOrganisations(Ctx().get(), list, &page)
                  .error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    ASSERT_TRUE(b->Shutdown(absl::Seconds(5)).ok());
  }
  {
    // The first node again, restarted on its own data: its token still works.
    auto a = StartNode(dir_ + "/a");
    ASSERT_NE(a, nullptr);
    dv1::ListOrganisationsRequest list;
    list.set_page_size(1);
    list.set_page_token(token);
    dv1::ListOrganisationsResponse page;
    grpc::Status s =
        dv1::DirectoryService::NewStub(Channel(*a))->ListOrganisations(Ctx().get(), list, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(page.organisations_size(), 1);
    ASSERT_TRUE(a->Shutdown(absl::Seconds(5)).ok());
  }
}

}  // namespace
}  // namespace enlace
