#ifndef ENLACE_COMMON_STORAGE_BACKEND_H_
#define ENLACE_COMMON_STORAGE_BACKEND_H_

// The engines behind Store (internal to common/storage): Store keeps what both share (column
// family objects, read overlays, batch checks) and forwards the rest here.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/storage/store.h"

namespace enlace::storage {

class IteratorImpl {
 public:
  virtual ~IteratorImpl() = default;
  virtual bool Valid() const = 0;
  virtual absl::string_view key() const = 0;
  virtual absl::string_view value() const = 0;
  virtual void Next() = 0;
  virtual absl::Status status() const = 0;
};

// An iterator that is already at its end, with `status` (e.g. a closed store).
std::unique_ptr<IteratorImpl> ErrorIterator(absl::Status status);

// One column family as an engine sees it.
struct FamilySpec {
  std::string name;
  bool counters = false;
};

class Backend {
 public:
  virtual ~Backend() = default;
  // Every call below but Close fails with FAILED_PRECONDITION once closed.
  virtual bool closed() const = 0;
  virtual absl::StatusOr<std::optional<std::string>> Get(const ColumnFamily& cf,
                                                         absl::string_view key) const = 0;
  // Empty `upper`: no upper bound.
  virtual std::unique_ptr<IteratorImpl> Scan(const ColumnFamily& cf, absl::string_view lower,
                                             absl::string_view upper) const = 0;
  virtual absl::StatusOr<std::optional<std::pair<std::string, std::string>>> Last(
      const ColumnFamily& cf) const = 0;
  // `batch` was checked by Store (families of this store, adds only to counter families).
  virtual absl::Status Commit(const WriteBatch& batch) = 0;
  virtual absl::Status Close() = 0;
  virtual absl::Status SetCommitPrecondition(std::string sql,
                                             std::vector<std::string> params) = 0;
  virtual absl::Status Purge(const ColumnFamily& cf) = 0;
  virtual absl::StatusOr<BackupInfo> CreateBackup(const std::string& backup_dir,
                                                  absl::string_view metadata, int keep) = 0;
  virtual uint64_t ApproximateSize(const ColumnFamily& cf) const = 0;
  virtual absl::StatusOr<Store::Stats> GetStats(
      const std::vector<const ColumnFamily*>& families) const = 0;
};

// `families` in ColumnFamily::id order ("default" first).
absl::StatusOr<std::unique_ptr<Backend>> OpenRocksDbBackend(const StoreOptions& options,
                                                            const std::vector<FamilySpec>& families);
absl::StatusOr<std::unique_ptr<Backend>> OpenPostgresBackend(
    const StoreOptions& options, const std::vector<FamilySpec>& families);

std::string EncodeInt64(int64_t v);
// A malformed (not 8-byte) encoding counts as zero rather than crashing.
int64_t DecodeInt64(absl::string_view s);

}  // namespace enlace::storage

#endif  // ENLACE_COMMON_STORAGE_BACKEND_H_
