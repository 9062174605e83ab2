#ifndef ENLACE_SERVICES_CHILDREN_CHILDREN_H_
#define ENLACE_SERVICES_CHILDREN_CHILDREN_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/crypto/key_vault.h"
#include "common/identity/caller.h"
#include "common/replication/exchanged_records.h"
#include "common/replication/follow_up_worker.h"
#include "common/storage/key_locks.h"
#include "common/storage/store.h"
#include "common/time/clock.h"
#include "common/txn/committer.h"
#include "enlace/children/v1/children.pb.h"
#include "services/cases/registry.h"
#include "services/children/rules.h"
#include "services/directory/directory.h"
#include "services/federation/inbox.h"

namespace enlace::children {

inline constexpr char kHandoverKind[] = "children.handover";
inline constexpr char kHandoverUpdateKind[] = "children.handover.update";
inline constexpr char kHandoversErasedKind[] = "children.handover.erased";

// Child-protection records. One per case of a person under 18, sealed under its own key
// (linked to the child), content for supervisors and for officers of the case's post who hold
// a child-protection grant; every change and every read of content audited.
//
// Keys of the "children" column family:
//   R|{id}                   ChildRecord (personal fields sealed, owner child:{id})
//   C|{case name}            the record's id (one record per case)
//   G|{identity}             ChildProtectionGrant
//   Q|{identity}|{request}   the record a CreateChildRecord request made
//   H|{handover id}          the record whose return plan sent that handover
//   F|{handover id}|{state}  an answer received, not yet taken into that record
//   o|, q|, i|, p|           handovers, sent and received (replication::ExchangedRecords)
//
// The return handover (handovers.cc): SetReturnPlan sends the receiving member a Handover
// with the minimum it needs to receive the child; only that member writes the handover's
// state afterwards (accepted, declined, received), and its "received" moves the record to
// HANDED_OVER here.
class ChildRecords : public federation::EnvelopeHandler {
 public:
  static void AddColumnFamilies(storage::StoreOptions& options);
  ~ChildRecords();
  // `peers`: the federation's other members (empty when standalone); `directory` holds the
  // receiving authorities.
  ChildRecords(storage::Store* store, txn::Committer* committer, crypto::KeyVault* vault,
               cases::Registry* registry, directory::Directory* directory, std::string self,
               std::function<std::vector<std::string>()> peers, const Clock* clock);

  void Start() { worker_.Start(); }
  void Stop() { worker_.Stop(); }

  absl::StatusOr<v1::ChildRecord> CreateChildRecord(const v1::CreateChildRecordRequest& request,
                                                    const Caller& caller);
  absl::StatusOr<v1::ChildRecord> GetChildRecord(const v1::GetChildRecordRequest& request,
                                                 const Caller& caller);
  absl::StatusOr<v1::ChildRecord> UpdateChildRecord(const v1::UpdateChildRecordRequest& request,
                                                    const Caller& caller);
  absl::StatusOr<v1::ChildRecord> AdvanceChildRecord(const v1::AdvanceChildRecordRequest& request,
                                                     const Caller& caller);
  absl::StatusOr<v1::ChildRecord> AddAssessment(const v1::AddAssessmentRequest& request,
                                                const Caller& caller);
  absl::StatusOr<v1::ChildRecord> RequestDetermination(
      const v1::RequestDeterminationRequest& request, const Caller& caller);
  absl::StatusOr<v1::ChildRecord> DecideDetermination(const v1::DecideDeterminationRequest& request,
                                                      const Caller& caller);
  absl::StatusOr<v1::ChildRecord> AddTracingEntry(const v1::AddTracingEntryRequest& request,
                                                  const Caller& caller);
  absl::StatusOr<v1::ChildRecord> UpdateTracingEntry(const v1::UpdateTracingEntryRequest& request,
                                                     const Caller& caller);
  absl::StatusOr<v1::ChildProtectionGrant> SetChildProtectionGrant(
      const v1::SetChildProtectionGrantRequest& request, const Caller& caller);

  // handovers.cc
  absl::StatusOr<v1::ChildRecord> SetReturnPlan(const v1::SetReturnPlanRequest& request,
                                                const Caller& caller);
  absl::StatusOr<v1::Handover> GetHandover(const v1::GetHandoverRequest& request,
                                           const Caller& caller);
  absl::StatusOr<v1::ListHandoversResponse> ListHandovers(const v1::ListHandoversRequest& request,
                                                          const Caller& caller);
  absl::StatusOr<v1::Handover> RespondToHandover(const v1::RespondToHandoverRequest& request,
                                                 const Caller& caller);
  // The handover envelopes, from the sending member and from the receiving one.
  absl::Status Apply(const enlace::federation::v1::EnvelopeBody& body,
                     txn::Transaction& txn) override;
  // The follow-up pass, run by the worker; for the fuzz target, which runs no worker.
  absl::Status SettleAnswersForTest() { return SettleAnswers(); }
  // The child erased here: tell each receiving member to destroy its copy of the handover.
  absl::Status OnPersonErased(const std::string& person_id,
                              const std::vector<std::string>& linked_key_owners,
                              txn::Transaction& txn);

 private:
  using Handovers = replication::ExchangedRecords<v1::Handover>;
  struct Loaded {
    std::string id;
    v1::ChildRecord record;
    bool sealed_part_gone = false;  // the child was erased
  };
  // The record by name; NOT_FOUND, or INVALID_ARGUMENT on "name".
  absl::StatusOr<Loaded> Load(absl::string_view name) const;
  // Officers of another post: PERMISSION_DENIED. Returns whether the caller may see content.
  absl::StatusOr<bool> MaySeeContent(const std::string& post, const Caller& caller) const;
  // Every change: the record under its lock, its etag checked, the content grant required,
  // `change` applied, then sealed, stored and audited as `action`; `also` stages what else
  // the change writes in the same transaction.
  absl::StatusOr<v1::ChildRecord> Change(
      absl::string_view name, absl::string_view etag, const Caller& caller,
      absl::string_view action, const std::function<absl::Status(v1::ChildRecord&)>& change,
      const std::function<absl::Status(const v1::ChildRecord&, txn::Transaction&)>& also =
          nullptr);
  // The follow-up pass: every received answer ("F|" markers) taken into the record that sent
  // the handover, under that record's lock.
  absl::Status SettleAnswers();
  absl::StatusOr<std::string> Seal(const std::string& id, const v1::ChildRecord& r,
                                   bool create_key) const;
  // Whether the caller may see a handover's content: the post's officers with the grant
  // (an incoming one not yet accepted: supervisors only), supervisors.
  absl::Status CheckHandoverAccess(const Handovers::Located& l, const Caller& caller) const;
  // The receiving member's answer, applied to the sent copy and to the record that sent it.
  absl::Status ApplyHandoverUpdate(const v1::Handover& update, txn::Transaction& txn);

  storage::Store* store_;
  txn::Committer* committer_;
  crypto::KeyVault* vault_;
  cases::Registry* registry_;
  directory::Directory* directory_;
  const std::string self_;
  const std::function<std::vector<std::string>()> peers_;
  const Clock* clock_;
  const storage::ColumnFamily* cf_;
  Handovers handovers_;
  storage::KeyLocks locks_;
  replication::FollowUpWorker worker_;
};

}  // namespace enlace::children

#endif  // ENLACE_SERVICES_CHILDREN_CHILDREN_H_
