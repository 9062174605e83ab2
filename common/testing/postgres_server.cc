#include "common/testing/postgres_server.h"

#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <postgresql/libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace enlace::testing {
namespace {

constexpr char kBin[] = "/usr/lib/postgresql/15/bin";

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// Who the server runs as: ourselves, or `nobody` when we are root (PostgreSQL refuses root).
struct DbUser {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

DbUser DbUserFor() {
  DbUser u;
  if (geteuid() != 0) return u;
  u.drop = true;
  u.uid = 65534;
  u.gid = 65534;
  if (const passwd* pw = getpwnam("nobody"); pw != nullptr) {
    u.uid = pw->pw_uid;
    u.gid = pw->pw_gid;
  }
  return u;
}

// Starts `argv` with stdout and stderr appended to `log`, as the database user. Only
// async-signal-safe calls between fork and exec (the test process has threads).
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log, bool die_with_us) {
  const DbUser user = DbUserFor();
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd < 0) return -1;
  if (user.drop && fchown(fd, user.uid, user.gid) != 0) {
    close(fd);
    return -1;
  }
  const pid_t pid = fork();
  if (pid != 0) {
    close(fd);
    return pid;
  }
  dup2(fd, 1);
  dup2(fd, 2);
  int null = open("/dev/null", O_RDONLY);
  if (null >= 0) dup2(null, 0);
  if (user.drop) {
    if (setgroups(0, nullptr) != 0 || setgid(user.gid) != 0 || setuid(user.uid) != 0) _exit(126);
  }
  // A test process that dies (SIGKILL, a crash) takes its server along (set after setuid,
  // which clears it).
  if (die_with_us) prctl(PR_SET_PDEATHSIG, SIGQUIT);
  execv(args[0], args.data());
  _exit(127);
}

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  return Start(Options());
}

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start(const Options& options) {
  if (access(absl::StrCat(kBin, "/postgres").c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no PostgreSQL server at ", kBin, " (install postgresql-15: deploy/setup.sh)"));
  }
  std::unique_ptr<PostgresServer> pg(new PostgresServer());
  pg->options_ = options;
  std::string tmpl = "/tmp/enlace-pgtest-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return absl::InternalError("postgres: mkdtemp failed");
  pg->dir_ = tmpl;
  const DbUser user = DbUserFor();
  if (user.drop && chown(pg->dir_.c_str(), user.uid, user.gid) != 0) {
    return absl::InternalError(absl::StrCat("postgres: cannot chown ", pg->dir_));
  }
  const std::string log = pg->dir_ + "/server.log";
  pid_t pid = Spawn({absl::StrCat(kBin, "/initdb"), "-D", pg->dir_ + "/data", "-U", "postgres",
                     "-A", "trust", "-E", "UTF8", "--no-sync"},
                    log, /*die_with_us=*/false);
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat("postgres: initdb failed: ", Tail(log)));
  }
  absl::Status s;
  for (int attempt = 0; attempt < 5; ++attempt) {
    pg->port_ = FreePort();
    s = pg->Launch();
    if (s.ok()) return pg;
  }
  return s;
}

absl::Status PostgresServer::Launch() {
  const std::string log = dir_ + "/server.log";
  std::vector<std::string> argv = {absl::StrCat(kBin, "/postgres"),
                                   "-D",
                                   dir_ + "/data",
                                   "-p",
                                   absl::StrCat(port_),
                                   "-k",
                                   dir_,
                                   "-c",
                                   "listen_addresses=127.0.0.1",
                                   "-c",
                                   absl::StrCat("max_connections=", options_.max_connections)};
  if (!options_.durable) {
    for (const char* c : {"fsync=off", "synchronous_commit=off", "full_page_writes=off"}) {
      argv.push_back("-c");
      argv.push_back(c);
    }
  }
  pid_ = Spawn(argv, log, /*die_with_us=*/true);
  if (pid_ < 0) return absl::InternalError("postgres: fork failed");
  const std::string conninfo = Conninfo();
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    if (PQping(conninfo.c_str()) == PQPING_OK) return absl::OkStatus();
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::UnavailableError(absl::StrCat("postgres exited at start: ", Tail(log)));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  Stop().IgnoreError();
  return absl::DeadlineExceededError(absl::StrCat("postgres did not start: ", Tail(log)));
}

absl::Status PostgresServer::Stop() {
  if (pid_ < 0) return absl::OkStatus();
  kill(pid_, SIGINT);  // fast shutdown: sessions end, a checkpoint is written
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return absl::OkStatus();
}

absl::Status PostgresServer::StartAgain() { return pid_ >= 0 ? absl::OkStatus() : Launch(); }

absl::Status PostgresServer::Restart() {
  if (absl::Status s = Stop(); !s.ok()) return s;
  return Launch();
}

PostgresServer::~PostgresServer() {
  if (pid_ >= 0) {
    kill(pid_, SIGQUIT);  // immediate: nothing to keep
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  if (!dir_.empty() && getenv("ENLACE_KEEP_TEST_POSTGRES") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string PostgresServer::Conninfo(const std::string& database) const {
  return absl::StrCat("host=", dir_, " port=", port_, " user=postgres dbname=", database);
}

std::string PostgresServer::TcpConninfo(const std::string& database) const {
  return absl::StrCat("host=127.0.0.1 port=", port_, " user=postgres dbname=", database);
}

absl::Status PostgresServer::CreateDatabase(const std::string& name) {
  return CreateDatabaseAt(Conninfo(), name);
}

absl::Status CreateDatabaseAt(const std::string& conninfo, const std::string& name) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  absl::Status s;
  if (PQstatus(conn) != CONNECTION_OK) {
    s = absl::UnavailableError(absl::StrCat("postgres: ", PQerrorMessage(conn)));
  } else {
    const char* values[] = {name.c_str()};
    PGresult* r = PQexecParams(conn, "SELECT 1 FROM pg_database WHERE datname = $1", 1, nullptr,
                               values, nullptr, nullptr, 0);
    const bool exists = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);
    if (!exists) {
      char* quoted = PQescapeIdentifier(conn, name.c_str(), name.size());
      r = PQexec(conn, absl::StrCat("CREATE DATABASE ", quoted).c_str());
      PQfreemem(quoted);
      // A concurrent creator of the same name (another process of the test) is fine.
      if (PQresultStatus(r) != PGRES_COMMAND_OK &&
          PQresultErrorField(r, PG_DIAG_SQLSTATE) != std::string("42P04")) {
        s = absl::InternalError(absl::StrCat("postgres: ", PQresultErrorMessage(r)));
      }
      PQclear(r);
    }
  }
  PQfinish(conn);
  return s;
}

bool TestStoreIsPostgres() {
  const char* e = getenv("ENLACE_TEST_STORE");
  return e != nullptr && std::string(e) == "postgres";
}

namespace {

absl::Mutex shared_mu(absl::kConstInit);
PostgresServer* shared_server ABSL_GUARDED_BY(shared_mu) = nullptr;

void StopSharedServer() {
  absl::MutexLock l(&shared_mu);
  delete shared_server;
  shared_server = nullptr;
}

}  // namespace

std::string TestStoreConninfo(const std::string& key) {
  if (!TestStoreIsPostgres()) return "";
  uint64_t h = 14695981039346656037ull;  // FNV-1a of the key
  for (char c : key) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  const std::string db = absl::StrFormat("t_%016x", h);
  // A server someone else runs (the replicated cluster of tests/ha/ha_cluster.sh, for the
  // storage benchmark): a database there, named by appending dbname (libpq: the last wins).
  if (const char* external = getenv("ENLACE_TEST_POSTGRES_CONNINFO"); external != nullptr) {
    if (absl::Status s = CreateDatabaseAt(external, db); !s.ok()) {
      fprintf(stderr, "ENLACE_TEST_POSTGRES_CONNINFO: %s\n", s.ToString().c_str());
      abort();
    }
    return absl::StrCat(external, " dbname=", db);
  }
  absl::MutexLock l(&shared_mu);
  if (shared_server == nullptr) {
    PostgresServer::Options options;
    // Benchmarks compare with a synced RocksDB: ENLACE_TEST_POSTGRES_DURABLE=1 keeps fsync.
    const char* durable = getenv("ENLACE_TEST_POSTGRES_DURABLE");
    options.durable = durable != nullptr && std::string(durable) == "1";
    auto server = PostgresServer::Start(options);
    if (!server.ok()) {
      fprintf(stderr, "ENLACE_TEST_STORE=postgres: %s\n", server.status().ToString().c_str());
      abort();
    }
    shared_server = server->release();
    atexit(StopSharedServer);
  }
  if (absl::Status s = shared_server->CreateDatabase(db); !s.ok()) {
    fprintf(stderr, "ENLACE_TEST_STORE=postgres: %s\n", s.ToString().c_str());
    abort();
  }
  return shared_server->Conninfo(db);
}

}  // namespace enlace::testing
