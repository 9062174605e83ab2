#ifndef ENLACE_SERVICES_SECRETARIAT_REGIONAL_H_
#define ENLACE_SERVICES_SECRETARIAT_REGIONAL_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/identity/caller.h"
#include "common/storage/store.h"
#include "common/time/clock.h"
#include "common/txn/committer.h"
#include "enlace/secretariat/v1/secretariat.pb.h"
#include "services/federation/inbox.h"

namespace enlace::secretariat {

// The secretariat's store of the members' monthly releases ("stats.release" envelopes), each
// checked on arrival (rules.h CheckRelease: a refused one is quarantined), a correction
// (higher revision) replacing what it corrects; and the regional view served from them.
//
// Keys of the "secretariat" column family: R|{measure}|{YYYY-MM}|{member} -> MemberRelease.
class Regional : public federation::EnvelopeHandler {
 public:
  static void AddColumnFamilies(storage::StoreOptions& options);
  // `members`: the federation's member states (the releases expected each month).
  Regional(storage::Store* store, txn::Committer* committer,
           std::function<std::vector<std::string>()> members, const Clock* clock);

  absl::Status Apply(const enlace::federation::v1::EnvelopeBody& body,
                     txn::Transaction& txn) override;

  absl::StatusOr<v1::ListMonthsResponse> ListMonths(const v1::ListMonthsRequest& request,
                                                    const Caller& caller);
  absl::StatusOr<v1::RegionalRelease> GetRegionalRelease(
      const v1::GetRegionalReleaseRequest& request, const Caller& caller);

 private:
  storage::Store* store_;
  txn::Committer* committer_;
  const std::function<std::vector<std::string>()> members_;
  const Clock* clock_;
  const storage::ColumnFamily* cf_;
};

}  // namespace enlace::secretariat

#endif  // ENLACE_SERVICES_SECRETARIAT_REGIONAL_H_
