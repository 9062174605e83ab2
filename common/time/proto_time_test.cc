#include "common/time/proto_time.h"

#include "gtest/gtest.h"

namespace enlace {
namespace {

TEST(ProtoTimeTest, RoundTripsAtMicrosecondsIncludingBefore1970) {
  for (absl::Time t : {absl::UnixEpoch(), absl::FromUnixMicros(1796053605675249),
                       absl::FromUnixMicros(-1500001)}) {
    const google::protobuf::Timestamp ts = ToProtoTime(t);
    EXPECT_GE(ts.nanos(), 0);
    EXPECT_TRUE(IsValidProtoTime(ts));
    EXPECT_EQ(FromProtoTime(ts), t);
  }
  EXPECT_EQ(ToProtoTime(absl::FromUnixMicros(-1500001)).seconds(), -2);
}

TEST(ProtoTimeTest, RefusesTimestampsOutsideYears1To9999) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(253402300800);  // 10000-01-01
  EXPECT_FALSE(IsValidProtoTime(ts));
  ts.set_seconds(0);
  ts.set_nanos(-1);
  EXPECT_FALSE(IsValidProtoTime(ts));
  ts.set_nanos(1000000000);
  EXPECT_FALSE(IsValidProtoTime(ts));
}

}  // namespace
}  // namespace enlace
