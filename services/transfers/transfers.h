#ifndef ENLACE_SERVICES_TRANSFERS_TRANSFERS_H_
#define ENLACE_SERVICES_TRANSFERS_TRANSFERS_H_

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/crypto/key_vault.h"
#include "common/identity/caller.h"
#include "common/pagetoken/page_token.h"
#include "common/replication/exchanged_records.h"
#include "common/replication/follow_up_worker.h"
#include "common/storage/key_locks.h"
#include "common/storage/store.h"
#include "common/txn/committer.h"
#include "enlace/node/v1/config.pb.h"
#include "enlace/transfers/v1/transfers.pb.h"
#include "services/cases/registry.h"
#include "services/federation/inbox.h"

namespace enlace::transfers {


inline constexpr char kOfferKind[] = "transfer.offer";
inline constexpr char kDecisionKind[] = "transfer.decision";
inline constexpr char kErasedKind[] = "transfer.erased";

// Case transfers between members. The offer locks the origin case (one commit: lock,
// transfer record, envelope). The receiver accepts -- opening its own case from the snapshot
// with request ids derived from the transfer, so a retry never duplicates it -- or declines;
// its decision travels back, and the origin then closes its case as TRANSFERRED (or unlocks
// it) in an idempotent follow-up step.
class Transfers : public federation::EnvelopeHandler {
 public:
  static void AddColumnFamilies(storage::StoreOptions& options);
  Transfers(storage::Store* store, txn::Committer* committer, crypto::KeyVault* vault,
            cases::Registry* registry, enlace::node::v1::NodeConfig config,
            std::function<std::vector<std::string>()> peers);
  ~Transfers();
  void Start();
  void Stop();

  absl::StatusOr<v1::Transfer> TransferCase(const v1::TransferCaseRequest& request,
                                            const Caller& caller);
  absl::StatusOr<v1::Transfer> GetTransfer(const v1::GetTransferRequest& request,
                                           const Caller& caller);
  absl::StatusOr<v1::ListTransfersResponse> ListTransfers(const v1::ListTransfersRequest& request,
                                                          const Caller& caller);
  absl::StatusOr<v1::Transfer> AcceptTransfer(const v1::AcceptTransferRequest& request,
                                              const Caller& caller);
  absl::StatusOr<v1::Transfer> DeclineTransfer(const v1::DeclineTransferRequest& request,
                                               const Caller& caller);

  absl::Status Apply(const enlace::federation::v1::EnvelopeBody& body,
                     txn::Transaction& txn) override;
  // Registry erasure hook: tells every member that received a transfer of the erased
  // person's cases (its key owner is among `linked_key_owners`) to destroy its copy.
  absl::Status OnPersonErased(const std::string& person_id,
                              const std::vector<std::string>& linked_key_owners,
                              txn::Transaction& txn);
  // Origin side: closes or unlocks cases whose transfer was decided; returns how many.
  absl::StatusOr<int> Settle();

 private:
  using Records = replication::ExchangedRecords<v1::Transfer>;
  using Located = Records::Located;
  absl::StatusOr<Located> Find(absl::string_view name) const { return records_.Find(name); }
  // `first_write`: the record is new and may get its data key. A rewrite never creates one:
  // if an erasure destroyed it after the record was read, the personal part is dropped.
  absl::StatusOr<std::string> Encode(const v1::Transfer& t, const std::string& key,
                                     bool first_write = false) const;
  absl::Status CheckAccess(const Located& l, const Caller& caller) const {
    return records_.CheckAccess(l, caller);
  }
  // Returns the new case; sets `person` to the local person it was opened for.
  absl::StatusOr<std::string> OpenLocalCase(const v1::Transfer& t, std::string* person);

  storage::Store* store_;
  txn::Committer* committer_;
  crypto::KeyVault* vault_;
  cases::Registry* registry_;
  const enlace::node::v1::NodeConfig config_;
  std::function<std::vector<std::string>()> peers_;
  const storage::ColumnFamily* cf_;
  const storage::ColumnFamily* requests_;
  // Both members' copies: keys, lookup, post scoping, listing.
  Records records_;
  // Transfer records (key: the transfer's name). A case is locked with the registry's
  // LockCase, never here: one lock per case, shared with every other writer of it.
  storage::KeyLocks locks_;
  Caller system_;

  // Follow-up work, woken by the commit of what needs it (Transaction::OnCommit).
  replication::FollowUpWorker worker_{{"transfers", absl::Seconds(2)},
                                      [this]() -> absl::Status {
        auto settled = Settle();
        return settled.ok() ? absl::OkStatus() : settled.status();
      }};
};

}  // namespace enlace::transfers

#endif  // ENLACE_SERVICES_TRANSFERS_TRANSFERS_H_
