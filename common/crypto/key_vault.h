#ifndef ENLACE_COMMON_CRYPTO_KEY_VAULT_H_
#define ENLACE_COMMON_CRYPTO_KEY_VAULT_H_

#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/storage/store.h"

namespace enlace::crypto {

// The node's master keys, by version; the highest wraps, every one unwraps (rotation).
struct MasterKeys {
  std::map<int, std::string> keys;  // version -> 32 bytes
  int current() const { return keys.empty() ? 0 : keys.rbegin()->first; }
};

// Reads "VERSION:BASE64" lines (one key per line, '#' comments) from `path`, or, when `path`
// is empty, from the environment variable ENLACE_MASTER_KEY ("1:BASE64[,2:BASE64]").
// A key file readable by others than its owner is refused.
absl::StatusOr<MasterKeys> LoadMasterKeys(const std::string& path);
// A new key file body with one random key, version 1 (dev setups and tests).
absl::StatusOr<std::string> NewMasterKeyFile();

// Per-person data keys, wrapped (AES-256-GCM) by the master key, in a RocksDB of their own,
// apart from the data: a backup of the data alone reveals no one, and destroying a data key
// (erasure) makes that person's sealed data unrecoverable, even with the master key.
class KeyVault {
 public:
  static absl::StatusOr<std::unique_ptr<KeyVault>> Open(const std::string& dir, MasterKeys keys);

  // Key for the keyed hashes in search indexes (stable across master-key rotations).
  const std::string& index_key() const { return index_key_; }

  absl::StatusOr<std::string> CreateDataKey(const std::string& owner);
  // NOT_FOUND once destroyed.
  absl::StatusOr<std::string> DataKey(const std::string& owner);
  // Deletes the key and purges it from the vault's WAL and SST files.
  absl::Status DestroyDataKey(const std::string& owner);
  bool HasDataKey(const std::string& owner);

  // Re-wraps every key under `keys.current()`; the node keeps serving meanwhile.
  absl::Status Rotate(MasterKeys keys);
  int wrapped_with_current() const;
  // Highest master-key version loaded.
  int current_version() const;

  // An online backup of the vault's own store (storage::Store::CreateBackup). The keys stay
  // wrapped by the master key, which is never in a backup. A backup keeps keys destroyed
  // after it was taken: restoring it brings back erased persons (docs/operations.md).
  absl::StatusOr<storage::BackupInfo> CreateBackup(const std::string& backup_dir,
                                                   absl::string_view metadata, int keep);

 private:
  KeyVault() = default;
  absl::StatusOr<std::string> Unwrap(const std::string& owner, absl::string_view stored) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::string> Wrap(const std::string& owner, absl::string_view key) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  std::unique_ptr<storage::Store> store_;
  const storage::ColumnFamily* keys_cf_ = nullptr;
  std::string index_key_;
  mutable absl::Mutex mu_;
  MasterKeys master_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, std::string> cache_ ABSL_GUARDED_BY(mu_);
  // Counts DestroyDataKey calls: a cache fill that raced one is dropped.
  uint64_t destroys_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace enlace::crypto

#endif  // ENLACE_COMMON_CRYPTO_KEY_VAULT_H_
