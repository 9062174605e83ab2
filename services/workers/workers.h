#ifndef ENLACE_SERVICES_WORKERS_WORKERS_H_
#define ENLACE_SERVICES_WORKERS_WORKERS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/crypto/key_vault.h"
#include "common/identity/caller.h"
#include "common/storage/key_locks.h"
#include "common/storage/store.h"
#include "common/time/clock.h"
#include "common/txn/committer.h"
#include "enlace/node/v1/config.pb.h"
#include "enlace/workers/v1/workers.pb.h"
#include "services/cases/registry.h"
#include "services/federation/inbox.h"
#include "services/workers/rules.h"
#include "services/stats/tally.h"

namespace enlace::workers {

// One member's verified counts about one employer or recruiter, to every member.
inline constexpr char kCountsKind[] = "workers.employer_counts";

// Temporary workers. Split over files by concern:
//   workers.cc      construction, names, scoping, sealing
//   employments.cc  employment contracts on a person
//   claims.cc       labour claims on a labour case, their status, deadlines, statistics
//   counts.cc       verified counts per employer and recruiter, exchanged with every member
//   outreach.cc     outreach events (no personal data) and a post's report
// Pure rules are in rules.h; keys of the column families in keys.h.
class Workers : public federation::EnvelopeHandler {
 public:
  static void AddColumnFamilies(storage::StoreOptions& options);
  Workers(storage::Store* store, txn::Committer* committer, crypto::KeyVault* vault,
          cases::Registry* registry, enlace::node::v1::NodeConfig config,
          std::function<std::vector<std::string>()> peers, const Clock* clock);

  // employments.cc
  absl::StatusOr<v1::Employment> CreateEmployment(const v1::CreateEmploymentRequest& request,
                                                  const Caller& caller);
  absl::StatusOr<v1::Employment> GetEmployment(const v1::GetEmploymentRequest& request,
                                               const Caller& caller);
  absl::StatusOr<v1::ListEmploymentsResponse> ListEmployments(
      const v1::ListEmploymentsRequest& request, const Caller& caller);

  // claims.cc
  absl::StatusOr<v1::LabourClaim> CreateLabourClaim(const v1::CreateLabourClaimRequest& request,
                                                    const Caller& caller);
  absl::StatusOr<v1::LabourClaim> GetLabourClaim(const v1::GetLabourClaimRequest& request,
                                                 const Caller& caller);
  absl::StatusOr<v1::LabourClaim> AdvanceLabourClaim(const v1::AdvanceLabourClaimRequest& request,
                                                     const Caller& caller);
  absl::StatusOr<v1::ListClaimDeadlinesResponse> ListClaimDeadlines(
      const v1::ListClaimDeadlinesRequest& request, const Caller& caller);

  // counts.cc
  absl::StatusOr<v1::LabourClaim> VerifyLabourClaim(const v1::VerifyLabourClaimRequest& request,
                                                    const Caller& caller);
  absl::StatusOr<v1::EmployerCounts> GetEmployerCounts(const v1::GetEmployerCountsRequest& request,
                                                       const Caller& caller);
  // EnvelopeHandler: another member's verified counts.
  absl::Status Apply(const enlace::federation::v1::EnvelopeBody& body,
                     txn::Transaction& txn) override;
  // Queues this member's every report for a newly added member.
  absl::Status Bootstrap(const std::string& peer, txn::Transaction& txn);

  // outreach.cc
  absl::StatusOr<v1::OutreachEvent> CreateOutreachEvent(
      const v1::CreateOutreachEventRequest& request, const Caller& caller);
  absl::StatusOr<v1::ListOutreachEventsResponse> ListOutreachEvents(
      const v1::ListOutreachEventsRequest& request, const Caller& caller);

 private:
  // "countries/{self}", else INVALID_ARGUMENT on "parent".
  absl::Status CheckParent(const std::string& parent) const;
  // The id of `countries/{self}/{collection}/{id}`, else INVALID_ARGUMENT on `field`.
  absl::StatusOr<std::string> IdOf(absl::string_view name, absl::string_view collection,
                                   absl::string_view field) const;
  // Officers: their own post only (PERMISSION_DENIED). Others pass.
  static absl::Status CheckPost(const std::string& post, const Caller& caller);
  // The post a new record belongs to: the officer's own; a supervisor names one of this node's
  // (INVALID_ARGUMENT on `field`).
  absl::StatusOr<std::string> PostFor(const std::string& requested, const Caller& caller,
                                      absl::string_view field) const;
  // The name an earlier request with this key produced ("" when none or no key).
  absl::StatusOr<std::string> EarlierResult(const std::string& request_key) const;
  // A sealed record by key into `out`; NOT_FOUND names `name`.
  absl::Status LoadSealed(const std::string& key, absl::string_view name,
                          google::protobuf::Message* out) const;
  absl::StatusOr<v1::LabourClaim> LoadClaim(absl::string_view name) const;
  // The new update time of a changed record: never the same twice (it is the etag).
  absl::Time NextUpdate(const google::protobuf::Timestamp& before) const;
  // Stages the claim (sealed), its deadline index and statistics, given what it replaces.
  absl::Status StageClaim(const std::string& id, const v1::LabourClaim* before,
                          const v1::LabourClaim& after, bool create_key,
                          txn::Transaction& txn) const;
  // Stages this member's new report on `subject` with `type` counted once more, and queues it
  // for every member. Caller holds counts_mu_.
  absl::Status StageVerifiedCount(v1::SubjectKind kind, const std::string& subject,
                                  v1::ClaimType type, txn::Transaction& txn)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(counts_mu_);

  storage::Store* store_;
  txn::Committer* committer_;
  crypto::KeyVault* vault_;
  cases::Registry* registry_;
  const enlace::node::v1::NodeConfig config_;
  const std::string self_;
  std::function<std::vector<std::string>()> peers_;
  const Clock* clock_;
  const storage::ColumnFamily* cf_;
  const storage::ColumnFamily* counts_;
  // Statistics for the secretariat: claims ended by how, amounts recovered by currency.
  const stats::Tally tally_;
  storage::KeyLocks locks_;
  // Held from reading this member's counters to the commit of the report built from them,
  // so that a report's revision and counts never go backwards.
  absl::Mutex counts_mu_;
};

}  // namespace enlace::workers

#endif  // ENLACE_SERVICES_WORKERS_WORKERS_H_
