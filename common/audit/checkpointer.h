#ifndef ENLACE_COMMON_AUDIT_CHECKPOINTER_H_
#define ENLACE_COMMON_AUDIT_CHECKPOINTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/crypto/signing.h"
#include "common/storage/store.h"
#include "common/txn/committer.h"

namespace enlace::audit {

struct CheckpointerOptions {
  // Actor of checkpoint records, e.g. "node/MX".
  std::string actor;
  // A checkpoint is written when records were appended and this long has passed since the
  // last one, or as soon as this many records were appended.
  absl::Duration interval = absl::Seconds(60);
  uint64_t every_records = 10000;
  // How often the background thread looks.
  absl::Duration poll = absl::Seconds(1);
  // When set, after each checkpoint the head it wrote (seq, hash, signature) replaces this
  // file (audit_head.h): it must be outside the data directory, e.g. in the key vault.
  std::string head_file;
};

// Writes audit checkpoints (see audit_log.h) through the committer: from a background thread
// on a schedule, and a last one at Stop() so a cleanly stopped node's log ends sealed.
class Checkpointer {
 public:
  // `signer` (the node's Ed25519 key) may be null: checkpoints are then unsigned. `committer`
  // and `signer` must outlive the checkpointer.
  static absl::StatusOr<std::unique_ptr<Checkpointer>> Create(const storage::Store* store,
                                                              txn::Committer* committer,
                                                              const crypto::Signer* signer,
                                                              CheckpointerOptions options);
  ~Checkpointer();

  // Starts the background thread.
  void Start();
  // Writes a checkpoint now if records were appended since the last one. Returns the seq of
  // the newest checkpoint (0 if none).
  absl::StatusOr<uint64_t> CheckpointIfNeeded();
  // Stops the thread, then writes a final checkpoint if needed. Idempotent.
  absl::Status Stop();

 private:
  Checkpointer(txn::Committer* committer, const crypto::Signer* signer, CheckpointerOptions options,
               uint64_t last)
      : committer_(committer), signer_(signer), options_(std::move(options)), last_(last) {}
  void Run();

  txn::Committer* const committer_;
  const crypto::Signer* const signer_;
  const CheckpointerOptions options_;

  // Serialises checkpoint writes (thread and Stop).
  absl::Mutex write_mu_;
  uint64_t last_ ABSL_GUARDED_BY(write_mu_);
  absl::Time last_time_ ABSL_GUARDED_BY(write_mu_) = absl::Now();

  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace enlace::audit

#endif  // ENLACE_COMMON_AUDIT_CHECKPOINTER_H_
