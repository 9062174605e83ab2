#ifndef ENLACE_COMMON_HA_LEASE_H_
#define ENLACE_COMMON_HA_LEASE_H_

// The active/standby lease of a node's two processes, kept in the node's own PostgreSQL
// (docs/operations.md, "High availability"). One row per lease name:
//
//   enlace_lease(id text primary key, holder text, epoch bigint, expires_at timestamptz)
//
// Acquire takes the row when it is free (expired by the database's clock) or already ours, and
// always bumps the epoch, so every term of office has its own number. Renew extends our term and
// fails once another holder (or a later term of ours) has taken the row. The fencing statement
// (Fence()) is run first in every commit transaction of the store: it returns one row only while
// our holder and epoch are still in the row and the term is unexpired, and it takes a FOR SHARE
// lock on the row, so a takeover's UPDATE waits for a commit already past the check and the new
// holder reads everything that commit wrote. A stale active can therefore never commit after its
// term ends, whatever its local clock says.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

typedef struct pg_conn PGconn;

namespace enlace::ha {

struct LeaseOptions {
  // libpq connection string; for an HA database a multi-host one with
  // target_session_attrs=read-write, so a reconnect finds the new primary.
  std::string conninfo;
  // Which lease (one per node; e.g. the country code).
  std::string name = "node";
  // Who asks: unique per process of the pair (e.g. host name), non-empty.
  std::string holder;
  // A term lasts this long past its last renewal, by the database's clock. It must exceed the
  // database's own failover time, or an active node loses its lease every time the database
  // fails over.
  absl::Duration ttl = absl::Seconds(15);
  // How often the active renews (at most ttl / 3) and the standby retries.
  absl::Duration renew_interval = absl::Seconds(2);
  // Each statement's bound (statement_timeout), so a hung database cannot stall renewal past ttl.
  absl::Duration statement_timeout = absl::Seconds(3);
};

// The statement and parameters for storage::Store::SetCommitPrecondition.
struct FenceStatement {
  std::string sql;
  std::vector<std::string> params;
};

class Lease {
 public:
  // Checks the options, connects and creates the table and the lease's row if missing.
  // INVALID_ARGUMENT on bad options, UNAVAILABLE when the database cannot be reached.
  static absl::StatusOr<std::unique_ptr<Lease>> Create(const LeaseOptions& options);
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // One attempt: true and a new epoch() when the lease was free or ours, false when another
  // holder's term is running. UNAVAILABLE when the database cannot be reached.
  absl::StatusOr<bool> TryAcquire();
  // Polls TryAcquire every renew_interval until it succeeds or `stop` is notified (CANCELLED).
  absl::Status AcquireBlocking(absl::Notification* stop);
  // Extends the current term. FAILED_PRECONDITION when the term is lost (another holder or a
  // later epoch took the row, or it expired and was taken); UNAVAILABLE when the database
  // cannot be reached (the term may still be ours).
  absl::Status Renew();
  // Ends the current term now (clean shutdown: the standby takes over without waiting for ttl).
  absl::Status Release();

  // Renews every renew_interval on a thread of its own. Calls `on_lost` once, from that thread,
  // when a renewal says the term is lost, or when no renewal has succeeded for ttl (counted
  // from the start of the last successful one, so never later than the database's expiry).
  // `on_lost` is expected to end the process (crash-only); renewal stops after it.
  void StartRenewing(std::function<void(const absl::Status&)> on_lost);
  // Stops the renewal thread (before Release at shutdown).
  void StopRenewing();

  // 0 before the first successful acquire.
  int64_t epoch() const;
  const LeaseOptions& options() const { return options_; }
  // The fencing statement of the current epoch (see the top of this file).
  FenceStatement Fence() const;

 private:
  explicit Lease(const LeaseOptions& options) : options_(options) {}
  // Runs one parameterised statement, reconnecting first when the connection is gone.
  // Returns the rows' first column.
  absl::StatusOr<std::vector<std::string>> Exec(const std::string& sql,
                                                const std::vector<std::string>& params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ConnectLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RenewLoop(std::function<void(const absl::Status&)> on_lost);

  const LeaseOptions options_;
  mutable absl::Mutex mu_;
  PGconn* conn_ ABSL_GUARDED_BY(mu_) = nullptr;
  // Written under mu_ by TryAcquire; read without it (Fence, readiness).
  std::atomic<int64_t> epoch_{0};
  // When the current term's last successful acquire or renewal started (steady clock).
  std::chrono::steady_clock::time_point last_ok_ ABSL_GUARDED_BY(mu_);
  absl::Notification stop_renewing_;
  std::thread renewer_;
};

}  // namespace enlace::ha

#endif  // ENLACE_COMMON_HA_LEASE_H_
