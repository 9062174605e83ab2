#ifndef ENLACE_COMMON_HA_TEST_POSTGRES_H_
#define ENLACE_COMMON_HA_TEST_POSTGRES_H_

// A throwaway PostgreSQL 15 for tests: initdb into a fresh directory under /tmp and a postmaster
// on a free 127.0.0.1 port; stopped (immediate) and removed by the destructor. PostgreSQL refuses
// to run as root, so under root it runs as `nobody` (and the directory is outside TEST_TMPDIR,
// which `nobody` cannot reach under /root).

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace enlace::ha {

class TestPostgres {
 public:
  static absl::StatusOr<std::unique_ptr<TestPostgres>> Start();
  ~TestPostgres();
  // libpq connection string of the database "postgres" as superuser "postgres".
  std::string conninfo() const;
  int port() const { return port_; }

 private:
  TestPostgres() = default;
  std::string dir_;
  int port_ = 0;
  bool started_ = false;
};

}  // namespace enlace::ha

#endif  // ENLACE_COMMON_HA_TEST_POSTGRES_H_
