#ifndef ENLACE_COMMON_AUDIT_AUDIT_HEAD_H_
#define ENLACE_COMMON_AUDIT_AUDIT_HEAD_H_

// The last signed audit head, kept outside the data directory.
//
// The audit chain and its checkpoints live in the data directory, so whatever damages or rolls
// back that directory (a corrupt WAL recovered to a point in time, an old copy put back) takes
// the newest checkpoints with it and leaves a shorter log that still verifies. After each
// checkpoint the node therefore also writes the checkpoint's seq, hash and signature to a small
// file on another volume (the key vault directory); start-up and `--verify_audit` require the
// log to reach that head with that hash. A log that ends before it fails loudly, naming the
// missing records.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/crypto/signing.h"
#include "common/storage/store.h"
#include "common/txn/committer.h"

namespace enlace::audit {

struct AuditHead {
  uint64_t seq = 0;        // the checkpoint record's seq
  std::string hash;        // its hash (raw SHA-256)
  std::string prev_hash;   // the head it seals: record seq - 1's hash
  std::string signature;   // over CheckpointMessage(seq - 1, prev_hash); empty if unsigned
  std::string source;      // where it was read from (for messages; not stored)
};

// The head file in a key vault directory.
std::string AuditHeadPath(const std::string& keys_dir);

// Replaces the file atomically (temporary file, fsync, rename, fsync of the directory), 0600.
absl::Status WriteAuditHead(const std::string& path, const AuditHead& head);

// nullopt when there is no file (a node that never wrote a checkpoint); DATA_LOSS when it
// cannot be parsed.
absl::StatusOr<std::optional<AuditHead>> ReadAuditHead(const std::string& path);

// Problems of a log whose last record is `log_head_seq` and whose record head.seq has hash
// `hash_at_head` (empty if absent), against `head`; checks the head's own signature when
// `node_key` is set. Empty when the log reaches the head.
std::vector<std::string> CompareWithHead(const AuditHead& head, uint64_t log_head_seq,
                                         absl::string_view hash_at_head,
                                         const crypto::Verifier* node_key);

// Start-up check of a node's open store against the head file at `path` (missing file: OK).
// DATA_LOSS with what is missing and what to do when the log does not reach the head.
absl::Status CheckLogReachesHeadFile(const storage::Store* store, const txn::Committer& committer,
                                     const std::string& path);

}  // namespace enlace::audit

#endif  // ENLACE_COMMON_AUDIT_AUDIT_HEAD_H_
