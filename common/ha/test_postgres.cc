#include "common/ha/test_postgres.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace enlace::ha {
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

// The prefix that runs a command as `nobody` when we are root.
std::string AsDbUser() {
  return geteuid() == 0 ? "setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/tmp "
                        : "";
}

absl::Status Run(const std::string& command, const std::string& log) {
  const std::string full = absl::StrCat(command, " >>", log, " 2>&1");
  if (std::system(full.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("test postgres: `", command, "` failed; see ", log));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<TestPostgres>> TestPostgres::Start() {
  std::unique_ptr<TestPostgres> pg(new TestPostgres());
  std::string tmpl = "/tmp/enlace-pg-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return absl::InternalError("test postgres: mkdtemp");
  pg->dir_ = tmpl;
  if (geteuid() == 0) {
    if (Run(absl::StrCat("chown nobody:nogroup ", pg->dir_), "/dev/null").ok()) {
      chmod(pg->dir_.c_str(), 0755);
    }
  }
  const std::string log = pg->dir_ + "/setup.log";
  absl::Status s = Run(absl::StrCat(AsDbUser(), kBin, "/initdb -D ", pg->dir_,
                                    "/data -U postgres -A trust -E UTF8 --no-sync"),
                       log);
  if (!s.ok()) return s;
  for (int attempt = 0; attempt < 5 && !pg->started_; ++attempt) {
    pg->port_ = FreePort();
    s = Run(absl::StrCat(AsDbUser(), kBin, "/pg_ctl -D ", pg->dir_, "/data -l ", pg->dir_,
                         "/postgres.log -w -t 60 -o \"-p ", pg->port_, " -k ", pg->dir_,
                         " -c listen_addresses=127.0.0.1 -c fsync=off\" start"),
            log);
    pg->started_ = s.ok();
  }
  if (!s.ok()) return s;
  return pg;
}

TestPostgres::~TestPostgres() {
  if (started_) {
    (void)Run(absl::StrCat(AsDbUser(), kBin, "/pg_ctl -D ", dir_, "/data -m immediate -w stop"),
              "/dev/null");
  }
  if (!dir_.empty() && getenv("ENLACE_KEEP_TEST_POSTGRES") == nullptr) {
    (void)Run(absl::StrCat("rm -rf ", dir_), "/dev/null");
  }
}

std::string TestPostgres::conninfo() const {
  return absl::StrCat("host=127.0.0.1 port=", port_,
                      " user=postgres dbname=postgres connect_timeout=5");
}

}  // namespace enlace::ha
