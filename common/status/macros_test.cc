#include "common/status/macros.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace enlace {
namespace {

int evaluations = 0;

absl::Status Counted(absl::Status s) {
  ++evaluations;
  return s;
}

absl::StatusOr<std::unique_ptr<std::string>> MakeString(bool ok) {
  ++evaluations;
  if (!ok) return absl::NotFoundError("no string");
  return std::make_unique<std::string>("hola");
}

absl::Status ReturnIfError(absl::Status first, bool* reached_end) {
  ENLACE_RETURN_IF_ERROR(Counted(first));
  *reached_end = true;
  return absl::OkStatus();
}

absl::StatusOr<std::string> AssignOrReturn(bool ok) {
  ENLACE_ASSIGN_OR_RETURN(std::unique_ptr<std::string> s, MakeString(ok));  // move-only value
  ENLACE_ASSIGN_OR_RETURN(auto t, MakeString(true));  // twice in one scope
  return *s + " " + *t;
}

TEST(StatusMacrosTest, ReturnIfErrorReturnsTheErrorAndEvaluatesOnce) {
  evaluations = 0;
  bool reached = false;
  absl::Status s = ReturnIfError(absl::InvalidArgumentError("case.post: unknown"), &reached);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "case.post: unknown");
  EXPECT_FALSE(reached);
  EXPECT_EQ(evaluations, 1);
  EXPECT_TRUE(ReturnIfError(absl::OkStatus(), &reached).ok());
  EXPECT_TRUE(reached);
}

TEST(StatusMacrosTest, AssignOrReturnMovesTheValueOrReturnsTheStatus) {
  evaluations = 0;
  auto ok = AssignOrReturn(true);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, "hola hola");
  EXPECT_EQ(evaluations, 2);
  auto missing = AssignOrReturn(false);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(evaluations, 3) << "the second call ran after the first failed";
}

}  // namespace
}  // namespace enlace
