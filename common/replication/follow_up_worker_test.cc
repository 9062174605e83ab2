#include "common/replication/follow_up_worker.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace enlace::replication {
namespace {

// Polling is off (an infinite poll): every pass below is caused by a kick, so nothing here
// depends on how long anything takes.
FollowUpWorker::Options NoPolling() {
  FollowUpWorker::Options o;
  o.name = "test";
  o.poll = absl::InfiniteDuration();
  return o;
}

TEST(FollowUpWorkerTest, AKickRunsAPass) {
  absl::Notification ran;
  FollowUpWorker worker(NoPolling(), [&] {
    if (!ran.HasBeenNotified()) ran.Notify();
    return absl::OkStatus();
  });
  worker.Start();
  worker.KickOnCommit()();
  EXPECT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(60)));
  worker.Stop();
}

// Work committed while a pass was reading must not wait for the poll: the kick that came
// during the pass causes a second pass.
TEST(FollowUpWorkerTest, AKickDuringAPassIsNotLost) {
  absl::Notification first_started, kicked_during_first, second_ran;
  std::atomic<int> passes{0};
  FollowUpWorker worker(NoPolling(), [&] {
    const int n = ++passes;
    if (n == 1) {
      first_started.Notify();
      kicked_during_first.WaitForNotification();
    } else if (n == 2) {
      second_ran.Notify();
    }
    return absl::OkStatus();
  });
  worker.Start();
  worker.Kick();
  ASSERT_TRUE(first_started.WaitForNotificationWithTimeout(absl::Seconds(60)));
  worker.Kick();
  kicked_during_first.Notify();
  EXPECT_TRUE(second_ran.WaitForNotificationWithTimeout(absl::Seconds(60)));
  worker.Stop();
}

// A failed pass is retried on the next kick or poll, and the worker keeps running.
TEST(FollowUpWorkerTest, AFailedPassIsRetried) {
  absl::Notification retried;
  std::atomic<int> passes{0};
  FollowUpWorker worker(NoPolling(), [&] {
    if (++passes == 1) return absl::UnavailableError("store busy");
    if (!retried.HasBeenNotified()) retried.Notify();
    return absl::OkStatus();
  });
  worker.Start();
  worker.Kick();
  while (passes.load() < 1) absl::SleepFor(absl::Milliseconds(1));
  worker.Kick();
  EXPECT_TRUE(retried.WaitForNotificationWithTimeout(absl::Seconds(60)));
  worker.Stop();
}

TEST(FollowUpWorkerTest, StopIsPromptAndIdempotentWithoutAnyPass) {
  std::atomic<int> passes{0};
  FollowUpWorker worker(NoPolling(), [&] {
    ++passes;
    return absl::OkStatus();
  });
  worker.Start();
  worker.Stop();
  worker.Stop();
  EXPECT_EQ(passes.load(), 0);
}

}  // namespace
}  // namespace enlace::replication
