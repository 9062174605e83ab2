#ifndef ENLACE_COMMON_STORAGE_KEY_LOCKS_H_
#define ENLACE_COMMON_STORAGE_KEY_LOCKS_H_

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace enlace::storage {

// Striped locks serialising read-check-write sequences on the same keys (etag checks,
// uniqueness of request ids and documents) while unrelated keys proceed in parallel.
class KeyLocks {
 public:
  static constexpr size_t kStripes = 1024;
  size_t StripeOf(absl::string_view key) const;
  absl::Mutex& stripe(size_t i) { return stripes_[i]; }

 private:
  std::array<absl::Mutex, kStripes> stripes_;
};

// Holds the stripes of several keys, taken in ascending order so two holders never deadlock.
class ScopedKeyLocks {
 public:
  ScopedKeyLocks(KeyLocks& locks, const std::vector<std::string>& keys);
  ~ScopedKeyLocks();
  ScopedKeyLocks(const ScopedKeyLocks&) = delete;
  ScopedKeyLocks& operator=(const ScopedKeyLocks&) = delete;

 private:
  KeyLocks& locks_;
  std::vector<size_t> held_;
};

}  // namespace enlace::storage

#endif  // ENLACE_COMMON_STORAGE_KEY_LOCKS_H_
