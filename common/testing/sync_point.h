#ifndef ENLACE_COMMON_TESTING_SYNC_POINT_H_
#define ENLACE_COMMON_TESTING_SYNC_POINT_H_

// Named points in production code that tests use to force an interleaving or inject a fault,
// in the style of RocksDB's test_util/sync_point.h.
//
//   // production code
//   ENLACE_TEST_SYNC_POINT("Registry::Accept:AfterRead");
//   ENLACE_TEST_SYNC_POINT_CALLBACK("Committer::CommitGroup:SealStatus", &status);
//
//   // test
//   auto* sp = enlace::SyncPoint::GetInstance();
//   sp->LoadDependency({{"Registry::Accept:AfterRead", "Registry::Revoke:Start"}});
//   sp->SetCallBack("Committer::CommitGroup:SealStatus", [](void* arg) {
//     *static_cast<absl::Status*>(arg) = absl::InternalError("injected");
//   });
//   sp->EnableProcessing();
//   ...
//   sp->Reset();  // disable, clear dependencies, callbacks and the trace
//
// The points are compiled into every build. While processing is disabled (always, outside
// tests that enable it) a point is a single relaxed atomic load and a predictable branch.
//
// Semantics (as in RocksDB):
// - LoadDependency({{"A", "B"}}): a thread reaching B waits until some thread has passed A.
//   Loading replaces all earlier dependencies and clears the trace of passed points.
// - SetCallBack("P", fn): a thread passing P runs fn(arg) after P's predecessors were passed
//   and before P counts as passed. Callbacks run without the internal lock held, so they may
//   block or reach other points.
// - A point counts as passed from the first time any thread passes it until ClearTrace().

#include <atomic>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace enlace {

namespace sync_point_internal {
// True only while a test has enabled processing. Read with a relaxed load at every point.
inline std::atomic<bool> g_enabled{false};
}  // namespace sync_point_internal

struct SyncPointPair {
  std::string predecessor;
  std::string successor;
};

class SyncPoint {
 public:
  static SyncPoint* GetInstance();

  SyncPoint(const SyncPoint&) = delete;
  SyncPoint& operator=(const SyncPoint&) = delete;

  // Each pair {A, B}: B waits until A was passed. Replaces earlier dependencies; clears the trace.
  void LoadDependency(const std::vector<SyncPointPair>& dependencies);
  void SetCallBack(const std::string& point, std::function<void(void*)> callback);
  void ClearCallBack(const std::string& point);
  // Waits for running callbacks to return, then removes all callbacks.
  void ClearAllCallBacks();
  // Forgets which points were passed.
  void ClearTrace();

  void EnableProcessing();
  void DisableProcessing();
  // DisableProcessing + ClearAllCallBacks + no dependencies + ClearTrace: for test tear-down.
  void Reset();

  // Number of times `point` was passed while processing was enabled (since ClearTrace).
  int HitCount(const std::string& point) const;

  // Called by the macros only when processing is enabled.
  void Process(absl::string_view point, void* arg);

  static bool Enabled() {
    return ABSL_PREDICT_FALSE(sync_point_internal::g_enabled.load(std::memory_order_relaxed));
  }

 private:
  SyncPoint() = default;
  bool PredecessorsAllPassed(const std::string& point) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  absl::flat_hash_map<std::string, std::vector<std::string>> predecessors_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::function<void(void*)>> callbacks_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int> passed_ ABSL_GUARDED_BY(mu_);
  int callbacks_running_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace enlace

#define ENLACE_TEST_SYNC_POINT(name)                                      \
  do {                                                                    \
    if (::enlace::SyncPoint::Enabled()) {                                 \
      ::enlace::SyncPoint::GetInstance()->Process((name), nullptr);       \
    }                                                                     \
  } while (0)

#define ENLACE_TEST_SYNC_POINT_CALLBACK(name, arg)                        \
  do {                                                                    \
    if (::enlace::SyncPoint::Enabled()) {                                 \
      ::enlace::SyncPoint::GetInstance()->Process((name), (arg));         \
    }                                                                     \
  } while (0)

#endif  // ENLACE_COMMON_TESTING_SYNC_POINT_H_
