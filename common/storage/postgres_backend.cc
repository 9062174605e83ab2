// The PostgreSQL engine of Store (StoreOptions.postgres_conninfo), through libpq. libpq's
// types stay in this file.
//
// Layout: one table per column family, enlace_<name> (k bytea PRIMARY KEY, v bytea), or
// v bigint for counter families. bytea compares bytewise, as RocksDB's default comparator, so
// the primary key's B-tree serves point reads, prefix and range scans in the same order.
// Everything is sent and read in binary format: keys and values are raw bytes, a counter is
// 8 big-endian bytes both ways (EncodeInt64).

#include <arpa/inet.h>
#include <postgresql/libpq-fe.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "common/status/macros.h"
#include "common/storage/backend.h"
#include "common/storage/store.h"

namespace enlace::storage {
namespace {

constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
// Rows per fetch of a scan: a range up to this size is read by one statement; a longer one
// through a cursor in a REPEATABLE READ transaction (one snapshot for the whole range).
constexpr int kFetchRows = 1000;
// Transactions retried after a serialization failure or a deadlock (nothing was written).
constexpr int kConflictRetries = 5;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;

bool ConnectionBroken(PGconn* conn) { return PQstatus(conn) != CONNECTION_OK; }

std::string Trimmed(const char* message) {
  return std::string(absl::StripAsciiWhitespace(message == nullptr ? "" : message));
}

// The error of a failed statement as an absl::Status. A broken connection (the server went
// away, a failover, a restart) is UNAVAILABLE; so are the SQLSTATEs that say "try another
// server or later" (shutdown, too many connections, a read-only standby).
absl::Status StatusOf(PGconn* conn, const PGresult* res, absl::string_view what) {
  const char* state_c = res == nullptr ? nullptr : PQresultErrorField(res, PG_DIAG_SQLSTATE);
  const std::string state = state_c == nullptr ? "" : state_c;
  std::string msg = Trimmed(res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  if (msg.empty()) msg = Trimmed(PQerrorMessage(conn));
  msg = absl::StrCat("postgres ", what, ": ", msg, state.empty() ? "" : " [SQLSTATE " + state + "]");
  if (ConnectionBroken(conn) || absl::StartsWith(state, "08") || absl::StartsWith(state, "57P") ||
      absl::StartsWith(state, "53") || state == "25006") {
    return absl::UnavailableError(msg);
  }
  if (state == "40001" || state == "40P01") return absl::AbortedError(msg);
  if (absl::StartsWith(state, "22") || absl::StartsWith(state, "23")) {
    return absl::InvalidArgumentError(msg);
  }
  return absl::InternalError(msg);
}

// A statement with binary parameters and (optionally) binary results. Parameters are views;
// a null view data pointer with size 0 is sent as an empty value, never as NULL.
struct Param {
  absl::string_view bytes;
  bool binary = true;
};

Result Exec(PGconn* conn, const std::string& sql, const std::vector<Param>& params,
            bool binary_results = true) {
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  static const char kEmpty[] = "";
  for (const Param& p : params) {
    values.push_back(p.bytes.data() == nullptr ? kEmpty : p.bytes.data());
    lengths.push_back(static_cast<int>(p.bytes.size()));
    formats.push_back(p.binary ? 1 : 0);
  }
  // Text parameters must be NUL-terminated: copy them.
  std::vector<std::string> text;
  text.reserve(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    if (!params[i].binary) {
      text.emplace_back(params[i].bytes);
      values[i] = text.back().c_str();
    }
  }
  return Result(PQexecParams(conn, sql.c_str(), static_cast<int>(params.size()), nullptr,
                             values.data(), lengths.data(), formats.data(),
                             binary_results ? 1 : 0));
}

bool Ok(const Result& r) {
  if (r == nullptr) return false;
  ExecStatusType t = PQresultStatus(r.get());
  return t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;
}

absl::string_view Field(const PGresult* r, int row, int col) {
  return absl::string_view(PQgetvalue(r, row, col), PQgetlength(r, row, col));
}

void AppendInt32(std::string* out, int32_t v) {
  uint32_t n = htonl(static_cast<uint32_t>(v));
  out->append(reinterpret_cast<const char*>(&n), 4);
}

// A one-dimensional array in PostgreSQL's binary format (array_recv): header, then each
// element as length + bytes.
class BinaryArray {
 public:
  explicit BinaryArray(Oid element) : element_(element) {}
  void Add(absl::string_view element) {
    AppendInt32(&elements_, static_cast<int32_t>(element.size()));
    elements_.append(element.data(), element.size());
    ++count_;
  }
  int count() const { return count_; }
  std::string Encode() const {
    std::string out;
    AppendInt32(&out, 1);  // dimensions
    AppendInt32(&out, 0);  // no NULLs
    AppendInt32(&out, static_cast<int32_t>(element_));
    AppendInt32(&out, count_);
    AppendInt32(&out, 1);  // lower bound
    out += elements_;
    return out;
  }

 private:
  Oid element_;
  int count_ = 0;
  std::string elements_;
};

std::string QuoteIdent(absl::string_view name) {
  return absl::StrCat("\"", absl::StrReplaceAll(name, {{"\"", "\"\""}}), "\"");
}

// enlace_<name>, lower-case letters, digits and '_' only; a name that had to be changed or is
// long gets a hash suffix so two families never share a table.
std::string TableName(absl::string_view family) {
  std::string t = "enlace_";
  bool changed = false;
  for (char c : family) {
    char l = absl::ascii_tolower(c);
    if (absl::ascii_isalnum(l) || l == '_') {
      t.push_back(l);
      if (l != c) changed = true;
    } else {
      t.push_back('_');
      changed = true;
    }
  }
  if (changed || t.size() > 48) {
    // FNV-1a: the same name gives the same table in every process and release.
    uint32_t h = 2166136261u;
    for (char c : family) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
    t = absl::StrFormat("%s_%08x", t.substr(0, 48), h);
  }
  return t;
}

// Open connections, reused. More are opened on demand (no fixed cap: a scan holding its
// cursor must never wait for another caller's connection); at most `idle` are kept.
class Pool {
 public:
  Pool(std::string conninfo, bool sync, int idle)
      : conninfo_(std::move(conninfo)), sync_(sync), max_idle_(std::max(idle, 1)) {}

  // A connection and whether it is fresh (just opened) rather than reused.
  absl::StatusOr<std::pair<Conn, bool>> Acquire() {
    {
      absl::MutexLock l(&mu_);
      if (closed_) return absl::FailedPreconditionError("store is closed");
      while (!idle_.empty()) {
        Conn c = std::move(idle_.back());
        idle_.pop_back();
        if (!ConnectionBroken(c.get())) return std::make_pair(std::move(c), false);
      }
    }
    ENLACE_ASSIGN_OR_RETURN(Conn c, Connect());
    return std::make_pair(std::move(c), true);
  }

  // Back into the pool, unless it broke or is inside a transaction it could not end.
  void Release(Conn c) {
    if (c == nullptr || ConnectionBroken(c.get()) ||
        PQtransactionStatus(c.get()) != PQTRANS_IDLE) {
      return;
    }
    absl::MutexLock l(&mu_);
    if (closed_ || static_cast<int>(idle_.size()) >= max_idle_) return;
    idle_.push_back(std::move(c));
  }

  void Close() {
    std::vector<Conn> idle;
    absl::MutexLock l(&mu_);
    closed_ = true;
    idle.swap(idle_);
  }

  bool closed() const {
    absl::MutexLock l(&mu_);
    return closed_;
  }

 private:
  absl::StatusOr<Conn> Connect() {
    // connect_timeout first: the caller's conninfo (expanded from dbname) overrides it.
    const char* keys[] = {"connect_timeout", "dbname", nullptr};
    const char* values[] = {"10", conninfo_.c_str(), nullptr};
    Conn c(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
    if (c == nullptr) return absl::ResourceExhaustedError("libpq: out of memory");
    if (PQstatus(c.get()) != CONNECTION_OK) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to PostgreSQL: ", Trimmed(PQerrorMessage(c.get()))));
    }
    // Notices ("relation already exists, skipping") are not errors: not printed.
    PQsetNoticeProcessor(c.get(), [](void*, const char*) {}, nullptr);
    std::string setup = "SET client_min_messages = warning";
    if (!sync_) setup += "; SET synchronous_commit = off";
    Result r(PQexec(c.get(), setup.c_str()));
    if (!Ok(r)) return StatusOf(c.get(), r.get(), "connection setup");
    return c;
  }

  const std::string conninfo_;
  const bool sync_;
  const int max_idle_;
  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Conn> idle_ ABSL_GUARDED_BY(mu_);
};

// Rows already read (a range that fits one fetch, or the current fetch of a cursor).
class PgIterator : public IteratorImpl {
 public:
  // A range read whole by one statement.
  PgIterator(std::vector<std::pair<std::string, std::string>> rows, absl::Status status)
      : rows_(std::move(rows)), status_(std::move(status)) {}
  // A cursor named "c" open on `conn` inside a REPEATABLE READ transaction; `rows` is its
  // first fetch.
  PgIterator(Pool* pool, Conn conn, std::vector<std::pair<std::string, std::string>> rows)
      : pool_(pool), conn_(std::move(conn)), rows_(std::move(rows)) {
    if (static_cast<int>(rows_.size()) < kFetchRows) Finish();
  }
  ~PgIterator() override {
    if (conn_ != nullptr) {
      Result r(PQexec(conn_.get(), "ROLLBACK"));
      pool_->Release(std::move(conn_));
    }
  }

  bool Valid() const override { return pos_ < rows_.size(); }
  absl::string_view key() const override { return rows_[pos_].first; }
  absl::string_view value() const override { return rows_[pos_].second; }
  absl::Status status() const override { return status_; }
  void Next() override {
    if (++pos_ < rows_.size() || conn_ == nullptr) return;
    rows_.clear();
    pos_ = 0;
    Result r(PQexecParams(conn_.get(), absl::StrCat("FETCH ", kFetchRows, " FROM c").c_str(), 0,
                          nullptr, nullptr, nullptr, nullptr, 1));
    if (!Ok(r)) {
      status_ = StatusOf(conn_.get(), r.get(), "scan");
      conn_.reset();  // an aborted transaction: not reused
      return;
    }
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      rows_.emplace_back(Field(r.get(), i, 0), Field(r.get(), i, 1));
    }
    if (static_cast<int>(rows_.size()) < kFetchRows) Finish();
  }

 private:
  void Finish() {
    if (conn_ == nullptr) return;
    Result r(PQexec(conn_.get(), "COMMIT"));
    pool_->Release(std::move(conn_));
  }

  Pool* pool_ = nullptr;
  Conn conn_;
  std::vector<std::pair<std::string, std::string>> rows_;
  size_t pos_ = 0;
  absl::Status status_;
};

class PostgresBackend : public Backend {
 public:
  PostgresBackend(const StoreOptions& options, const std::vector<FamilySpec>& families)
      : pool_(options.postgres_conninfo, options.sync, options.postgres_idle_connections) {
    for (const FamilySpec& f : families) {
      tables_.push_back(QuoteIdent(TableName(f.name)));
      counters_.push_back(f.counters);
    }
  }
  ~PostgresBackend() override { pool_.Close(); }

  absl::Status CreateTables(const std::vector<FamilySpec>& families);

  bool closed() const override { return pool_.closed(); }
  absl::StatusOr<std::optional<std::string>> Get(const ColumnFamily& cf,
                                                 absl::string_view key) const override;
  std::unique_ptr<IteratorImpl> Scan(const ColumnFamily& cf, absl::string_view lower,
                                     absl::string_view upper) const override;
  absl::StatusOr<std::optional<std::pair<std::string, std::string>>> Last(
      const ColumnFamily& cf) const override;
  absl::Status Commit(const WriteBatch& batch) override;
  absl::Status Close() override {
    pool_.Close();
    return absl::OkStatus();
  }
  absl::Status SetCommitPrecondition(std::string sql, std::vector<std::string> params) override {
    absl::MutexLock l(&precondition_mu_);
    precondition_sql_ = std::move(sql);
    precondition_params_ = std::move(params);
    return absl::OkStatus();
  }
  absl::Status Purge(const ColumnFamily& cf) override;
  absl::StatusOr<BackupInfo> CreateBackup(const std::string&, absl::string_view, int) override {
    return absl::UnimplementedError(
        "the PostgreSQL store is backed up by PostgreSQL itself (pg_basebackup plus WAL "
        "archiving, or the HA cluster's tooling), not by the node: see docs/operations.md, "
        "\"Choosing a store\"");
  }
  uint64_t ApproximateSize(const ColumnFamily& cf) const override;
  absl::StatusOr<Store::Stats> GetStats(
      const std::vector<const ColumnFamily*>& families) const override;

 private:
  // Runs `fn(conn)` on a pooled connection. A reused connection found broken (the server
  // restarted or failed over since it was last used) is replaced by a fresh one once: `fn`
  // must be safe to repeat when it failed on a broken connection (reads are).
  template <typename T, typename Fn>
  absl::StatusOr<T> WithConnection(Fn fn) const {
    for (int attempt = 0;; ++attempt) {
      ENLACE_ASSIGN_OR_RETURN(auto acquired, pool_.Acquire());
      Conn conn = std::move(acquired.first);
      absl::StatusOr<T> out = fn(conn.get());
      const bool broken = ConnectionBroken(conn.get());
      pool_.Release(std::move(conn));
      if (out.ok() || !broken || acquired.second || attempt > 0) return out;
    }
  }

  absl::Status CommitOnce(PGconn* conn, const WriteBatch& batch, bool* commit_sent);
  const std::string& table(const ColumnFamily& cf) const { return tables_[cf.id()]; }

  mutable Pool pool_;
  std::vector<std::string> tables_;  // quoted, by ColumnFamily::id
  std::vector<bool> counters_;       // by ColumnFamily::id
  absl::Mutex precondition_mu_;
  std::string precondition_sql_ ABSL_GUARDED_BY(precondition_mu_);
  std::vector<std::string> precondition_params_ ABSL_GUARDED_BY(precondition_mu_);
};

absl::Status PostgresBackend::CreateTables(const std::vector<FamilySpec>& families) {
  auto created = WithConnection<bool>([&](PGconn* conn) -> absl::StatusOr<bool> {
    // Two nodes (an active and a standby) may open the same database at once: CREATE TABLE IF
    // NOT EXISTS is not safe against a concurrent create, so the schema is made under a lock.
    Result r(PQexec(conn, "BEGIN; SELECT pg_advisory_xact_lock(7300417001)"));
    if (!Ok(r)) return StatusOf(conn, r.get(), "open");
    for (size_t i = 0; i < families.size(); ++i) {
      const char* value_type = families[i].counters ? "bigint" : "bytea";
      std::string sql = absl::StrCat("CREATE TABLE IF NOT EXISTS ", tables_[i],
                                     " (k bytea PRIMARY KEY, v ", value_type, " NOT NULL)");
      r.reset(PQexec(conn, sql.c_str()));
      if (!Ok(r)) {
        absl::Status s = StatusOf(conn, r.get(), absl::StrCat("create table ", tables_[i]));
        Result(PQexec(conn, "ROLLBACK"));
        return s;
      }
      // A family declared as counters must not find a table of plain values, or the reverse.
      r = Exec(conn,
               "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
               "WHERE attrelid = $1::regclass AND attname = 'v'",
               {{tables_[i], false}}, /*binary_results=*/false);
      if (!Ok(r) || PQntuples(r.get()) != 1) {
        absl::Status s = StatusOf(conn, r.get(), "read table definition");
        Result(PQexec(conn, "ROLLBACK"));
        return s;
      }
      if (Field(r.get(), 0, 0) != value_type) {
        Result(PQexec(conn, "ROLLBACK"));
        return absl::FailedPreconditionError(absl::StrCat(
            "table ", tables_[i], " holds ", Field(r.get(), 0, 0), " values but column family ",
            families[i].name, " is declared ", families[i].counters ? "a counter family" : "plain"));
      }
    }
    r.reset(PQexec(conn, "COMMIT"));
    if (!Ok(r)) return StatusOf(conn, r.get(), "open");
    return true;
  });
  return created.status();
}

absl::StatusOr<std::optional<std::string>> PostgresBackend::Get(const ColumnFamily& cf,
                                                                absl::string_view key) const {
  const std::string sql = absl::StrCat("SELECT v FROM ", table(cf), " WHERE k = $1");
  return WithConnection<std::optional<std::string>>(
      [&](PGconn* conn) -> absl::StatusOr<std::optional<std::string>> {
        Result r = Exec(conn, sql, {{key}});
        if (!Ok(r)) return StatusOf(conn, r.get(), "get");
        if (PQntuples(r.get()) == 0) return std::optional<std::string>();
        return std::optional<std::string>(std::string(Field(r.get(), 0, 0)));
      });
}

std::unique_ptr<IteratorImpl> PostgresBackend::Scan(const ColumnFamily& cf,
                                                    absl::string_view lower,
                                                    absl::string_view upper) const {
  using Rows = std::vector<std::pair<std::string, std::string>>;
  const std::string where = upper.empty() ? "k >= $1" : "k >= $1 AND k < $2";
  std::vector<Param> params = {{lower}};
  if (!upper.empty()) params.push_back({upper});
  const std::string select =
      absl::StrCat("SELECT k, v FROM ", table(cf), " WHERE ", where, " ORDER BY k");
  // One statement is one snapshot: a range that fits in one fetch needs nothing more.
  auto first = WithConnection<std::optional<Rows>>(
      [&](PGconn* conn) -> absl::StatusOr<std::optional<Rows>> {
        Result r = Exec(conn, absl::StrCat(select, " LIMIT ", kFetchRows + 1), params);
        if (!Ok(r)) return StatusOf(conn, r.get(), "scan");
        if (PQntuples(r.get()) > kFetchRows) return std::optional<Rows>();
        Rows rows;
        for (int i = 0; i < PQntuples(r.get()); ++i) {
          rows.emplace_back(Field(r.get(), i, 0), Field(r.get(), i, 1));
        }
        return std::optional<Rows>(std::move(rows));
      });
  if (!first.ok()) return ErrorIterator(first.status());
  if (first->has_value()) {
    return std::make_unique<PgIterator>(std::move(**first), absl::OkStatus());
  }
  // A longer range: read again from its start through a cursor, in a REPEATABLE READ
  // transaction so every fetch sees the same snapshot. The connection stays with the
  // iterator until the end of the range (or its destruction).
  auto acquired = pool_.Acquire();
  if (!acquired.ok()) return ErrorIterator(acquired.status());
  Conn conn = std::move(acquired->first);
  Result r(PQexec(conn.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  if (!Ok(r)) return ErrorIterator(StatusOf(conn.get(), r.get(), "scan"));
  r = Exec(conn.get(), absl::StrCat("DECLARE c NO SCROLL CURSOR FOR ", select), params);
  if (!Ok(r)) return ErrorIterator(StatusOf(conn.get(), r.get(), "scan"));
  r.reset(PQexecParams(conn.get(), absl::StrCat("FETCH ", kFetchRows, " FROM c").c_str(), 0,
                       nullptr, nullptr, nullptr, nullptr, 1));
  if (!Ok(r)) return ErrorIterator(StatusOf(conn.get(), r.get(), "scan"));
  Rows rows;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    rows.emplace_back(Field(r.get(), i, 0), Field(r.get(), i, 1));
  }
  return std::make_unique<PgIterator>(&pool_, std::move(conn), std::move(rows));
}

absl::StatusOr<std::optional<std::pair<std::string, std::string>>> PostgresBackend::Last(
    const ColumnFamily& cf) const {
  using Row = std::optional<std::pair<std::string, std::string>>;
  const std::string sql = absl::StrCat("SELECT k, v FROM ", table(cf), " ORDER BY k DESC LIMIT 1");
  return WithConnection<Row>([&](PGconn* conn) -> absl::StatusOr<Row> {
    Result r = Exec(conn, sql, {});
    if (!Ok(r)) return StatusOf(conn, r.get(), "last");
    if (PQntuples(r.get()) == 0) return Row();
    return Row(std::make_pair(std::string(Field(r.get(), 0, 0)),
                              std::string(Field(r.get(), 0, 1))));
  });
}

// What a batch does to one key, its operations folded in order: the last Put or Delete sets
// the base, counter deltas after it add up.
struct KeyEffect {
  enum class Base { kNone, kPut, kDelete } base = Base::kNone;
  std::string value;
  int64_t add = 0;
};

absl::Status PostgresBackend::CommitOnce(PGconn* conn, const WriteBatch& batch,
                                         bool* commit_sent) {
  *commit_sent = false;
  // Folded per family (in id order, so concurrent transactions lock tables in one order) and
  // per key (sorted, so they lock rows in one order too: fewer deadlocks).
  std::map<int, std::map<std::string, KeyEffect>> effects;
  for (const WriteBatch::Op& op : batch.ops()) {
    KeyEffect& e = effects[op.cf->id()][op.key];
    switch (op.type) {
      case WriteBatch::OpType::kPut:
        e.base = KeyEffect::Base::kPut;
        e.value = op.value;
        e.add = 0;
        break;
      case WriteBatch::OpType::kDelete:
        e.base = KeyEffect::Base::kDelete;
        e.value.clear();
        e.add = 0;
        break;
      case WriteBatch::OpType::kAdd:
        e.add += DecodeInt64(op.value);
        break;
    }
  }
  std::string sql;
  std::vector<std::string> precondition_params;
  {
    absl::MutexLock l(&precondition_mu_);
    sql = precondition_sql_;
    precondition_params = precondition_params_;
  }
  auto fail = [&](const PGresult* r, absl::string_view what) {
    absl::Status s = StatusOf(conn, r, what);
    if (!ConnectionBroken(conn)) Result(PQexec(conn, "ROLLBACK"));
    return s;
  };
  Result r(PQexec(conn, "BEGIN"));
  if (!Ok(r)) return fail(r.get(), "begin");
  if (!sql.empty()) {
    std::vector<Param> params;
    for (const std::string& p : precondition_params) params.push_back({p, false});
    r = Exec(conn, sql, params, /*binary_results=*/false);
    if (!Ok(r)) {
      absl::Status s = fail(r.get(), "commit precondition");
      if (s.code() == absl::StatusCode::kUnavailable) return s;
      return absl::FailedPreconditionError(
          absl::StrCat("commit precondition failed, nothing written: ", s.message()));
    }
    if (PQntuples(r.get()) != 1) {
      const int n = PQntuples(r.get());
      Result(PQexec(conn, "ROLLBACK"));
      return absl::FailedPreconditionError(absl::StrCat(
          "commit precondition returned ", n, " rows instead of 1, nothing written"));
    }
  }
  for (const auto& [id, keys] : effects) {
    const std::string& t = tables_[id];
    const bool is_counter_family = counters_[id];
    BinaryArray deleted(kByteaOid), put_keys(kByteaOid), add_keys(kByteaOid);
    BinaryArray put_values(kByteaOid), put_counters(kInt8Oid), add_deltas(kInt8Oid);
    for (const auto& [key, e] : keys) {
      if (!is_counter_family) {
        if (e.base == KeyEffect::Base::kPut) {
          put_keys.Add(key);
          put_values.Add(e.value);
        } else if (e.base == KeyEffect::Base::kDelete) {
          deleted.Add(key);
        }
        continue;
      }
      switch (e.base) {
        case KeyEffect::Base::kNone:
          if (e.add != 0) {
            add_keys.Add(key);
            add_deltas.Add(EncodeInt64(e.add));
          }
          break;
        case KeyEffect::Base::kDelete:
          if (e.add == 0) {
            deleted.Add(key);
            break;
          }
          put_keys.Add(key);
          put_counters.Add(EncodeInt64(e.add));
          break;
        case KeyEffect::Base::kPut:
          put_keys.Add(key);
          put_counters.Add(EncodeInt64(DecodeInt64(e.value) + e.add));
          break;
      }
    }
    if (deleted.count() > 0) {
      const std::string a = deleted.Encode();
      r = Exec(conn, absl::StrCat("DELETE FROM ", t, " WHERE k = ANY($1::bytea[])"), {{a}});
      if (!Ok(r)) return fail(r.get(), "commit (delete)");
    }
    if (put_keys.count() > 0) {
      const std::string k = put_keys.Encode();
      const std::string v = is_counter_family ? put_counters.Encode() : put_values.Encode();
      r = Exec(conn,
               absl::StrCat("INSERT INTO ", t, " (k, v) SELECT * FROM unnest($1::bytea[], $2::",
                            is_counter_family ? "bigint" : "bytea",
                            "[]) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v"),
               {{k}, {v}});
      if (!Ok(r)) return fail(r.get(), "commit (put)");
    }
    if (add_keys.count() > 0) {
      const std::string k = add_keys.Encode();
      const std::string d = add_deltas.Encode();
      r = Exec(conn,
               absl::StrCat("INSERT INTO ", t,
                            " AS c (k, v) SELECT * FROM unnest($1::bytea[], $2::bigint[]) "
                            "ON CONFLICT (k) DO UPDATE SET v = c.v + EXCLUDED.v"),
               {{k}, {d}});
      if (!Ok(r)) return fail(r.get(), "commit (add)");
    }
  }
  *commit_sent = true;
  r.reset(PQexec(conn, "COMMIT"));
  if (!Ok(r)) {
    if (ConnectionBroken(conn)) {
      // UNKNOWN, not UNAVAILABLE: the batch may be durable (e.g. on the new primary after a
      // failover), so a caller must not reuse what it numbered in it.
      return absl::UnknownError(absl::StrCat(
          "connection to PostgreSQL lost during COMMIT: outcome unknown (the batch may or may "
          "not be durable): ",
          Trimmed(PQerrorMessage(conn))));
    }
    return fail(r.get(), "commit");
  }
  return absl::OkStatus();
}

absl::Status PostgresBackend::Commit(const WriteBatch& batch) {
  if (batch.empty()) return pool_.closed() ? absl::FailedPreconditionError("store is closed")
                                           : absl::OkStatus();
  for (int attempt = 0;; ++attempt) {
    ENLACE_ASSIGN_OR_RETURN(auto acquired, pool_.Acquire());
    Conn conn = std::move(acquired.first);
    bool commit_sent = false;
    absl::Status s = CommitOnce(conn.get(), batch, &commit_sent);
    const bool broken = ConnectionBroken(conn.get());
    pool_.Release(std::move(conn));
    if (s.ok()) return s;
    // A reused connection that turned out dead before COMMIT was sent: nothing was written,
    // so the batch goes once more on a fresh connection (the server restarted or failed over
    // since the connection was last used).
    if (broken && !commit_sent && !acquired.second && attempt == 0) continue;
    if (broken && !commit_sent) {
      return absl::UnavailableError(
          absl::StrCat("connection to PostgreSQL lost before COMMIT, nothing written: ",
                       s.message()));
    }
    if (s.code() == absl::StatusCode::kAborted && attempt < kConflictRetries) continue;
    return s;
  }
}

absl::Status PostgresBackend::Purge(const ColumnFamily& cf) {
  const std::string sql = absl::StrCat("VACUUM FULL ", table(cf));
  return WithConnection<bool>([&](PGconn* conn) -> absl::StatusOr<bool> {
           Result r(PQexec(conn, sql.c_str()));
           if (!Ok(r)) return StatusOf(conn, r.get(), "purge");
           return true;
         })
      .status();
}

uint64_t PostgresBackend::ApproximateSize(const ColumnFamily& cf) const {
  auto size = WithConnection<uint64_t>([&](PGconn* conn) -> absl::StatusOr<uint64_t> {
    Result r = Exec(conn, "SELECT pg_total_relation_size($1::regclass)::bigint",
                    {{table(cf), false}});
    if (!Ok(r) || PQntuples(r.get()) != 1) return StatusOf(conn, r.get(), "size");
    return static_cast<uint64_t>(DecodeInt64(Field(r.get(), 0, 0)));
  });
  return size.ok() ? *size : 0;
}

absl::StatusOr<Store::Stats> PostgresBackend::GetStats(
    const std::vector<const ColumnFamily*>& families) const {
  if (pool_.closed()) return absl::FailedPreconditionError("store closed");
  Store::Stats stats;
  for (const ColumnFamily* cf : families) {
    Store::Stats::Family f;
    f.name = cf->name();
    f.sst_bytes = ApproximateSize(*cf);
    stats.families.push_back(std::move(f));
  }
  return stats;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Backend>> OpenPostgresBackend(
    const StoreOptions& options, const std::vector<FamilySpec>& families) {
  auto backend = std::make_unique<PostgresBackend>(options, families);
  ENLACE_RETURN_IF_ERROR(backend->CreateTables(families));
  return std::unique_ptr<Backend>(std::move(backend));
}

}  // namespace enlace::storage
