#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/memory/memory.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "common/status/macros.h"
#include "common/storage/backend.h"
#include "common/storage/store.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/transaction_log.h"
#include "rocksdb/utilities/backup_engine.h"
#include "rocksdb/write_batch.h"

// The embedded RocksDB engine of Store (the default). rocksdb:: types and statuses stay in
// this file.

namespace enlace::storage {

namespace {

// Owner-only: the directory 0700 (made so, or narrowed) and the files already in it 0600
// (stores written before this rule, or by a process with a looser umask). The node runs with
// umask 077, so RocksDB's new files (0644 by default) are created 0600.
absl::Status MakeOwnerOnly(const std::string& path) {
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::ErrnoToStatus(errno, absl::StrCat("creating the store directory ", path));
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return absl::ErrnoToStatus(errno, absl::StrCat("stat ", path));
  if ((st.st_mode & 077) != 0 && chmod(path.c_str(), st.st_mode & 0700) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("narrowing ", path, " to mode 0700"));
  }
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return absl::ErrnoToStatus(errno, absl::StrCat("listing ", path));
  while (const dirent* e = readdir(dir)) {
    const std::string file = absl::StrCat(path, "/", e->d_name);
    if (lstat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0) {
      chmod(file.c_str(), st.st_mode & 0700);
    }
  }
  closedir(dir);
  return absl::OkStatus();
}

}  // namespace

namespace {

// rocksdb::Status stops here: callers see absl::Status only.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(what, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsBusy() || s.IsTryAgain()) return absl::UnavailableError(msg);
  return absl::InternalError(msg);
}

class Int64AddOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    int64_t base = existing == nullptr ? 0 : DecodeInt64(absl::string_view(existing->data(), existing->size()));
    *new_value = EncodeInt64(base + DecodeInt64(absl::string_view(value.data(), value.size())));
    return true;
  }
  const char* Name() const override { return "EnlaceInt64Add"; }
};

// Forwards RocksDB's info log to the usual LOG file and keeps the lines in which WAL recovery
// reports a damaged record ("<file>: dropping N bytes; Corruption: ..."): RocksDB's status
// says what is wrong but not in which file, and the operator needs both.
class CorruptionRecordingLogger : public rocksdb::Logger {
 public:
  explicit CorruptionRecordingLogger(std::shared_ptr<rocksdb::Logger> target)
      : rocksdb::Logger(target->GetInfoLogLevel()), target_(std::move(target)) {}

  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level >= rocksdb::InfoLogLevel::WARN_LEVEL) {
      va_list copy;
      va_copy(copy, ap);
      char line[1024];
      vsnprintf(line, sizeof(line), format, copy);
      va_end(copy);
      if (absl::StrContains(line, ": dropping ")) {
        absl::MutexLock l(&mu_);
        if (dropped_.size() < 8) dropped_.emplace_back(line);
      }
    }
    target_->Logv(level, format, ap);
  }
  void LogHeader(const char* format, va_list ap) override { target_->LogHeader(format, ap); }
  size_t GetLogFileSize() const override { return target_->GetLogFileSize(); }
  void Flush() override { target_->Flush(); }
  void SetInfoLogLevel(const rocksdb::InfoLogLevel level) override {
    rocksdb::Logger::SetInfoLogLevel(level);
    target_->SetInfoLogLevel(level);
  }

  std::vector<std::string> dropped() const {
    absl::MutexLock l(&mu_);
    return dropped_;
  }

 protected:
  rocksdb::Status CloseImpl() override { return target_->Close(); }

 private:
  std::shared_ptr<rocksdb::Logger> target_;
  mutable absl::Mutex mu_;
  std::vector<std::string> dropped_ ABSL_GUARDED_BY(mu_);
};

// The write-ahead log files of a store directory ("000012.log"), for messages.
std::vector<std::string> WalFiles(const std::string& path) {
  std::vector<std::string> children, wals;
  if (!rocksdb::Env::Default()->GetChildren(path, &children).ok()) return wals;
  for (const std::string& c : children) {
    if (absl::EndsWith(c, ".log")) wals.push_back(absl::StrCat(path, "/", c));
  }
  std::sort(wals.begin(), wals.end());
  return wals;
}

}  // namespace

namespace {

// Backups are read through a read-only engine: listing, verifying and restoring never change
// the backup directory (and may run beside a node that writes new backups into it).
absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenBackupsReadOnly(
    const std::string& backup_dir) {
  struct stat st;
  if (stat(backup_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::NotFoundError(absl::StrCat("no backup directory at ", backup_dir));
  }
  rocksdb::BackupEngineReadOnly* engine = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngineReadOnly::Open(
      rocksdb::BackupEngineOptions(backup_dir), rocksdb::Env::Default(), &engine);
  if (!s.ok()) return FromRocks(s, absl::StrCat("open backups at ", backup_dir));
  return absl::WrapUnique(engine);
}

BackupInfo ToBackupInfo(const rocksdb::BackupInfo& b) {
  BackupInfo info;
  info.id = b.backup_id;
  info.unix_seconds = b.timestamp;
  info.bytes = b.size;
  info.files = b.number_files;
  info.metadata = b.app_metadata;
  return info;
}

}  // namespace

absl::StatusOr<std::vector<BackupInfo>> ListBackups(const std::string& backup_dir) {
  auto engine = OpenBackupsReadOnly(backup_dir);
  if (!engine.ok()) {
    if (engine.status().code() == absl::StatusCode::kNotFound) return std::vector<BackupInfo>();
    return engine.status();
  }
  std::vector<rocksdb::BackupInfo> infos;
  (*engine)->GetBackupInfo(&infos);
  std::vector<BackupInfo> out;
  for (const auto& b : infos) out.push_back(ToBackupInfo(b));
  std::sort(out.begin(), out.end(),
            [](const BackupInfo& a, const BackupInfo& b) { return a.id < b.id; });
  return out;
}

absl::Status VerifyBackup(const std::string& backup_dir, uint32_t id) {
  ENLACE_ASSIGN_OR_RETURN(auto engine, OpenBackupsReadOnly(backup_dir));
  rocksdb::BackupInfo info;
  if (!engine->GetBackupInfo(id, &info).ok()) {
    return absl::NotFoundError(absl::StrCat("no backup ", id, " in ", backup_dir));
  }
  rocksdb::IOStatus s = engine->VerifyBackup(id, /*verify_with_checksum=*/true);
  if (s.ok()) return absl::OkStatus();
  // A missing file, a wrong size or a checksum mismatch: the backup cannot be trusted.
  return absl::DataLossError(
      absl::StrCat("backup ", id, " in ", backup_dir, " is damaged: ", s.ToString()));
}

absl::Status RestoreBackup(const std::string& backup_dir, uint32_t id,
                           const std::string& db_dir) {
  if (DIR* dir = opendir(db_dir.c_str()); dir != nullptr) {
    bool empty = true;
    while (dirent* e = readdir(dir)) {
      if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = false;
    }
    closedir(dir);
    if (!empty) {
      return absl::FailedPreconditionError(absl::StrCat(
          db_dir, " is not empty: a restore writes only into a new or empty directory"));
    }
  }
  ENLACE_RETURN_IF_ERROR(VerifyBackup(backup_dir, id));
  ENLACE_ASSIGN_OR_RETURN(auto engine, OpenBackupsReadOnly(backup_dir));
  ENLACE_RETURN_IF_ERROR(MakeOwnerOnly(db_dir));
  rocksdb::IOStatus s = engine->RestoreDBFromBackup(id, db_dir, db_dir);
  return FromRocks(s, absl::StrCat("restore backup ", id, " into ", db_dir));
}


namespace {

class RocksIterator : public IteratorImpl {
 public:
  RocksIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle, absl::string_view lower,
                absl::string_view upper)
      : lower_(lower), upper_(upper), lower_slice_(lower_), upper_slice_(upper_) {
    rocksdb::ReadOptions ro;
    // RocksDB keeps pointers to the bounds: they live here, beside the iterator.
    ro.iterate_lower_bound = &lower_slice_;
    if (!upper_.empty()) ro.iterate_upper_bound = &upper_slice_;
    it_.reset(db->NewIterator(ro, handle));
    it_->Seek(lower_slice_);
  }
  bool Valid() const override { return it_->Valid(); }
  absl::string_view key() const override {
    rocksdb::Slice k = it_->key();
    return absl::string_view(k.data(), k.size());
  }
  absl::string_view value() const override {
    rocksdb::Slice v = it_->value();
    return absl::string_view(v.data(), v.size());
  }
  void Next() override { it_->Next(); }
  absl::Status status() const override { return FromRocks(it_->status(), "iterate"); }

 private:
  const std::string lower_;
  const std::string upper_;
  const rocksdb::Slice lower_slice_;
  const rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

class RocksDbBackend : public Backend {
 public:
  static absl::StatusOr<std::unique_ptr<Backend>> Open(const StoreOptions& options,
                                                       const std::vector<FamilySpec>& families);
  ~RocksDbBackend() override { Close().IgnoreError(); }

  bool closed() const override { return db_ == nullptr; }
  absl::StatusOr<std::optional<std::string>> Get(const ColumnFamily& cf,
                                                 absl::string_view key) const override;
  std::unique_ptr<IteratorImpl> Scan(const ColumnFamily& cf, absl::string_view lower,
                                     absl::string_view upper) const override;
  absl::StatusOr<std::optional<std::pair<std::string, std::string>>> Last(
      const ColumnFamily& cf) const override;
  absl::Status Commit(const WriteBatch& batch) override;
  absl::Status Close() override;
  absl::Status SetCommitPrecondition(std::string, std::vector<std::string>) override {
    return absl::FailedPreconditionError(
        "a commit precondition needs the PostgreSQL store (StoreOptions.postgres_conninfo); "
        "the RocksDB store is embedded in one process and has no lease to fence");
  }
  absl::Status Purge(const ColumnFamily& cf) override;
  absl::StatusOr<BackupInfo> CreateBackup(const std::string& backup_dir,
                                          absl::string_view metadata, int keep) override;
  uint64_t ApproximateSize(const ColumnFamily& cf) const override;
  absl::StatusOr<Store::Stats> GetStats(
      const std::vector<const ColumnFamily*>& families) const override;

 private:
  rocksdb::ColumnFamilyHandle* handle(const ColumnFamily& cf) const { return handles_[cf.id()]; }
  bool sync_ = true;
  // BackupEngine allows one writer per backup directory.
  absl::Mutex backup_mu_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace

absl::StatusOr<BackupInfo> RocksDbBackend::CreateBackup(const std::string& backup_dir,
                                                        absl::string_view metadata, int keep) {
  absl::MutexLock lock(&backup_mu_);
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  if (keep < 0) return absl::InvalidArgumentError("keep must be >= 0");
  ENLACE_RETURN_IF_ERROR(MakeOwnerOnly(backup_dir));
  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngine::Open(rocksdb::BackupEngineOptions(backup_dir),
                                                    rocksdb::Env::Default(), &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("open backups at ", backup_dir));
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  rocksdb::CreateBackupOptions options;
  // Flushed first, so the backup holds SST files plus at most a short WAL tail; the live WAL
  // is copied too, which keeps column families consistent with each other (no atomic flush).
  options.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  s = engine->CreateNewBackupWithMetadata(options, db_.get(), std::string(metadata), &id);
  if (!s.ok()) return FromRocks(s, absl::StrCat("backup into ", backup_dir));
  if (keep > 0) {
    s = engine->PurgeOldBackups(static_cast<uint32_t>(keep));
    if (!s.ok()) return FromRocks(s, absl::StrCat("purge old backups in ", backup_dir));
  }
  rocksdb::BackupInfo info;
  rocksdb::Status is = engine->GetBackupInfo(id, &info);
  if (!is.ok()) return FromRocks(is, "backup info");
  return ToBackupInfo(info);
}


absl::StatusOr<std::unique_ptr<Backend>> RocksDbBackend::Open(
    const StoreOptions& options, const std::vector<FamilySpec>& families) {
  ENLACE_RETURN_IF_ERROR(MakeOwnerOnly(options.path));
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  // Concurrent writers share one WAL sync (group commit); pipelining overlaps WAL and memtable.
  db_options.enable_pipelined_write = true;
  // Corruption is loud (DESIGN.md invariant 10). RocksDB's default, kPointInTimeRecovery,
  // stops WAL replay at the first bad record and opens anyway: one flipped byte in the middle
  // of the WAL silently loses every later (acknowledged, synced) write. kAbsoluteConsistency
  // refuses any incomplete record, including the torn tail that kill -9 or a power loss can
  // leave after the last synced group commit, which must open. kTolerateCorruptedTailRecords
  // is exactly that: an incomplete last record (or zeroed preallocated tail) is dropped, any
  // other damage (checksum mismatch, bad length before the end) fails the open with Corruption.
  // With synced group commits the dropped tail was never acknowledged.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // Report WAL and file damage as errors instead of skipping it (the default, kept explicit:
  // with paranoid_checks off the recovery would ignore WAL corruption in every mode).
  db_options.paranoid_checks = true;
  std::shared_ptr<CorruptionRecordingLogger> recorder;
  {
    std::shared_ptr<rocksdb::Logger> file_logger;
    if (rocksdb::CreateLoggerFromOptions(options.path, db_options, &file_logger).ok()) {
      recorder = std::make_shared<CorruptionRecordingLogger>(std::move(file_logger));
      db_options.info_log = recorder;
    }
  }

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_options.write_buffer_size = 16 << 20;
  cf_options.compression = rocksdb::kNoCompression;
  rocksdb::ColumnFamilyOptions counter_options = cf_options;
  counter_options.merge_operator = std::make_shared<Int64AddOperator>();

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const FamilySpec& f : families) {
    descriptors.emplace_back(f.name, f.counters ? counter_options : cf_options);
  }

  auto store = std::make_unique<RocksDbBackend>();
  store->sync_ = options.sync;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.path, descriptors,
                                        &store->handles_, &db);
  if (s.IsCorruption()) {
    std::vector<std::string> where = recorder ? recorder->dropped() : std::vector<std::string>();
    if (where.empty()) {
      const std::vector<std::string> wals = WalFiles(options.path);
      if (!wals.empty()) {
        where.push_back(absl::StrCat("write-ahead log files: ", absl::StrJoin(wals, ", ")));
      }
    }
    return absl::DataLossError(absl::StrCat(
        "store at ", options.path, " is corrupt: ", s.ToString(),
        where.empty() ? "" : absl::StrCat(" (", absl::StrJoin(where, "; "), ")"), ". ",
        CorruptionAdvice(options.path)));
  }
  if (!s.ok()) return FromRocks(s, absl::StrCat("open store at ", options.path));
  store->db_.reset(db);
  return std::unique_ptr<Backend>(std::move(store));
}

absl::Status RocksDbBackend::Close() {
  if (db_ == nullptr) return absl::OkStatus();
  // Flush memtables so a cleanly closed store needs no WAL replay (and read-only tools see
  // everything in SST files).
  rocksdb::FlushOptions fo;
  fo.wait = true;
  rocksdb::Status s = db_->Flush(fo, handles_);
  if (s.ok()) s = db_->FlushWAL(true);
  for (auto* h : handles_) {
    rocksdb::Status ds = db_->DestroyColumnFamilyHandle(h);
    if (s.ok()) s = ds;
  }
  handles_.clear();
  rocksdb::Status cs = db_->Close();
  if (s.ok()) s = cs;
  db_.reset();
  return FromRocks(s, "close store");
}

absl::StatusOr<std::optional<std::string>> RocksDbBackend::Get(const ColumnFamily& cf,
                                                               absl::string_view key) const {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), handle(cf), rocksdb::Slice(key.data(), key.size()),
               &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "get");
  return std::optional<std::string>(std::move(value));
}

std::unique_ptr<IteratorImpl> RocksDbBackend::Scan(const ColumnFamily& cf,
                                                   absl::string_view lower,
                                                   absl::string_view upper) const {
  if (db_ == nullptr) return ErrorIterator(absl::FailedPreconditionError("store is closed"));
  return std::make_unique<RocksIterator>(db_.get(), handle(cf), lower, upper);
}

absl::Status RocksDbBackend::Commit(const WriteBatch& batch) {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  rocksdb::WriteBatch rb;
  for (const WriteBatch::Op& op : batch.ops()) {
    rocksdb::Slice key(op.key);
    switch (op.type) {
      case WriteBatch::OpType::kPut:
        rb.Put(handle(*op.cf), key, op.value);
        break;
      case WriteBatch::OpType::kDelete:
        rb.Delete(handle(*op.cf), key);
        break;
      case WriteBatch::OpType::kAdd:
        rb.Merge(handle(*op.cf), key, op.value);
        break;
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  return FromRocks(db_->Write(wo, &rb), "commit");
}

absl::StatusOr<std::optional<std::pair<std::string, std::string>>> RocksDbBackend::Last(
    const ColumnFamily& cf) const {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handle(cf)));
  it->SeekToLast();
  if (!it->Valid()) {
    if (!it->status().ok()) return FromRocks(it->status(), "seek to last");
    return std::optional<std::pair<std::string, std::string>>();
  }
  return std::optional<std::pair<std::string, std::string>>(
      std::make_pair(it->key().ToString(), it->value().ToString()));
}

absl::Status RocksDbBackend::Purge(const ColumnFamily& cf) {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  rocksdb::FlushOptions fo;
  fo.wait = true;
  rocksdb::Status s = db_->Flush(fo, handles_);
  if (!s.ok()) return FromRocks(s, "flush");
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  s = db_->CompactRange(co, handle(cf), nullptr, nullptr);
  if (!s.ok()) return FromRocks(s, "compact");
  return absl::OkStatus();
}

uint64_t RocksDbBackend::ApproximateSize(const ColumnFamily& cf) const {
  uint64_t size = 0;
  if (db_ == nullptr) return 0;
  db_->GetIntProperty(handle(cf), "rocksdb.estimate-live-data-size", &size);
  return size;
}

absl::StatusOr<Store::Stats> RocksDbBackend::GetStats(
    const std::vector<const ColumnFamily*>& families) const {
  if (db_ == nullptr) return absl::FailedPreconditionError("store closed");
  Store::Stats stats;
  rocksdb::VectorLogPtr wals;
  if (db_->GetSortedWalFiles(wals).ok()) {
    for (const auto& w : wals) {
      if (w->Type() == rocksdb::kAliveLogFile) stats.wal_bytes += w->SizeFileBytes();
    }
  }
  uint64_t v = 0;
  if (db_->GetIntProperty(rocksdb::DB::Properties::kIsWriteStopped, &v)) {
    stats.write_stopped = v != 0;
  }
  if (db_->GetIntProperty(rocksdb::DB::Properties::kActualDelayedWriteRate, &v)) {
    stats.delayed_write_rate = v;
  }
  for (const ColumnFamily* cf : families) {
    Store::Stats::Family f;
    f.name = cf->name();
    db_->GetIntProperty(handle(*cf), rocksdb::DB::Properties::kTotalSstFilesSize, &f.sst_bytes);
    db_->GetIntProperty(handle(*cf), rocksdb::DB::Properties::kCurSizeAllMemTables,
                        &f.memtable_bytes);
    db_->GetIntProperty(handle(*cf), rocksdb::DB::Properties::kEstimatePendingCompactionBytes,
                        &f.pending_compaction_bytes);
    std::map<std::string, std::string> cfstats;
    if (db_->GetMapProperty(handle(*cf), rocksdb::DB::Properties::kCFStats, &cfstats)) {
      uint64_t n = 0;
      if (auto it = cfstats.find("io_stalls.total_slowdown");
          it != cfstats.end() && absl::SimpleAtoi(it->second, &n)) {
        f.stalls_slowdown = n;
      }
      if (auto it = cfstats.find("io_stalls.total_stop");
          it != cfstats.end() && absl::SimpleAtoi(it->second, &n)) {
        f.stalls_stop = n;
      }
    }
    stats.families.push_back(std::move(f));
  }
  return stats;
}

absl::StatusOr<std::unique_ptr<Backend>> OpenRocksDbBackend(
    const StoreOptions& options, const std::vector<FamilySpec>& families) {
  return RocksDbBackend::Open(options, families);
}

}  // namespace enlace::storage
