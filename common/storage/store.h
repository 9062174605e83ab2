#ifndef ENLACE_COMMON_STORAGE_STORE_H_
#define ENLACE_COMMON_STORAGE_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Iterator;
class Slice;
class WriteBatch;
}  // namespace rocksdb

namespace enlace::storage {

class Store;

// An opaque column family, valid for the life of its Store.
class ColumnFamily {
 public:
  const std::string& name() const { return name_; }

 private:
  friend class Store;
  friend class WriteBatch;
  friend class Iterator;
  ColumnFamily(std::string name, rocksdb::ColumnFamilyHandle* handle)
      : name_(std::move(name)), handle_(handle) {}
  std::string name_;
  rocksdb::ColumnFamilyHandle* handle_;
};

// All changes of one mutation: committed atomically by Store::Commit, or not at all.
class WriteBatch {
 public:
  WriteBatch() = default;
  WriteBatch(WriteBatch&&) = default;
  WriteBatch& operator=(WriteBatch&&) = default;
  WriteBatch(const WriteBatch&) = delete;
  WriteBatch& operator=(const WriteBatch&) = delete;

  void Put(const ColumnFamily* cf, absl::string_view key, absl::string_view value);
  void Delete(const ColumnFamily* cf, absl::string_view key);
  // Adds `delta` to a signed 64-bit counter (column families opened as counter families).
  void AddToCounter(const ColumnFamily* cf, absl::string_view key, int64_t delta);
  // Appends every operation of `other`, after this batch's own.
  void Append(const WriteBatch& other);
  int Count() const { return static_cast<int>(ops_.size()); }
  bool empty() const { return ops_.empty(); }

 private:
  friend class Store;
  struct Op;
  // The batch's last Put or Delete of `key`, null when it has none (counters are not tracked).
  // Indexed lazily, so a batch nobody reads before commit pays nothing.
  const Op* LastWrite(const ColumnFamily* cf, absl::string_view key) const;
  // Operations are recorded, not encoded: batches of concurrent transactions can then be
  // merged cheaply into one group commit (see Committer).
  enum class OpType { kPut, kDelete, kAdd };
  struct Op {
    OpType type;
    const ColumnFamily* cf;
    std::string key;
    std::string value;
  };
  std::vector<Op> ops_;
  mutable absl::flat_hash_map<std::pair<const ColumnFamily*, std::string>, size_t> last_write_;
  mutable size_t indexed_ = 0;
};

// While alive, Store::Get on this thread sees `batch`'s puts and deletes as if committed
// (the newest overlay first). The inbox applies a batch of envelopes in one transaction:
// with the overlay, the handler of the second envelope reads what the first one wrote (a
// revision check, a state machine's step) though nothing is committed yet. Scans and
// counters do not see overlays; nest them in the order the writes happen.
class ScopedReadOverlay {
 public:
  explicit ScopedReadOverlay(const WriteBatch* batch);
  ~ScopedReadOverlay();
  ScopedReadOverlay(const ScopedReadOverlay&) = delete;
  ScopedReadOverlay& operator=(const ScopedReadOverlay&) = delete;
};

// Forward iteration over [lower, upper) of one column family, on a consistent snapshot.
class Iterator {
 public:
  ~Iterator();
  bool Valid() const;
  absl::string_view key() const;
  absl::string_view value() const;
  void Next();
  // Non-OK when iteration stopped on an I/O error rather than at the end.
  absl::Status status() const;

 private:
  friend class Store;
  Iterator(std::unique_ptr<rocksdb::Iterator> it, std::string lower, std::string upper);
  // RocksDB keeps pointers to the bounds: they live here, beside the iterator.
  std::string lower_;
  std::string upper_;
  std::unique_ptr<rocksdb::Slice> lower_slice_;
  std::unique_ptr<rocksdb::Slice> upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

struct StoreOptions {
  std::string path;
  // Column families holding plain values.
  std::vector<std::string> column_families;
  // Column families holding int64 counters updated with AddToCounter.
  std::vector<std::string> counter_families;
  // Sync the WAL on every commit: an acknowledged write survives power loss.
  bool sync = true;
  size_t block_cache_bytes = 64 << 20;
};

// One backup in a backup directory (RocksDB's BackupEngine: shared, checksummed files, so
// successive backups copy only new SST files).
struct BackupInfo {
  uint32_t id = 0;
  int64_t unix_seconds = 0;  // when it was taken
  uint64_t bytes = 0;
  uint32_t files = 0;
  // What the caller attached at creation (e.g. which vault backup goes with it).
  std::string metadata;
};

// Backups in `backup_dir`, oldest first (empty when the directory holds none).
absl::StatusOr<std::vector<BackupInfo>> ListBackups(const std::string& backup_dir);
// Re-reads every file of backup `id` and checks its size and checksum. NOT_FOUND for an unknown
// id, DATA_LOSS naming the problem when a file is missing or damaged.
absl::Status VerifyBackup(const std::string& backup_dir, uint32_t id);
// Writes backup `id` as a store at `db_dir`, which must not exist or be empty (a restore never
// overwrites data). The backup is verified first.
absl::Status RestoreBackup(const std::string& backup_dir, uint32_t id, const std::string& db_dir);

// What an operator must do about a store that failed to open with corruption (for messages of
// tools that open the files themselves).
std::string CorruptionAdvice(absl::string_view path);

// A RocksDB database with named column families. Thread-safe; concurrent Commit calls are
// group-committed by RocksDB (one WAL sync for many writers).
class Store {
 public:
  // DATA_LOSS, naming the damaged file and what to do, when the files are corrupt in a way a
  // crash cannot explain (anything but an incomplete last WAL record): nothing is truncated.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();

  // The named column family; dies if it was not declared in StoreOptions (programming error).
  const ColumnFamily* cf(absl::string_view name) const;

  absl::StatusOr<std::optional<std::string>> Get(const ColumnFamily* cf,
                                                 absl::string_view key) const;
  // Value of a counter, 0 when absent.
  absl::StatusOr<int64_t> GetCounter(const ColumnFamily* cf, absl::string_view key) const;
  std::unique_ptr<Iterator> Scan(const ColumnFamily* cf, absl::string_view lower,
                                 absl::string_view upper) const;
  // Every key with this prefix.
  std::unique_ptr<Iterator> ScanPrefix(const ColumnFamily* cf, absl::string_view prefix) const;

  // Writes the batch atomically; synced to the WAL when StoreOptions.sync.
  // The last (key, value) of a column family, if any: one seek, not a scan.
  absl::StatusOr<std::optional<std::pair<std::string, std::string>>> Last(
      const ColumnFamily* cf) const;

  absl::Status Commit(const WriteBatch& batch);
  // Flushes memtables and closes; later calls fail. Also done by the destructor.
  absl::Status Close();

  // Makes deleted values of `cf` unrecoverable from the files: flushes every memtable (so
  // the WAL files holding them are dropped) and rewrites `cf`'s SST files without them.
  absl::Status Purge(const ColumnFamily* cf);

  // An online backup into `backup_dir` (created if missing) while writers go on: memtables are
  // flushed and the files plus the live WAL copied, so the backup holds exactly a prefix of
  // the commits (every commit acknowledged before the call started, none half). Then only the
  // newest `keep` backups are kept (0 = all). Calls are serialised per Store.
  absl::StatusOr<BackupInfo> CreateBackup(const std::string& backup_dir,
                                          absl::string_view metadata, int keep);

  // Approximate live data size in bytes of a column family.
  uint64_t ApproximateSize(const ColumnFamily* cf) const;

  // RocksDB figures an operator watches (the ops port's metrics), read from the live store.
  struct Stats {
    struct Family {
      std::string name;
      uint64_t sst_bytes = 0;                 // SST files of the current version
      uint64_t memtable_bytes = 0;            // active and immutable memtables
      uint64_t pending_compaction_bytes = 0;  // estimate of what compaction must rewrite
      uint64_t stalls_slowdown = 0;           // write slowdowns since open (all causes)
      uint64_t stalls_stop = 0;               // write stops since open (all causes)
    };
    uint64_t wal_bytes = 0;  // live write-ahead log files
    bool write_stopped = false;
    uint64_t delayed_write_rate = 0;  // bytes/s while writes are slowed, else 0
    std::vector<Family> families;     // by name
  };
  // FAILED_PRECONDITION once closed.
  absl::StatusOr<Stats> GetStats() const;

 private:
  Store() = default;
  bool sync_ = true;
  // BackupEngine allows one writer per backup directory.
  absl::Mutex backup_mu_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::map<std::string, std::unique_ptr<ColumnFamily>, std::less<>> families_;
};

// The smallest key greater than every key starting with `prefix` ("" if none exists).
std::string PrefixSuccessor(absl::string_view prefix);

// Big-endian fixed-width encodings keep numeric order in RocksDB's bytewise key order.
void AppendBigEndian64(std::string* out, uint64_t v);
uint64_t ReadBigEndian64(absl::string_view in);

}  // namespace enlace::storage

#endif  // ENLACE_COMMON_STORAGE_STORE_H_
