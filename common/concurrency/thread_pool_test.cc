#include "common/concurrency/thread_pool.h"

#include <atomic>

#include "gtest/gtest.h"

namespace enlace {
namespace {

TEST(ThreadPoolTest, RunsEveryTaskBeforeDestruction) {
  std::atomic<int> n{0};
  {
    ThreadPool pool(4);
    for (int i = 0; i < 1000; ++i) pool.Schedule([&n] { n.fetch_add(1); });
  }
  EXPECT_EQ(n.load(), 1000);
}

}  // namespace
}  // namespace enlace
