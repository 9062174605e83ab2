#ifndef ENLACE_SERVICES_REFERRALS_REFERRALS_H_
#define ENLACE_SERVICES_REFERRALS_REFERRALS_H_

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
#include "common/time/clock.h"
#include "common/txn/committer.h"
#include "enlace/node/v1/config.pb.h"
#include "enlace/referrals/v1/referrals.pb.h"
#include "services/cases/registry.h"
#include "services/directory/directory.h"
#include "services/federation/inbox.h"
#include "services/stats/tally.h"

namespace enlace::referrals {


inline constexpr char kOfferKind[] = "referral.offer";
inline constexpr char kUpdateKind[] = "referral.update";
inline constexpr char kRevokeKind[] = "referral.revoke";
inline constexpr char kErasedKind[] = "referral.erased";

// Referrals. One writer per referral: the receiving node owns its state (for a referral to a
// directory organisation, which runs no node, the referring node acts on its behalf). The
// referring side asks to revoke; the receiver decides and tells it, so both sides end in
// the same state whatever the interleaving. The payload carries only the fields the sender
// chose within the case's legal basis and consent; every disclosure is audited; the
// receiver's copy of personal data is purged after the referral's expiry.
class Referrals : public federation::EnvelopeHandler {
 public:
  static void AddColumnFamilies(storage::StoreOptions& options);
  Referrals(storage::Store* store, txn::Committer* committer, crypto::KeyVault* vault,
            cases::Registry* registry, directory::Directory* directory,
            enlace::node::v1::NodeConfig config, std::function<std::vector<std::string>()> peers,
            const Clock* clock = Clock::Real());
  ~Referrals();

  // Starts the worker that purges expired copies.
  void Start();
  void Stop();

  absl::StatusOr<v1::Referral> CreateReferral(const v1::CreateReferralRequest& request,
                                              const Caller& caller);
  absl::StatusOr<v1::Referral> GetReferral(const v1::GetReferralRequest& request,
                                           const Caller& caller);
  absl::StatusOr<v1::ListReferralsResponse> ListReferrals(const v1::ListReferralsRequest& request,
                                                          const Caller& caller);
  absl::StatusOr<v1::Referral> AcceptReferral(const v1::AcceptReferralRequest& request,
                                              const Caller& caller);
  absl::StatusOr<v1::Referral> RejectReferral(const v1::RejectReferralRequest& request,
                                              const Caller& caller);
  absl::StatusOr<v1::Referral> StartReferral(const v1::StartReferralRequest& request,
                                             const Caller& caller);
  absl::StatusOr<v1::Referral> CompleteReferral(const v1::CompleteReferralRequest& request,
                                                const Caller& caller);
  absl::StatusOr<v1::Referral> RevokeReferral(const v1::RevokeReferralRequest& request,
                                              const Caller& caller);

  absl::Status Apply(const enlace::federation::v1::EnvelopeBody& body,
                     txn::Transaction& txn) override;

  // Registry erasure hook: tells every member that received a referral about the erased
  // person (its key owner is among `linked_key_owners`) to destroy its copy.
  absl::Status OnPersonErased(const std::string& person_id,
                              const std::vector<std::string>& linked_key_owners,
                              txn::Transaction& txn);

  // Purges the personal data of expired incoming referrals; returns how many.
  absl::StatusOr<int> PurgeExpired();

 private:
  using Records = replication::ExchangedRecords<v1::Referral>;
  using Located = Records::Located;
  // A copy whose data key is gone (the person erased, or the copy expired) says so.
  absl::StatusOr<Located> Find(absl::string_view name) const;
  // `first_write`: the record is new and may get its data key. A rewrite never creates one:
  // if an erasure destroyed it after the record was read, the personal part is dropped.
  absl::StatusOr<std::string> Encode(const v1::Referral& r, const std::string& key,
                                     bool first_write = false) const;
  absl::Status CheckAccess(const Located& l, const Caller& caller) const {
    return records_.CheckAccess(l, caller);
  }
  // The receiving side's transitions (or the referring node's, for organisations).
  absl::StatusOr<v1::Referral> Transition(const std::string& name, v1::State to,
                                          v1::Outcome outcome, const std::string& note,
                                          const Caller& caller, absl::string_view action);
  void Stage(const Located& l, const v1::Referral& r, txn::Transaction& txn,
             bool revoke_refused) const;
  // A revoke request is recorded by the envelope handler ("r|{from}|{id}", committed with the
  // inbox watermark) and decided here, under the referral's lock like every other transition:
  // PENDING becomes REVOKED, anything else refuses the revoke as too late. Requires the
  // referral's lock (locks_, key = name); `l` was read under it. Returns false when no revoke
  // request was pending; otherwise updates `l->referral` and commits the decision.
  absl::StatusOr<bool> DecidePendingRevokeLocked(Located* l);
  // Decides every recorded revoke request; returns how many.
  absl::StatusOr<int> DecidePendingRevokes();
  // Statistics: a referral that ends (rejected, done, revoked) counts at the referring member,
  // in the month it ends by this node's clock, by outcome, with the facts it was made with.
  absl::Status CountIfEnded(const v1::Referral& before, const v1::Referral& after,
                            txn::Transaction& txn) const;

  storage::Store* store_;
  txn::Committer* committer_;
  crypto::KeyVault* vault_;
  cases::Registry* registry_;
  directory::Directory* directory_;
  const enlace::node::v1::NodeConfig config_;
  std::function<std::vector<std::string>()> peers_;
  const Clock* clock_;  // expiry and update times (tests drive it)
  const storage::ColumnFamily* cf_;
  const storage::ColumnFamily* requests_;
  // Both members' copies: keys, lookup, post scoping, listing.
  Records records_;
  storage::KeyLocks locks_;
  const stats::Tally tally_;

  // Follow-up work (revoke requests, expiry), woken by the commit of what needs it.
  replication::FollowUpWorker worker_{{"referrals", absl::Seconds(1)},
                                      [this]() -> absl::Status {
        auto decided = DecidePendingRevokes();
        auto purged = PurgeExpired();
        if (!decided.ok()) return decided.status();
        return purged.ok() ? absl::OkStatus() : purged.status();
      }};
};

}  // namespace enlace::referrals

#endif  // ENLACE_SERVICES_REFERRALS_REFERRALS_H_
