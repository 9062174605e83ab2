#include "common/crypto/key_vault.h"

#include "common/status/macros.h"
#include "common/testing/sync_point.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/crypto/aead.h"

namespace enlace::crypto {
namespace {

constexpr char kIndexKeyOwner[] = "index-key";
constexpr size_t kMaxCache = 100000;

absl::StatusOr<MasterKeys> ParseKeys(absl::string_view text, absl::string_view origin) {
  MasterKeys keys;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(line, ':');
    int version = 0;
    std::string key;
    if (!absl::SimpleAtoi(kv.first, &version) || version <= 0 ||
        !absl::Base64Unescape(kv.second, &key) || key.size() != kKeyBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          origin, ": each master key is VERSION:BASE64 of 32 bytes"));
    }
    keys.keys[version] = key;
  }
  if (keys.keys.empty()) return absl::InvalidArgumentError(absl::StrCat(origin, ": no master key"));
  return keys;
}

// Stored as: 4-byte big-endian master-key version, then the sealed key.
std::string Encode(int version, absl::string_view sealed) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((version >> (24 - 8 * i)) & 0xff);
  out.append(sealed.data(), sealed.size());
  return out;
}

int VersionOf(absl::string_view stored) {
  if (stored.size() < 4) return 0;
  int v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(stored[i]);
  return v;
}

}  // namespace

absl::StatusOr<MasterKeys> LoadMasterKeys(const std::string& path) {
  if (path.empty()) {
    const char* env = getenv("ENLACE_MASTER_KEY");
    if (env == nullptr) {
      return absl::FailedPreconditionError(
          "no master key: set security.master_key_file or ENLACE_MASTER_KEY");
    }
    // Several keys in the variable are separated by commas.
    return ParseKeys(absl::StrReplaceAll(env, {{",", "\n"}}), "ENLACE_MASTER_KEY");
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  if ((st.st_mode & 077) != 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        path, " is readable by group or others; chmod 600 it (it protects every person)"));
  }
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ParseKeys(text, path);
}

absl::StatusOr<std::string> NewMasterKeyFile() {
  auto key = RandomBytes(kKeyBytes);
  if (!key.ok()) return key.status();
  return absl::StrCat("# Enlace master key: VERSION:BASE64. Keep 0600, back up apart from data.\n",
                      "1:", absl::Base64Escape(*key), "\n");
}

absl::StatusOr<std::unique_ptr<KeyVault>> KeyVault::Open(const std::string& dir,
                                                         MasterKeys keys) {
  if (keys.keys.empty()) return absl::InvalidArgumentError("no master key");
  auto v = absl::WrapUnique(new KeyVault());
  storage::StoreOptions o;
  o.path = dir;
  o.column_families = {"keys"};
  o.block_cache_bytes = 8 << 20;
  auto store = storage::Store::Open(o);
  if (!store.ok()) return store.status();
  v->store_ = *std::move(store);
  v->keys_cf_ = v->store_->cf("keys");
  {
    absl::MutexLock l(&v->mu_);
    v->master_ = std::move(keys);
  }
  auto existing = v->store_->Get(v->keys_cf_, kIndexKeyOwner);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    absl::ReaderMutexLock l(&v->mu_);
    auto key = v->Unwrap(kIndexKeyOwner, **existing);
    if (!key.ok()) return key.status();
    v->index_key_ = *key;
  } else {
    auto key = v->CreateDataKey(kIndexKeyOwner);
    if (!key.ok()) return key.status();
    v->index_key_ = *key;
  }
  return v;
}

absl::StatusOr<std::string> KeyVault::Wrap(const std::string& owner, absl::string_view key) const {
  const int version = master_.current();
  auto sealed = Seal(master_.keys.at(version), key, absl::StrCat("dek:", owner));
  if (!sealed.ok()) return sealed.status();
  return Encode(version, *sealed);
}

absl::StatusOr<std::string> KeyVault::Unwrap(const std::string& owner,
                                             absl::string_view stored) const {
  const int version = VersionOf(stored);
  auto it = master_.keys.find(version);
  if (it == master_.keys.end()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data key of ", owner, " is wrapped with master key version ", version,
        ", which is not loaded"));
  }
  return crypto::Open(it->second, stored.substr(4), absl::StrCat("dek:", owner));
}

absl::StatusOr<std::string> KeyVault::CreateDataKey(const std::string& owner) {
  auto key = RandomBytes(kKeyBytes);
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> wrapped;
  {
    absl::ReaderMutexLock l(&mu_);
    wrapped = Wrap(owner, *key);
  }
  if (!wrapped.ok()) return wrapped.status();
  storage::WriteBatch b;
  b.Put(keys_cf_, owner, *wrapped);
  ENLACE_RETURN_IF_ERROR(store_->Commit(b));
  absl::MutexLock l(&mu_);
  if (cache_.size() > kMaxCache) cache_.clear();
  cache_[owner] = *key;
  return key;
}

absl::StatusOr<std::string> KeyVault::DataKey(const std::string& owner) {
  uint64_t destroys_before;
  {
    absl::ReaderMutexLock l(&mu_);
    auto it = cache_.find(owner);
    if (it != cache_.end()) return it->second;
    destroys_before = destroys_;
  }
  auto stored = store_->Get(keys_cf_, owner);
  ENLACE_TEST_SYNC_POINT("KeyVault::DataKey:AfterStoreRead");
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    return absl::NotFoundError(absl::StrCat("no data key for ", owner, " (erased)"));
  }
  absl::StatusOr<std::string> key;
  {
    absl::ReaderMutexLock l(&mu_);
    key = Unwrap(owner, **stored);
  }
  if (!key.ok()) return key.status();
  absl::MutexLock l(&mu_);
  // A key destroyed since the read above must not come back to life in the cache: the
  // caller gets what it read (before the destruction), later readers find nothing.
  if (destroys_ != destroys_before) return key;
  if (cache_.size() > kMaxCache) cache_.clear();
  cache_[owner] = *key;
  return key;
}

bool KeyVault::HasDataKey(const std::string& owner) {
  auto stored = store_->Get(keys_cf_, owner);
  return stored.ok() && stored->has_value();
}

absl::Status KeyVault::DestroyDataKey(const std::string& owner) {
  // Store first, cache second: a reader that found the key in the store before the delete
  // sees destroys_ changed and does not cache it (DataKey).
  storage::WriteBatch b;
  b.Delete(keys_cf_, owner);
  absl::Status deleted = store_->Commit(b);
  {
    absl::MutexLock l(&mu_);
    ++destroys_;
    cache_.erase(owner);
  }
  if (!deleted.ok()) return deleted;
  return store_->Purge(keys_cf_);
}

absl::Status KeyVault::Rotate(MasterKeys keys) {
  if (keys.keys.empty()) return absl::InvalidArgumentError("no master key");
  MasterKeys old;
  {
    absl::MutexLock l(&mu_);
    old = master_;
    // Unwrapping needs old and new versions until every key is re-wrapped.
    for (const auto& [v, k] : keys.keys) master_.keys[v] = k;
  }
  std::vector<std::pair<std::string, std::string>> rewrapped;
  for (auto it = store_->ScanPrefix(keys_cf_, ""); it->Valid(); it->Next()) {
    const std::string owner(it->key());
    absl::ReaderMutexLock l(&mu_);
    if (VersionOf(it->value()) == master_.current()) continue;
    auto key = Unwrap(owner, it->value());
    if (!key.ok()) return key.status();
    auto wrapped = Wrap(owner, *key);
    if (!wrapped.ok()) return wrapped.status();
    rewrapped.emplace_back(owner, *wrapped);
    if (rewrapped.size() >= 1000) {
      storage::WriteBatch b;
      for (auto& [o, w] : rewrapped) b.Put(keys_cf_, o, w);
      ENLACE_RETURN_IF_ERROR(store_->Commit(b));
      rewrapped.clear();
    }
  }
  storage::WriteBatch b;
  for (auto& [o, w] : rewrapped) b.Put(keys_cf_, o, w);
  ENLACE_RETURN_IF_ERROR(store_->Commit(b));
  {
    absl::MutexLock l(&mu_);
    master_ = std::move(keys);
  }
  // Keys wrapped with the old version must not linger in the vault's files either.
  return store_->Purge(keys_cf_);
}

int KeyVault::current_version() const {
  absl::ReaderMutexLock l(&mu_);
  return master_.current();
}

int KeyVault::wrapped_with_current() const {
  absl::ReaderMutexLock l(&mu_);
  int n = 0;
  for (auto it = store_->ScanPrefix(keys_cf_, ""); it->Valid(); it->Next()) {
    n += VersionOf(it->value()) == master_.current();
  }
  return n;
}

absl::StatusOr<storage::BackupInfo> KeyVault::CreateBackup(const std::string& backup_dir,
                                                           absl::string_view metadata, int keep) {
  return store_->CreateBackup(backup_dir, metadata, keep);
}

}  // namespace enlace::crypto
