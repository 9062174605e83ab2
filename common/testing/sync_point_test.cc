#include "common/testing/sync_point.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

namespace enlace {
namespace {

class SyncPointTest : public ::testing::Test {
 protected:
  void TearDown() override { SyncPoint::GetInstance()->Reset(); }
};

TEST_F(SyncPointTest, DisabledPointsDoNothing) {
  auto* sp = SyncPoint::GetInstance();
  int calls = 0;
  sp->SetCallBack("P", [&](void*) { ++calls; });
  sp->LoadDependency({{"never", "P"}});  // would block forever if processed
  ENLACE_TEST_SYNC_POINT("P");
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(sp->HitCount("P"), 0);
}

TEST_F(SyncPointTest, CallbackReceivesArgumentAndCanInjectAFault) {
  auto* sp = SyncPoint::GetInstance();
  sp->SetCallBack("Seal", [](void* arg) {
    *static_cast<absl::Status*>(arg) = absl::InternalError("injected");
  });
  sp->EnableProcessing();
  absl::Status status;
  ENLACE_TEST_SYNC_POINT_CALLBACK("Seal", &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(sp->HitCount("Seal"), 1);
  sp->ClearAllCallBacks();
  absl::Status untouched;
  ENLACE_TEST_SYNC_POINT_CALLBACK("Seal", &untouched);
  EXPECT_TRUE(untouched.ok());
  EXPECT_EQ(sp->HitCount("Seal"), 2);
}

// The order is forced by the dependencies alone: thread 1 starts first but must wait for
// thread 2 to pass "T2:Step", and thread 2's second step waits for thread 1's.
TEST_F(SyncPointTest, DependenciesForceAnInterleaving) {
  auto* sp = SyncPoint::GetInstance();
  sp->LoadDependency({{"T2:Step1", "T1:Step1"}, {"T1:Done", "T2:Step2"}});
  absl::Mutex mu;
  std::vector<std::string> order;
  auto record = [&](const std::string& s) {
    absl::MutexLock l(&mu);
    order.push_back(s);
  };
  sp->EnableProcessing();
  std::thread t1([&] {
    ENLACE_TEST_SYNC_POINT("T1:Step1");
    record("T1:Step1");
    ENLACE_TEST_SYNC_POINT("T1:Done");
  });
  std::thread t2([&] {
    record("T2:Step1");
    ENLACE_TEST_SYNC_POINT("T2:Step1");
    ENLACE_TEST_SYNC_POINT("T2:Step2");
    record("T2:Step2");
  });
  t1.join();
  t2.join();
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[0], "T2:Step1");
  EXPECT_EQ(order[1], "T1:Step1");
  EXPECT_EQ(order[2], "T2:Step2");
}

TEST_F(SyncPointTest, DisableProcessingReleasesWaiters) {
  auto* sp = SyncPoint::GetInstance();
  sp->LoadDependency({{"never", "Blocked"}});
  sp->SetCallBack("Blocked:Entered", [](void*) {});
  sp->EnableProcessing();
  std::thread t([] {
    ENLACE_TEST_SYNC_POINT("Blocked:Entered");
    ENLACE_TEST_SYNC_POINT("Blocked");
  });
  // Wait (on the sync point's own trace, not a clock) until the thread is about to block.
  while (sp->HitCount("Blocked:Entered") == 0) std::this_thread::yield();
  sp->DisableProcessing();
  t.join();
  EXPECT_EQ(sp->HitCount("Blocked"), 0);
}

TEST_F(SyncPointTest, LoadDependencyClearsTrace) {
  auto* sp = SyncPoint::GetInstance();
  sp->EnableProcessing();
  ENLACE_TEST_SYNC_POINT("A");
  EXPECT_EQ(sp->HitCount("A"), 1);
  sp->LoadDependency({});
  EXPECT_EQ(sp->HitCount("A"), 0);
}

}  // namespace
}  // namespace enlace
