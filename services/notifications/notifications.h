#ifndef ENLACE_SERVICES_NOTIFICATIONS_NOTIFICATIONS_H_
#define ENLACE_SERVICES_NOTIFICATIONS_NOTIFICATIONS_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/crypto/key_vault.h"
#include "common/identity/caller.h"
#include "common/pagetoken/page_token.h"
#include "common/replication/follow_up_worker.h"
#include "common/storage/key_locks.h"
#include "common/storage/store.h"
#include "common/time/clock.h"
#include "common/txn/committer.h"
#include "enlace/node/v1/config.pb.h"
#include "enlace/notifications/v1/notifications.pb.h"
#include "services/cases/registry.h"
#include "services/federation/inbox.h"
#include "services/stats/tally.h"

namespace enlace::notifications {


inline constexpr char kSendKind[] = "notification.send";
inline constexpr char kReceiptKind[] = "notification.receipt";

// Consular notifications (VCCR art. 36/37).
//
// Host side: SendNotification validates, refuses persons under international protection,
// and commits the record with ONE envelope to the national's node (transactional outbox).
// Receiving side: the envelope is recorded durably with the link watermark (Apply); a worker
// then opens the person and case at the post whose jurisdiction covers the place -- with
// request ids derived from the notification, so a crash in between never duplicates them --
// and answers the host with the receipt time. Acknowledging sends the acknowledgement time.
class Notifications : public federation::EnvelopeHandler {
 public:
  static void AddColumnFamilies(storage::StoreOptions& options);
  Notifications(storage::Store* store, txn::Committer* committer, crypto::KeyVault* vault,
                cases::Registry* registry, enlace::node::v1::NodeConfig config,
                const Clock* clock, std::function<std::vector<std::string>()> peers);
  ~Notifications();

  // Starts the worker that opens cases for received notifications.
  void Start();
  void Stop();

  absl::StatusOr<v1::Notification> SendNotification(const v1::SendNotificationRequest& request,
                                                    const Caller& caller);
  absl::StatusOr<v1::Notification> GetNotification(const v1::GetNotificationRequest& request,
                                                   const Caller& caller);
  absl::StatusOr<v1::ListNotificationsResponse> ListNotifications(
      const v1::ListNotificationsRequest& request, const Caller& caller);
  absl::StatusOr<v1::Notification> AcknowledgeNotification(
      const v1::AcknowledgeNotificationRequest& request, const Caller& caller);

  absl::Status Apply(const enlace::federation::v1::EnvelopeBody& body,
                     txn::Transaction& txn) override;

  // Opens cases for every received notification still waiting for one; returns how many.
  absl::StatusOr<int> ProcessPending();
  // The post whose jurisdiction covers `area` (ISO 3166-2), else one in `host_country`,
  // else the first post.
  std::string RoutePost(const std::string& area, const std::string& host_country) const;

 private:
  // Lanes ProcessPending opens cases on at once (their commits group).
  static constexpr size_t kOpeningLanes = 8;
  // Opens the case of one waiting notification `n` and stores it with its receipt. ABORTED
  // when it must wait for the next pass (logged); another error stops the lane's pass.
  absl::Status OpenPending(const std::string& host, const std::string& id, v1::Notification n);
  // `first_write`: the record is new and may get its data key. A rewrite never creates one:
  // after an erasure destroyed it, the rewrite keeps only the public part.
  absl::StatusOr<std::string> Encode(const v1::Notification& n, const std::string& id,
                                     bool first_write = false) const;
  absl::StatusOr<v1::Notification> Decode(absl::string_view stored, const std::string& id) const;
  absl::StatusOr<std::optional<v1::Notification>> Load(const std::string& key,
                                                       const std::string& id) const;
  absl::Status CheckAccess(const v1::Notification& n, bool incoming, const Caller& caller) const;
  // Returns the case; sets `person` to the local person it was opened for.
  absl::StatusOr<std::string> OpenCase(const v1::Notification& n, const std::string& post,
                                       std::string* person);

  storage::Store* store_;
  txn::Committer* committer_;
  crypto::KeyVault* vault_;
  cases::Registry* registry_;
  const enlace::node::v1::NodeConfig config_;
  const Clock* clock_;  // the node's one clock: receipt and acknowledgement times
  std::function<std::vector<std::string>()> peers_;
  // Statistics: received notifications by when they were acknowledged.
  const stats::Tally tally_;
  // One acknowledgement of a notification at a time (it moves a count).
  storage::KeyLocks locks_;
  const storage::ColumnFamily* cf_;
  const storage::ColumnFamily* requests_;
  PageTokenCodec page_tokens_;
  Caller system_;

  // Follow-up work, woken by the commit of what needs it (Transaction::OnCommit).
  replication::FollowUpWorker worker_{{"notifications", absl::Seconds(2)},
                                      [this]() -> absl::Status {
        auto done = ProcessPending();
        return done.ok() ? absl::OkStatus() : done.status();
      }};
};

}  // namespace enlace::notifications

#endif  // ENLACE_SERVICES_NOTIFICATIONS_NOTIFICATIONS_H_
