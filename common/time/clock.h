#ifndef ENLACE_COMMON_TIME_CLOCK_H_
#define ENLACE_COMMON_TIME_CLOCK_H_

// The time seam: modules whose rules depend on the time of day (a referral's expiry) ask a
// Clock instead of absl::Now(), so tests can drive time instead of racing it.

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace enlace {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // The wall clock (absl::Now()); never null, never destroyed.
  static const Clock* Real();
};

// A clock that moves only when told to (in-process tests).
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override;
  void Set(absl::Time t);
  void Advance(absl::Duration d);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

// For tests that run the node as a child process (NodeConfig.testing_clock_file): the time is
// read from a file holding Unix seconds (e.g. "1767225600.25"), re-read on every call, so
// the test moves the node's clock by rewriting the file (write a temporary, then rename).
// A missing or unreadable file reads as the wall clock. Never set in production configs.
class FileClock : public Clock {
 public:
  explicit FileClock(std::string path) : path_(std::move(path)) {}
  absl::Time Now() const override;
  // Writes `t` to `path` atomically, in the format Now() reads.
  static bool Write(const std::string& path, absl::Time t);

 private:
  const std::string path_;
};

}  // namespace enlace

#endif  // ENLACE_COMMON_TIME_CLOCK_H_
