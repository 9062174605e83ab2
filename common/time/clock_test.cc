#include "common/time/clock.h"

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace enlace {
namespace {

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  const absl::Time start = absl::FromUnixSeconds(1767225600);
  FakeClock clock(start);
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(absl::Seconds(8));
  EXPECT_EQ(clock.Now(), start + absl::Seconds(8));
  clock.Set(start);
  EXPECT_EQ(clock.Now(), start);
}

TEST(ClockTest, FileClockReadsWhatWasWritten) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(tmp != nullptr ? tmp : "/tmp") + "/clock_test_now";
  const absl::Time t = absl::FromUnixMicros(1767225600250000);
  ASSERT_TRUE(FileClock::Write(path, t));
  FileClock clock(path);
  EXPECT_EQ(clock.Now(), t);
  ASSERT_TRUE(FileClock::Write(path, t + absl::Hours(2)));
  EXPECT_EQ(clock.Now(), t + absl::Hours(2));
  // No file: the wall clock.
  FileClock missing(path + ".missing");
  EXPECT_LT(absl::AbsDuration(missing.Now() - absl::Now()), absl::Minutes(1));
}

}  // namespace
}  // namespace enlace
