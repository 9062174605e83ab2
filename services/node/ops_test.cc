// The ops port of a real node (in-process; mTLS API on loopback; RocksDB in a temp dir):
// liveness, readiness through a drain, and the metrics after real RPCs, checked by promtool.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "grpcpp/impl/codegen/rpc_method.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "services/node/node.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

namespace v1 = ::enlace::cases::v1;

constexpr char kSupervisor[] = "spiffe://mx.enlace.example/role/supervisor/user/ana";

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

// promtool check metrics over `text`: its exit status, and its output in `out`.
int Promtool(const std::string& dir, const std::string& text, std::string* out) {
  const std::string path = dir + "/metrics.txt";
  std::ofstream(path) << text;
  FILE* p = popen(absl::StrCat("/usr/bin/promtool check metrics < ", path, " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  return pclose(p);
}

TEST(OpsPortTest, HealthReadinessAndMetricsOfARealNode) {
  const std::string dir = testing::MakeTempDir("ops");
  auto pki = testing::TestPki::Create(dir, "MX");
  ASSERT_TRUE(pki.ok()) << pki.status();
  node::v1::NodeConfig config = testing::TestNodeConfig(dir, "MX");
  config.mutable_ops()->set_address("127.0.0.1:0");
  config.mutable_ops()->set_port_file(dir + "/ops_port");
  auto node = node::Node::Start(config);
  ASSERT_TRUE(node.ok()) << node.status();
  const int port = (*node)->ops_port();
  ASSERT_GT(port, 0);
  std::ifstream port_file(dir + "/ops_port");
  int written = 0;
  port_file >> written;
  EXPECT_EQ(written, port);

  httplib::Client http("127.0.0.1", port);
  http.set_connection_timeout(5, 0);
  http.set_read_timeout(10, 0);
  auto r = http.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = http.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ready\n");

  // Real calls: three persons created, one not found, one refused (invalid), one unknown method.
  auto client = pki->Client(kSupervisor);
  ASSERT_TRUE(client.ok());
  auto channel = testing::MakeChannel((*node)->api_port(), pki->ca(), &*client);
  auto persons = v1::PersonService::NewStub(channel);
  const std::string names[] = {"Itzel Xochiquetzal", "Guadalupe Tonantzin", "Citlali Yoloxochitl"};
  for (const std::string& given : names) {
    v1::CreatePersonRequest req;
    req.set_parent("countries/MX");
    v1::Person* p = req.mutable_person();
    p->set_given_names(given);
    p->set_family_names("Cuauhtemoc Ramirez");
    p->set_sex(v1::SEX_FEMALE);
    p->set_birth_date("1988-03-14");
    p->add_nationalities("MX");
    p->set_international_protection(v1::INTERNATIONAL_PROTECTION_NONE);
    v1::Person out;
    ASSERT_TRUE(persons->CreatePerson(Ctx().get(), req, &out).ok());
  }
  v1::GetPersonRequest get;
  get.set_name("countries/MX/persons/00000000000000000000");
  v1::Person out;
  EXPECT_EQ(persons->GetPerson(Ctx().get(), get, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::CreatePersonRequest bad;
  bad.set_parent("countries/MX");
  EXPECT_EQ(persons->CreatePerson(Ctx().get(), bad, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  {
    grpc::Slice slice(std::string(""));
    grpc::ByteBuffer in(&slice, 1), reply;
    const grpc::internal::RpcMethod method("/enlace.cases.v1.PersonService/Maria_Lopez_1990",
                                           grpc::internal::RpcMethod::NORMAL_RPC);
    auto ctx = Ctx();
    EXPECT_EQ((grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
                   channel.get(), method, ctx.get(), in, &reply))
                  .error_code(),
              grpc::StatusCode::UNIMPLEMENTED);
  }

  r = http.Get("/metrics");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const std::string& text = r->body;
  for (const char* want : {
           "enlace_rpc_duration_seconds_count{code=\"OK\",method=\"enlace.cases.v1."
           "PersonService/CreatePerson\"} 3",
           "enlace_rpc_duration_seconds_count{code=\"INVALID_ARGUMENT\",method=\"enlace.cases."
           "v1.PersonService/CreatePerson\"} 1",
           "enlace_rpc_duration_seconds_count{code=\"NOT_FOUND\",method=\"enlace.cases.v1."
           "PersonService/GetPerson\"} 1",
           "enlace_commit_batch_transactions_count ",
           "enlace_commit_sync_seconds_bucket{le=\"+Inf\"} ",
           "enlace_store_wal_bytes ",
           "enlace_store_sst_bytes{cf=\"",
           "enlace_store_pending_compaction_bytes{cf=\"",
           "enlace_store_write_stops_total{cf=\"",
           "enlace_rate_limited_total 0",
           "enlace_rpc_duration_seconds_count{code=\"UNIMPLEMENTED\",method=\"unknown\"} 1",
           "enlace_ready 1",
       }) {
    EXPECT_TRUE(absl::StrContains(text, want)) << want << "\n" << text;
  }
  // Three creates were at least three group commits and wrote audit records.
  EXPECT_FALSE(absl::StrContains(text, "enlace_commit_batch_transactions_count 0"));
  EXPECT_FALSE(absl::StrContains(text, "enlace_audit_records 0\n"));
  EXPECT_TRUE(absl::StrContains(text, "enlace_audit_records ")) << text;
  // No name, and no method name a client made up, ever reaches a label.
  for (const std::string& given : names) EXPECT_FALSE(absl::StrContains(text, given));
  EXPECT_FALSE(absl::StrContains(text, "Cuauhtemoc"));
  EXPECT_FALSE(absl::StrContains(text, "Maria_Lopez"));
  std::string promtool;
  EXPECT_EQ(Promtool(dir, text, &promtool), 0) << promtool << "\n" << text;

  // Draining: alive, not ready, and the gRPC health agrees.
  (*node)->BeginDrain();
  r = http.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "not ready: draining\n");
  r = http.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = http.Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_TRUE(absl::StrContains(r->body, "enlace_ready 0")) << r->body;
  ASSERT_TRUE((*node)->Shutdown(absl::Seconds(5)).ok());
  EXPECT_FALSE(http.Get("/healthz"));  // the port closes with the node
}

// Before it is ready: the node is held at reading its master key (a FIFO nobody writes yet),
// after the ops port opened and the store opened, before it serves. No timing involved.
TEST(OpsPortTest, NotReadyWhileStartingThenReady) {
  const std::string dir = testing::MakeTempDir("ops_start");
  auto pki = testing::TestPki::Create(dir, "MX");
  ASSERT_TRUE(pki.ok()) << pki.status();
  node::v1::NodeConfig config = testing::TestNodeConfig(dir, "MX");
  config.mutable_ops()->set_address("127.0.0.1:0");
  config.mutable_ops()->set_port_file(dir + "/ops_port");
  std::string key;
  {
    std::ifstream in(config.security().master_key_file());
    std::stringstream ss;
    ss << in.rdbuf();
    key = ss.str();
  }
  ASSERT_FALSE(key.empty());
  const std::string fifo = dir + "/master.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  config.mutable_security()->set_master_key_file(fifo);

  absl::StatusOr<std::unique_ptr<node::Node>> node = absl::UnknownError("not started");
  std::atomic<bool> started{false};
  std::thread start([&] {
    node = node::Node::Start(config);
    started = true;
  });
  // Gives the node its key once it reads the FIFO (a writer's open fails with ENXIO until
  // then), and waits for the start to end; also on an early test failure.
  auto feed = [&, fed = false]() mutable {
    if (!fed) {
      fed = true;
      testing::WaitFor(
          [&] {
            int fd = open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
            if (fd < 0) return started.load();  // no reader yet (or the start failed)
            (void)!write(fd, key.data(), key.size());
            close(fd);
            return true;
          },
          absl::Seconds(60));
    }
    if (start.joinable()) start.join();
  };
  auto cleanup = absl::MakeCleanup([&feed] { feed(); });
  int port = 0;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        std::ifstream in(dir + "/ops_port");
        return static_cast<bool>(in >> port) && port > 0;
      },
      absl::Seconds(30)));
  httplib::Client http("127.0.0.1", port);
  http.set_connection_timeout(5, 0);
  http.set_read_timeout(10, 0);
  auto r = http.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = http.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_TRUE(absl::StartsWith(r->body, "not ready: starting")) << r->body;
  r = http.Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);

  feed();  // the start goes on
  ASSERT_TRUE(node.ok()) << node.status();
  EXPECT_EQ((*node)->ops_port(), port);
  r = http.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  ASSERT_TRUE((*node)->Shutdown(absl::Seconds(5)).ok());
}

TEST(OpsPortTest, PortInUseFailsTheStartAndChangesNothing) {
  const std::string dir = testing::MakeTempDir("ops_busy");
  auto pki = testing::TestPki::Create(dir, "MX");
  ASSERT_TRUE(pki.ok()) << pki.status();
  node::v1::NodeConfig config = testing::TestNodeConfig(dir, "MX");
  config.mutable_ops()->set_address("127.0.0.1:0");
  auto first = node::Node::Start(config);
  ASSERT_TRUE(first.ok()) << first.status();
  node::v1::NodeConfig second = testing::TestNodeConfig(testing::MakeTempDir("ops_busy2"), "MX");
  *second.mutable_api_tls() = config.api_tls();
  second.mutable_ops()->set_address(absl::StrCat("127.0.0.1:", (*first)->ops_port()));
  auto node = node::Node::Start(second);
  EXPECT_EQ(node.status().code(), absl::StatusCode::kUnavailable) << node.status();
  EXPECT_TRUE(absl::StrContains(node.status().message(), "ops port")) << node.status();
  EXPECT_FALSE(std::ifstream(second.data_dir()).good());  // failed before the store opened
  ASSERT_TRUE((*first)->Shutdown(absl::Seconds(5)).ok());
}

}  // namespace
}  // namespace enlace
