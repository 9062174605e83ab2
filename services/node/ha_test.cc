#include "services/node/ha.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "common/testing/postgres_server.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace enlace::node {
namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(LeaseOptionsForTest, DefaultsAndRefusals) {
  v1::NodeConfig config;
  config.set_country("MX");
  EXPECT_TRUE(absl::IsInvalidArgument(LeaseOptionsFor(config).status()));
  config.mutable_ha()->set_lease_conninfo("host=db1,db2 target_session_attrs=read-write");
  auto o = LeaseOptionsFor(config);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->name, "MX");
  EXPECT_FALSE(o->holder.empty());  // the host name
  EXPECT_EQ(o->ttl, absl::Seconds(15));
  EXPECT_EQ(o->renew_interval, absl::Seconds(2));
  config.mutable_ha()->set_lease_ttl_seconds(6);
  config.mutable_ha()->set_renew_interval_seconds(3);
  auto bad = LeaseOptionsFor(config);
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_NE(bad.status().message().find("lease_ttl_seconds / 3"), std::string::npos)
      << bad.status();
}

TEST(AwaitLeaseTest, StandbyIsNotReadyUntilItHoldsTheLease) {
  auto pg = testing::PostgresServer::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  v1::NodeConfig config;
  config.set_country("MX");
  config.mutable_ha()->set_lease_conninfo((*pg)->TcpConninfo());
  config.mutable_ha()->set_holder("b");
  config.mutable_ha()->set_lease_ttl_seconds(3600);  // never runs out by itself here
  config.mutable_ha()->set_renew_interval_seconds(1);
  const int ops_port = FreePort();
  config.mutable_ops()->set_address(absl::StrCat("127.0.0.1:", ops_port));

  // "a" is active.
  auto a_options = LeaseOptionsFor(config);
  ASSERT_TRUE(a_options.ok());
  a_options->holder = "a";
  auto a = ha::Lease::Create(*a_options);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE((*a)->TryAcquire().value_or(false));

  // A signal stops a standby that never got the lease.
  int stop[2];
  ASSERT_EQ(pipe(stop), 0);
  absl::StatusOr<std::unique_ptr<ha::Lease>> got;
  std::thread standby([&] { got = AwaitLease(config, stop[0]); });
  httplib::Client http("127.0.0.1", ops_port);
  // The standby's ops port comes up as it starts; bounded so a broken one fails, not hangs.
  auto ready = http.Get("/readyz");
  for (int i = 0; i < 300 && !ready; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    ready = http.Get("/readyz");
  }
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_NE(ready->body.find("standby"), std::string::npos) << ready->body;
  auto healthy = http.Get("/healthz");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200);
  ASSERT_EQ(write(stop[1], "x", 1), 1);
  standby.join();
  EXPECT_TRUE(absl::IsCancelled(got.status())) << got.status();
  char c;
  ASSERT_EQ(read(stop[0], &c, 1), 1);

  // Once "a" releases, the standby takes the lease in a new term, fencing "a".
  ASSERT_TRUE((*a)->Release().ok());
  got = AwaitLease(config, stop[0]);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)->epoch(), 2);
  EXPECT_EQ((*got)->options().holder, "b");
  EXPECT_TRUE(absl::IsFailedPrecondition((*a)->Renew()));
  // Its ops port is closed for the node to open its own.
  EXPECT_FALSE(http.Get("/readyz"));
  close(stop[0]);
  close(stop[1]);
}

}  // namespace
}  // namespace enlace::node
