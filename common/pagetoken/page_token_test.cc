#include "common/pagetoken/page_token.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace enlace {
namespace {

TEST(PageTokenTest, RoundTripsForSameQueryOnly) {
  PageTokenCodec codec(std::string(32, 's'));
  std::string t = codec.Encode("post=MX-LAX", "C|p|MX-LAX|pos");
  auto pos = codec.Decode("post=MX-LAX", t);
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(*pos, "C|p|MX-LAX|pos");
  EXPECT_EQ(codec.Decode("post=MX-CHI", t).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PageTokenTest, RefusesForgedAndGarbage) {
  PageTokenCodec codec(std::string(32, 's'));
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(codec.Encode("q", "position"), &raw));
  raw.back() ^= 1;
  EXPECT_FALSE(codec.Decode("q", absl::WebSafeBase64Escape(raw)).ok());
  EXPECT_FALSE(codec.Decode("q", "!!!").ok());
  EXPECT_FALSE(codec.Decode("q", "").ok());
  EXPECT_FALSE(codec.Decode("q", std::string(5000, 'A')).ok());
  PageTokenCodec other(std::string(32, 't'));
  EXPECT_FALSE(other.Decode("q", codec.Encode("q", "p")).ok());
}

}  // namespace
}  // namespace enlace
