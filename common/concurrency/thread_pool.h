#ifndef ENLACE_COMMON_CONCURRENCY_THREAD_POOL_H_
#define ENLACE_COMMON_CONCURRENCY_THREAD_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace enlace {

// Fixed-size pool that runs storage work off gRPC's few callback threads, so that many
// synced commits are in flight at once and RocksDB can group them into one WAL sync.
class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  // Runs every queued task, then joins.
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void Schedule(std::function<void()> task);

 private:
  void Work();
  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace enlace

#endif  // ENLACE_COMMON_CONCURRENCY_THREAD_POOL_H_
