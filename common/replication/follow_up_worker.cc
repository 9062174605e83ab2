#include "common/replication/follow_up_worker.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"

#include <iostream>
#include <utility>

namespace enlace::replication {

FollowUpWorker::FollowUpWorker(Options options, std::function<absl::Status()> pass)
    : options_(std::move(options)), pass_(std::move(pass)) {}

FollowUpWorker::~FollowUpWorker() { Stop(); }

void FollowUpWorker::Start() {
  thread_ = std::thread([this] { Run(); });
}

void FollowUpWorker::Stop() {
  {
    absl::MutexLock l(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void FollowUpWorker::Kick() {
  absl::MutexLock l(&mu_);
  kicked_ = true;
}

void FollowUpWorker::Run() {
  while (true) {
    {
      absl::MutexLock l(&mu_);
      auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || kicked_; };
      mu_.AwaitWithTimeout(absl::Condition(&wake), options_.poll);
      if (stopping_) return;
      kicked_ = false;  // a kick from now on asks for another pass
    }
    if (absl::Status s = pass_(); !s.ok()) {
      log::Warning(options_.name, "follow_up_retry",
                   absl::StrCat(s.ToString(), " (retried on the next pass)"));
    }
  }
}

}  // namespace enlace::replication
