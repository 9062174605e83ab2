#ifndef ENLACE_COMMON_TXN_COMMITTER_H_
#define ENLACE_COMMON_TXN_COMMITTER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/storage/store.h"
#include "enlace/audit/v1/audit.pb.h"

namespace enlace::txn {

// An envelope a transaction asks to send; the committer gives it its per-link sequence
// number and stores it in the outbox in the same WriteBatch as the change that caused it.
struct OutgoingEnvelope {
  std::string receiver;  // ISO 3166-1 alpha-2
  std::string kind;
  std::string payload;
};

// Everything one mutation changes: state, envelopes for peers, audit records.
struct Transaction {
  storage::WriteBatch batch;
  std::vector<OutgoingEnvelope> envelopes;
  // seq, prev_hash and hash are filled in by the committer; time defaults to commit time.
  std::vector<enlace::audit::v1::AuditRecord> audit;
  // When set, called for each of `audit` once its seq, time and prev_hash are final and
  // before its hash is computed: an audit checkpoint signs the chain head it follows here.
  // Runs inside the group commit, so it must be quick and must not commit.
  std::function<void(enlace::audit::v1::AuditRecord&)> seal_audit;
  // Run in order by Committer::Commit, in the committing thread, once this transaction is
  // durable; never when it failed. For waking a worker that reads what was committed (a
  // handler must not wake it before: the worker would look too early). Must be quick.
  std::vector<std::function<void()>> on_commit;

  void OnCommit(std::function<void()> callback) { on_commit.push_back(std::move(callback)); }
  // Moves `other`'s writes, envelopes, audit records and callbacks to the end of this one's
  // (an envelope handler's scratch transaction joining the inbox's).
  void Absorb(Transaction&& other) {
    batch.Append(other.batch);
    for (auto& e : other.envelopes) envelopes.push_back(std::move(e));
    for (auto& a : other.audit) audit.push_back(std::move(a));
    for (auto& c : other.on_commit) on_commit.push_back(std::move(c));
    other = Transaction();
  }

  // Appends an audit record of `action` by `actor` on `resources`; returns it for details.
  enlace::audit::v1::AuditRecord& Audit(
      std::string actor, std::string action, std::vector<std::string> resources = {},
      enlace::audit::v1::AuditOutcome outcome = enlace::audit::v1::AUDIT_OUTCOME_OK) {
    enlace::audit::v1::AuditRecord& r = audit.emplace_back();
    r.set_actor(std::move(actor));
    r.set_action(std::move(action));
    for (auto& name : resources) r.add_resources(std::move(name));
    r.set_outcome(outcome);
    return r;
  }
};

// The single door to the store for every mutation of a node. Concurrent Commit calls are
// merged into one synced WriteBatch (group commit led by whichever caller arrives first), and
// in that batch the committer appends, gap-free and in commit order:
//   - outbox entries, one per envelope, numbered 1, 2, 3 ... per receiver (transactional
//     outbox: nothing is sent that was not committed, nothing committed is lost);
//   - audit records, numbered and hash-chained (SHA-256 over the previous hash and the record).
// If the write fails, no number is consumed. If its outcome is unknown (the store's UNKNOWN:
// it may be durable), no number is reused either: the committer refuses every later commit
// until the process restarts and Create reloads the counters from the store.
// Audit records' text is made well-formed UTF-8 (U+FFFD for ill-formed bytes) before it is
// chained: a proto3 string that does not parse would break the whole log's verification.
class Committer {
 public:
  // Column families the committer uses; add them to the store's options.
  static void AddColumnFamilies(storage::StoreOptions& options);
  static absl::StatusOr<std::unique_ptr<Committer>> Create(storage::Store* store,
                                                           std::string self_country);

  // Durably commits `txn` (merged with concurrent ones), then runs its on_commit callbacks.
  absl::Status Commit(Transaction& txn);

  // Outbox, for the per-peer senders.
  uint64_t LastQueued(const std::string& peer) const;
  // Waits until LastQueued(peer) > seq or `timeout` passes; returns LastQueued(peer).
  uint64_t WaitForQueued(const std::string& peer, uint64_t seq, absl::Duration timeout) const;
  const storage::ColumnFamily* outbox_cf() const { return outbox_; }
  // Seals outbox entries at rest with this 32-byte key (payloads carry personal data until
  // the peer acknowledges them). Set once, before the first commit; empty = unsealed.
  void SetOutboxKey(std::string key) { outbox_key_ = std::move(key); }
  // The serialized EnvelopeBody held by an outbox entry.
  absl::StatusOr<std::string> OpenOutboxEntry(absl::string_view stored,
                                              absl::string_view key) const;
  static std::string OutboxKey(const std::string& peer, uint64_t seq);

  // Called by each group commit after its store write, with the number of transactions it
  // merged and how long the synced write took (the ops port's metrics). Set once, before the
  // first commit; must be quick.
  using CommitObserver = std::function<void(int transactions, absl::Duration write)>;
  void SetCommitObserver(CommitObserver observer) { observer_ = std::move(observer); }

  // Called once, from the committing thread, when a store write's outcome is unknown; every
  // later Commit then fails with UNAVAILABLE without touching the store. The node exits here
  // (crash-only, like a lost lease) so it restarts from what the store holds. Set once,
  // before the first commit.
  using OutcomeUnknownCallback = std::function<void(const absl::Status&)>;
  void SetOnOutcomeUnknown(OutcomeUnknownCallback callback) {
    on_outcome_unknown_ = std::move(callback);
  }

  // Audit log.
  const storage::ColumnFamily* audit_cf() const { return audit_; }
  uint64_t LastAuditSeq() const;
  // Recomputes a record's hash from its predecessor's hash (used by `audit verify`).
  static std::string ChainHash(const std::string& prev_hash,
                               const enlace::audit::v1::AuditRecord& record);

  const std::string& self_country() const { return self_; }

 private:
  // A transaction waiting in the queue. Notified exactly once: with its `status` when its
  // group is committed, or with `lead` set when it is to lead the next group.
  struct Pending {
    Transaction* txn;
    bool lead = false;  // set under mu_ (or before queueing), read after `wake`
    absl::Status status;
    absl::Notification wake;
  };
  Committer(storage::Store* store, std::string self);
  absl::Status Load();
  // Commit without the callbacks: queue, lead or follow a group, return its status.
  absl::Status CommitDurably(Transaction& txn);
  absl::Status CommitGroup(const std::vector<Pending*>& group);

  storage::Store* store_;
  std::string self_;
  std::string outbox_key_;
  CommitObserver observer_;
  OutcomeUnknownCallback on_outcome_unknown_;
  const storage::ColumnFamily* outbox_;
  const storage::ColumnFamily* audit_;
  const storage::ColumnFamily* meta_;

  mutable absl::Mutex mu_;
  std::vector<Pending*> queue_ ABSL_GUARDED_BY(mu_);
  // True from when a caller takes the lead until it hands it to the next queued transaction
  // or finds the queue empty.
  bool leader_active_ ABSL_GUARDED_BY(mu_) = false;
  // Published (committed) positions, read by senders.
  std::map<std::string, uint64_t> queued_ ABSL_GUARDED_BY(mu_);
  uint64_t audit_seq_published_ ABSL_GUARDED_BY(mu_) = 0;

  // Working state, touched only by the current leader (leader_active_ hands it over).
  std::map<std::string, uint64_t> next_seq_;
  uint64_t audit_seq_ = 0;
  std::string audit_hash_;
  // Set when a write's outcome was unknown: the working state may be behind the store.
  bool outcome_unknown_ = false;
};

}  // namespace enlace::txn

#endif  // ENLACE_COMMON_TXN_COMMITTER_H_
