#include "common/ids/ids.h"

#include <set>

#include "gtest/gtest.h"

namespace enlace::ids {
namespace {

TEST(IdsTest, SortByTimeAndAreUnique) {
  absl::Time t = absl::FromUnixMillis(1700000000000);
  std::string a = NewId(t);
  std::string b = NewId(t + absl::Milliseconds(1));
  EXPECT_LT(a.substr(0, 10), b.substr(0, 10));
  std::set<std::string> seen;
  for (int i = 0; i < 100000; ++i) seen.insert(NewId(t));
  EXPECT_EQ(seen.size(), 100000u);
  EXPECT_TRUE(IsValidId(a));
}

TEST(IdsTest, RejectsMalformed) {
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId("0123456789abcdefghjU"));
  EXPECT_FALSE(IsValidId("../../etc/passwd"));
  EXPECT_TRUE(IsValidRequestId("a1-B_2"));
  EXPECT_FALSE(IsValidRequestId("with space"));
  EXPECT_FALSE(IsValidRequestId(std::string(65, 'a')));
}

}  // namespace
}  // namespace enlace::ids
