#ifndef ENLACE_COMMON_PAGETOKEN_NODE_SECRET_H_
#define ENLACE_COMMON_PAGETOKEN_NODE_SECRET_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/storage/store.h"

namespace enlace {

// A node's page-token secret for one module: 32 random bytes, made the first time and kept in
// the store's "meta" column family under `key`. Tokens therefore survive a restart of the same
// node, while another node (or a fresh data directory) has its own secret and refuses them.
// The store must declare the "meta" column family (every store with a Committer does).
absl::StatusOr<std::string> LoadOrCreateNodeSecret(storage::Store* store, absl::string_view key);

// For constructors that cannot fail: as above, but when the store cannot be read or written a
// fresh random secret is used for this run only (tokens then do not survive a restart, which
// is safe; a constant would let anyone forge them). Dies only when there is no randomness.
std::string NodeSecretOrEphemeral(storage::Store* store, absl::string_view key);

}  // namespace enlace

#endif  // ENLACE_COMMON_PAGETOKEN_NODE_SECRET_H_
