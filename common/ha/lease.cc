#include "common/ha/lease.h"

#include <libpq-fe.h>

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace enlace::ha {
namespace {

constexpr char kCreateTable[] =
    "CREATE TABLE IF NOT EXISTS enlace_lease (id text PRIMARY KEY, holder text NOT NULL, "
    "epoch bigint NOT NULL, expires_at timestamptz NOT NULL)";
constexpr char kInsertRow[] =
    "INSERT INTO enlace_lease VALUES ($1, '', 0, '-infinity') ON CONFLICT (id) DO NOTHING "
    "RETURNING epoch";
// Free (expired by the database's clock) or ours: take it, in a new term.
constexpr char kAcquire[] =
    "UPDATE enlace_lease SET holder = $2, epoch = epoch + 1, "
    "expires_at = clock_timestamp() + $3::interval "
    "WHERE id = $1 AND (holder = $2 OR expires_at < clock_timestamp()) RETURNING epoch";
// Still our term (nobody took it, even if it ran out meanwhile): extend it.
constexpr char kRenew[] =
    "UPDATE enlace_lease SET expires_at = clock_timestamp() + $4::interval "
    "WHERE id = $1 AND holder = $2 AND epoch = $3 RETURNING epoch";
constexpr char kRelease[] =
    "UPDATE enlace_lease SET expires_at = '-infinity' "
    "WHERE id = $1 AND holder = $2 AND epoch = $3 RETURNING epoch";
// FOR SHARE: a takeover's UPDATE waits for a commit that passed this check (see lease.h).
constexpr char kFence[] =
    "SELECT 1 FROM enlace_lease WHERE id = $1 AND holder = $2 AND epoch = $3 "
    "AND expires_at > clock_timestamp() FOR SHARE";

std::string Interval(absl::Duration d) {
  return absl::StrCat(absl::ToInt64Milliseconds(d), " milliseconds");
}

}  // namespace

absl::StatusOr<std::unique_ptr<Lease>> Lease::Create(const LeaseOptions& options) {
  if (options.conninfo.empty()) return absl::InvalidArgumentError("lease: conninfo is empty");
  if (options.name.empty()) return absl::InvalidArgumentError("lease: name is empty");
  if (options.holder.empty()) return absl::InvalidArgumentError("lease: holder is empty");
  if (options.ttl < absl::Seconds(1)) {
    return absl::InvalidArgumentError("lease: ttl must be at least 1 s");
  }
  if (options.renew_interval <= absl::ZeroDuration() ||
      options.renew_interval * 3 > options.ttl) {
    return absl::InvalidArgumentError(
        "lease: renew_interval must be positive and at most ttl / 3");
  }
  if (options.statement_timeout <= absl::ZeroDuration() ||
      options.statement_timeout >= options.ttl) {
    return absl::InvalidArgumentError("lease: statement_timeout must be positive and below ttl");
  }
  std::unique_ptr<Lease> lease(new Lease(options));
  absl::MutexLock lock(&lease->mu_);
  // Two processes creating the table at once can collide in the catalog: try once more.
  absl::Status created;
  for (int attempt = 0; attempt < 2; ++attempt) {
    created = lease->Exec(kCreateTable, {}).status();
    if (created.ok()) break;
  }
  if (!created.ok()) return created;
  auto inserted = lease->Exec(kInsertRow, {options.name});
  if (!inserted.ok()) return inserted.status();
  return lease;
}

Lease::~Lease() {
  StopRenewing();
  absl::MutexLock lock(&mu_);
  if (conn_ != nullptr) PQfinish(conn_);
}

absl::Status Lease::ConnectLocked() {
  if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) return absl::OkStatus();
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = PQconnectdb(options_.conninfo.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn_);
    PQfinish(conn_);
    conn_ = nullptr;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return absl::UnavailableError(absl::StrCat("lease: cannot connect to the database: ", why));
  }
  const std::string set = absl::StrCat("SET statement_timeout = ",
                                       absl::ToInt64Milliseconds(options_.statement_timeout));
  PGresult* r = PQexec(conn_, set.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) {
    PQfinish(conn_);
    conn_ = nullptr;
    return absl::UnavailableError("lease: cannot set statement_timeout");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Lease::Exec(const std::string& sql,
                                                     const std::vector<std::string>& params) {
  absl::Status connected = ConnectLocked();
  if (!connected.ok()) return connected;
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& p : params) values.push_back(p.c_str());
  PGresult* r = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0);
  const ExecStatusType status = PQresultStatus(r);
  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
    std::vector<std::string> rows;
    for (int i = 0; i < PQntuples(r); ++i) rows.emplace_back(PQgetvalue(r, i, 0));
    PQclear(r);
    return rows;
  }
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  const std::string sqlstate = state != nullptr ? state : "";
  std::string why = PQresultErrorMessage(r);
  PQclear(r);
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  // A lost connection, a statement timeout, or a former primary now read-only (failover before
  // we reconnected): the database is unavailable to us for now; reconnect next time.
  if (PQstatus(conn_) != CONNECTION_OK || sqlstate == "25006" || sqlstate == "57014" ||
      sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0) {
    PQfinish(conn_);
    conn_ = nullptr;
    return absl::UnavailableError(absl::StrCat("lease: ", why));
  }
  return absl::InternalError(absl::StrCat("lease: ", why, " (SQLSTATE ", sqlstate, ")"));
}

absl::StatusOr<bool> Lease::TryAcquire() {
  absl::MutexLock lock(&mu_);
  const auto started = std::chrono::steady_clock::now();
  auto rows = Exec(kAcquire, {options_.name, options_.holder, Interval(options_.ttl)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return false;
  int64_t epoch = 0;
  if (!absl::SimpleAtoi((*rows)[0], &epoch)) {
    return absl::InternalError(absl::StrCat("lease: epoch '", (*rows)[0], "' is not a number"));
  }
  epoch_.store(epoch);
  last_ok_ = started;
  return true;
}

absl::Status Lease::AcquireBlocking(absl::Notification* stop) {
  while (true) {
    auto acquired = TryAcquire();
    // An unreachable database is expected during its own failover: keep trying.
    if (!acquired.ok() && !absl::IsUnavailable(acquired.status())) return acquired.status();
    if (acquired.ok() && *acquired) return absl::OkStatus();
    if (stop != nullptr
            ? stop->WaitForNotificationWithTimeout(options_.renew_interval)
            : (absl::SleepFor(options_.renew_interval), false)) {
      return absl::CancelledError("lease: stopped while waiting for the lease");
    }
  }
}

absl::Status Lease::Renew() {
  absl::MutexLock lock(&mu_);
  const int64_t epoch = epoch_.load();
  if (epoch == 0) return absl::FailedPreconditionError("lease: never acquired");
  const auto started = std::chrono::steady_clock::now();
  auto rows = Exec(kRenew, {options_.name, options_.holder, absl::StrCat(epoch),
                            Interval(options_.ttl)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "lease '", options_.name, "' lost: ", options_.holder, "'s term ", epoch,
        " is no longer in the database (another process took it over)"));
  }
  last_ok_ = started;
  return absl::OkStatus();
}

absl::Status Lease::Release() {
  absl::MutexLock lock(&mu_);
  const int64_t epoch = epoch_.load();
  if (epoch == 0) return absl::OkStatus();
  auto rows = Exec(kRelease, {options_.name, options_.holder, absl::StrCat(epoch)});
  return rows.status();
}

void Lease::StartRenewing(std::function<void(const absl::Status&)> on_lost) {
  renewer_ = std::thread([this, on_lost = std::move(on_lost)] { RenewLoop(on_lost); });
}

void Lease::StopRenewing() {
  if (!stop_renewing_.HasBeenNotified()) stop_renewing_.Notify();
  if (renewer_.joinable()) renewer_.join();
}

void Lease::RenewLoop(std::function<void(const absl::Status&)> on_lost) {
  const auto ttl = absl::ToChronoMilliseconds(options_.ttl);
  while (!stop_renewing_.WaitForNotificationWithTimeout(options_.renew_interval)) {
    absl::Status s = Renew();
    if (s.ok()) continue;
    if (absl::IsFailedPrecondition(s)) {
      on_lost(s);
      return;
    }
    std::chrono::steady_clock::time_point last_ok;
    {
      absl::MutexLock lock(&mu_);
      last_ok = last_ok_;
    }
    if (std::chrono::steady_clock::now() - last_ok >= ttl) {
      on_lost(absl::DeadlineExceededError(absl::StrCat(
          "lease '", options_.name, "': no renewal succeeded for ",
          absl::FormatDuration(options_.ttl), " (the term may have been taken over); last: ",
          s.ToString())));
      return;
    }
  }
}

int64_t Lease::epoch() const { return epoch_.load(); }

FenceStatement Lease::Fence() const {
  return {kFence, {options_.name, options_.holder, absl::StrCat(epoch_.load())}};
}

}  // namespace enlace::ha
