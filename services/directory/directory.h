#ifndef ENLACE_SERVICES_DIRECTORY_DIRECTORY_H_
#define ENLACE_SERVICES_DIRECTORY_DIRECTORY_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/identity/caller.h"
#include "common/pagetoken/page_token.h"
#include "common/status/errors.h"
#include "common/storage/key_locks.h"
#include "common/storage/store.h"
#include "common/txn/committer.h"
#include "enlace/directory/v1/directory.pb.h"
#include "services/federation/inbox.h"

namespace enlace::directory {


inline constexpr char kUpsertKind[] = "directory.organisation.upsert";
inline constexpr char kDeleteKind[] = "directory.organisation.delete";

// The shared directory. This node is the only writer of its own country's entries; every
// change is committed with one envelope per peer (transactional outbox), and peers' entries
// arrive through the federation and are applied by Apply(). Revisions keep replicas from
// going back in time.
class Directory : public federation::EnvelopeHandler {
 public:
  static void AddColumnFamilies(storage::StoreOptions& options);
  // `peers` returns the current peers to broadcast to.
  Directory(storage::Store* store, txn::Committer* committer, std::string self,
            std::function<std::vector<std::string>()> peers);

  absl::StatusOr<v1::Organisation> CreateOrganisation(const v1::CreateOrganisationRequest& request,
                                                      const Caller& caller);
  absl::StatusOr<v1::Organisation> GetOrganisation(const v1::GetOrganisationRequest& request,
                                                   const Caller& caller);
  absl::StatusOr<v1::Organisation> UpdateOrganisation(
      const v1::UpdateOrganisationRequest& request, const Caller& caller);
  absl::StatusOr<v1::DeleteOrganisationResponse> DeleteOrganisation(
      const v1::DeleteOrganisationRequest& request, const Caller& caller);
  absl::StatusOr<v1::ListOrganisationsResponse> ListOrganisations(
      const v1::ListOrganisationsRequest& request, const Caller& caller);

  // EnvelopeHandler: a peer's change to one of its own entries.
  absl::Status Apply(const enlace::federation::v1::EnvelopeBody& body,
                     txn::Transaction& txn) override;
  // Queues every entry this node owns for a newly added member.
  absl::Status Bootstrap(const std::string& peer, txn::Transaction& txn);

 private:
  absl::StatusOr<std::optional<v1::Organisation>> Load(const std::string& key) const;
  void Broadcast(const v1::OrganisationChange& change, txn::Transaction& txn) const;

  storage::Store* store_;
  txn::Committer* committer_;
  const std::string self_;
  std::function<std::vector<std::string>()> peers_;
  const storage::ColumnFamily* orgs_;
  const storage::ColumnFamily* requests_;
  PageTokenCodec page_tokens_;
  storage::KeyLocks locks_;
};

void ValidateOrganisation(const v1::Organisation& org, FieldViolations& v,
                          const std::string& prefix);

}  // namespace enlace::directory

#endif  // ENLACE_SERVICES_DIRECTORY_DIRECTORY_H_
