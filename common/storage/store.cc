#include "common/storage/store.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/memory/memory.h"
#include "absl/strings/str_cat.h"
#include "common/status/macros.h"
#include "common/storage/backend.h"

namespace enlace::storage {

std::string EncodeInt64(int64_t v) {
  std::string out;
  AppendBigEndian64(&out, static_cast<uint64_t>(v));
  return out;
}

int64_t DecodeInt64(absl::string_view s) {
  if (s.size() != 8) return 0;
  return static_cast<int64_t>(ReadBigEndian64(s));
}

namespace {

class FailedIterator : public IteratorImpl {
 public:
  explicit FailedIterator(absl::Status status) : status_(std::move(status)) {}
  bool Valid() const override { return false; }
  absl::string_view key() const override { return {}; }
  absl::string_view value() const override { return {}; }
  void Next() override {}
  absl::Status status() const override { return status_; }

 private:
  absl::Status status_;
};

}  // namespace

std::unique_ptr<IteratorImpl> ErrorIterator(absl::Status status) {
  return std::make_unique<FailedIterator>(std::move(status));
}

std::string CorruptionAdvice(absl::string_view path) {
  return absl::StrCat(
      "The store at ", path, " is damaged beyond a torn tail (a crash only ever leaves the last, "
      "unacknowledged record incomplete), so opening it would silently drop acknowledged writes "
      "and the audit records after the damage. The node refuses to start. Do not delete or edit "
      "the files. Stop, keep a copy of the directory for investigation, restore data_dir from "
      "the latest backup and follow docs/operations.md, section \"Corruption and restore\"; "
      "then run enlace-node --verify_audit.");
}

void AppendBigEndian64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 8);
}

uint64_t ReadBigEndian64(absl::string_view in) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < in.size(); ++i) {
    v = (v << 8) | static_cast<uint8_t>(in[i]);
  }
  return v;
}

std::string PrefixSuccessor(absl::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    unsigned char c = static_cast<unsigned char>(s.back());
    if (c != 0xff) {
      s.back() = static_cast<char>(c + 1);
      return s;
    }
    s.pop_back();
  }
  return s;
}

void WriteBatch::Put(const ColumnFamily* cf, absl::string_view key, absl::string_view value) {
  ops_.push_back({OpType::kPut, cf, std::string(key), std::string(value)});
}

void WriteBatch::Delete(const ColumnFamily* cf, absl::string_view key) {
  ops_.push_back({OpType::kDelete, cf, std::string(key), std::string()});
}

void WriteBatch::AddToCounter(const ColumnFamily* cf, absl::string_view key, int64_t delta) {
  ops_.push_back({OpType::kAdd, cf, std::string(key), EncodeInt64(delta)});
}

void WriteBatch::Append(const WriteBatch& other) {
  ops_.insert(ops_.end(), other.ops_.begin(), other.ops_.end());
}

const WriteBatch::Op* WriteBatch::LastWrite(const ColumnFamily* cf, absl::string_view key) const {
  for (; indexed_ < ops_.size(); ++indexed_) {
    const Op& op = ops_[indexed_];
    if (op.type != OpType::kAdd) last_write_[{op.cf, op.key}] = indexed_;
  }
  auto it = last_write_.find(std::make_pair(cf, std::string(key)));
  return it == last_write_.end() ? nullptr : &ops_[it->second];
}

namespace {
// The overlays of this thread, innermost last.
thread_local std::vector<const WriteBatch*>* overlays = nullptr;
}  // namespace

ScopedReadOverlay::ScopedReadOverlay(const WriteBatch* batch) {
  if (overlays == nullptr) overlays = new std::vector<const WriteBatch*>();
  overlays->push_back(batch);
}

ScopedReadOverlay::~ScopedReadOverlay() { overlays->pop_back(); }


Iterator::Iterator(std::unique_ptr<IteratorImpl> impl) : impl_(std::move(impl)) {}
Iterator::~Iterator() = default;
bool Iterator::Valid() const { return impl_->Valid(); }
absl::string_view Iterator::key() const { return impl_->key(); }
absl::string_view Iterator::value() const { return impl_->value(); }
void Iterator::Next() { impl_->Next(); }
absl::Status Iterator::status() const { return impl_->status(); }

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::vector<FamilySpec> specs;
  specs.push_back({"default", false});
  for (const auto& name : options.column_families) specs.push_back({name, false});
  for (const auto& name : options.counter_families) specs.push_back({name, true});
  auto store = absl::WrapUnique(new Store());
  for (size_t i = 0; i < specs.size(); ++i) {
    auto family = absl::WrapUnique(
        new ColumnFamily(store.get(), specs[i].name, static_cast<int>(i), specs[i].counters));
    store->ordered_.push_back(family.get());
    if (!store->families_.emplace(specs[i].name, std::move(family)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("column family ", specs[i].name, " declared twice"));
    }
  }
  if (options.postgres_conninfo.empty()) {
    store->engine_ = Engine::kRocksDb;
    ENLACE_ASSIGN_OR_RETURN(store->backend_, OpenRocksDbBackend(options, specs));
  } else {
    store->engine_ = Engine::kPostgres;
    // The node keeps its other files (federation roots, defaults of the vault) beside the
    // store's directory, whichever the engine: it exists, owner-only, as with RocksDB.
    if (!options.path.empty() && mkdir(options.path.c_str(), 0700) != 0 && errno != EEXIST) {
      return absl::ErrnoToStatus(errno, absl::StrCat("creating ", options.path));
    }
    ENLACE_ASSIGN_OR_RETURN(store->backend_, OpenPostgresBackend(options, specs));
  }
  return store;
}

Store::~Store() {
  if (backend_ != nullptr) backend_->Close().IgnoreError();
}

absl::Status Store::Close() { return backend_->Close(); }

const ColumnFamily* Store::cf(absl::string_view name) const {
  auto it = families_.find(name);
  if (it == families_.end()) {
    fprintf(stderr, "unknown column family %.*s\n", static_cast<int>(name.size()), name.data());
    abort();
  }
  return it->second.get();
}

absl::StatusOr<std::optional<std::string>> Store::Get(const ColumnFamily* cf,
                                                      absl::string_view key) const {
  if (backend_->closed()) return absl::FailedPreconditionError("store is closed");
  if (overlays != nullptr) {
    for (auto it = overlays->rbegin(); it != overlays->rend(); ++it) {
      if (const WriteBatch::Op* op = (*it)->LastWrite(cf, key)) {
        if (op->type == WriteBatch::OpType::kDelete) return std::optional<std::string>();
        return std::optional<std::string>(op->value);
      }
    }
  }
  return backend_->Get(*cf, key);
}

absl::StatusOr<int64_t> Store::GetCounter(const ColumnFamily* cf, absl::string_view key) const {
  auto v = Get(cf, key);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return 0;
  return DecodeInt64(**v);
}

std::unique_ptr<Iterator> Store::Scan(const ColumnFamily* cf, absl::string_view lower,
                                      absl::string_view upper) const {
  return std::make_unique<Iterator>(backend_->Scan(*cf, lower, upper));
}

std::unique_ptr<Iterator> Store::ScanPrefix(const ColumnFamily* cf,
                                            absl::string_view prefix) const {
  return Scan(cf, prefix, PrefixSuccessor(prefix));
}

absl::StatusOr<std::optional<std::pair<std::string, std::string>>> Store::Last(
    const ColumnFamily* cf) const {
  return backend_->Last(*cf);
}

absl::Status Store::CheckBatch(const WriteBatch& batch) const {
  for (const WriteBatch::Op& op : batch.ops()) {
    if (op.cf == nullptr || op.cf->store() != this) {
      return absl::InvalidArgumentError(absl::StrCat(
          "batch names a column family ", op.cf == nullptr ? "(null)" : op.cf->name(),
          " that is not of this store: nothing written"));
    }
    if (op.type == WriteBatch::OpType::kAdd && !op.cf->counters()) {
      return absl::InvalidArgumentError(
          absl::StrCat("AddToCounter on ", op.cf->name(),
                       ", which is not a counter family: nothing written"));
    }
    if (op.type == WriteBatch::OpType::kPut && op.cf->counters() && op.value.size() != 8) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Put of a ", op.value.size(), "-byte value into counter family ", op.cf->name(),
          " (counters are 8 big-endian bytes): nothing written"));
    }
  }
  return absl::OkStatus();
}

absl::Status Store::Commit(const WriteBatch& batch) {
  if (backend_->closed()) return absl::FailedPreconditionError("store is closed");
  ENLACE_RETURN_IF_ERROR(CheckBatch(batch));
  return backend_->Commit(batch);
}

absl::Status Store::SetCommitPrecondition(std::string sql, std::vector<std::string> params) {
  return backend_->SetCommitPrecondition(std::move(sql), std::move(params));
}

absl::Status Store::Purge(const ColumnFamily* cf) { return backend_->Purge(*cf); }

absl::StatusOr<BackupInfo> Store::CreateBackup(const std::string& backup_dir,
                                               absl::string_view metadata, int keep) {
  return backend_->CreateBackup(backup_dir, metadata, keep);
}

uint64_t Store::ApproximateSize(const ColumnFamily* cf) const {
  return backend_->ApproximateSize(*cf);
}

absl::StatusOr<Store::Stats> Store::GetStats() const {
  std::vector<const ColumnFamily*> by_name;
  for (const auto& [name, cf] : families_) by_name.push_back(cf.get());
  return backend_->GetStats(by_name);
}

}  // namespace enlace::storage
