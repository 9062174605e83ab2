#include "common/storage/key_locks.h"

#include <algorithm>

#include "absl/hash/hash.h"

namespace enlace::storage {

size_t KeyLocks::StripeOf(absl::string_view key) const {
  return absl::Hash<absl::string_view>()(key) % kStripes;
}

ScopedKeyLocks::ScopedKeyLocks(KeyLocks& locks, const std::vector<std::string>& keys)
    : locks_(locks) {
  for (const auto& k : keys) held_.push_back(locks_.StripeOf(k));
  std::sort(held_.begin(), held_.end());
  held_.erase(std::unique(held_.begin(), held_.end()), held_.end());
  for (size_t i : held_) locks_.stripe(i).Lock();
}

ScopedKeyLocks::~ScopedKeyLocks() {
  for (auto it = held_.rbegin(); it != held_.rend(); ++it) locks_.stripe(*it).Unlock();
}

}  // namespace enlace::storage
