#ifndef ENLACE_COMMON_REPLICATION_FOLLOW_UP_WORKER_H_
#define ENLACE_COMMON_REPLICATION_FOLLOW_UP_WORKER_H_

#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace enlace::replication {

// The background half of a module: work that follows a commit (open the case a received
// notification asks for, settle a transfer's decision, decide a revoke request) runs on one
// thread, one pass at a time. A pass runs when a transaction that left such work commits
// (Kick from Transaction::OnCommit: the work is durable by then, so one pass finds it) and
// every `poll` otherwise (work left by a crash, or a pass that failed, is retried).
class FollowUpWorker {
 public:
  struct Options {
    std::string name;  // for logs, e.g. "notifications"
    absl::Duration poll = absl::Seconds(2);
  };
  // `pass` does everything pending and returns; an error is logged and retried next time.
  FollowUpWorker(Options options, std::function<absl::Status()> pass);
  ~FollowUpWorker();
  FollowUpWorker(const FollowUpWorker&) = delete;
  FollowUpWorker& operator=(const FollowUpWorker&) = delete;

  void Start();
  // Waits for the pass under way, if any; no pass starts after. Idempotent.
  void Stop();
  // Asks for a pass. A kick during a pass causes one more pass after it, so work committed
  // while a pass was reading is never left waiting for the poll.
  void Kick();
  // A callback for Transaction::OnCommit.
  std::function<void()> KickOnCommit() {
    return [this] { Kick(); };
  }

 private:
  void Run();

  const Options options_;
  const std::function<absl::Status()> pass_;
  absl::Mutex mu_;
  bool kicked_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace enlace::replication

#endif  // ENLACE_COMMON_REPLICATION_FOLLOW_UP_WORKER_H_
