#include "services/node/config.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace enlace::node {
namespace {

constexpr char kGood[] = R"pb(
  country: "MX"
  posts { code: "MX-LAX" city: "Los Angeles" host_country: "US" areas: "US-CA" }
  posts { code: "MX-GUA" city: "Ciudad de Guatemala" host_country: "GT" }
  data_dir: "/var/lib/enlace"
  api_address: "127.0.0.1:0"
  api_tls { cert_file: "n.pem" key_file: "n.key" client_ca_file: "ca.pem" }
)pb";

TEST(ConfigTest, ParsesAndValidates) {
  auto c = ParseNodeConfig(kGood);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(ValidateNodeConfig(*c).ok()) << ValidateNodeConfig(*c);
  EXPECT_EQ(c->posts(0).areas(0), "US-CA");
}

TEST(ConfigTest, RejectsSyntaxErrorsWithLine) {
  auto c = ParseNodeConfig("country: \"MX\"\nposts { code: }");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("line 2"), std::string::npos) << c.status();
  EXPECT_FALSE(ParseNodeConfig("unknown_field: 1").ok());
  EXPECT_FALSE(ParseNodeConfig(std::string(2 << 20, ' ')).ok());
}

TEST(ConfigTest, NamesEveryBadField) {
  auto c = ParseNodeConfig(kGood);
  ASSERT_TRUE(c.ok());
  c->set_country("XX");
  c->mutable_posts(1)->set_code("MX-LAX");
  c->mutable_posts(0)->add_areas("ZZ-1");
  absl::Status s = ValidateNodeConfig(*c);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("country"), std::string::npos);
  EXPECT_NE(s.message().find("duplicate post code"), std::string::npos);
  EXPECT_NE(s.message().find("posts[0].areas[1]"), std::string::npos);
}

TEST(ConfigTest, StatisticsAreNeverProtectedLessThanTheRegionsRule) {
  auto c = ParseNodeConfig(kGood);
  ASSERT_TRUE(c.ok());
  c->mutable_stats()->set_threshold(20);
  c->mutable_stats()->set_sensitive_threshold(20);
  EXPECT_TRUE(ValidateNodeConfig(*c).ok());  // stricter is allowed
  c->mutable_stats()->set_threshold(3);
  c->mutable_stats()->set_sensitive_threshold(9);
  absl::Status s = ValidateNodeConfig(*c);
  EXPECT_NE(s.message().find("stats.threshold"), std::string::npos) << s;
  EXPECT_NE(s.message().find("stats.sensitive_threshold"), std::string::npos) << s;
}

TEST(ConfigTest, OpsAddressAndLogFormat) {
  auto c = ParseNodeConfig(absl::StrCat(
      kGood, "ops { address: \"127.0.0.1:0\" port_file: \"/tmp/p\" log_format: \"json\" }"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(ValidateNodeConfig(*c).ok());
  c->mutable_ops()->set_address("9464");
  c->mutable_ops()->set_log_format("yaml");
  absl::Status s = ValidateNodeConfig(*c);
  EXPECT_NE(s.message().find("ops.address"), std::string::npos) << s;
  EXPECT_NE(s.message().find("ops.log_format"), std::string::npos) << s;
  c->mutable_ops()->set_address("");
  c->mutable_ops()->set_log_format("text");
  s = ValidateNodeConfig(*c);
  EXPECT_NE(s.message().find("ops.port_file: needs ops.address"), std::string::npos) << s;
}

TEST(ConfigTest, StorageChoice) {
  auto c = ParseNodeConfig(absl::StrCat(kGood, "storage { rocksdb {} }"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(ValidateNodeConfig(*c).ok());
  c = ParseNodeConfig(absl::StrCat(
      kGood, "storage { postgres { conninfo: \"host=db1,db2 dbname=enlace_mx "
             "target_session_attrs=read-write\" idle_connections: 4 } }"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(ValidateNodeConfig(*c).ok()) << ValidateNodeConfig(*c);
  c->mutable_storage()->mutable_postgres()->clear_conninfo();
  c->mutable_storage()->mutable_postgres()->set_idle_connections(-1);
  absl::Status s = ValidateNodeConfig(*c);
  EXPECT_NE(s.message().find("storage.postgres.conninfo: required"), std::string::npos) << s;
  EXPECT_NE(s.message().find("storage.postgres.idle_connections"), std::string::npos) << s;
}

}  // namespace
}  // namespace enlace::node
