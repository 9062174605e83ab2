#include "common/audit/checkpointer.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit_head.h"
#include "common/audit/audit_log.h"
#include "common/status/macros.h"

namespace enlace::audit {
namespace {

std::string Be64(uint64_t v) {
  std::string s;
  storage::AppendBigEndian64(&s, v);
  return s;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Checkpointer>> Checkpointer::Create(const storage::Store* store,
                                                                   txn::Committer* committer,
                                                                   const crypto::Signer* signer,
                                                                   CheckpointerOptions options) {
  // If the log already ends with a checkpoint (a clean stop), nothing is unsealed yet.
  uint64_t last = 0;
  const uint64_t head = committer->LastAuditSeq();
  if (head > 0) {
    auto value = store->Get(committer->audit_cf(), Be64(head));
    if (!value.ok()) return value.status();
    enlace::audit::v1::AuditRecord r;
    if (value->has_value() && r.ParseFromString(**value) && r.action() == kCheckpointAction) {
      last = head;
    }
  }
  return absl::WrapUnique(new Checkpointer(committer, signer, std::move(options), last));
}

Checkpointer::~Checkpointer() { Stop().IgnoreError(); }

void Checkpointer::Start() {
  absl::MutexLock l(&mu_);
  if (stop_ || thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void Checkpointer::Run() {
  while (true) {
    {
      absl::MutexLock l(&mu_);
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), options_.poll)) return;
    }
    bool due = false;
    {
      absl::MutexLock l(&write_mu_);
      const uint64_t appended = committer_->LastAuditSeq() - last_;
      due = appended >= options_.every_records ||
            (appended > 0 && absl::Now() - last_time_ >= options_.interval);
    }
    if (due) {
      // A failed write (e.g. disk full) is retried at the next poll; records stay unsealed.
      CheckpointIfNeeded().IgnoreError();
    }
  }
}

absl::StatusOr<uint64_t> Checkpointer::CheckpointIfNeeded() {
  absl::MutexLock l(&write_mu_);
  if (committer_->LastAuditSeq() == last_) return last_;
  txn::Transaction txn;
  enlace::audit::v1::AuditRecord r;
  r.set_actor(options_.actor);
  r.set_action(kCheckpointAction);
  r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
  txn.audit.push_back(std::move(r));
  const crypto::Signer* signer = signer_;
  // The head is known only inside the group commit, so the record is signed there.
  txn.seal_audit = [signer](enlace::audit::v1::AuditRecord& record) {
    const uint64_t sealed = record.seq() - 1;
    std::string detail = absl::StrCat("seals records 1..", sealed, ", head ",
                                      absl::BytesToHexString(record.prev_hash()));
    if (signer == nullptr) {
      absl::StrAppend(&detail, "; unsigned: the node has no signing key");
    } else if (auto sig = signer->Sign(CheckpointMessage(sealed, record.prev_hash())); sig.ok()) {
      record.set_signature(*sig);
    } else {
      absl::StrAppend(&detail, "; unsigned: ", sig.status().message());
    }
    record.set_detail(detail);
  };
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  last_ = txn.audit[0].seq();
  last_time_ = absl::Now();
  if (!options_.head_file.empty()) {
    // Only after the commit (synced): the file never names a head the log lacks. A crash
    // between the two leaves an older head, which the longer log still reaches.
    AuditHead head;
    head.seq = txn.audit[0].seq();
    head.hash = txn.audit[0].hash();
    head.prev_hash = txn.audit[0].prev_hash();
    head.signature = txn.audit[0].signature();
    ENLACE_RETURN_IF_ERROR(WriteAuditHead(options_.head_file, head));
  }
  return last_;
}

absl::Status Checkpointer::Stop() {
  {
    absl::MutexLock l(&mu_);
    if (stop_) return absl::OkStatus();
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  return CheckpointIfNeeded().status();
}

}  // namespace enlace::audit
