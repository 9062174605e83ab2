#include "common/status/errors.h"

#include "common/status/grpc_status.h"
#include "gtest/gtest.h"

namespace enlace {
namespace {

TEST(FieldViolationsTest, EmptyIsOk) { EXPECT_TRUE(FieldViolations().ToStatus().ok()); }

TEST(FieldViolationsTest, NamesEveryFieldAndSurvivesGrpcRoundTrip) {
  FieldViolations v;
  v.Add("case.post", "unknown post");
  v.Add("case.category", "required");
  absl::Status s = v.ToStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("case.post"), absl::string_view::npos);
  absl::Status back = FromGrpcStatus(ToGrpcStatus(s));
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  auto fields = GetFieldViolations(back);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].field, "case.post");
  EXPECT_EQ(fields[1].description, "required");
}

TEST(FieldViolationsTest, PlainErrorHasNoViolations) {
  absl::Status back = FromGrpcStatus(ToGrpcStatus(absl::NotFoundError("x")));
  EXPECT_EQ(back.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(GetFieldViolations(back).empty());
}

}  // namespace
}  // namespace enlace
