#include "common/pagetoken/node_secret.h"

#include <openssl/rand.h>

#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/macros.h"

namespace enlace {
namespace {

constexpr char kMetaCf[] = "meta";
constexpr size_t kSecretBytes = 32;

absl::StatusOr<std::string> RandomSecret() {
  std::string key(kSecretBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), kSecretBytes) != 1) {
    return absl::InternalError("no randomness for a page-token secret");
  }
  return key;
}

}  // namespace

absl::StatusOr<std::string> LoadOrCreateNodeSecret(storage::Store* store, absl::string_view key) {
  const storage::ColumnFamily* meta = store->cf(kMetaCf);
  auto stored = store->Get(meta, key);
  if (!stored.ok()) return stored.status();
  if (stored->has_value() && (*stored)->size() >= kSecretBytes) return **stored;
  auto secret = RandomSecret();
  if (!secret.ok()) return secret.status();
  storage::WriteBatch batch;
  batch.Put(meta, key, *secret);
  ENLACE_RETURN_IF_ERROR(store->Commit(batch));
  return secret;
}

std::string NodeSecretOrEphemeral(storage::Store* store, absl::string_view key) {
  auto secret = LoadOrCreateNodeSecret(store, key);
  if (secret.ok()) return *std::move(secret);
  log::Warning("enlace", "page_token_secret_not_kept",
               absl::StrCat("page-token secret ", key, " not kept (", secret.status().ToString(),
                            "); page tokens of this run will not survive a restart"));
  auto ephemeral = RandomSecret();
  if (!ephemeral.ok()) {
    log::Error("enlace", "page_token_secret_failed", ephemeral.status().ToString());
    std::abort();
  }
  return *std::move(ephemeral);
}

}  // namespace enlace
