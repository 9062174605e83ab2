#include "common/pagetoken/node_secret.h"

#include <cstdlib>
#include <memory>
#include <string>

#include "common/pagetoken/page_token.h"
#include "common/storage/store.h"
#include "gtest/gtest.h"

namespace enlace {
namespace {

std::string TempDir() {
  std::string tmpl = std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") +
                     "/node_secret_XXXXXX";
  return mkdtemp(tmpl.data());
}

std::unique_ptr<storage::Store> OpenStore(const std::string& path) {
  storage::StoreOptions o;
  o.path = path;
  o.column_families = {"meta"};
  auto store = storage::Store::Open(o);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

TEST(NodeSecretTest, TokensOfAnotherNodeAreRefusedAndOwnTokensSurviveRestart) {
  const std::string dir_a = TempDir() + "/a";
  const std::string dir_b = TempDir() + "/b";
  std::string token;
  {
    auto a = OpenStore(dir_a);
    ASSERT_NE(a, nullptr);
    PageTokenCodec codec(NodeSecretOrEphemeral(a.get(), "referrals_page_token_secret"));
    token = codec.Encode("q", "position");
  }
  {
    // The same node after a restart: the secret was kept.
    auto a = OpenStore(dir_a);
    ASSERT_NE(a, nullptr);
    PageTokenCodec codec(NodeSecretOrEphemeral(a.get(), "referrals_page_token_secret"));
    auto pos = codec.Decode("q", token);
    ASSERT_TRUE(pos.ok()) << pos.status();
    EXPECT_EQ(*pos, "position");
    // Another module of the same node has its own secret.
    PageTokenCodec other_module(NodeSecretOrEphemeral(a.get(), "transfers_page_token_secret"));
    EXPECT_EQ(other_module.Decode("q", token).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  {
    // Another node (or the same node on a fresh data directory).
    auto b = OpenStore(dir_b);
    ASSERT_NE(b, nullptr);
    PageTokenCodec codec(NodeSecretOrEphemeral(b.get(), "referrals_page_token_secret"));
    EXPECT_EQ(codec.Decode("q", token).status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(NodeSecretTest, SecretIsRandomAndFullLength) {
  auto a = OpenStore(TempDir());
  auto b = OpenStore(TempDir());
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  auto sa = LoadOrCreateNodeSecret(a.get(), "k");
  auto sb = LoadOrCreateNodeSecret(b.get(), "k");
  ASSERT_TRUE(sa.ok() && sb.ok());
  EXPECT_EQ(sa->size(), 32u);
  EXPECT_NE(*sa, *sb);
  EXPECT_EQ(*LoadOrCreateNodeSecret(a.get(), "k"), *sa);
}

}  // namespace
}  // namespace enlace
