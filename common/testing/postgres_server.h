#ifndef ENLACE_COMMON_TESTING_POSTGRES_SERVER_H_
#define ENLACE_COMMON_TESTING_POSTGRES_SERVER_H_

// A throwaway PostgreSQL 15 cluster for tests and benchmarks (the PostgreSQL store,
// common/storage): initdb into a fresh directory under /tmp, a postmaster on a free
// 127.0.0.1 port with its unix socket in that directory, stopped and removed by the
// destructor. PostgreSQL refuses to run as root: under root the server runs as `nobody`
// (setpriv), in a directory outside TEST_TMPDIR, which `nobody` cannot reach under /root.
// Needs the postgresql-15 server binaries (deploy/setup.sh).
//
// Store tests choose their engine with ENLACE_TEST_STORE ("postgres" or unset = RocksDB),
// which `bazel test --config=pg` sets: TestStoreConninfo() gives each caller a fresh database
// on one cluster shared by the whole test process.

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace enlace::testing {

class PostgresServer {
 public:
  struct Options {
    // false: fsync=off, synchronous_commit=off (tests that never lose power); true: the
    // server's durable defaults (benchmarks that compare with a synced RocksDB).
    bool durable = false;
    int max_connections = 200;
  };
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start();
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start(const Options& options);
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // libpq connection string of `database` over the unix socket (superuser "postgres").
  std::string Conninfo(const std::string& database = "postgres") const;
  // The same over TCP on 127.0.0.1 (for multi-host connection strings).
  std::string TcpConninfo(const std::string& database = "postgres") const;
  // CREATE DATABASE unless it exists.
  absl::Status CreateDatabase(const std::string& name);
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }

  // Stops the server (fast shutdown: sessions are terminated) and starts it again on the
  // same port and data; clients' connections break.
  absl::Status Restart();
  absl::Status Stop();
  absl::Status StartAgain();

 private:
  PostgresServer() = default;
  absl::Status Launch();
  Options options_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// The engine the tests' stores use: true when ENLACE_TEST_STORE=postgres.
bool TestStoreIsPostgres();
// CREATE DATABASE `name` unless it exists, on the server `conninfo` reaches.
absl::Status CreateDatabaseAt(const std::string& conninfo, const std::string& name);
// With ENLACE_TEST_STORE=postgres, a connection string for a database of its own per
// distinct `key` (the same key gives the same database, e.g. a node's data_dir across
// restarts) on a cluster started on first use and stopped at exit (fsync off, unless
// ENLACE_TEST_POSTGRES_DURABLE=1, for benchmarks); "" otherwise. With
// ENLACE_TEST_POSTGRES_CONNINFO set, the databases are made on that server instead (e.g. the
// replicated cluster of tests/ha/ha_cluster.sh). Aborts with a message when the cluster
// cannot start (a test cannot go on without its store).
std::string TestStoreConninfo(const std::string& key);

}  // namespace enlace::testing

#endif  // ENLACE_COMMON_TESTING_POSTGRES_SERVER_H_
