#include "common/storage/store.h"

#include <cstring>

#include "absl/memory/memory.h"

#include "absl/strings/str_cat.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace enlace::storage {
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

std::string EncodeInt64(int64_t v) {
  std::string out;
  AppendBigEndian64(&out, static_cast<uint64_t>(v));
  return out;
}

int64_t DecodeInt64(const rocksdb::Slice& s) {
  if (s.size() != 8) return 0;  // A malformed operand counts as zero rather than crashing.
  return static_cast<int64_t>(ReadBigEndian64(absl::string_view(s.data(), s.size())));
}

class Int64AddOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    int64_t base = existing == nullptr ? 0 : DecodeInt64(*existing);
    *new_value = EncodeInt64(base + DecodeInt64(value));
    return true;
  }
  const char* Name() const override { return "EnlaceInt64Add"; }
};

}  // namespace

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

Iterator::Iterator(std::unique_ptr<rocksdb::Iterator> it, std::string lower, std::string upper)
    : lower_(std::move(lower)), upper_(std::move(upper)), it_(std::move(it)) {}
Iterator::~Iterator() { it_.reset(); }
bool Iterator::Valid() const { return it_->Valid(); }
absl::string_view Iterator::key() const {
  rocksdb::Slice k = it_->key();
  return absl::string_view(k.data(), k.size());
}
absl::string_view Iterator::value() const {
  rocksdb::Slice v = it_->value();
  return absl::string_view(v.data(), v.size());
}
void Iterator::Next() { it_->Next(); }
absl::Status Iterator::status() const { return FromRocks(it_->status(), "iterate"); }

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  // Concurrent writers share one WAL sync (group commit); pipelining overlaps WAL and memtable.
  db_options.enable_pipelined_write = true;

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
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  for (const auto& name : options.column_families) descriptors.emplace_back(name, cf_options);
  for (const auto& name : options.counter_families) {
    descriptors.emplace_back(name, counter_options);
  }

  auto store = absl::WrapUnique(new Store());
  store->sync_ = options.sync;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.path, descriptors,
                                        &store->handles_, &db);
  if (!s.ok()) return FromRocks(s, absl::StrCat("open store at ", options.path));
  store->db_.reset(db);
  for (size_t i = 0; i < descriptors.size(); ++i) {
    store->families_.emplace(
        descriptors[i].name,
        absl::WrapUnique(new ColumnFamily(descriptors[i].name, store->handles_[i])));
  }
  return store;
}

Store::~Store() { Close().IgnoreError(); }

absl::Status Store::Close() {
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
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf->handle_, rocksdb::Slice(key.data(), key.size()),
               &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "get");
  return std::optional<std::string>(std::move(value));
}

absl::StatusOr<int64_t> Store::GetCounter(const ColumnFamily* cf, absl::string_view key) const {
  auto v = Get(cf, key);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return 0;
  return DecodeInt64(rocksdb::Slice(**v));
}

std::unique_ptr<Iterator> Store::Scan(const ColumnFamily* cf, absl::string_view lower,
                                      absl::string_view upper) const {
  auto it = absl::WrapUnique(new Iterator(nullptr, std::string(lower), std::string(upper)));
  it->lower_slice_ = std::make_unique<rocksdb::Slice>(it->lower_);
  it->upper_slice_ = std::make_unique<rocksdb::Slice>(it->upper_);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = it->lower_slice_.get();
  if (!it->upper_.empty()) ro.iterate_upper_bound = it->upper_slice_.get();
  it->it_.reset(db_->NewIterator(ro, cf->handle_));
  it->it_->Seek(*it->lower_slice_);
  return it;
}

std::unique_ptr<Iterator> Store::ScanPrefix(const ColumnFamily* cf,
                                            absl::string_view prefix) const {
  return Scan(cf, prefix, PrefixSuccessor(prefix));
}

absl::Status Store::Commit(const WriteBatch& batch) {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  rocksdb::WriteBatch rb;
  for (const WriteBatch::Op& op : batch.ops_) {
    rocksdb::Slice key(op.key);
    switch (op.type) {
      case WriteBatch::OpType::kPut:
        rb.Put(op.cf->handle_, key, op.value);
        break;
      case WriteBatch::OpType::kDelete:
        rb.Delete(op.cf->handle_, key);
        break;
      case WriteBatch::OpType::kAdd:
        rb.Merge(op.cf->handle_, key, op.value);
        break;
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  return FromRocks(db_->Write(wo, &rb), "commit");
}

absl::StatusOr<std::optional<std::pair<std::string, std::string>>> Store::Last(
    const ColumnFamily* cf) const {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf->handle_));
  it->SeekToLast();
  if (!it->Valid()) {
    if (!it->status().ok()) return FromRocks(it->status(), "seek to last");
    return std::optional<std::pair<std::string, std::string>>();
  }
  return std::optional<std::pair<std::string, std::string>>(
      std::make_pair(it->key().ToString(), it->value().ToString()));
}

absl::Status Store::Purge(const ColumnFamily* cf) {
  if (db_ == nullptr) return absl::FailedPreconditionError("store is closed");
  rocksdb::FlushOptions fo;
  fo.wait = true;
  rocksdb::Status s = db_->Flush(fo, handles_);
  if (!s.ok()) return FromRocks(s, "flush");
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  s = db_->CompactRange(co, cf->handle_, nullptr, nullptr);
  if (!s.ok()) return FromRocks(s, "compact");
  return absl::OkStatus();
}

uint64_t Store::ApproximateSize(const ColumnFamily* cf) const {
  uint64_t size = 0;
  db_->GetIntProperty(cf->handle_, "rocksdb.estimate-live-data-size", &size);
  return size;
}

}  // namespace enlace::storage
