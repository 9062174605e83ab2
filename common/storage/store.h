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

// Two implementations behind one interface (the node and everything above it see only this
// header): the embedded RocksDB store (the default: StoreOptions.path) and a PostgreSQL store
// through libpq (StoreOptions.postgres_conninfo). Neither RocksDB's nor libpq's types appear
// here; the engines live in rocksdb_backend.cc and postgres_backend.cc behind
// common/storage/backend.h.

namespace enlace::storage {

class Store;
class Backend;
class IteratorImpl;

// An opaque column family, valid for the life of its Store.
class ColumnFamily {
 public:
  const std::string& name() const { return name_; }
  // Declared in StoreOptions.counter_families (values are int64 counters).
  bool counters() const { return counters_; }
  // Position in the store's declaration order (the engines' handle index).
  int id() const { return id_; }
  const Store* store() const { return store_; }

 private:
  friend class Store;
  ColumnFamily(const Store* store, std::string name, int id, bool counters)
      : store_(store), name_(std::move(name)), id_(id), counters_(counters) {}
  const Store* store_;
  std::string name_;
  int id_;
  bool counters_;
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

  // Operations are recorded, not encoded: batches of concurrent transactions can then be
  // merged cheaply into one group commit (see Committer), and each engine encodes them its
  // own way. An kAdd's value is the delta as 8 big-endian bytes.
  enum class OpType { kPut, kDelete, kAdd };
  struct Op {
    OpType type;
    const ColumnFamily* cf;
    std::string key;
    std::string value;
  };
  const std::vector<Op>& ops() const { return ops_; }

 private:
  friend class Store;
  // The batch's last Put or Delete of `key`, null when it has none (counters are not tracked).
  // Indexed lazily, so a batch nobody reads before commit pays nothing.
  const Op* LastWrite(const ColumnFamily* cf, absl::string_view key) const;
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

// Forward iteration over [lower, upper) of one column family, on a consistent snapshot
// (RocksDB: an implicit snapshot; PostgreSQL: one statement, or a REPEATABLE READ transaction
// with a cursor for ranges longer than one fetch).
class Iterator {
 public:
  explicit Iterator(std::unique_ptr<IteratorImpl> impl);
  ~Iterator();
  bool Valid() const;
  absl::string_view key() const;
  absl::string_view value() const;
  void Next();
  // Non-OK when iteration stopped on an error rather than at the end.
  absl::Status status() const;

 private:
  std::unique_ptr<IteratorImpl> impl_;
};

struct StoreOptions {
  // RocksDB: the store's directory. With postgres_conninfo it holds no data but is still
  // created (0700) when given: the node keeps its other files there.
  std::string path;
  // Non-empty: the PostgreSQL store, a libpq connection string, e.g.
  // "host=/run/postgresql dbname=enlace" or, to follow a failed-over primary,
  // "host=db1,db2 port=5432,5432 dbname=enlace target_session_attrs=read-write".
  // One table per column family (enlace_<name>: k bytea PRIMARY KEY, v bytea, or v bigint for
  // counter families), created if missing. connect_timeout defaults to 10 s unless given.
  std::string postgres_conninfo;
  // PostgreSQL: idle connections kept open in the pool (more are opened on demand and closed
  // when returned beyond this number).
  int postgres_idle_connections = 8;
  // Column families holding plain values.
  std::vector<std::string> column_families;
  // Column families holding int64 counters updated with AddToCounter.
  std::vector<std::string> counter_families;
  // Sync the WAL on every commit: an acknowledged write survives power loss (PostgreSQL:
  // false sets synchronous_commit = off on the store's connections).
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

// A key-value database with named column families. Thread-safe.
//
// RocksDB: concurrent Commit calls are group-committed by RocksDB (one WAL sync for many
// writers).
// PostgreSQL: each Commit is one transaction on a connection of a small pool (any number of
// threads; connections are opened on demand). Concurrent batches are not merged here: the
// Committer above already merges concurrent transactions into one batch. Errors:
//   UNAVAILABLE  the server cannot be reached, or the connection broke (a dropped connection
//                is discarded and later calls reconnect by themselves, following a
//                multi-host conninfo to the current read-write primary). Nothing written.
//   UNKNOWN      the connection broke while COMMIT was in flight ("outcome unknown"): the
//                batch may or may not be durable (e.g. on the new primary after a failover).
//                The caller must not reuse anything it numbered in the batch (the Committer
//                stops committing until the process restarts and reloads its counters).
//   ABORTED      a serialization failure or deadlock that persisted after retries (nothing
//                written).
//   FAILED_PRECONDITION  the commit precondition (SetCommitPrecondition) did not return
//                exactly one row or failed (nothing written).
class Store {
 public:
  // RocksDB: DATA_LOSS, naming the damaged file and what to do, when the files are corrupt in
  // a way a crash cannot explain (anything but an incomplete last WAL record): nothing is
  // truncated. PostgreSQL: UNAVAILABLE when the server cannot be reached.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();

  enum class Engine { kRocksDb, kPostgres };
  Engine engine() const { return engine_; }

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

  // INVALID_ARGUMENT, writing nothing, when an operation names a column family of another
  // store (or none), adds to a family that is not a counter family, or puts a counter value
  // that is not 8 bytes.
  absl::Status Commit(const WriteBatch& batch);
  // Flushes memtables and closes (PostgreSQL: closes the pool's connections); later calls
  // fail. Also done by the destructor.
  absl::Status Close();

  // Fencing (PostgreSQL only; FAILED_PRECONDITION on RocksDB). From now on every Commit runs
  // `sql` with `params` ($1, $2, ... as text) first inside its transaction, before any write;
  // unless it returns exactly one row the commit fails with FAILED_PRECONDITION and writes
  // nothing (an error of the statement itself also fails the commit, writing nothing). Make
  // the statement lock what it checks (e.g. "SELECT 1 FROM lease WHERE holder = $1 AND epoch =
  // $2 FOR SHARE") so a lease change waits for the commits made under the old lease. An empty
  // `sql` removes the precondition. Takes effect for commits that start after the call.
  absl::Status SetCommitPrecondition(std::string sql, std::vector<std::string> params);

  // Makes deleted values of `cf` unrecoverable from the files. RocksDB: flushes every memtable
  // (so the WAL files holding them are dropped) and rewrites `cf`'s SST files without them.
  // PostgreSQL: VACUUM FULL of the family's table (rewritten into new files; it holds an
  // exclusive lock on that table meanwhile). The server's WAL, archive and standbys keep the
  // old values until they recycle their WAL segments (docs/operations.md).
  absl::Status Purge(const ColumnFamily* cf);

  // An online backup into `backup_dir` (created if missing) while writers go on: memtables are
  // flushed and the files plus the live WAL copied, so the backup holds exactly a prefix of
  // the commits (every commit acknowledged before the call started, none half). Then only the
  // newest `keep` backups are kept (0 = all). Calls are serialised per Store.
  // PostgreSQL: UNIMPLEMENTED (back up the database with pg_basebackup and WAL archiving, see
  // docs/operations.md "Choosing a store").
  absl::StatusOr<BackupInfo> CreateBackup(const std::string& backup_dir,
                                          absl::string_view metadata, int keep);

  // Approximate live data size in bytes of a column family (PostgreSQL: the table's
  // pg_total_relation_size).
  uint64_t ApproximateSize(const ColumnFamily* cf) const;

  // RocksDB figures an operator watches (the ops port's metrics), read from the live store.
  // PostgreSQL: each family's sst_bytes is its table's pg_total_relation_size; the other
  // figures are 0.
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
  absl::Status CheckBatch(const WriteBatch& batch) const;
  Engine engine_ = Engine::kRocksDb;
  std::unique_ptr<Backend> backend_;
  // In declaration order: "default", column_families, counter_families (ColumnFamily::id).
  std::vector<const ColumnFamily*> ordered_;
  std::map<std::string, std::unique_ptr<ColumnFamily>, std::less<>> families_;
};

// The smallest key greater than every key starting with `prefix` ("" if none exists).
std::string PrefixSuccessor(absl::string_view prefix);

// Big-endian fixed-width encodings keep numeric order in RocksDB's bytewise key order.
void AppendBigEndian64(std::string* out, uint64_t v);
uint64_t ReadBigEndian64(absl::string_view in);

}  // namespace enlace::storage

#endif  // ENLACE_COMMON_STORAGE_STORE_H_
