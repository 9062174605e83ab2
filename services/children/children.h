#ifndef ENLACE_SERVICES_CHILDREN_CHILDREN_H_
#define ENLACE_SERVICES_CHILDREN_CHILDREN_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/crypto/key_vault.h"
#include "common/identity/caller.h"
#include "common/storage/key_locks.h"
#include "common/storage/store.h"
#include "common/time/clock.h"
#include "common/txn/committer.h"
#include "enlace/children/v1/children.pb.h"
#include "services/cases/registry.h"
#include "services/children/rules.h"

namespace enlace::children {

// Child-protection records. One per case of a person under 18, sealed under its own key
// (linked to the child), content for supervisors and for officers of the case's post who hold
// a child-protection grant; every change and every read of content audited.
//
// Keys of the "children" column family:
//   R|{id}                   ChildRecord (personal fields sealed, owner child:{id})
//   C|{case name}            the record's id (one record per case)
//   G|{identity}             ChildProtectionGrant
//   Q|{identity}|{request}   the record a CreateChildRecord request made
class ChildRecords {
 public:
  static void AddColumnFamilies(storage::StoreOptions& options);
  ChildRecords(storage::Store* store, txn::Committer* committer, crypto::KeyVault* vault,
               cases::Registry* registry, std::string self, const Clock* clock);

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

 private:
  struct Loaded {
    std::string id;
    v1::ChildRecord record;
  };
  // The record by name; NOT_FOUND, or INVALID_ARGUMENT on "name".
  absl::StatusOr<Loaded> Load(absl::string_view name) const;
  // Officers of another post: PERMISSION_DENIED. Returns whether the caller may see content.
  absl::StatusOr<bool> MaySeeContent(const std::string& post, const Caller& caller) const;
  // Every change: the record under its lock, its etag checked, the content grant required,
  // `change` applied, then sealed, stored and audited as `action`.
  absl::StatusOr<v1::ChildRecord> Change(
      absl::string_view name, absl::string_view etag, const Caller& caller,
      absl::string_view action, const std::function<absl::Status(v1::ChildRecord&)>& change);
  absl::StatusOr<std::string> Seal(const std::string& id, const v1::ChildRecord& r,
                                   bool create_key) const;

  storage::Store* store_;
  txn::Committer* committer_;
  crypto::KeyVault* vault_;
  cases::Registry* registry_;
  const std::string self_;
  const Clock* clock_;
  const storage::ColumnFamily* cf_;
  storage::KeyLocks locks_;
};

}  // namespace enlace::children

#endif  // ENLACE_SERVICES_CHILDREN_CHILDREN_H_
